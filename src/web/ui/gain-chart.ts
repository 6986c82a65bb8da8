/** A small bar chart: the model's feature count as the oldest CPU-model groups are dropped one by one. */
import type { DropStep } from '../../engine/group-whatif.js';

const SVG = 'http://www.w3.org/2000/svg';
const BAR = 34;
const GAP = 10;
const HEIGHT = 120;

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function gainChart(steps: DropStep[]): SVGSVGElement {
  const max = Math.max(...steps.map((s) => s.features), 1);
  const min = Math.min(...steps.map((s) => s.features));
  // Start the axis near the smallest model: the differences are what matters
  const floor = Math.max(0, min - Math.ceil((max - min) / 2) - 5);
  const width = steps.length * (BAR + GAP);
  const svg = el('svg', {
    class: 'gain-chart',
    viewBox: `0 0 ${width} ${HEIGHT + 30}`,
    width,
    height: HEIGHT + 30,
    role: 'img',
    'aria-label': `Model features as the oldest groups are dropped: ${steps
      .map((s, i) => `${i === 0 ? 'all groups' : `without ${i}`}: ${s.features}`)
      .join(', ')}`,
  });
  steps.forEach((s, i) => {
    const hgt = Math.max(2, ((s.features - floor) / (max - floor)) * HEIGHT);
    const x = i * (BAR + GAP);
    const bar = el('rect', { x, y: HEIGHT - hgt + 14, width: BAR, height: hgt, rx: 3, class: i ? 'bar' : 'bar now' });
    const title = el('title', {});
    title.textContent = i
      ? `without ${s.dropped.join(', ')}: ${s.features} features on ${s.hosts} hosts`
      : `all groups: ${s.features} features`;
    bar.append(title);
    const value = el('text', { x: x + BAR / 2, y: HEIGHT - hgt + 10, 'text-anchor': 'middle', class: 'val' });
    value.textContent = String(s.features);
    const label = el('text', { x: x + BAR / 2, y: HEIGHT + 28, 'text-anchor': 'middle', class: 'lbl' });
    label.textContent = i ? `−${i}` : 'all';
    svg.append(bar, value, label);
  });
  return svg;
}
