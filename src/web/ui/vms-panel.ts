/** Check VMs before migrating: paste or drop Proxmox configs, libvirt XML or -cpu strings -> VM x host matrix with reasons. */
import { checkMatrix, type CheckResult } from '../../engine/check.js';
import { readVmsFromText, type VmCpu } from '../../sources/vm/index.js';
import { fill, h } from './dom.js';
import type { Store } from './store.js';
import { createTextDrop } from './text-drop.js';

export function createVmsPanel(store: Store): HTMLElement {
  const messages = h('ul', { class: 'messages', 'aria-live': 'polite' });
  const result = h('div', { class: 'vm-result', id: 'vm-result' });
  let vms: VmCpu[] = [];

  const zone = createTextDrop({
    id: 'vms',
    label: 'VM definitions: Proxmox qemu-server/<vmid>.conf, libvirt domain XML, or a QEMU -cpu string',
    placeholder: 'cpu: x86-64-v3\ncores: 4\nmemory: 8192',
    nameLabel: 'VM name',
    defaultName: () => `vm-${vms.length + 1}`,
    submitLabel: 'Check VM',
    onSubmit(items) {
      const errors: string[] = [];
      for (const it of items) {
        try {
          const read = readVmsFromText(it.text, it.where, it.name);
          // Checking the same VM again replaces it
          vms = [...vms.filter((v) => !read.some((r) => r.name === v.name)), ...read];
        } catch (e) {
          errors.push((e as Error).message.split('\n')[0]);
        }
      }
      fill(
        messages,
        errors.map((m) => h('li', { class: 'error', role: 'alert' }, m)),
      );
      render();
    },
  });

  function render(): void {
    const hosts = store.derived.selectedHosts;
    if (!vms.length) return fill(result, h('p', { class: 'muted' }, 'No VMs checked yet.'));
    if (!hosts.length) return fill(result, h('p', { class: 'muted' }, 'Select hosts to check against.'));
    fill(
      result,
      table(checkMatrix(vms, hosts), vms),
      h('button', { type: 'button', class: 'btn small', onclick: () => ((vms = []), render()) }, 'Clear VMs'),
    );
  }
  store.subscribe(render, { defer: true });
  return h('div', {}, zone.el, messages, result);
}

function table(r: CheckResult, vms: VmCpu[]): HTMLElement {
  const cpuOf = new Map(vms.map((v) => [v.name, v.cpu]));
  const cell = (vm: string, host: string) => r.cells.find((c) => c.vm === vm && c.host === host)!;
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table vm-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'VM'),
          r.hosts.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        r.vms.map((vm) =>
          h(
            'tr',
            { 'data-vm': vm },
            h(
              'th',
              { scope: 'row' },
              vm,
              h('code', { class: 'vm-cpu' }, `-cpu ${cpuOf.get(vm) ?? '?'}`),
              (r.vmWarnings[vm] ?? []).map((w) => h('small', { class: 'note' }, w)),
            ),
            r.hosts.map((host) => {
              const c = cell(vm, host);
              return h(
                'td',
                { class: c.ok ? (c.warnings.length ? 'vm-warn' : 'vm-ok') : 'vm-bad', 'data-host': host },
                h('strong', {}, c.ok ? (c.warnings.length ? 'starts, with warnings' : 'OK') : 'will not start'),
                // Plain "older CPU" misses as compact chips; the ones with a reason as lines
                c.missing.some((m) => !m.why)
                  ? h(
                      'p',
                      { class: 'missing-words' },
                      c.missing.filter((m) => !m.why).map((m) => h('code', {}, m.feature)),
                    )
                  : null,
                c.missing.some((m) => m.why)
                  ? h(
                      'ul',
                      {},
                      c.missing.filter((m) => m.why).map((m) => h('li', {}, h('code', {}, m.feature), ` — ${m.why}`)),
                    )
                  : null,
                c.warnings.length
                  ? h(
                      'ul',
                      { class: 'warn-list' },
                      c.warnings.map((w) => h('li', {}, w)),
                    )
                  : null,
              );
            }),
          ),
        ),
      ),
    ),
    r.suggestions.length
      ? h(
          'ul',
          { class: 'suggestions' },
          r.suggestions.map((s) => h('li', {}, h('strong', {}, s.vm), ': ', s.text)),
        )
      : null,
  );
}
