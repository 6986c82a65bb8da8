/**
 * The Drain view (serve --pve-config): pick a node, and optionally paste planned host data for it (a
 * new kernel, QEMU, microcode or CPU); the server answers with every VM on the node, where it can
 * live-migrate, what frees the others, and with planned data which VMs are stranded and what to roll
 * out first. The planned data is read here with the CLI's readers, then sent as profiles.
 */
import type { drainJson } from '../../proxmox/drain/text.js';
import { readProfilesFromText } from '../../sources/index.js';
import { get, post } from './api-client.js';
import { fill, h, plural, section } from './dom.js';
import { announce } from './status-line.js';
import { blockedCell } from './plan-panel.js';

type DrainJson = ReturnType<typeof drainJson>;
type DrainVm = DrainJson['vms'][number];

function fixText(f: DrainVm['fixes'][number]): string {
  return f.kind === 'cold-move'
    ? `Cold move to ${f.to.join(' or ')}`
    : `Model change at its next cold start: custom-${f.model} (then live to ${f.liveTargetsAfter.join(', ') || 'no node'})`;
}

function vmRow(v: DrainVm): HTMLElement {
  const fix = v.fixes[0];
  return h(
    'tr',
    {},
    h('td', {}, String(v.vmid), v.name ? h('div', { class: 'muted' }, v.name) : null),
    h(
      'td',
      {},
      v.status === 'live'
        ? 'moves live'
        : v.status === 'stopped'
          ? 'stopped: moves offline'
          : h('strong', {}, 'cannot move live'),
    ),
    h('td', {}, v.liveTargets.join(', ') || 'none'),
    blockedCell(v.blocked),
    h(
      'td',
      {},
      fix
        ? [h('div', {}, fixText(fix)), h('pre', {}, fix.commands.join('\n'))]
        : v.commands.length
          ? h('pre', {}, v.commands.join('\n'))
          : '-',
      v.notes.map((n) => h('div', { class: 'muted' }, n)),
    ),
  );
}

function render(r: DrainJson): HTMLElement[] {
  const stuck = r.vms.filter((v) => v.status === 'stuck').length;
  const out: HTMLElement[] = [
    h(
      'p',
      { class: stuck ? 'notice error' : 'muted', role: stuck ? 'alert' : null },
      `${r.node}: ${plural(r.vms.length, 'VM')}; ${stuck ? `${stuck} cannot move live now` : 'every one can move now'}.`,
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table vm-table', id: 'drain-vms' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['VM', 'Now', 'Live targets', 'Blocked', 'Least change'].map((t) => h('th', {}, t)),
          ),
        ),
        h('tbody', {}, r.vms.map(vmRow)),
      ),
    ),
  ];
  if (r.after) {
    out.push(h('h3', {}, `After the planned change of ${r.after.replaced.join(', ')}`));
    out.push(
      r.after.stranded.length
        ? h(
            'ul',
            { id: 'drain-stranded' },
            r.after.stranded.map((s) =>
              h(
                'li',
                {},
                h('strong', {}, `VM ${s.vmid}${s.name ? ` (${s.name})` : ''}`),
                ` on ${s.node} (${s.severity}): `,
                s.loses.map((l) => `${l.node} misses ${l.missing.join(', ')}`).join('; '),
              ),
            ),
          )
        : h('p', { id: 'drain-stranded' }, 'No VM is stranded.'),
    );
    if (r.after.rollout.steps.length)
      out.push(
        h('h4', {}, 'Roll out first'),
        h('pre', { id: 'drain-rollout' }, r.after.rollout.steps.map((s) => s.command).join('\n')),
        ...r.after.rollout.notes.map((n) => h('p', { class: 'muted' }, n)),
      );
  }
  return out;
}

/** Adds the view and its nav link when the server has a cluster config. */
export async function mountDrainPanel(main: HTMLElement, nav: Element | null): Promise<void> {
  const res = await get<{ nodes: string[] } | null>('/api/drain').catch(() => null);
  if (!res?.ok || !res.value) return;
  const select = h(
    'select',
    { id: 'drain-node', class: 'input' },
    res.value.nodes.map((n) => h('option', { value: n }, n)),
  );
  const planned = h('textarea', {
    id: 'drain-after',
    class: 'input',
    rows: 4,
    placeholder: 'Optional: the node as planned after an upgrade (its /proc/cpuinfo, probe JSON, …)',
  });
  const every = h('input', { type: 'checkbox', id: 'drain-every' });
  const result = h('div', { id: 'drain-result', 'aria-live': 'polite' });
  const run = async () => {
    const node = select.value;
    const body: { after?: unknown[]; everyNode?: boolean } = {};
    if (planned.value.trim()) {
      try {
        body.after = readProfilesFromText(planned.value, 'planned host data', node);
      } catch (e) {
        fill(result, h('p', { class: 'notice error', role: 'alert' }, (e as Error).message.split('\n')[0]));
        return;
      }
      body.everyNode = every.checked;
    }
    const r = await post<DrainJson>(`/api/drain/${encodeURIComponent(node)}`, body);
    if (!r.ok) return fill(result, h('p', { class: 'notice error', role: 'alert' }, r.error));
    fill(result, ...render(r.value));
    announce(`Drain ${node}: ${plural(r.value.vms.length, 'VM')}.`);
  };
  const form = h(
    'form',
    {
      class: 'drain-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void run();
      },
    },
    h('label', { for: 'drain-node', class: 'field inline' }, 'Node to drain '),
    select,
    h('label', { for: 'drain-after', class: 'field' }, 'Planned host data (optional)'),
    planned,
    h('div', {}, h('label', { class: 'check' }, every, 'the planned data replaces every node')),
    h('button', { type: 'submit', id: 'drain-run', class: 'btn primary' }, 'Check the drain'),
  );
  main.append(section('drain', 'Drain and upgrade pre-flight', form, result));
  nav?.append(h('a', { href: '#drain', 'data-nav': 'drain' }, 'Drain'));
}
