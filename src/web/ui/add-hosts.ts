/**
 * Add hosts in the browser: the same readers as the CLI parse the text here. Several cpuinfo dumps in
 * one paste become several hosts; the same text twice is noticed; errors show the reader's one line.
 */
import { errorLine } from '../../errors.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readProfilesFromText } from '../../sources/index.js';
import { fill, h, plural } from './dom.js';
import { splitCpuinfoDumps, textKey } from './paste-split.js';
import { announce } from './status-line.js';
import type { Store } from './store.js';
import { createTextDrop, type TextItem } from './text-drop.js';

export function createAddHosts(store: Store): HTMLElement {
  const messages = h('ul', { class: 'messages', id: 'add-hosts-messages' });
  const seen = new Map<string, string>();

  function readItem(it: TextItem, ok: Array<{ profile: HostProfile; key: string }>, notes: string[]): void {
    const dumps = splitCpuinfoDumps(it.text);
    if (dumps.length > 1)
      notes.push(`${it.where}: ${dumps.length} cpuinfo dumps in one paste, read as ${dumps.length} hosts`);
    dumps.forEach((text, i) => {
      const key = textKey(text);
      const name = dumps.length > 1 ? `${it.name}-${i + 1}` : it.name;
      const before = seen.get(key);
      if (before) return void notes.push(`${name}: the same data as ${before}, not added again`);
      for (const profile of readProfilesFromText(text, it.where, name)) ok.push({ profile, key });
    });
  }

  const zone = createTextDrop({
    id: 'add-hosts',
    label: 'Host data: /proc/cpuinfo, QMP query-cpu-model-expansion JSON, Proxmox API JSON, HostProfile JSON, …',
    placeholder: 'Paste the output of: cat /proc/cpuinfo',
    nameLabel: 'Host name',
    defaultName: () => `host-${store.state.hosts.length + 1}`,
    submitLabel: 'Add hosts',
    onSubmit(items) {
      const ok: Array<{ profile: HostProfile; key: string }> = [];
      const errors: string[] = [];
      const notes: string[] = [];
      for (const it of items) {
        try {
          readItem(it, ok, notes);
        } catch (e) {
          errors.push(errorLine(e));
        }
      }
      const added = ok.length
        ? store.addHosts(
            ok.map((x) => x.profile),
            true,
          )
        : [];
      added.forEach((x, i) => {
        seen.set(ok[i].key, x.name);
        if (x.name !== ok[i].profile.name)
          notes.push(`a host named ${ok[i].profile.name} was loaded already: added as ${x.name}`);
      });
      if (added.length && !errors.length) zone.clear();
      if (added.length) announce(`Added ${plural(added.length, 'host')}.`);
      fill(
        messages,
        added.length
          ? h('li', { class: 'ok' }, `Added ${plural(added.length, 'host')}: ${added.map((x) => x.name).join(', ')}`)
          : null,
        notes.map((m) => h('li', { class: 'note' }, m)),
        errors.map((m) => h('li', { class: 'error', role: 'alert' }, m)),
      );
    },
  });
  return h('div', {}, zone.el, messages);
}
