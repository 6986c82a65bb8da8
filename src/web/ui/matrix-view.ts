/**
 * The hosts x features heat map. Only the rows in view exist in the DOM (built as one HTML string per
 * frame) and the cells are painted on a viewport-sized canvas, so 1000 hosts x 200 features scroll as
 * smoothly as 2 x 100. Controls: matrix-toolbar.ts; painting: matrix-paint.ts; data: matrix-data.ts.
 */
import { esc, fill, h, plural } from './dom.js';
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
import { CELL_W, LABEL_W, ROW_H, paintCells, readPalette } from './matrix-paint.js';
import { createMatrixToolbar, matrixLegend } from './matrix-toolbar.js';
import type { Store } from './store.js';

const OVERSCAN = 8;

interface Parts {
  cats: HTMLElement;
  head: HTMLElement;
  layer: HTMLElement;
  canvas: HTMLCanvasElement;
  colHighlight: HTMLElement;
  body: HTMLElement;
  scroll: HTMLElement;
  summary: HTMLElement;
  empty: HTMLElement;
}

function buildParts(): Parts {
  const cats = h('div', { class: 'mx-cats', 'aria-hidden': 'true' });
  const head = h('div', { class: 'mx-cols', role: 'group', 'aria-label': 'Feature columns: arrow keys move' });
  const layer = h('div', { class: 'mx-layer' });
  const canvas = h('canvas', { class: 'mx-canvas', 'aria-hidden': 'true' });
  const colHighlight = h('div', { class: 'mx-colhl', hidden: true });
  const body = h('div', { class: 'mx-body' }, canvas, layer, colHighlight);
  const scroll = h(
    'div',
    { class: 'mx-scroll', role: 'region', 'aria-label': 'Hosts by CPU features', tabindex: 0 },
    h('div', { class: 'mx-head' }, cats, head),
    body,
  );
  const summary = h('p', { class: 'mx-summary muted' });
  const empty = h('p', { class: 'muted mx-empty', hidden: true });
  return { cats, head, layer, canvas, colHighlight, body, scroll, summary, empty };
}

/** Category bands over runs of columns (columns come sorted by category). */
function bandsOf(cols: Column[]): Node[] {
  const bands: Node[] = [h('div', { class: 'mx-corner' })];
  for (let i = 0; i < cols.length;) {
    let j = i;
    while (j < cols.length && cols[j].category === cols[i].category) j++;
    const band = h('div', { class: `mx-band cat-${cols[i].category}` }, j - i >= 3 ? cols[i].category : '');
    band.style.width = `${(j - i) * CELL_W}px`;
    bands.push(band);
    i = j;
  }
  return bands;
}

function headButtons(cols: Column[], inModel: Set<string>, n: number, focusCol: number): Node[] {
  const heads: Node[] = [h('div', { class: 'mx-corner' }, 'host')];
  cols.forEach((c, i) => {
    const inside = inModel.has(c.feature);
    heads.push(
      h(
        'button',
        {
          type: 'button',
          class: `colh st-${c.state}${inside ? '' : ' out'}`,
          tabindex: i === focusCol ? 0 : -1,
          'data-col': i,
          'aria-label': `${c.feature}: on ${c.count} of ${n} selected hosts, ${inside ? 'in the model' : 'not in the model'}`,
        },
        c.feature,
      ),
    );
  });
  return heads;
}

function lackingText(row: HostRow, cols: Column[]): string {
  const have = haveSet(row.host);
  const lacking = cols.filter((c) => c.state !== 'none' && !have.has(c.feature)).map((c) => c.feature);
  const list = lacking.length ? `: ${lacking.slice(0, 20).join(', ')}${lacking.length > 20 ? '…' : ''}` : '';
  return `${row.selected ? '' : ' (not in the model)'}, lacks ${row.missing} of ${cols.length} shown features${list}`;
}

function rowHtml(row: Row, cols: Column[]): string {
  if (row.kind === 'group')
    return `<div class="mx-row grp"><span class="mx-label">${esc(row.label)} <small>${plural(row.size, 'host')}</small></span></div>`;
  const name = esc(row.host.name);
  return (
    `<div class="mx-row${row.selected ? '' : ' off'}" data-host="${name}">` +
    `<span class="mx-label" title="${esc(groupLabel(row.host))}">${name}<small aria-hidden="true">${row.missing ? `−${row.missing}` : ''}</small>` +
    `<span class="visually-hidden">${esc(lackingText(row, cols))}</span></span></div>`
  );
}

const ARROWS: Record<string, number> = {
  ArrowLeft: -1,
  ArrowRight: 1,
  Home: -Infinity,
  End: Infinity,
  PageUp: -10,
  PageDown: 10,
};

export function createMatrix(store: Store, inspector: Inspector): HTMLElement {
  const view: MatrixView = { filter: '', categories: new Set(), onlyDiffering: false, sort: 'host', group: true };
  const p = buildParts();
  let cols: Column[] = [];
  let rowList: Row[] = [];
  let focusCol = 0;
  let shownFeature: string | null = null;

  function rebuild(): void {
    const d = store.derived;
    cols = columns(d.union, d.counts, d.selectedHosts.length, view);
    rowList = rows(store.state.hosts, store.state.selected, cols, view);
    focusCol = Math.min(focusCol, Math.max(0, cols.length - 1));
    const width = LABEL_W + cols.length * CELL_W;
    for (const el of [p.cats, p.head, p.body]) el.style.width = `${width}px`;
    p.body.style.height = `${rowList.length * ROW_H}px`;
    fill(p.cats, bandsOf(cols));
    const focused = p.head.contains(document.activeElement);
    fill(p.head, headButtons(cols, new Set(d.model?.features ?? []), d.selectedHosts.length, focusCol));
    if (focused) p.head.querySelector<HTMLElement>(`[data-col="${focusCol}"]`)?.focus({ preventScroll: true });
    renderRows();
    // The highlighted column follows its feature through a filter, or goes when the feature is gone
    const again = shownFeature === null ? -1 : cols.findIndex((c) => c.feature === shownFeature);
    highlight(again >= 0 ? again : null);
    const nHosts = store.state.hosts.length;
    const some = cols.filter((c) => c.state === 'some').length;
    p.summary.textContent = `${plural(nHosts, 'host')} × ${plural(cols.length, 'feature')} shown · ${some} differ among the selected hosts`;
    p.empty.hidden = !!(nHosts && cols.length);
    p.empty.textContent = nHosts
      ? 'No feature matches the filter.'
      : 'No hosts yet: add host data in the "Add hosts" panel.';
  }

  function renderRows(): void {
    const top = p.scroll.scrollTop - p.head.offsetHeight - p.cats.offsetHeight;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(rowList.length, Math.ceil((top + p.scroll.clientHeight) / ROW_H) + OVERSCAN);
    const parts: string[] = [];
    for (let r = first; r < last; r++) parts.push(rowHtml(rowList[r], cols));
    p.layer.style.transform = `translateY(${first * ROW_H}px)`;
    p.layer.innerHTML = parts.join('');
    paint(first, last);
  }

  function paint(first: number, last: number): void {
    const firstCol = Math.max(0, Math.floor(p.scroll.scrollLeft / CELL_W) - 2);
    const lastCol = Math.min(
      cols.length,
      Math.ceil((p.scroll.scrollLeft + p.scroll.clientWidth - LABEL_W) / CELL_W) + 2,
    );
    const w = Math.max(0, lastCol - firstCol) * CELL_W;
    const hgt = Math.max(0, last - first) * ROW_H;
    const canvas = p.canvas;
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== hgt) canvas.height = hgt;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${hgt}px`;
    canvas.style.transform = `translate(${LABEL_W + firstCol * CELL_W}px, ${first * ROW_H}px)`;
    const ctx = canvas.getContext('2d');
    if (!ctx || !w || !hgt) return;
    ctx.clearRect(0, 0, w, hgt);
    paintCells(ctx, { rows: rowList, cols, first, last, firstCol, lastCol }, readPalette(p.scroll), w);
  }

  function highlight(col: number | null): void {
    p.colHighlight.hidden = col === null;
    if (col !== null) p.colHighlight.style.left = `${LABEL_W + col * CELL_W}px`;
    shownFeature = col === null ? null : (cols[col]?.feature ?? null);
    inspector.show(shownFeature);
  }

  listen(p, {
    rows: renderRows,
    colAt: (clientX) => {
      const x = clientX - p.body.getBoundingClientRect().left - LABEL_W;
      const col = Math.floor(x / CELL_W);
      return x >= 0 && col < cols.length && clientX > p.scroll.getBoundingClientRect().left + LABEL_W ? col : null;
    },
    highlight,
    focus: (col) => (focusCol = col),
    move: (delta) => {
      if (!cols.length) return;
      const next = Math.max(0, Math.min(cols.length - 1, focusCol + delta));
      const buttons = p.head.querySelectorAll<HTMLButtonElement>('.colh');
      buttons[focusCol]?.setAttribute('tabindex', '-1');
      buttons[next]?.setAttribute('tabindex', '0');
      buttons[next]?.focus();
    },
  });

  // Below the answer on first load: drawn one task after it so the page answers first
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
    createMatrixToolbar(view, rebuild),
    h('div', { class: 'mx-meta' }, p.summary, matrixLegend()),
    h('div', { class: 'mx-wrap' }, p.scroll, inspector.el),
    p.empty,
  );
}

interface Handlers {
  rows(): void;
  colAt(clientX: number): number | null;
  highlight(col: number): void;
  focus(col: number): void;
  move(delta: number): void;
}

/** Scrolling redraws per frame; hover and focus pick a column; arrows move along the columns (one tab stop). */
function listen(p: Parts, on: Handlers): void {
  let frame = 0;
  p.scroll.addEventListener(
    'scroll',
    () => {
      if (!frame)
        frame = requestAnimationFrame(() => {
          frame = 0;
          on.rows();
        });
    },
    { passive: true },
  );
  p.body.addEventListener('mousemove', (e) => {
    const col = on.colAt(e.clientX);
    if (col !== null) on.highlight(col);
  });
  p.head.addEventListener('mouseover', (e) => {
    const col = (e.target as HTMLElement).closest<HTMLElement>('.colh')?.dataset.col;
    if (col !== undefined) on.highlight(Number(col));
  });
  p.head.addEventListener('focusin', (e) => {
    const col = (e.target as HTMLElement).dataset.col;
    if (col === undefined) return;
    on.focus(Number(col));
    on.highlight(Number(col));
  });
  p.head.addEventListener('keydown', (e) => {
    if (!(e.key in ARROWS)) return;
    e.preventDefault();
    on.move(ARROWS[e.key]);
  });
}
