/**
 * Warnings in the order they matter: what breaks the answer (red, with the one-click fix), what needs
 * care when migrating, then what is left out on purpose (information, folded).
 */
import { rankWarnings, type WarningSeverity } from '../../engine/warning-rank.js';
import type { Warning } from '../../engine/types.js';
import { fill, h, keepFocus, plural, shortList } from './dom.js';
import type { Store } from './store.js';

const TITLE: Record<WarningSeverity, string> = {
  breaks: 'Fix first',
  caution: 'Mind when migrating',
  policy: 'Left out on purpose',
};

function item(store: Store, w: Warning & { severity: WarningSeverity }): HTMLElement {
  const hosts = w.hosts ?? [];
  const fix =
    w.severity === 'breaks' && hosts.length
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn small danger',
            'data-focus': `fix-${w.code}`,
            onclick: () => store.update((s) => hosts.forEach((n) => s.selected.delete(n))),
          },
          `Leave out ${plural(hosts.length, 'host')}: ${shortList(hosts, 3)}`,
        )
      : null;
  return h(
    'li',
    { class: `warning sev-${w.severity}`, 'data-code': w.code },
    h('span', { class: 'sev' }, w.severity === 'breaks' ? 'Breaks the model' : w.code),
    h('span', { class: 'msg' }, w.message),
    w.advice ? h('span', { class: 'advice' }, w.advice) : null,
    fix,
  );
}

/** `breaks`: only what breaks the answer (shown above it); `rest`: everything else (below it). */
export function createWarningsPanel(store: Store, part: 'breaks' | 'rest'): HTMLElement {
  const body = h('div', { class: `warnings-panel ${part}` });
  function render(): void {
    const model = store.derived.model;
    if (!model) return fill(body);
    const ranked = rankWarnings(model.warnings);
    const of = (s: WarningSeverity) => ranked.filter((w) => w.severity === s);
    const list = (s: WarningSeverity) =>
      h(
        'ul',
        { class: `warnings ${s}`, 'aria-label': TITLE[s] },
        of(s).map((w) => item(store, w)),
      );
    if (part === 'breaks')
      return keepFocus(body, () =>
        fill(body, of('breaks').length ? [h('h3', { class: 'sev-title breaks' }, TITLE.breaks), list('breaks')] : null),
      );
    keepFocus(body, () =>
      fill(
        body,
        of('caution').length ? [h('h3', { class: 'sev-title' }, TITLE.caution), list('caution')] : null,
        of('policy').length
          ? h(
              'details',
              { class: 'policy' },
              h(
                'summary',
                {},
                `${TITLE.policy} (${of('policy').length}): ${of('policy')
                  .map((w) => w.code)
                  .join(', ')}`,
              ),
              list('policy'),
            )
          : null,
        ranked.length ? null : h('p', { class: 'muted' }, 'No warnings.'),
      ),
    );
  }
  store.subscribe(render);
  render();
  return body;
}
