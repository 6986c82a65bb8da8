/**
 * The answer first: the model as the target platform takes it (Proxmox's cpu-models.conf section and
 * VM line by default, a tab per other format), a Copy button, and the three steps to apply it.
 */
import { EMITTERS } from '../../emitters/index.js';
import { copyText } from './copy.js';
import { fill, h, keepFocus, plural } from './dom.js';
import { TARGETS, type TargetFormat } from './format-steps.js';
import { announce } from './status-line.js';
import type { Store } from './store.js';

export function createAnswerPanel(store: Store, initial = 'pve'): { el: HTMLElement; format: () => string } {
  let current: TargetFormat = TARGETS.find((t) => t.format === initial) ?? TARGETS[0];
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Target platform' });
  const output = h('pre', {
    id: 'answer-output',
    class: 'output answer-output',
    tabindex: 0,
    role: 'tabpanel',
    'aria-labelledby': 'answer-tab-pve',
  });
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'btn primary',
      id: 'answer-copy',
      onclick: () =>
        void copyText(output.textContent ?? '').then((ok) =>
          announce(ok ? 'Copied.' : 'Copy failed: select the text and press Ctrl-C.'),
        ),
    },
    'Copy',
  );
  const summary = h('p', { class: 'answer-summary' });
  const steps = h('ol', { class: 'steps', 'aria-label': 'How to apply it' });
  const details = h('div', { class: 'model-details' });

  function renderTabs(): void {
    keepFocus(tabs, () =>
      fill(
        tabs,
        TARGETS.map((t) =>
          h(
            'button',
            {
              type: 'button',
              role: 'tab',
              id: `answer-tab-${t.format}`,
              class: 'tab',
              'aria-selected': String(t === current),
              'aria-controls': 'answer-output',
              tabindex: t === current ? 0 : -1,
              'data-format': t.format,
            },
            t.label,
          ),
        ),
      ),
    );
  }

  function select(t: TargetFormat, focus = false): void {
    current = t;
    renderTabs();
    render();
    if (focus) document.getElementById(`answer-tab-${t.format}`)?.focus();
  }

  tabs.addEventListener('click', (e) => {
    const f = (e.target as HTMLElement).closest<HTMLElement>('[data-format]')?.dataset.format;
    const t = TARGETS.find((x) => x.format === f);
    if (t) select(t);
  });
  // Tabs pattern: arrows move between tabs, Home/End to the ends
  tabs.addEventListener('keydown', (e) => {
    const i = TARGETS.indexOf(current);
    const next: Record<string, number> = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: TARGETS.length - 1 };
    if (!(e.key in next)) return;
    e.preventDefault();
    select(TARGETS[(next[e.key] + TARGETS.length) % TARGETS.length], true);
  });

  function render(): void {
    const { model, error } = store.derived;
    output.setAttribute('aria-labelledby', `answer-tab-${current.format}`);
    if (!model) {
      output.textContent = error ?? 'No model.';
      output.classList.add('error');
      copy.disabled = true;
      fill(summary, error ?? '');
      fill(steps);
      fill(details);
      return;
    }
    try {
      output.textContent = EMITTERS[current.format].emit(model);
      output.classList.remove('error');
      copy.disabled = false;
    } catch (e) {
      // EmitError: this format cannot express the model safely (e.g. a name PVE refuses): say why, copy nothing
      output.textContent = (e as Error).message;
      output.classList.add('error');
      copy.disabled = true;
    }
    fill(
      summary,
      h('strong', {}, model.name),
      `: ${plural(model.features.length, 'guest feature')} (+${model.gainsOverKvm64.length} over kvm64) on ${plural(model.hosts.length, 'host')}, ${model.vendors.join(' + ')}; ${model.lost.length} left out; phys-bits ${model.physBits ?? 'unknown'}`,
    );
    fill(
      steps,
      current.steps.map((s) => h('li', {}, s.replaceAll('{name}', model.name))),
    );
    fill(
      details,
      h(
        'details',
        {},
        h('summary', {}, 'The model as a QEMU -cpu string, its base and QEMU release'),
        h('code', { id: 'model-cpu', class: 'cpu' }, model.cpu),
        h(
          'p',
          { class: 'muted small' },
          `Base ${model.base}: ${model.baseReason}. QEMU ${model.qemu ?? 'unknown'} or newer.`,
        ),
      ),
    );
  }

  renderTabs();
  store.subscribe(render);
  render();
  return {
    el: h(
      'div',
      { class: 'answer' },
      summary,
      tabs,
      h('div', { class: 'answer-out' }, output, h('div', { class: 'answer-actions' }, copy)),
      h('h3', { class: 'steps-title' }, 'Apply it in three steps'),
      steps,
      details,
    ),
    format: () => current.format,
  };
}
