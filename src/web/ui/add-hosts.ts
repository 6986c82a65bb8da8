/** Add hosts in the browser: the same readers as the CLI parse the text here; errors show the reader's one-line message. */
import type { HostProfile } from '../../profile/host-profile.js';
import { readProfilesFromText } from '../../sources/index.js';
import { fill, h, plural } from './dom.js';
import type { Store } from './store.js';
import { createTextDrop } from './text-drop.js';

export function createAddHosts(store: Store): HTMLElement {
  const messages = h('ul', { class: 'messages', 'aria-live': 'polite', id: 'add-hosts-messages' });
  const zone = createTextDrop({
    id: 'add-hosts',
    label: 'Host data: /proc/cpuinfo, QMP query-cpu-model-expansion JSON, Proxmox API JSON, HostProfile JSON, …',
    placeholder: 'Paste the output of: cat /proc/cpuinfo',
    nameLabel: 'Host name',
    defaultName: () => `host-${store.state.hosts.length + 1}`,
    submitLabel: 'Add hosts',
    onSubmit(items) {
      const ok: HostProfile[] = [];
      const errors: string[] = [];
      for (const it of items) {
        try {
          ok.push(...readProfilesFromText(it.text, it.where, it.name));
        } catch (e) {
          errors.push((e as Error).message.split('\n')[0]);
        }
      }
      const added = ok.length ? store.addHosts(ok) : [];
      if (added.length && !errors.length) zone.clear();
      fill(
        messages,
        added.length
          ? h('li', { class: 'ok' }, `Added ${plural(added.length, 'host')}: ${added.map((x) => x.name).join(', ')}`)
          : null,
        errors.map((m) => h('li', { class: 'error', role: 'alert' }, m)),
      );
    },
  });
  return h('div', {}, zone.el, messages);
}
