/** Paste, pick or drop text inputs: the shared front of "Add hosts" and "Check VMs". */
import { h } from './dom.js';

export interface TextItem {
  text: string;
  /** File name without extension, or the name field for pasted text */
  name: string;
  /** What error messages call it: the file name, or "pasted" */
  where: string;
}

export interface TextDropOptions {
  id: string;
  label: string;
  placeholder: string;
  nameLabel: string;
  defaultName: () => string;
  submitLabel: string;
  onSubmit: (items: TextItem[]) => void;
}

/** Host data files run to a few hundred KiB; this only stops a wrong drop (an ISO) from freezing the tab. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface TextDrop {
  el: HTMLElement;
  /** Empties the fields after a successful submit */
  clear(): void;
}

export function createTextDrop(o: TextDropOptions): TextDrop {
  const area = h('textarea', {
    id: `${o.id}-text`,
    class: 'input mono',
    rows: 7,
    placeholder: o.placeholder,
    spellcheck: 'false',
  });
  const name = h('input', {
    id: `${o.id}-name`,
    class: 'input',
    type: 'text',
    placeholder: o.defaultName(),
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const files = h('input', { id: `${o.id}-files`, type: 'file', multiple: true, class: 'visually-hidden' });
  const pick = h('label', { for: `${o.id}-files`, class: 'btn' }, 'Choose files…');
  const submit = h('button', { type: 'button', class: 'btn primary', id: `${o.id}-submit` }, o.submitLabel);
  const zone = h(
    'div',
    { class: 'dropzone' },
    h('label', { for: area.id, class: 'field' }, o.label),
    area,
    h(
      'div',
      { class: 'row' },
      h('label', { for: name.id, class: 'field inline' }, o.nameLabel),
      name,
      submit,
      h('span', { class: 'muted small' }, 'or'),
      files,
      pick,
      h('span', { class: 'muted small' }, 'or drop files here'),
    ),
  );

  submit.addEventListener('click', () => {
    if (!area.value.trim()) return area.focus();
    const n = name.value.trim() || o.defaultName();
    o.onSubmit([{ text: area.value, name: n, where: n }]);
  });
  const readFiles = async (list: FileList | null) => {
    const items: TextItem[] = [];
    for (const f of Array.from(list ?? [])) {
      const base = f.name.replace(/\.[^.]+$/, '') || f.name;
      items.push(
        f.size > MAX_FILE_BYTES
          ? { text: '\u0000', name: base, where: f.name }
          : { text: await f.text(), name: base, where: f.name },
      );
    }
    if (items.length) o.onSubmit(items);
  };
  files.addEventListener('change', () => void readFiles(files.files).then(() => (files.value = '')));
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    void readFiles(e.dataTransfer?.files ?? null);
  });
  const clear = () => {
    area.value = '';
    name.value = '';
    name.placeholder = o.defaultName();
  };
  return { el: zone, clear };
}
