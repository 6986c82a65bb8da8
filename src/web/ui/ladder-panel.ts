/**
 * Next to the answer, as vCenter's EVC page and Proxmox's processor dialog do: the built-in CPU types,
 * ticked where they run on every selected host, crossed with the hosts and features that stop them.
 */
import type { LadderRung } from '../../engine/builtin-ladder.js';
import { fill, h, plural, shortList } from './dom.js';
import type { Store } from './store.js';

/** Named types shown above the richest one that runs everywhere: enough to see what is near. */
const NAMED_ABOVE = 2;

/** Every generic rung; per vendor the richest named type that runs everywhere and the next few that do not. */
export function shownRungs(rungs: LadderRung[]): LadderRung[] {
  const generic = rungs.filter((r) => r.kind === 'generic');
  const named: LadderRung[] = [];
  for (const vendor of [...new Set(rungs.filter((r) => r.kind === 'named').map((r) => r.vendor))]) {
    const list = rungs.filter((r) => r.kind === 'named' && r.vendor === vendor);
    const best = list.map((r) => r.everywhere).lastIndexOf(true);
    const from = Math.max(0, best);
    named.push(...list.slice(from, from + 1 + NAMED_ABOVE).filter((r, i) => i > 0 || r.everywhere || best < 0));
  }
  return [...generic, ...named];
}

/** "runs on 157 of 300; 143 lack avx2, bmi2, movbe…": the features that stop it most often, hosts in the tooltip. */
function blockedText(r: LadderRung, total: number): string {
  const weight = new Map<string, number>();
  for (const b of r.blocked) for (const f of b.missing) weight.set(f, (weight.get(f) ?? 0) + b.hosts.length);
  const top = [...weight].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([f]) => f);
  const lacking = total - r.runsOn;
  const who =
    r.blocked.length === 1 && r.blocked[0].hosts.length <= 2 ? shortList(r.blocked[0].hosts, 2) : `${lacking}`;
  return `runs on ${r.runsOn} of ${total}; ${who} ${lacking === 1 ? 'lacks' : 'lack'} ${shortList(top, 3)}`;
}

function blockedTitle(r: LadderRung): string | null {
  if (!r.blocked.length) return null;
  return r.blocked.map((b) => `${shortList(b.hosts, 5)}: ${b.missing.join(' ')}`).join('\n');
}

export function createLadderPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'ladder' });
  function render(): void {
    const { ladder, selectedHosts, model } = store.derived;
    const total = selectedHosts.length;
    if (!total) return fill(body, h('p', { class: 'muted' }, 'Select hosts to see which built-in types run on them.'));
    const richest = ladder.rungs.find((r) => r.type === ladder.richest);
    fill(
      body,
      h(
        'p',
        { class: 'ladder-lead' },
        richest
          ? [
              h('strong', {}, richest.type),
              ` is the richest built-in type that runs on every host (${plural(richest.featureCount, 'feature')})`,
              model ? `; the custom model gives ${model.features.length}.` : '.',
            ]
          : 'No built-in type runs on every selected host: check the host data.',
      ),
      ladder.caveat ? h('p', { class: 'ladder-caveat small' }, ladder.caveat) : null,
      h(
        'ul',
        { class: 'rungs', 'aria-label': 'Built-in CPU types' },
        shownRungs(ladder.rungs).map((r) =>
          h(
            'li',
            {
              class: `rung ${r.everywhere ? 'yes' : 'no'}${r.type === ladder.richest ? ' best' : ''}`,
              'data-type': r.type,
            },
            h('span', { class: 'glyph', 'aria-hidden': 'true' }, r.everywhere ? '✓' : '✗'),
            h('code', {}, r.type),
            h(
              'span',
              { class: 'rung-text', title: blockedTitle(r) },
              r.everywhere ? `runs on all ${total}` : blockedText(r, total),
              r.type === ladder.richest ? h('span', { class: 'badge' }, 'richest everywhere') : null,
            ),
          ),
        ),
      ),
    );
  }
  store.subscribe(render);
  render();
  return body;
}
