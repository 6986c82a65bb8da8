/** `migratable verify`: boots a guest with the model and compares what it sees with the promise. */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { vmFromPveConfig } from '../../sources/vm/pve.js';
import { loadModelInput, verifyModel } from '../../verify/index.js';
import { renderJson, renderText, verifyExitCode } from '../../verify/report.js';
import { output } from '../output.js';
import { safeJson } from '../../safe-json.js';
import { safeLine } from '../../safe-text.js';
import type { PhaseName } from '../../verify/boot-script.js';
import { sshOptionsOf, type SshCliOptions } from '../ssh-options.js';

/** A cpu-models.conf file: the -cpu string Proxmox would start a VM of that custom model with. */
function cpuFromCpuModelsConf(file: string, name?: string): string | null {
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  const text = readFileSync(file, 'utf8');
  if (!/^cpu-model:\s*\S+/m.test(text)) return null;
  const { models } = parseCpuModels(text, file);
  const pick = name ? models.find((m) => m.name === name) : models.length === 1 ? models[0] : undefined;
  if (!pick)
    throw new InputError(
      file,
      name
        ? `no cpu-model "${name}" (has: ${models.map((m) => m.name).join(', ')})`
        : `several cpu-model sections (${models.map((m) => m.name).join(', ')}): choose one with --section NAME`,
    );
  const vm = vmFromPveConfig(
    { cpu: { type: `custom-${pick.name}`, customModel: pick.name, flags: [] }, raw: {}, warnings: [] },
    file,
    pick.name,
    new Map([[pick.name, pick]]),
  );
  return vm.cpu + (typeof vm.physBits === 'number' ? `,phys-bits=${vm.physBits}` : '');
}

export interface VerifyCliOptions extends SshCliOptions {
  accel?: string;
  /** --guest-kernel (old spelling --kernel) */
  guestKernel?: string;
  section?: string;
  timeout: string;
  json?: boolean;
  withoutUnavailable?: boolean;
  qemuBinary?: string;
  phaseTimeout?: string[];
  /** verify --ssh HOST, with the scan's SSH options */
  ssh?: string;
}

/** verify --ssh HOST: the same boot on that node, its report printed as for this machine. */
async function runVerifyOverSsh(input: { cpu: string; name: string | null }, opts: VerifyCliOptions): Promise<void> {
  if (opts.guestKernel || opts.qemuBinary)
    throw new InputError('--ssh', '--guest-kernel and --qemu-binary name files on this machine; the node uses its own');
  const { parseTarget } = await import('../../fleet/ssh/targets.js');
  const { verifyOnNode } = await import('./verify-nodes.js');
  const target = parseTarget(opts.ssh!, '--ssh');
  const r = await verifyOnNode(target, {
    cpu: input.cpu,
    modelName: input.name,
    accel: parseAccel(opts.accel),
    timeoutMs: parseTimeoutSeconds(opts.timeout),
    phaseTimeoutMs: parsePhaseTimeouts(opts.phaseTimeout),
    ...sshOptionsOf(opts),
  });
  if (r.report) output(opts.json ? renderJson(r.report) : renderText(r.report));
  else
    output(
      opts.json
        ? safeJson({ host: r.host, outcome: r.outcome, detail: r.detail })
        : `host ${safeLine(r.host)}\nverdict ${r.outcome.toUpperCase()}: ${safeLine(r.detail)}`,
    );
  process.exitCode = r.outcome === 'match' ? 0 : 1;
}

/** --phase-timeout kernel=30 (repeatable) -> per-phase milliseconds. */
export function parsePhaseTimeouts(values: string[] | undefined): Partial<Record<PhaseName, number>> {
  const out: Partial<Record<PhaseName, number>> = {};
  for (const v of values ?? []) {
    const m = /^(firmware|kernel|init)=(\d+(?:\.\d+)?)$/.exec(v);
    if (!m || Number(m[2]) <= 0)
      throw new InputError('--phase-timeout', `expected firmware|kernel|init=SECONDS, got "${v.slice(0, 40)}"`);
    out[m[1] as PhaseName] = Math.round(Number(m[2]) * 1000);
  }
  return out;
}

/** --timeout SECONDS: a positive number. */
export function parseTimeoutSeconds(v: string, option = '--timeout'): number {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
    throw new InputError(option, `expected a number of seconds, got "${v.slice(0, 40)}"`);
  return Math.round(Number(v) * 1000);
}

/** --qemu-binary must name an executable file: said in one line before anything boots. */
function checkQemuBinary(path: string): void {
  try {
    accessSync(path, constants.X_OK);
    if (statSync(path).isFile()) return;
  } catch {
    // reported below
  }
  throw new InputError('--qemu-binary', `${path} is not an executable file (expected a qemu-system-x86_64)`);
}

/** MODEL as verify and scan --verify take it: a -cpu string, baseline JSON, or a cpu-models.conf section. */
export function modelFromInput(model: string, section?: string): { cpu: string; source: string; name: string | null } {
  const fromConf = cpuFromCpuModelsConf(model, section);
  if (fromConf) {
    const names = parseCpuModels(readFileSync(model, 'utf8'), model).models.map((m) => m.name);
    return { cpu: fromConf, source: model, name: section ?? names[0] ?? null };
  }
  const input = loadModelInput(model);
  let name: string | null = null;
  if (input.source !== 'argument') {
    const data = JSON.parse(readFileSync(model, 'utf8')) as { name?: unknown };
    name = typeof data.name === 'string' ? data.name : null;
  }
  return { ...input, name };
}

export function parseAccel(v: string | undefined, option = '--accel'): 'kvm' | 'tcg' | undefined {
  if (v && v !== 'kvm' && v !== 'tcg') throw new InputError(option, `expected kvm or tcg, got "${v}"`);
  return v as 'kvm' | 'tcg' | undefined;
}

export async function runVerify(model: string, opts: VerifyCliOptions): Promise<void> {
  parseAccel(opts.accel);
  if (opts.qemuBinary) checkQemuBinary(opts.qemuBinary);
  const input = modelFromInput(model, opts.section);
  if (opts.ssh) return runVerifyOverSsh(input, opts);
  const timeoutMs = parseTimeoutSeconds(opts.timeout);
  const phaseTimeoutMs = parsePhaseTimeouts(opts.phaseTimeout);
  const run = (cpu: string) =>
    verifyModel({
      cpu,
      accel: parseAccel(opts.accel),
      kernel: opts.guestKernel,
      timeoutMs,
      phaseTimeoutMs,
      qemuBinary: opts.qemuBinary,
    });
  const report = await run(input.cpu);
  output(opts.json ? renderJson(report) : renderText(report));
  process.exitCode = verifyExitCode(report);
  if (opts.withoutUnavailable && report.outcome === 'refused' && report.refusal?.features.length) {
    // The refusal stands (exit 1); the second boot shows whether everything else is as promised
    const rest = await run(`${input.cpu},${report.refusal.features.map((f) => `-${f}`).join(',')}`);
    output(
      `\nagain without ${report.refusal.features.join(' ')}:\n` + (opts.json ? renderJson(rest) : renderText(rest)),
    );
  }
}
