/** The matrix's controls (filter, sort, grouping, categories) and its legend; they edit the view and call back. */
import { h } from './dom.js';
import { CATEGORY_ORDER } from './feature-status.js';
import type { MatrixView } from './matrix-data.js';

export function createMatrixToolbar(view: MatrixView, changed: () => void): HTMLElement {
  const filter = h('input', {
    type: 'search',
    class: 'input',
    placeholder: 'Filter features (avx, aes, pcid…)',
    'aria-label': 'Filter features by name',
  });
  filter.addEventListener('input', () => {
    view.filter = filter.value;
    changed();
  });
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Feature categories' });
  for (const c of CATEGORY_ORDER) {
    const b = h('button', { type: 'button', class: `chip cat-${c}`, 'aria-pressed': 'false' }, c);
    b.addEventListener('click', () => {
      if (view.categories.has(c)) view.categories.delete(c);
      else view.categories.add(c);
      b.setAttribute('aria-pressed', String(view.categories.has(c)));
      changed();
    });
    chips.append(b);
  }
  const differing = h('input', { type: 'checkbox', id: 'mx-differing' });
  differing.addEventListener('change', () => {
    view.onlyDiffering = differing.checked;
    changed();
  });
  const grouped = h('input', { type: 'checkbox', id: 'mx-group', checked: true });
  grouped.addEventListener('change', () => {
    view.group = grouped.checked;
    changed();
  });
  const sort = h(
    'select',
    { class: 'input', id: 'mx-sort', 'aria-label': 'Sort hosts' },
    h('option', { value: 'host' }, 'Sort by host name'),
    h('option', { value: 'missing' }, 'Sort by missing features'),
  );
  sort.addEventListener('change', () => {
    view.sort = sort.value as MatrixView['sort'];
    changed();
  });
  return h(
    'div',
    { class: 'mx-toolbar' },
    h(
      'div',
      { class: 'mx-toolrow' },
      filter,
      sort,
      h('label', { class: 'check' }, differing, 'Only differing features'),
      h('label', { class: 'check' }, grouped, 'Group by CPU model'),
    ),
    chips,
  );
}

/** Lightness and a glyph carry the meaning, so the legend reads in greyscale too. */
export function matrixLegend(): HTMLElement {
  return h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    h('span', {}, h('i', { class: 'c ya' }), 'has (every selected host)'),
    h('span', {}, h('i', { class: 'c ys' }), 'has (not everywhere)'),
    h('span', {}, h('i', { class: 'c n' }, '×'), 'lacks'),
    h('span', {}, h('i', { class: 'c nx' }), 'no selected host has it'),
    h('span', {}, h('b', { class: 'lg-out' }, 'abc'), 'not in the model'),
  );
}
