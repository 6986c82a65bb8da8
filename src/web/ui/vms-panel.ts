/**
 * Check VMs before migrating: paste or drop Proxmox configs (cpu: custom-<this model> included), libvirt
 * XML or -cpu strings -> one verdict per VM, the hosts folded into their CPU-model groups.
 */
import { checkMatrix } from '../../engine/check.js';
import { pveModelSection } from '../../emitters/pve.js';
import { errorLine } from '../../errors.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { readVmsFromText, type VmCpu } from '../../sources/vm/index.js';
import { vmVerdicts, type GroupVerdict, type VmVerdict } from '../common/vm-verdict.js';
import { fill, h, keepFocus, plural } from './dom.js';
import { groupLabel } from './matrix-data.js';
import type { Store } from './store.js';
import { createTextDrop } from './text-drop.js';

/** The page's own model as cpu-models.conf holds it, so `cpu: custom-<name>` checks against it. */
function ownModels(store: Store): Map<string, CpuModelSection> {
  const model = store.derived.model;
  if (!model) return new Map();
  try {
    return new Map([[model.name, pveModelSection(model)]]);
  } catch {
    return new Map(); // a name PVE refuses: the VM check then says the model is unknown
  }
}

export function createVmsPanel(store: Store): HTMLElement {
  const messages = h('ul', { class: 'messages', id: 'vms-messages' });
  const result = h('div', { class: 'vm-result', id: 'vm-result' });
  let vms: VmCpu[] = [];
  // Kept as pasted: a changed model re-reads them, so custom-<name> follows the model being built
  let inputs: Array<{ text: string; where: string; name: string }> = [];

  function read(): string[] {
    const errors: string[] = [];
    const custom = ownModels(store);
    vms = [];
    for (const it of inputs) {
      try {
        const got = readVmsFromText(it.text, it.where, it.name, custom);
        vms = [...vms.filter((v) => !got.some((r) => r.name === v.name)), ...got];
      } catch (e) {
        errors.push(errorLine(e));
      }
    }
    return errors;
  }

  const zone = createTextDrop({
    id: 'vms',
    label: 'VM definitions to check: Proxmox VM config, libvirt domain XML, or a QEMU -cpu string',
    placeholder: 'cpu: custom-migratable-mixed\ncores: 4\nmemory: 8192',
    nameLabel: 'VM name',
    defaultName: () => `vm-${inputs.length + 1}`,
    submitLabel: 'Check',
    onSubmit(items) {
      const custom = ownModels(store);
      const errors: string[] = [];
      for (const it of items) {
        try {
          readVmsFromText(it.text, it.where, it.name, custom);
          // Checking the same VM name again replaces it
          inputs = [...inputs.filter((x) => x.name !== it.name), it];
        } catch (e) {
          errors.push(errorLine(e));
        }
      }
      showErrors(errors);
      render();
    },
  });

  function showErrors(errors: string[]): void {
    fill(
      messages,
      errors.map((m) => h('li', { class: 'error', role: 'alert' }, m)),
    );
  }

  function render(): void {
    const hosts = store.derived.selectedHosts;
    if (!inputs.length) return fill(result, h('p', { class: 'muted' }, 'No VMs checked yet.'));
    if (!hosts.length) return fill(result, h('p', { class: 'muted' }, 'Select hosts to check against.'));
    const errors = read();
    if (errors.length) showErrors(errors);
    const groupOf = new Map(hosts.map((x) => [x.name, groupLabel(x)]));
    const verdicts = vmVerdicts(checkMatrix(vms, hosts), vms, (n) => groupOf.get(n) ?? n);
    keepFocus(result, () =>
      fill(
        result,
        table(verdicts),
        h(
          'button',
          { type: 'button', class: 'btn small', onclick: () => ((inputs = []), (vms = []), render()) },
          'Clear VMs',
        ),
      ),
    );
  }
  store.subscribe(render, { defer: true });
  return h('div', {}, zone.el, messages, result);
}

const MARK: Record<VmVerdict['kind'], string> = { all: '✓', group: '◐', some: '◐', none: '✗' };

/** Above this many, the CPU models a VM runs on fully are one line (named in its tooltip): the exceptions stand out. */
const FOLD_OK_GROUPS = 4;

function groupLine(g: GroupVerdict): HTMLElement {
  return h(
    'li',
    { class: g.ok === g.hosts ? 'ok' : g.ok ? 'part' : 'bad', 'data-group': g.group },
    h('span', { class: 'glyph', 'aria-hidden': 'true' }, g.ok === g.hosts ? '✓' : g.ok ? '◐' : '✗'),
    h('span', {}, `${g.group}: `, g.ok === g.hosts ? `all ${g.hosts}` : `${g.ok} of ${plural(g.hosts, 'host')}`),
    g.missing.length
      ? h(
          'span',
          { class: 'missing-words' },
          ' lacks ',
          g.missing.slice(0, 8).map((m) => h('code', { title: m.why ?? null }, m.feature)),
          g.missing.length > 8 ? ` and ${g.missing.length - 8} more` : '',
        )
      : null,
  );
}

function groupCell(v: VmVerdict): HTMLElement {
  const full = v.groups.filter((g) => g.ok === g.hosts);
  const rest = v.groups.filter((g) => g.ok !== g.hosts);
  const fold = full.length > FOLD_OK_GROUPS;
  return h(
    'ul',
    { class: 'vm-groups' },
    fold
      ? h(
          'li',
          { class: 'ok', title: full.map((g) => g.group).join('\n') },
          h('span', { class: 'glyph', 'aria-hidden': 'true' }, '✓'),
          `${full.length} CPU models: all ${plural(
            full.reduce((n, g) => n + g.hosts, 0),
            'host',
          )}`,
        )
      : full.map(groupLine),
    rest.map(groupLine),
  );
}

function table(verdicts: VmVerdict[]): HTMLElement {
  return h(
    'table',
    { class: 'table vm-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'VM'),
        h('th', { scope: 'col' }, 'Verdict'),
        h('th', { scope: 'col' }, 'By CPU model'),
      ),
    ),
    h(
      'tbody',
      {},
      verdicts.map((v) =>
        h(
          'tr',
          { 'data-vm': v.vm, class: `verdict-${v.kind}` },
          h('th', { scope: 'row' }, v.vm, h('code', { class: 'vm-cpu' }, `-cpu ${v.cpu}`)),
          h(
            'td',
            { class: 'verdict' },
            h('span', { class: 'glyph', 'aria-hidden': 'true' }, MARK[v.kind]),
            h('strong', {}, v.text),
            v.warnings.length
              ? h(
                  'ul',
                  { class: 'warn-list' },
                  v.warnings.slice(0, 4).map((w) => h('li', {}, w)),
                )
              : null,
          ),
          h('td', {}, groupCell(v)),
        ),
      ),
    ),
  );
}
