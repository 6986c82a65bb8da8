/** The model builder's host list: every host ticked by default, grouped by CPU model, plus the model options. */
import type { HostProfile } from '../../profile/host-profile.js';
import { esc, h, plural } from './dom.js';
import { groupLabel } from './matrix-data.js';
import type { Store } from './store.js';

/** Above this many hosts the model groups start folded. */
const OPEN_GROUPS_UP_TO = 60;

export function createHostPicker(store: Store): HTMLElement {
  const list = h('div', { class: 'host-list', role: 'group', 'aria-label': 'Hosts in the model' });
  const count = h('p', { class: 'muted small' });
  const all = h(
    'button',
    {
      type: 'button',
      class: 'btn small',
      onclick: () => store.update((s) => s.hosts.forEach((x) => s.selected.add(x.name))),
    },
    'All',
  );
  const none = h(
    'button',
    { type: 'button', class: 'btn small', onclick: () => store.update((s) => s.selected.clear()) },
    'None',
  );

  const tsx = h('input', { type: 'checkbox', id: 'opt-tsx' });
  tsx.addEventListener('change', () => store.update((s) => (s.allowTsx = tsx.checked)));
  const qemu = h('input', {
    type: 'text',
    id: 'opt-qemu',
    class: 'input',
    placeholder: 'from hosts, else 7.2',
    inputmode: 'decimal',
    autocomplete: 'off',
  });
  const qemuHint = h('p', { id: 'opt-qemu-hint', class: 'field-error small' });
  qemu.setAttribute('aria-describedby', qemuHint.id);
  qemu.addEventListener('input', () => store.update((s) => (s.qemu = qemu.value.trim())));
  const name = h('input', {
    type: 'text',
    id: 'opt-name',
    class: 'input',
    placeholder: 'migratable-mixed',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  name.addEventListener('input', () => store.update((s) => (s.name = name.value)));

  let groupMembers = new Map<string, HostProfile[]>();
  list.addEventListener('change', (e) => {
    const box = e.target as HTMLInputElement;
    if (box.type !== 'checkbox') return;
    const names =
      box.dataset.group !== undefined ? (groupMembers.get(box.dataset.group) ?? []).map((x) => x.name) : [box.value];
    store.update((s) => names.forEach((n) => (box.checked ? s.selected.add(n) : s.selected.delete(n))));
  });
  // The fold button opens a group's host list; the remove button takes a host added here away again
  list.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button');
    if (!btn) return;
    if (btn.dataset.remove !== undefined) {
      const next = btn.closest('.host-group')?.querySelector<HTMLElement>('.fold');
      store.removeHost(btn.dataset.remove);
      next?.focus();
      return;
    }
    const members = btn.closest('.host-group')?.querySelector<HTMLElement>('.members');
    if (!members) return;
    members.hidden = !members.hidden;
    btn.setAttribute('aria-expanded', String(!members.hidden));
  });

  let shown = '';
  function render(): void {
    const { hosts, selected, added } = store.state;
    // The placeholder shows the name the model gets when the field is left empty
    if (!name.value) name.placeholder = store.derived.model?.name ?? 'migratable-mixed';
    count.textContent = `${selected.size} of ${plural(hosts.length, 'host')} in the model`;
    qemu.setAttribute('aria-invalid', String(!!store.derived.qemuError));
    qemuHint.textContent = store.derived.qemuError
      ? `${store.derived.qemuError}; the model ignores it until fixed`
      : '';
    // Rebuild the list only when the hosts change; ticks are kept in sync below
    const key = hosts.map((x) => x.name).join('\n');
    if (key !== shown) {
      const hadFocus = list.contains(document.activeElement);
      shown = key;
      const groups = new Map<string, typeof hosts>();
      for (const x of hosts) (groups.get(groupLabel(x)) ?? groups.set(groupLabel(x), []).get(groupLabel(x))!).push(x);
      // One HTML string for up to thousands of hosts; delegated listeners handle every box. Big fleets
      // start with the groups folded (a whole model ticks at once), which also keeps the layout cheap.
      const open = hosts.length <= OPEN_GROUPS_UP_TO;
      let i = 0;
      list.innerHTML = [...groups]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([label, members]) => {
          const id = `hg-${i++}`;
          return (
            `<div class="host-group"><div class="group-head">` +
            `<input type="checkbox" id="${id}" data-group="${esc(label)}"><label for="${id}" class="group-name" title="every host of this model">${esc(label)}</label>` +
            `<button type="button" class="fold" aria-expanded="${open}" aria-controls="${id}-m" aria-label="${members.length} hosts of ${esc(label)}">${members.length}</button></div>` +
            `<div class="members" id="${id}-m"${open ? '' : ' hidden'}>` +
            members
              .map((x) => {
                const title = `${x.modelName ?? ''} · ${x.source}${x.exact ? '' : ' (approximate)'}`;
                const remove = added.has(x.name)
                  ? `<button type="button" class="remove" data-remove="${esc(x.name)}" aria-label="Remove ${esc(x.name)}" title="Remove ${esc(x.name)}">×</button>`
                  : '';
                return `<div class="host-line"><label class="check host" title="${esc(title)}"><input type="checkbox" value="${esc(x.name)}" data-host="${esc(x.name)}">${esc(x.name)}</label>${remove}</div>`;
              })
              .join('') +
            '</div></div>'
          );
        })
        .join('');
      groupMembers = groups;
      if (hadFocus && !list.contains(document.activeElement)) list.querySelector<HTMLElement>('input')?.focus();
    }
    for (const [label, members] of groupMembers) {
      const box = list.querySelector<HTMLInputElement>(`input[data-group="${CSS.escape(label)}"]`);
      if (!box) continue;
      const n = members.filter((x) => selected.has(x.name)).length;
      box.checked = n === members.length;
      box.indeterminate = n > 0 && n < members.length;
    }
    for (const box of list.querySelectorAll<HTMLInputElement>('input[data-host]'))
      box.checked = selected.has(box.value);
  }
  store.subscribe(render);
  render();

  return h(
    'div',
    { class: 'picker' },
    h('div', { class: 'row between' }, h('h2', { id: 'hosts-title' }, 'Hosts'), h('div', { class: 'row' }, all, none)),
    count,
    list,
    h(
      'div',
      { class: 'options' },
      h('h2', {}, 'Options'),
      h('label', { class: 'check' }, tsx, 'Allow TSX (hle, rtm)'),
      h('label', { class: 'field', for: 'opt-qemu' }, 'Oldest QEMU'),
      qemu,
      qemuHint,
      h('label', { class: 'field', for: 'opt-name' }, 'Model name'),
      name,
    ),
  );
}
