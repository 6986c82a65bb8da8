/** What the model gives up, grouped by cause (the hosts lacking it, or the policy) and ranked by what guests lose. */
import { groupLost, type LostGroup } from '../../engine/lost-groups.js';
import { fill, h, plural, shortList } from './dom.js';
import { REASON_TEXT, categoryOf } from './feature-status.js';
import type { Store } from './store.js';

function cause(g: LostGroup, total: number): string {
  if (g.reason) return REASON_TEXT[g.reason] ?? g.reason;
  const n = g.missingOn.length;
  return n === total
    ? 'no host of the model offers all of these'
    : `missing on ${shortList(g.missingOn, 4)}${n > 4 ? ` (${n} hosts)` : ''}`;
}

export function createLostPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'lost', id: 'lost' });
  function render(): void {
    const model = store.derived.model;
    if (!model) return fill(body, h('p', { class: 'muted' }, 'No model yet.'));
    if (!model.lost.length)
      return fill(
        body,
        h('p', { class: 'muted' }, 'Nothing lost: every feature of every selected host is in the model.'),
      );
    const groups = groupLost(model.lost);
    fill(
      body,
      h(
        'ol',
        { class: 'lost-groups' },
        groups.map((g) =>
          h(
            'li',
            { class: `lost-group${g.reason ? ' policy' : ''}` },
            h(
              'p',
              { class: 'lost-cause' },
              h('strong', {}, plural(g.features.length, 'feature')),
              ' — ',
              cause(g, model.hosts.length),
            ),
            h(
              'ul',
              { class: 'feature-words' },
              g.features.map((f) =>
                h('li', { 'data-feature': f, class: `cat-${categoryOf(f)}`, title: categoryOf(f) }, h('code', {}, f)),
              ),
            ),
          ),
        ),
      ),
    );
  }
  store.subscribe(render, { defer: true });
  return body;
}
