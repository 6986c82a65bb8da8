/** The live model: -cpu string, base, phys-bits, what it gains, and the warnings with their codes. */
import { fill, h, plural } from './dom.js';
import type { Store } from './store.js';

export function createModelPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'model', 'aria-live': 'polite' });

  function render(): void {
    const { model, error } = store.derived;
    if (!model) {
      fill(body, h('p', { class: 'notice' }, error ?? 'No model.'));
      return;
    }
    const stat = (n: number | string, label: string, cls = '') =>
      h('div', { class: `stat ${cls}` }, h('b', {}, String(n)), h('span', {}, label));
    const userOff = model.lost.filter((l) => l.reason === 'disabled').length;
    fill(
      body,
      h(
        'div',
        { class: 'cpu-line' },
        h('span', { class: 'label' }, '-cpu'),
        h('code', { id: 'model-cpu', class: 'cpu' }, model.cpu),
      ),
      h(
        'div',
        { class: 'stats' },
        stat(model.features.length, 'guest features'),
        stat(`+${model.gainsOverKvm64.length}`, 'over kvm64', 'good'),
        stat(model.lost.length, userOff ? `lost (${userOff} by you)` : 'lost', model.lost.length ? 'bad' : ''),
        stat(model.physBits ?? '?', 'phys-bits'),
        stat(model.warnings.length, 'warnings', model.warnings.length ? 'warn' : ''),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Name'),
        h('dd', {}, h('code', {}, model.name)),
        h('dt', {}, 'Base'),
        h('dd', {}, h('code', {}, model.base), ` — ${model.baseReason}`),
        h('dt', {}, 'Hosts'),
        h('dd', {}, `${plural(model.hosts.length, 'host')}, ${model.vendors.join(' + ')}`),
        h('dt', {}, 'QEMU'),
        h('dd', {}, model.qemu ? `${model.qemu} or newer` : 'unknown'),
      ),
      model.warnings.length
        ? h(
            'ul',
            { class: 'warnings', 'aria-label': 'Warnings' },
            model.warnings.map((w) =>
              h(
                'li',
                { 'data-code': w.code },
                h('code', { class: 'code' }, w.code),
                h('span', {}, w.message),
                w.advice ? h('span', { class: 'advice' }, w.advice) : null,
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No warnings.'),
    );
  }
  store.subscribe(render);
  render();
  return body;
}
