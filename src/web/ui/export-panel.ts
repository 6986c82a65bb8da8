/** The model in every emitter format, rendered in the browser by the same emitters the CLI uses. */
import { EMITTERS, FORMAT_NAMES, type FormatName } from '../../emitters/index.js';
import { h } from './dom.js';
import type { Store } from './store.js';

export function createExportPanel(store: Store): HTMLElement {
  const select = h(
    'select',
    { id: 'export-format', class: 'input', 'aria-label': 'Export format' },
    FORMAT_NAMES.map((f) => h('option', { value: f }, `${f} — ${EMITTERS[f].description}`)),
  );
  select.value = 'pve';
  const out = h('pre', { id: 'export-output', class: 'output', tabindex: 0, 'aria-label': 'Exported configuration' });
  const status = h('span', { class: 'muted small', role: 'status' });
  const copy = h(
    'button',
    { type: 'button', class: 'btn primary', onclick: () => void copyText(out.textContent ?? '', status) },
    'Copy',
  );

  function render(): void {
    const model = store.derived.model;
    status.textContent = '';
    if (!model) {
      out.textContent = store.derived.error ?? '';
      out.classList.add('error');
      copy.disabled = true;
      return;
    }
    try {
      out.textContent = EMITTERS[select.value as FormatName].emit(model);
      out.classList.remove('error');
      copy.disabled = false;
    } catch (e) {
      // EmitError: this format cannot express the model safely (e.g. a PVE-invalid name); say why, copy nothing
      out.textContent = (e as Error).message;
      out.classList.add('error');
      copy.disabled = true;
    }
  }
  select.addEventListener('change', render);
  store.subscribe(render, { defer: true });
  return h('div', { class: 'export' }, h('div', { class: 'row' }, select, copy, status), out);
}

/** navigator.clipboard needs a secure context (127.0.0.1 is one; a LAN address over http is not): fall back to a selection copy. */
async function copyText(text: string, status: HTMLElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = 'Copied.';
    return;
  } catch {
    /* fall through */
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'offscreen';
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  status.textContent = ok ? 'Copied.' : 'Copy failed: select the text and press Ctrl-C.';
}
