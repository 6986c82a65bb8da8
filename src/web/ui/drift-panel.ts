/** Feature drift per host from the inventory (GET /api/drift); hidden when the server has no inventory. */
import type { DriftResponse, NodeVerdict } from '../common/api-types.js';
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

const VERDICT: Record<string, string> = {
  match: 'started, saw the promise',
  mismatch: 'started, saw something else',
  refused: 'refused by QEMU',
  failed: 'failed',
  timeout: 'stuck',
  unrun: 'could not run',
  unreachable: 'unreachable',
};

/** scan --verify results: one row per node and model, the verdict in words (not colour alone). */
function proofTable(rows: NodeVerdict[]): HTMLElement | null {
  if (!rows.length) return null;
  const ok = rows.filter((r) => r.outcome === 'match').length;
  return h(
    'div',
    { class: 'proof' },
    h('h3', {}, 'Proof on each node'),
    h('p', { class: 'muted' }, `${ok} of ${plural(rows.length, 'node result')} started the model and saw the promise.`),
    h(
      'table',
      { class: 'proof-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Node', 'Model', 'Verdict', 'Accelerator', 'When', 'Detail'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { 'data-outcome': r.outcome },
            h('th', { scope: 'row' }, r.host),
            h(
              'td',
              {},
              h('code', { title: r.modelCpu }, `${r.modelName ? `${r.modelName} ` : ''}${r.modelHash.slice(0, 12)}`),
            ),
            h('td', { class: `verdict ${r.outcome === 'match' ? 'ok' : 'bad'}` }, VERDICT[r.outcome] ?? r.outcome),
            h('td', {}, r.accel ? `${r.accel.toUpperCase()}${r.qemu ? ` (QEMU ${r.qemu})` : ''}` : '-'),
            h('td', {}, h('time', { datetime: r.verifiedAt }, new Date(r.verifiedAt).toLocaleString())),
            h('td', { class: 'detail' }, r.detail),
          ),
        ),
      ),
    ),
  );
}

function render(body: HTMLElement, drift: DriftResponse): void {
  const changing = drift.hosts.filter((x) => x.snapshots.slice(1).some((s) => s.added.length || s.removed.length));
  fill(
    body,
    proofTable(drift.verifications ?? []),
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
