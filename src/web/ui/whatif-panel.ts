/** "What if": for each host holding the model back, what leaving it out would add (BaselineResult.blockers). */
import { fill, h, plural } from './dom.js';
import type { Store } from './store.js';

export function createWhatIfPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'whatif' });
  function render(): void {
    const model = store.derived.model;
    if (!model || !model.blockers.length) {
      return fill(body, h('p', { class: 'muted' }, model ? 'No single host holds the model back.' : 'No model yet.'));
    }
    fill(
      body,
      h(
        'ol',
        { class: 'blockers' },
        model.blockers.map((b) =>
          h(
            'li',
            { 'data-host': b.host },
            h(
              'div',
              { class: 'row between' },
              h('span', {}, 'Without ', h('strong', {}, b.host), `: +${plural(b.wouldAdd.length, 'feature')}`),
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn small',
                  'aria-label': `Leave ${b.host} out of the model`,
                  onclick: () => store.update((s) => s.selected.delete(b.host)),
                },
                'Leave out',
              ),
            ),
            h(
              'p',
              { class: 'feature-words' },
              b.wouldAdd.map((f) => h('code', {}, f)),
            ),
          ),
        ),
      ),
      model.alternatives.length
        ? h(
            'div',
            { class: 'alternatives' },
            h('h3', {}, 'Or one model per vendor (migrate only within the group)'),
            model.alternatives.map((a) =>
              h(
                'div',
                { class: 'alt' },
                h(
                  'p',
                  {},
                  h('strong', {}, a.vendor),
                  ` (${a.hosts.join(', ')}): +${a.gains.length} features, base ${a.base}`,
                ),
                h('code', { class: 'cpu' }, a.cpu),
              ),
            ),
          )
        : null,
    );
  }
  store.subscribe(render, { defer: true });
  return body;
}
