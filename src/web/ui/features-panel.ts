/**
 * Every feature the selected hosts offer, as on/off switches grouped by category. Off is always
 * allowed; on only when every selected host has it (else disabled, saying where it is missing).
 */
import { fill, h, keepFocus, shortList } from './dom.js';
import { CATEGORY_ORDER, GUARDED_TEXT, REASON_TEXT, categoryOf, featureStatus, setFeature } from './feature-status.js';
import type { Store } from './store.js';

export function createFeaturesPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'features' });
  const showAll = h('input', { type: 'checkbox', id: 'ft-all' });
  showAll.addEventListener('change', render);

  function render(): void {
    const { state, derived } = store;
    if (!derived.model) {
      fill(body, h('p', { class: 'muted' }, 'Select hosts to build a model.'));
      return;
    }
    const offered = [...new Set([...derived.counts.keys(), ...state.disabled])];
    const n = derived.selectedHosts.length;
    // Features some host lacks cannot be switched on; the lost table explains them, so they are listed here only on request
    const shown = showAll.checked
      ? offered
      : offered.filter((f) => state.disabled.has(f) || (derived.counts.get(f) ?? 0) === n);
    const groups = CATEGORY_ORDER.map((c) => [c, shown.filter((f) => categoryOf(f) === c).sort()] as const).filter(
      ([, fs]) => fs.length,
    );
    keepFocus(body, () =>
      fill(
        body,
        groups.map(([cat, fs]) =>
          h(
            'fieldset',
            { class: 'feature-group' },
            h(
              'legend',
              {},
              h('span', { class: `tag cat-${cat}` }, cat),
              ` ${fs.filter((f) => derived.model!.features.includes(f)).length}/${fs.length}`,
            ),
            fs.map((f) => {
              const st = featureStatus(f, state, derived);
              const id = `ft-${f}`;
              const box = h('input', {
                type: 'checkbox',
                id,
                'data-feature': f,
                checked: st.inModel,
                disabled: !st.toggleable,
                'aria-describedby': `${id}-why`,
              });
              box.addEventListener('change', () => store.update((s) => setFeature(s, f, box.checked)));
              const why = st.guarded
                ? GUARDED_TEXT
                : st.inModel
                  ? ''
                  : st.missingOn.length
                    ? `missing on: ${shortList(st.missingOn, 3)}`
                    : st.reason
                      ? (REASON_TEXT[st.reason] ?? st.reason)
                      : st.disabledByUser
                        ? 'left out by you'
                        : '';
              return h(
                'div',
                {
                  class: `feature ${st.inModel ? 'on' : 'off'}${st.toggleable ? '' : ' locked'}`,
                  title: st.missingOn.length > 3 ? `missing on: ${shortList(st.missingOn, 40)}` : null,
                },
                box,
                h('label', { for: id }, f),
                h('span', { id: `${id}-why`, class: 'why' }, why),
              );
            }),
          ),
        ),
      ),
    );
  }
  store.subscribe(render, { defer: true });
  return h(
    'div',
    {},
    h('label', { class: 'check small' }, showAll, 'Also list features the hosts do not all have'),
    body,
  );
}
