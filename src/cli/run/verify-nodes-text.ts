/** The per-node table of `scan --verify`. */
import type { NodeVerification } from './verify-nodes.js';
import type { Verification } from '../../fleet/inventory/verifications.js';
import { table } from '../table.js';

const WORD: Record<string, string> = {
  match: 'OK',
  mismatch: 'MISMATCH',
  refused: 'REFUSED',
  failed: 'FAILED',
  timeout: 'STUCK',
  unrun: 'NOT RUN',
  unreachable: 'UNREACHABLE',
};

export function renderVerifications(results: NodeVerification[], rows: Verification[]): string {
  const first = rows[0];
  const ok = rows.filter((r) => r.outcome === 'match').length;
  return (
    `verify ${first?.modelName ? `${first.modelName} ` : ''}${first?.modelCpu ?? ''}\n` +
    `model sha256 ${first?.modelHash.slice(0, 16) ?? '-'}: ${ok} of ${rows.length} node(s) started it and saw the promise\n\n` +
    table(
      ['node', 'target', 'verdict', 'accel', 'qemu', 'time', 'detail'],
      rows.map((r, i) => [
        r.host,
        r.target,
        WORD[r.outcome] ?? r.outcome,
        r.accel?.toUpperCase() ?? '-',
        r.qemu ?? '-',
        `${(results[i].ms / 1000).toFixed(1)} s`,
        r.detail,
      ]),
    )
  );
}
