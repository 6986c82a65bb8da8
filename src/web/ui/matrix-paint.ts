/**
 * The heat map's cells on one canvas the size of the viewport: ~50 rows x ~60 columns per frame.
 * Colours come from the page's CSS variables (light and dark themes); "lacks" also gets a cross, so
 * it does not depend on hue.
 */
import { haveSet, type Column, type Row } from './matrix-data.js';

export const CELL_W = 16;
export const ROW_H = 22;
export const LABEL_W = 240;

interface Palette {
  hasAll: string;
  hasSome: string;
  lacks: string;
  lacksMark: string;
  none: string;
  group: string;
}

export function readPalette(from: Element): Palette {
  const css = getComputedStyle(from);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    hasAll: v('--has-all'),
    hasSome: v('--has-some'),
    lacks: v('--lacks'),
    lacksMark: v('--lacks-mark'),
    none: v('--none'),
    group: v('--group-row'),
  };
}

export interface PaintArea {
  rows: Row[];
  cols: Column[];
  first: number;
  last: number;
  firstCol: number;
  lastCol: number;
}

export function paintCells(ctx: CanvasRenderingContext2D, a: PaintArea, p: Palette, w: number): void {
  // Every cross in one path, stroked once: a few thousand cells per frame stay cheap
  const marks = new Path2D();
  for (let r = a.first; r < a.last; r++) {
    const row = a.rows[r];
    const y = (r - a.first) * ROW_H;
    if (row.kind === 'group') {
      ctx.globalAlpha = 1;
      ctx.fillStyle = p.group;
      ctx.fillRect(0, y, w, ROW_H);
      continue;
    }
    const have = haveSet(row.host);
    ctx.globalAlpha = row.selected ? 1 : 0.35;
    for (let i = a.firstCol; i < a.lastCol; i++) {
      const st = a.cols[i].state;
      const x = (i - a.firstCol) * CELL_W;
      const has = have.has(a.cols[i].feature);
      ctx.fillStyle = has ? (st === 'all' ? p.hasAll : p.hasSome) : st === 'none' ? p.none : p.lacks;
      ctx.fillRect(x, y, CELL_W - 1, ROW_H - 1);
      if (!has && st !== 'none' && row.selected) {
        marks.moveTo(x + 4, y + 7);
        marks.lineTo(x + CELL_W - 5, y + ROW_H - 8);
        marks.moveTo(x + CELL_W - 5, y + 7);
        marks.lineTo(x + 4, y + ROW_H - 8);
      }
    }
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = p.lacksMark;
  ctx.lineWidth = 1.5;
  ctx.stroke(marks);
}
