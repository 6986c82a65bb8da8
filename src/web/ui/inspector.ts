/** The feature detail card next to the matrix: CPUID bit, names, category, description, and its place in the model. */
import { linuxFlag } from '../../catalog/index.js';
import { formatBit } from '../../catalog/format.js';
import { fill, h, keepFocus, plural, shortList } from './dom.js';
import { featureStatus, info, setFeature } from './feature-status.js';
import type { Store } from './store.js';

export interface Inspector {
  el: HTMLElement;
  show(feature: string | null): void;
  refresh(): void;
}

export function createInspector(store: Store): Inspector {
  const el = h('aside', { class: 'inspector', 'aria-label': 'Feature details' });
  let current: string | null = null;

  function render(): void {
    if (!current) {
      fill(
        el,
        h(
          'p',
          { class: 'muted' },
          'Hover or focus a feature column to see its CPUID bit, names and description. Arrow keys move between columns.',
        ),
      );
      return;
    }
    const f = info(current);
    const st = featureStatus(current, store.state, store.derived);
    const n = store.derived.selectedHosts.length;
    const have = store.derived.counts.get(current) ?? 0;
    const row = (k: string, v: string | Node) => [h('dt', {}, k), h('dd', {}, v)];
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'btn small',
        id: 'inspector-toggle',
        disabled: !st.toggleable,
        title: st.toggleable ? null : st.summary,
        onclick: () => store.update((s) => setFeature(s, current!, !st.inModel)),
      },
      st.inModel ? 'Leave out of the model' : 'Put back into the model',
    );
    keepFocus(el, () =>
      fill(
        el,
        h(
          'h3',
          {},
          h('code', {}, current),
          h('span', { class: `tag cat-${f?.category ?? 'other'}` }, f?.category ?? 'other'),
        ),
        h(
          'p',
          { class: `status ${st.inModel ? 'ok' : 'out'}` },
          `${have} of ${plural(n, 'selected host')} · ${st.summary}`,
        ),
        f?.description ? h('p', { class: 'desc' }, f.description) : null,
        h(
          'dl',
          {},
          row('CPUID', f ? formatBit(f) : '-'),
          row('QEMU', f ? [f.name, ...f.aliases].join(', ') : current!),
          row('Linux', f ? linuxName(f.name, f.linux) : '-'),
          row('libvirt', f?.libvirt ?? '-'),
          row(
            'KVM',
            f
              ? `${f.kvm}${f.blocksMigration ? ', blocks migration' : ''}${f.nested ? ', nested virtualization' : ''}${f.hypercall ? `, hypercall ${f.hypercall}` : ''}`
              : '-',
          ),
          st.missingOn.length
            ? row('Missing on', h('span', { title: st.missingOn.join(', ') }, shortList(st.missingOn, 8)))
            : [],
        ),
        toggle,
      ),
    );
  }

  return {
    el,
    show(feature) {
      if (feature === current) return;
      current = feature;
      render();
    },
    refresh: render,
  };
}

/** The catalog names Linux only where it differs; otherwise the flag list says whether Linux shows it at all. */
function linuxName(feature: string, linux: string | null): string {
  if (linux) return linux;
  return linuxFlag(feature)?.feature === feature ? feature : 'not shown in /proc/cpuinfo';
}
