/** Feature drift per host from the inventory (GET /api/drift); hidden when the server has no inventory. */
import type { DriftResponse } from '../common/api-types.js';
import { fetchDrift } from './api-client.js';
import { fill, h, plural } from './dom.js';

export async function loadDriftPanel(section: HTMLElement, body: HTMLElement): Promise<void> {
  const res = await fetchDrift().catch(() => null);
  if (!res?.ok || res.value.inventory === false) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  render(body, res.value);
}

function render(body: HTMLElement, drift: DriftResponse): void {
  const changing = drift.hosts.filter((x) => x.snapshots.slice(1).some((s) => s.added.length || s.removed.length));
  fill(
    body,
    h(
      'p',
      { class: 'muted' },
      `${plural(drift.hosts.length, 'host')} in the inventory; ${changing.length} with feature changes between snapshots.`,
    ),
    drift.hosts.map((x) =>
      h(
        'details',
        { class: 'drift-host', open: x.snapshots.length > 1 && changing.length <= 10 },
        h(
          'summary',
          {},
          h('strong', {}, x.name),
          ` — ${x.snapshots.length} snapshot${x.snapshots.length === 1 ? '' : 's'}`,
        ),
        h(
          'ol',
          { class: 'timeline' },
          x.snapshots.map((s, i) =>
            h(
              'li',
              {},
              h('time', { datetime: s.collectedAt }, new Date(s.collectedAt).toLocaleString()),
              i === 0
                ? h('span', { class: 'muted' }, ` first seen with ${s.added.length} features`)
                : !s.added.length && !s.removed.length
                  ? h('span', { class: 'muted' }, ' no change')
                  : h(
                      'span',
                      { class: 'changes' },
                      s.added.map((f) => h('code', { class: 'added' }, `+${f}`)),
                      s.removed.map((f) => h('code', { class: 'removed' }, `−${f}`)),
                    ),
            ),
          ),
        ),
      ),
    ),
  );
}
