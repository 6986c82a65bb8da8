/** A tiny typed element builder: enough for plain-DOM components without a framework. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h('button', {class: 'x', onclick: fn, 'aria-label': 'y'}, 'text')`. Boolean true sets an empty attribute, false/null omits it. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k in el && typeof (el as unknown as Record<string, unknown>)[k] === 'boolean')
      (el as unknown as Record<string, unknown>)[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** For the few hot paths built as HTML strings (matrix rows). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}

/** "a, b, c and 12 more": long host lists stay readable; the full list goes into a title. */
export function shortList(items: string[], max = 6): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A titled panel section with a stable id for the nav and an aria label. */
export function section(id: string, title: string, ...children: (Child | Child[])[]): HTMLElement {
  return h(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...children,
  );
}

/**
 * Re-renders `el` and gives the focus back to the same control when it was inside: by id, else by
 * its data-focus key. Without this a rebuilt panel drops the focus to the page (Space on a checkbox).
 */
export function keepFocus(el: Element, render: () => void): void {
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && el.contains(active) ? active : null;
  const id = inside?.id;
  const key = inside?.dataset.focus;
  render();
  if (!inside || inside.isConnected) return;
  const again = id
    ? document.getElementById(id)
    : key
      ? el.querySelector<HTMLElement>(`[data-focus="${CSS.escape(key)}"]`)
      : null;
  again?.focus({ preventScroll: true });
}
