/** `migratable apply-ha DIR`: the HA rules or groups `plan --ha-rules DIR` wrote, into the cluster's ha/. */
import { InputError } from '../../errors.js';
import { applyHaConfig } from '../../proxmox/apply/ha-config.js';
import { notice, output } from '../output.js';

export interface ApplyHaOpts {
  pveConfig: string;
  dryRun?: boolean;
  lockTimeout: string;
}

export async function runApplyHa(dir: string, opts: ApplyHaOpts): Promise<void> {
  const seconds = Number(opts.lockTimeout);
  if (!/^\d+(\.\d+)?$/.test(opts.lockTimeout) || seconds > 3600)
    throw new InputError('--lock-timeout', `expected seconds (0-3600), got ${JSON.stringify(opts.lockTimeout)}`);
  const r = await applyHaConfig({ dir, pveConfig: opts.pveConfig, dryRun: !!opts.dryRun, timeoutMs: seconds * 1000 });
  if (!r.files.length) return notice(`${dir}: nothing to change`);
  if (opts.dryRun) output(r.files.map((f) => f.diff).join(''));
  else for (const f of r.files) notice(`${f.file}: written${f.backupFile ? ` (backup: ${f.backupFile})` : ''}`);
}
