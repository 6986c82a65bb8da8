/** `migratable hosts` and `migratable drift`: what the inventory knows and what changed. */
import { checkMatrix } from '../../engine/check.js';
import { InputError, EXIT_PROBLEM } from '../../errors.js';
import { driftSteps, parseSince } from '../../fleet/inventory/drift.js';
import { defaultInventoryPath, openInventory } from '../../fleet/inventory/index.js';
import { parseCpuModels, type CpuModelSection } from '../../formats/pve-cpu-models.js';
import type { HostProfile } from '../../profile/host-profile.js';
import { readInputText } from '../../sources/files.js';
import { CPU_MODELS_INPUT } from '../../sources/size-caps.js';
import { readVmInputs } from '../../sources/vm/files.js';
import { output } from '../output.js';
import { table } from '../table.js';
import { safeJson } from '../../safe-json.js';

export interface HostsOptions {
  inventory?: string;
  json?: boolean;
}

export function runHosts(opts: HostsOptions): void {
  const inv = openInventory(opts.inventory ?? defaultInventoryPath(), { readOnly: true });
  try {
    const hosts = inv.hosts();
    output(
      opts.json
        ? safeJson(hosts)
        : table(
            ['host', 'vendor', 'cpu', 'features', 'exact', 'kvm', 'snapshots', 'latest', 'verified (newest)'],
            hosts.map((h) => [
              h.host,
              h.vendor,
              h.modelName ?? '-',
              String(h.features),
              h.exact ? 'yes' : 'no',
              [h.kvmModule, h.virtual ? 'in a VM' : null].filter(Boolean).join(', ') || '-',
              String(h.snapshots),
              h.latest,
              h.verified ? `${h.verified.outcome} ${h.verified.modelHash.slice(0, 12)} ${h.verified.verifiedAt}` : '-',
            ]),
          ),
    );
  } finally {
    inv.close();
  }
}

export interface DriftOptions {
  inventory?: string;
  since?: string;
  vm?: string[];
  cpuModels?: string;
  json?: boolean;
}

export function runDrift(opts: DriftOptions): void {
  const since = opts.since ? parseSince(opts.since) : undefined;
  if (since === null) throw new InputError('--since', `expected an ISO date or 7d/12h/30m, got "${opts.since}"`);
  const inv = openInventory(opts.inventory ?? defaultInventoryPath(), { readOnly: true });
  let steps, latest: HostProfile[];
  try {
    // the snapshot before --since is needed to see the first change after it
    steps = driftSteps(inv.history()).filter((s) => !since || s.to >= since);
    latest = inv.latestProfiles();
  } finally {
    inv.close();
  }
  const custom = new Map<string, CpuModelSection>();
  if (opts.cpuModels)
    for (const m of parseCpuModels(readInputText(opts.cpuModels, CPU_MODELS_INPUT), opts.cpuModels).models)
      custom.set(m.name, m);
  const vms = opts.vm ? readVmInputs(opts.vm, custom) : [];
  const lostHosts = new Set(steps.filter((s) => s.removed.length).map((s) => s.host));
  const broken = vms.length
    ? checkMatrix(
        vms,
        latest.filter((h) => lostHosts.has(h.name)),
      ).cells.filter((c) => !c.ok)
    : [];
  if (opts.json) output(safeJson({ steps, broken }));
  else {
    const lines = steps.length
      ? steps.map(
          (s) =>
            `${s.host}  ${s.from} -> ${s.to}${s.removed.length ? `  lost: ${s.removed.join(' ')}` : ''}${s.added.length ? `  gained: ${s.added.join(' ')}` : ''}`,
        )
      : ['no host changed'];
    if (broken.length) {
      lines.push('', 'VMs that can no longer start there:');
      for (const c of broken) lines.push(`  ${c.vm} on ${c.host}: needs ${c.missing.map((m) => m.feature).join(' ')}`);
    } else if (vms.length) lines.push('', 'every given VM still starts on every changed host');
    output(lines.join('\n'));
  }
  if (broken.length || steps.some((s) => s.removed.length)) process.exitCode = EXIT_PROBLEM;
}
