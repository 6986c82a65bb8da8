/**
 * The Plan view: per VM its migration domain, where it can live-migrate now, what blocks the rest,
 * and the commands, from GET /api/plan (serve --pve-config). Adds itself, with its nav link, only
 * when the server has a cluster config.
 */
import type { PlanJson, PlanVmJson } from '../../proxmox/plan/json.js';
import { fetchPlan } from './api-client.js';
import { h, plural, section } from './dom.js';

function domainsTable(plan: PlanJson): HTMLElement {
  return h(
    'table',
    { class: 'table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Nodes'), h('th', {}, 'From'), h('th', {}, 'Model'))),
    h(
      'tbody',
      {},
      plan.domains.map((d) =>
        h(
          'tr',
          {},
          h('td', {}, d.nodes.join(', ')),
          h('td', {}, d.source),
          h('td', {}, h('code', {}, d.model.name), h('div', { class: 'muted' }, `-cpu ${d.model.cpu}`)),
        ),
      ),
    ),
  );
}

function vmRow(v: PlanVmJson): HTMLElement {
  return h(
    'tr',
    {},
    h('td', {}, String(v.vmid), h('div', { class: 'muted' }, v.node)),
    h('td', {}, v.liveTargets.join(', ') || h('strong', {}, 'none')),
    h(
      'td',
      {},
      v.blocked.length
        ? h(
            'ul',
            {},
            v.blocked.map((b) => h('li', {}, h('strong', {}, b.node), `: ${b.reasons.join('; ')}`)),
          )
        : '-',
    ),
    h(
      'td',
      {},
      v.action === 'keep' ? 'keep' : 'change model',
      v.needsRestart ? h('div', { class: 'muted' }, 'needs a full stop and start') : null,
    ),
    h('td', {}, v.commands.length ? h('pre', {}, v.commands.join('\n')) : '-'),
  );
}

/** Model versions: the VMs on older ones or a model that no longer fits, and the power-cycle list. */
function versionsPart(plan: PlanJson): HTMLElement[] {
  const v = plan.versions;
  if (!v || (!v.vms.length && !v.removable.length)) return [];
  return [
    h('h3', {}, 'Model versions and the power-cycle list'),
    h(
      'ul',
      { id: 'plan-versions' },
      v.vms.map((x) => h('li', {}, h('strong', {}, `VM ${x.vmid}`), ` on ${x.node} (${x.status}): ${x.why}`)),
    ),
    v.powerCycle.length
      ? h('pre', { id: 'plan-power-cycle' }, v.powerCycle.flatMap((c) => c.commands).join('\n'))
      : h('p', { class: 'muted' }, 'No VM needs a full stop and start.'),
    ...v.removable.map((r) => h('p', { class: 'muted' }, `Removable: ${r.name}: ${r.why}`)),
  ];
}

function render(plan: PlanJson): HTMLElement[] {
  const changes = plan.vms.filter((v) => v.action === 'change-model').length;
  return [
    h(
      'p',
      { class: 'muted' },
      `${plural(plan.domains.length, 'migration domain')}, ${plural(plan.vms.length, 'VM')}; ${changes} to change.`,
    ),
    domainsTable(plan),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table vm-table', id: 'plan-vms' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['VM', 'Live targets now', 'Blocked', 'Action', 'Commands'].map((t) => h('th', {}, t)),
          ),
        ),
        h('tbody', {}, plan.vms.map(vmRow)),
      ),
    ),
    ...versionsPart(plan),
  ];
}

/** One call from the dashboard: adds the section and its nav link when there is a plan. */
export async function mountPlanPanel(main: HTMLElement, nav: Element | null): Promise<void> {
  const res = await fetchPlan().catch(() => null);
  if (!res?.ok) return;
  main.append(section('plan', 'Plan: migration domains and rollout', ...render(res.value)));
  nav?.append(h('a', { href: '#plan', 'data-nav': 'plan' }, 'Plan'));
}
