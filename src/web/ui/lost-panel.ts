/** What the model gives up: each lost feature, the hosts lacking it, and the reason when it is not just missing. */
import { fill, h, shortList } from './dom.js';
import { REASON_TEXT, categoryOf } from './feature-status.js';
import type { Store } from './store.js';

export function createLostPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'lost' });
  function render(): void {
    const model = store.derived.model;
    if (!model) return fill(body, h('p', { class: 'muted' }, 'No model yet.'));
    if (!model.lost.length)
      return fill(
        body,
        h('p', { class: 'muted' }, 'Nothing lost: every feature of every selected host is in the model.'),
      );
    fill(
      body,
      h(
        'table',
        { class: 'table', id: 'lost-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Feature'),
            h('th', { scope: 'col' }, 'Category'),
            h('th', { scope: 'col' }, 'Missing on'),
            h('th', { scope: 'col' }, 'Why'),
          ),
        ),
        h(
          'tbody',
          {},
          model.lost.map((l) =>
            h(
              'tr',
              { 'data-feature': l.feature },
              h('th', { scope: 'row' }, h('code', {}, l.feature)),
              h('td', {}, h('span', { class: `tag cat-${categoryOf(l.feature)}` }, categoryOf(l.feature))),
              h(
                'td',
                { title: l.missingOn.length > 6 ? shortList(l.missingOn, 40) : null },
                l.missingOn.length ? shortList(l.missingOn) : '—',
              ),
              h(
                'td',
                { class: 'why' },
                l.reason ? (REASON_TEXT[l.reason] ?? l.reason) : l.missingOn.length ? 'not on every host' : '',
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
