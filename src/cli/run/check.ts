/** `migratable check`: will each VM start on each host. */
import { checkMatrix, type CheckResult } from '../../engine/check.js';
import { EXIT_PROBLEM } from '../../errors.js';
import { parseCpuModels, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import { readVmInputs } from '../../sources/vm/files.js';
import { readInputText } from '../../sources/files.js';
import { CPU_MODELS_INPUT } from '../../sources/size-caps.js';
import { loadHosts } from '../inputs.js';
import { output } from '../output.js';
import { table } from '../table.js';
import { safeJson } from '../../safe-json.js';

export function renderCheck(r: CheckResult): string {
  // One lookup per cell (500 VMs x 50 hosts are 25,000 cells: a search per cell was quadratic)
  const byVm = new Map<string, Map<string, CheckResult['cells'][number]>>();
  for (const c of r.cells) {
    const row = byVm.get(c.vm) ?? byVm.set(c.vm, new Map()).get(c.vm)!;
    if (!row.has(c.host)) row.set(c.host, c);
  }
  const rows = r.vms.map((vm) => [
    vm,
    ...r.hosts.map((h) => {
      const c = byVm.get(vm)!.get(h)!;
      return c.ok ? (c.warnings.length ? 'ok*' : 'ok') : `NO (${c.missing.length})`;
    }),
  ]);
  const lines = [table(['vm \\ host', ...r.hosts], rows), ''];
  for (const c of r.cells.filter((c) => !c.ok)) {
    lines.push(`${c.vm} on ${c.host}: missing ${c.missing.map((m) => m.feature).join(' ')}`);
    for (const m of c.missing.filter((m) => m.why)) lines.push(`    ${m.feature}: ${m.why}`);
  }
  const warned = new Map<string, Set<string>>();
  for (const c of r.cells)
    for (const w of c.warnings) (warned.get(c.vm) ?? warned.set(c.vm, new Set()).get(c.vm)!).add(w);
  for (const [vm, notes] of Object.entries(r.vmWarnings))
    for (const n of notes) (warned.get(vm) ?? warned.set(vm, new Set()).get(vm)!).add(n);
  if (warned.size) {
    lines.push('', 'warnings (* = starts, but mind this):');
    for (const [vm, ws] of warned) for (const w of ws) lines.push(`  ${vm}: ${w}`);
  }
  if (r.suggestions.length) {
    lines.push('', 'suggestions:');
    for (const s of r.suggestions) lines.push(`  ${s.vm}: ${s.text}`);
    const base = r.suggestions.find((s) => s.useBaseline)?.useBaseline;
    if (base)
      lines.push(
        `  cluster baseline ${base.name}: -cpu ${base.cpu}`,
        '  (Proxmox: `migratable baseline HOSTS --format pve` gives the cpu-models.conf section)',
      );
  }
  const bad = r.cells.filter((c) => !c.ok).length;
  lines.push('', bad ? `${bad} VM/host pair(s) would not start` : `every VM can start on every host`);
  return lines.join('\n');
}

export interface CheckOptions {
  vm: string[];
  cpuModels?: string;
  inventory?: string;
  json?: boolean;
  kernel?: string;
  allowIncomplete?: boolean;
}

export async function runCheck(hostInputs: string[], opts: CheckOptions): Promise<void> {
  const custom = new Map<string, CpuModelSection>();
  if (opts.cpuModels)
    for (const m of parseCpuModels(readInputText(opts.cpuModels, CPU_MODELS_INPUT), opts.cpuModels).models)
      custom.set(m.name, m);
  const vms = readVmInputs(opts.vm, custom);
  const hosts = await loadHosts(hostInputs, opts);
  const result = checkMatrix(vms, hosts);
  output(
    opts.json
      ? safeJson(result.cells.map((c) => ({ ...c, missing: c.missing.map((m) => m.feature), reasons: c.missing })))
      : renderCheck(result),
  );
  if (result.cells.some((c) => !c.ok)) process.exitCode = EXIT_PROBLEM;
}
