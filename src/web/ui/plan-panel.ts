/**
 * The Plan view: per VM its migration domain, where it can live-migrate now, what blocks the rest,
 * and the commands, from GET /api/plan (serve --pve-config), with what the CLI prints beside them:
 * the plan's notes (dropped HA rules, nodes without host data), per VM its state (template, lock),
 * its HA partners (keep-together bundle, keep-apart) and its notes. Adds itself, with its nav link,
 * only when the server has a cluster config.
 */
import type { PlanJson, PlanVmJson } from '../../proxmox/plan/json.js';
import type { PlanBlocked } from '../../proxmox/plan/types.js';
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

/** What holds the VM in place or moves it along: template, lock, HA partners. */
/** The nodes a VM cannot move to live, each with its reasons (plan and drain tables). */
export function blockedCell(blocked: PlanBlocked[]): HTMLElement {
  return h(
    'td',
    {},
    blocked.length
      ? h(
          'ul',
          {},
          blocked.map((b) => h('li', {}, h('strong', {}, b.node), `: ${b.reasons.join('; ')}`)),
        )
      : '-',
  );
}

function vmTags(v: PlanVmJson): HTMLElement[] {
  const tags: HTMLElement[] = [];
  if (v.template) tags.push(h('span', { class: 'tag plan-template', title: 'template: 1 never runs' }, 'template'));
  if (v.lock)
    tags.push(
      h('span', { class: 'tag plan-lock', title: 'qm migrate refuses it until released' }, `locked (${v.lock})`),
    );
  if (v.together?.length)
    tags.push(h('div', { class: 'muted plan-together' }, `moves with ${v.together.join(', ')} (keep-together)`));
  if (v.apart?.length) tags.push(h('div', { class: 'muted plan-apart' }, `kept apart from ${v.apart.join(', ')}`));
  return tags;
}

function vmRow(v: PlanVmJson): HTMLElement {
  return h(
    'tr',
    { 'data-vmid': String(v.vmid) },
    h(
      'td',
      {},
      String(v.vmid),
      v.name ? h('div', {}, v.name) : null,
      h('div', { class: 'muted' }, v.node),
      ...vmTags(v),
    ),
    h('td', {}, v.liveTargets.join(', ') || h('strong', {}, 'none')),
    blockedCell(v.blocked),
    h(
      'td',
      {},
      v.action === 'keep' ? 'keep' : 'change model',
      v.needsRestart ? h('div', { class: 'muted' }, 'needs a full stop and start') : null,
    ),
    h('td', {}, v.commands.length ? h('pre', {}, v.commands.join('\n')) : '-'),
    h(
      'td',
      {},
      v.notes?.length
        ? h(
            'ul',
            { class: 'plan-vm-notes' },
            v.notes.map((n) => h('li', {}, n)),
          )
        : '-',
    ),
  );
}

/** What the plan could not use (dropped HA rules, nodes without host data, offline nodes), as the CLI prints it. */
function notesPart(plan: PlanJson): HTMLElement[] {
  if (!plan.notes.length) return [];
  return [
    h('h3', {}, 'Notes'),
    h(
      'ul',
      { id: 'plan-notes' },
      plan.notes.map((n) => h('li', {}, n)),
    ),
  ];
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
    ...notesPart(plan),
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
            ['VM', 'Live targets now', 'Blocked', 'Action', 'Commands', 'Notes'].map((t) => h('th', {}, t)),
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
