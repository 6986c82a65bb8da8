/** Rendering of a verify report (text for people, JSON for tools) and the CLI exit code it means. */
import { EXIT_OK, EXIT_PROBLEM } from '../errors.js';
import { hanging } from '../wrap.js';
import type { VerifyReport } from './index.js';
import { safeJson } from '../safe-json.js';

/** 0 when the guest sees exactly the promise (not-visible features aside), 1 otherwise. Bad input (2) is thrown earlier. */
export function verifyExitCode(report: VerifyReport): number {
  return report.outcome === 'match' ? EXIT_OK : EXIT_PROBLEM;
}

export function renderJson(report: VerifyReport): string {
  return safeJson(report) + '\n';
}

const VERDICT: Record<VerifyReport['outcome'], string> = {
  match: 'OK: the guest sees exactly what QEMU promised',
  mismatch: 'MISMATCH: the guest does not see what QEMU promised',
  refused: 'REFUSED: QEMU would not start this model with enforce',
  failed: 'FAILED: the guest did not boot to its report',
  timeout: 'TIMEOUT: the guest did not finish',
  unrun: 'NOT RUN: the boot could not be tried',
};

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "firmware 1.8 s, kernel 7.5 s (first message at 6.8 s), init 0.3 s" or where it stopped. */
export function renderPhases(report: Pick<VerifyReport, 'phases' | 'stuckIn'>): string {
  return report.phases
    .filter((p) => p.startMs !== null)
    .map((p) => {
      if (p.endMs !== null) return `${p.name} ${secs(p.endMs - p.startMs!)}`;
      return report.stuckIn === p.name ? `${p.name} STUCK (over its ${secs(p.limitMs)} limit)` : `${p.name} unfinished`;
    })
    .join(', ');
}

/** A word list for a value column starting at `indent`: wrapped at 100, '-' when empty. */
function wrap(words: readonly string[], indent: number): string {
  return words.length ? hanging(' '.repeat(indent), words, 100).join('\n').slice(indent) : '-';
}

export function renderText(report: VerifyReport): string {
  const rows: [string, string][] = [];
  const add = (label: string, value: string) => rows.push([label, value]);
  if (report.host) add('host', report.host);
  add('cpu', report.bootedCpu);
  if (report.accel)
    add(
      'accelerator',
      `${report.accel.toUpperCase()} (QEMU ${report.qemu.version ?? '?'}, ${report.qemu.binary ?? '?'})`,
    );
  const kernelImage = report.kernelImage ?? '?';
  add('guest kernel', report.guest?.kernel ? `${report.guest.kernel} (${kernelImage})` : kernelImage);
  add('verdict', VERDICT[report.outcome]);
  if (report.failure) add('why', report.failure);
  if (report.started && report.phases.some((p) => p.startMs !== null)) add('phases', renderPhases(report));
  for (const a of report.advice) add('advice', a);
  if (report.refusal) {
    add('QEMU said', report.refusal.lines.concat(report.refusal.summary).join('\n'));
    add('missing', report.refusal.features.join(' '));
  }
  if (report.guest) {
    add(
      'vendor',
      `${report.guest.vendor ?? '?'}${report.promisedVendor ? ` (promised ${report.promisedVendor})` : ''}`,
    );
    add('model name', report.guest.modelName ?? '?');
  }
  for (const m of report.identityMismatches) add('identity', m);
  const indent = 24;
  add(`promised (${report.promised.length})`, wrap(report.promised, indent));
  const c = report.comparison;
  if (c) {
    add(`absent (${c.absent.length})`, wrap(c.absent, indent));
    add(`not promised (${c.extra.length})`, wrap(c.extra, indent));
    add(
      `not visible (${c.notVisible.length})`,
      wrap(c.notVisible, indent) +
        (c.notVisible.length ? '\n' + ' '.repeat(indent) + '(never shown in /proc/cpuinfo: not checked)' : ''),
    );
    for (const [f, why] of Object.entries(c.kernelImplied)) add('kernel-implied', `${f}: ${why}`);
  }
  if (report.guest) {
    const vulns = Object.entries(report.guest.vulnerabilities);
    if (vulns.length) {
      const w = Math.max(...vulns.map(([k]) => k.length));
      add('mitigations', vulns.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
    }
  }
  if (report.consoleTail.length) add('console (last lines)', report.consoleTail.join('\n'));
  for (const n of report.notes) add('note', n);
  add(
    'duration',
    `${(report.durationMs / 1000).toFixed(1)} s${report.bootMs !== null ? ` (boot ${(report.bootMs / 1000).toFixed(1)} s)` : ''}`,
  );

  return (
    rows
      .map(([label, value]) => {
        const [first, ...more] = value.split('\n');
        const head = `${label.padEnd(indent - 2)}  ${first}`;
        return [head, ...more.map((m) => (m.startsWith(' '.repeat(indent)) ? m : ' '.repeat(indent) + m))].join('\n');
      })
      .join('\n') + '\n'
  );
}
