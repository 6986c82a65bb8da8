/**
 * The hosts x features heat map. Only the rows in view exist in the DOM (built as one HTML string per
 * frame), so 1000 hosts x 200 features scroll as smoothly as 2 x 100.
 */
import { esc, fill, h, plural } from './dom.js';
import { CATEGORY_ORDER } from './feature-status.js';
import type { Inspector } from './inspector.js';
import {
  columns,
  groupLabel,
  haveSet,
  rows,
  type Column,
  type HostRow,
  type MatrixView,
  type Row,
} from './matrix-data.js';
import type { Store } from './store.js';

const CELL_W = 16;
const ROW_H = 22;
const LABEL_W = 240;
const OVERSCAN = 8;
/** The heat map's palette; the legend uses the same values from style.css (--has-all & co.). */
const COLORS = { hasAll: '#b9c6d6', hasSome: '#2456c9', lacks: '#f3b6b9', none: '#eef1f4', group: '#f4f6f9' };

export function createMatrix(store: Store, inspector: Inspector): HTMLElement {
  const view: MatrixView = { filter: '', categories: new Set(), onlyDiffering: false, sort: 'host', group: true };
  let cols: Column[] = [];
  let rowList: Row[] = [];
  let focusCol = 0;

  const filter = h('input', {
    type: 'search',
    class: 'input',
    placeholder: 'Filter features (avx, aes, pcid…)',
    'aria-label': 'Filter features by name',
  });
  filter.addEventListener('input', () => {
    view.filter = filter.value;
    rebuild();
  });
  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Feature categories' });
  for (const c of CATEGORY_ORDER) {
    const b = h('button', { type: 'button', class: `chip cat-${c}`, 'aria-pressed': 'false' }, c);
    b.addEventListener('click', () => {
      if (view.categories.has(c)) view.categories.delete(c);
      else view.categories.add(c);
      b.setAttribute('aria-pressed', String(view.categories.has(c)));
      rebuild();
    });
    chips.append(b);
  }
  const differing = h('input', { type: 'checkbox', id: 'mx-differing' });
  differing.addEventListener('change', () => {
    view.onlyDiffering = differing.checked;
    rebuild();
  });
  const grouped = h('input', { type: 'checkbox', id: 'mx-group', checked: true });
  grouped.addEventListener('change', () => {
    view.group = grouped.checked;
    rebuild();
  });
  const sort = h(
    'select',
    { class: 'input', id: 'mx-sort', 'aria-label': 'Sort hosts' },
    h('option', { value: 'host' }, 'Sort by host name'),
    h('option', { value: 'missing' }, 'Sort by missing features'),
  );
  sort.addEventListener('change', () => {
    view.sort = sort.value as MatrixView['sort'];
    rebuild();
  });
  const summary = h('p', { class: 'mx-summary muted', 'aria-live': 'polite' });

  const toolbar = h(
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
  const legend = h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    h('span', {}, h('i', { class: 'c ya' }), 'has (on every selected host)'),
    h('span', {}, h('i', { class: 'c ys' }), 'has (not everywhere)'),
    h('span', {}, h('i', { class: 'c n' }), 'lacks'),
    h('span', {}, h('i', { class: 'c nx' }), 'nobody selected has it'),
    h('span', {}, h('b', { class: 'lg-out' }, 'abc'), 'not in the model'),
  );

  const cats = h('div', { class: 'mx-cats' });
  const head = h('div', { class: 'mx-cols', role: 'row' });
  const layer = h('div', { class: 'mx-layer' });
  const canvas = h('canvas', { class: 'mx-canvas', 'aria-hidden': 'true' });
  const colHighlight = h('div', { class: 'mx-colhl', hidden: true });
  const body = h('div', { class: 'mx-body', role: 'rowgroup' }, canvas, layer, colHighlight);
  const scroll = h(
    'div',
    { class: 'mx-scroll', role: 'table', 'aria-label': 'Hosts by CPU features' },
    h('div', { class: 'mx-head', role: 'rowgroup' }, cats, head),
    body,
  );
  const empty = h('p', { class: 'muted mx-empty', hidden: true });

  function rebuild(): void {
    const d = store.derived;
    cols = columns(d.union, d.counts, d.selectedHosts.length, view);
    rowList = rows(store.state.hosts, store.state.selected, cols, view);
    focusCol = Math.min(focusCol, Math.max(0, cols.length - 1));
    scroll.setAttribute('aria-rowcount', String(rowList.length + 1));
    scroll.setAttribute('aria-colcount', String(cols.length + 1));
    const width = LABEL_W + cols.length * CELL_W;
    for (const el of [cats, head, body]) el.style.width = `${width}px`;
    body.style.height = `${rowList.length * ROW_H}px`;
    renderHead();
    renderRows();
    const nHosts = store.state.hosts.length;
    const some = cols.filter((c) => c.state === 'some').length;
    summary.textContent = `${plural(nHosts, 'host')} × ${plural(cols.length, 'feature')} shown · ${some} differ among the selected hosts`;
    empty.hidden = !!(nHosts && cols.length);
    empty.textContent = nHosts
      ? 'No feature matches the filter.'
      : 'No hosts yet: add host data in the "Add hosts" panel.';
  }

  function renderHead(): void {
    const model = store.derived.model;
    const inModel = new Set(model?.features ?? []);
    // Category bands over runs of columns (columns come sorted by category)
    const bands: Node[] = [h('div', { class: 'mx-corner' })];
    for (let i = 0; i < cols.length;) {
      let j = i;
      while (j < cols.length && cols[j].category === cols[i].category) j++;
      const band = h(
        'div',
        { class: `mx-band cat-${cols[i].category}`, title: cols[i].category },
        j - i >= 3 ? cols[i].category : '',
      );
      band.style.width = `${(j - i) * CELL_W}px`;
      bands.push(band);
      i = j;
    }
    fill(cats, bands);
    const n = store.derived.selectedHosts.length;
    const heads: Node[] = [h('div', { class: 'mx-corner', role: 'columnheader' }, 'host')];
    cols.forEach((c, i) => {
      const b = h(
        'button',
        {
          type: 'button',
          class: `colh st-${c.state}${inModel.has(c.feature) ? '' : ' out'}`,
          role: 'columnheader',
          tabindex: i === focusCol ? 0 : -1,
          'data-col': i,
          'aria-label': `${c.feature}: on ${c.count} of ${n} selected hosts${inModel.has(c.feature) ? ', in the model' : ', not in the model'}`,
        },
        c.feature,
      );
      heads.push(b);
    });
    fill(head, heads);
  }

  function renderRows(): void {
    const top = scroll.scrollTop - head.offsetHeight - cats.offsetHeight;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(rowList.length, Math.ceil((top + scroll.clientHeight) / ROW_H) + OVERSCAN);
    // Labels are DOM (readable, each row's aria-label says what it lacks); cells are painted on one canvas
    const parts: string[] = [];
    for (let r = first; r < last; r++) {
      const row = rowList[r];
      if (row.kind === 'group') {
        parts.push(
          `<div class="mx-row grp" role="row" aria-rowindex="${r + 2}"><span class="mx-label" role="rowheader">${esc(row.label)} <small>${plural(row.size, 'host')}</small></span></div>`,
        );
        continue;
      }
      const name = esc(row.host.name);
      parts.push(
        `<div class="mx-row${row.selected ? '' : ' off'}" role="row" aria-rowindex="${r + 2}" data-host="${name}" aria-label="${esc(rowLabel(row))}">` +
          `<span class="mx-label" role="rowheader" title="${esc(groupLabel(row.host))}">${name}<small title="lacks ${row.missing} of the shown features">${row.missing ? `−${row.missing}` : ''}</small></span></div>`,
      );
    }
    layer.style.transform = `translateY(${first * ROW_H}px)`;
    layer.innerHTML = parts.join('');
    paint(first, last);
  }

  function rowLabel(row: HostRow): string {
    const have = haveSet(row.host);
    const lacking = cols.filter((c) => c.state !== 'none' && !have.has(c.feature)).map((c) => c.feature);
    const list = lacking.length ? `: ${lacking.slice(0, 20).join(', ')}${lacking.length > 20 ? '…' : ''}` : '';
    return `${row.host.name}${row.selected ? '' : ' (not in the model)'}: lacks ${row.missing} of ${cols.length} shown features${list}`;
  }

  /**
   * One fillRect per cell in view, on a canvas the size of the viewport (not of the whole matrix):
   * ~50 rows x ~60 columns per frame, cheap even with software rendering.
   */
  function paint(first: number, last: number): void {
    const firstCol = Math.max(0, Math.floor(scroll.scrollLeft / CELL_W) - 2);
    const lastCol = Math.min(cols.length, Math.ceil((scroll.scrollLeft + scroll.clientWidth - LABEL_W) / CELL_W) + 2);
    const w = Math.max(0, lastCol - firstCol) * CELL_W;
    const hgt = Math.max(0, last - first) * ROW_H;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== hgt) canvas.height = hgt;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${hgt}px`;
    canvas.style.transform = `translate(${LABEL_W + firstCol * CELL_W}px, ${first * ROW_H}px)`;
    const ctx = canvas.getContext('2d');
    if (!ctx || !w || !hgt) return;
    ctx.clearRect(0, 0, w, hgt);
    for (let r = first; r < last; r++) {
      const row = rowList[r];
      const y = (r - first) * ROW_H;
      if (row.kind === 'group') {
        ctx.globalAlpha = 1;
        ctx.fillStyle = COLORS.group;
        ctx.fillRect(0, y, w, ROW_H);
        continue;
      }
      const have = haveSet(row.host);
      ctx.globalAlpha = row.selected ? 1 : 0.35;
      for (let i = firstCol; i < lastCol; i++) {
        const st = cols[i].state;
        ctx.fillStyle = have.has(cols[i].feature)
          ? st === 'all'
            ? COLORS.hasAll
            : COLORS.hasSome
          : st === 'none'
            ? COLORS.none
            : COLORS.lacks;
        ctx.fillRect((i - firstCol) * CELL_W, y, CELL_W - 1, ROW_H - 1);
      }
    }
    ctx.globalAlpha = 1;
  }

  let frame = 0;
  scroll.addEventListener(
    'scroll',
    () => {
      if (!frame)
        frame = requestAnimationFrame(() => {
          frame = 0;
          renderRows();
        });
    },
    { passive: true },
  );

  function highlight(col: number | null): void {
    colHighlight.hidden = col === null;
    if (col !== null) colHighlight.style.left = `${LABEL_W + col * CELL_W}px`;
    inspector.show(col === null ? null : (cols[col]?.feature ?? null));
  }

  // Hover: the column under the pointer, from its x position past the sticky labels
  body.addEventListener('mousemove', (e) => {
    const x = e.clientX - body.getBoundingClientRect().left - LABEL_W;
    const col = Math.floor(x / CELL_W);
    if (x >= 0 && col < cols.length && e.clientX > scroll.getBoundingClientRect().left + LABEL_W) highlight(col);
  });
  head.addEventListener('mouseover', (e) => {
    const col = (e.target as HTMLElement).closest<HTMLElement>('.colh')?.dataset.col;
    if (col !== undefined) highlight(Number(col));
  });
  // Keyboard: one tab stop for all columns (roving tabindex), arrows move along them
  head.addEventListener('focusin', (e) => {
    const col = (e.target as HTMLElement).dataset.col;
    if (col !== undefined) {
      focusCol = Number(col);
      highlight(focusCol);
    }
  });
  head.addEventListener('keydown', (e) => {
    const moves: Record<string, number> = {
      ArrowLeft: -1,
      ArrowRight: 1,
      Home: -Infinity,
      End: Infinity,
      PageUp: -10,
      PageDown: 10,
    };
    if (!(e.key in moves) || !cols.length) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(cols.length - 1, focusCol + moves[e.key]));
    const buttons = head.querySelectorAll<HTMLButtonElement>('.colh');
    buttons[focusCol]?.setAttribute('tabindex', '-1');
    buttons[next]?.setAttribute('tabindex', '0');
    buttons[next]?.focus();
  });

  // Below the model panel on first load: drawn one task after the model so the page answers first
  store.subscribe(
    () => {
      rebuild();
      inspector.refresh();
    },
    { defer: true },
  );
  return h(
    'div',
    { class: 'matrix' },
    toolbar,
    h('div', { class: 'mx-meta' }, summary, legend),
    h('div', { class: 'mx-wrap' }, scroll, inspector.el),
    empty,
  );
}
