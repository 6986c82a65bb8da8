/**
 * What if: for each CPU-model group, what the model gains without it (retire it, or give it its own HA
 * group); the per-vendor alternatives; and how the model grows as the oldest groups are dropped.
 */
import { groupWhatIf } from '../../engine/group-whatif.js';
import type { VendorGroupAlternative } from '../../engine/types.js';
import { fill, h, keepFocus, plural, shortList } from './dom.js';
import { gainChart } from './gain-chart.js';
import { groupLabel } from './matrix-data.js';
import type { Store } from './store.js';

function alternatives(alts: VendorGroupAlternative[]): HTMLElement | null {
  if (!alts.length) return null;
  return h(
    'div',
    { class: 'alternatives' },
    h('h3', {}, 'Or one model per vendor (VMs migrate only within their vendor’s group)'),
    alts.map((a) =>
      h(
        'div',
        { class: 'alt', 'data-vendor': a.vendor },
        h(
          'p',
          {},
          h('strong', {}, a.vendor),
          ` (${plural(a.hosts.length, 'host')}: ${shortList(a.hosts, 4)}): +${plural(a.gains.length, 'feature')} over the mixed model, base ${a.base}`,
        ),
        a.gains.length
          ? h(
              'p',
              { class: 'feature-words' },
              a.gains.slice(0, 24).map((f) => h('code', {}, f)),
            )
          : null,
      ),
    ),
  );
}

export function createWhatIfPanel(store: Store): HTMLElement {
  const body = h('div', { class: 'whatif' });
  function render(): void {
    const { model, selectedHosts } = store.derived;
    if (!model) return fill(body, h('p', { class: 'muted' }, 'No model yet.'));
    const s = store.state;
    const what = groupWhatIf(selectedHosts, groupLabel, {
      allowTsx: s.allowTsx,
      disabled: [...s.disabled],
      ...(model.qemu ? { qemu: model.qemu } : {}),
    });
    const leaveOut = (names: string[]) => store.update((st) => names.forEach((n) => st.selected.delete(n)));
    keepFocus(body, () =>
      fill(
        body,
        what.groups.length
          ? h(
              'ol',
              { class: 'blockers' },
              what.groups.map((g) =>
                h(
                  'li',
                  { 'data-group': g.group, 'data-host': g.hosts.length === 1 ? g.hosts[0] : null },
                  h(
                    'div',
                    { class: 'row between' },
                    h(
                      'span',
                      {},
                      'Without ',
                      h('strong', {}, g.group),
                      ` (${plural(g.hosts.length, 'host')}): +${plural(g.wouldAdd.length, 'feature')}`,
                    ),
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'btn small',
                        'data-focus': `leave-${g.group}`,
                        onclick: () => leaveOut(g.hosts),
                      },
                      `Leave out ${g.group}`,
                    ),
                  ),
                  h(
                    'p',
                    { class: 'feature-words' },
                    g.wouldAdd.map((f) => h('code', {}, f)),
                  ),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No CPU-model group holds the model back on its own.'),
        what.ladder.length > 1
          ? h(
              'figure',
              { class: 'gain' },
              h('figcaption', {}, 'Model features as the oldest groups are dropped'),
              gainChart(what.ladder),
            )
          : null,
        alternatives(model.alternatives),
      ),
    );
  }
  store.subscribe(render, { defer: true });
  return body;
}
