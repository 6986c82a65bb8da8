/**
 * The one line a screen reader hears after a change (role=status): the model in a sentence, or what
 * an action did ("Copied."). The panels themselves are not live regions, so a click is not a recital.
 */
import { h, plural } from './dom.js';
import type { Derived, State } from './store.js';

const el = h('p', { class: 'headline', role: 'status' });

export function statusLine(): HTMLElement {
  return el;
}

export function announce(message: string): void {
  el.textContent = message;
}

export function modelSentence(s: State, d: Derived): string {
  if (!s.hosts.length) return 'No hosts loaded';
  if (!d.model) return d.error ?? 'No model';
  const m = d.model;
  const vendors = m.vendors.map((v) => v.replace(/^Genuine|^Authentic/, '')).join(' + ');
  return `${m.name}: ${plural(m.features.length, 'feature')} on ${d.selectedHosts.length} of ${plural(s.hosts.length, 'host')} (${vendors})`;
}
