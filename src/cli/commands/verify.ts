import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { readInputText } from '../../sources/files.js';
import { InputError } from '../../errors.js';
import { parseCpuModels } from '../../formats/pve-cpu-models.js';
import { vmFromPveConfig } from '../../sources/vm/pve.js';
import { loadModelInput, verifyModel } from '../../verify/index.js';
import { renderJson, renderText, verifyExitCode } from '../../verify/report.js';
import { output } from '../output.js';

/** A cpu-models.conf file: the -cpu string Proxmox would start a VM of that custom model with. */
function cpuFromCpuModelsConf(file: string, name?: string): string | null {
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  const text = readInputText(file);
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

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('boot a tiny Linux guest with the model (and enforce) and compare what it sees with the promise')
    .argument('<model>', 'a -cpu string, a `baseline --format json` file, or a cpu-models.conf file')
    .option('--accel <accel>', 'kvm or tcg (default: kvm when /dev/kvm works)')
    .option('--kernel <path>', 'guest kernel (default: the newest /boot/vmlinuz-*)')
    .option('--section <name>', 'which cpu-model of a cpu-models.conf file')
    .option('--timeout <seconds>', 'hard limit for the boot', '90')
    .option(
      '--without-unavailable',
      'when the accelerator refuses some features (TCG lacks many), boot again without them to check the rest',
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (
        model: string,
        opts: {
          accel?: string;
          kernel?: string;
          section?: string;
          timeout: string;
          json?: boolean;
          withoutUnavailable?: boolean;
        },
      ) => {
        if (opts.accel && opts.accel !== 'kvm' && opts.accel !== 'tcg')
          throw new InputError('--accel', `expected kvm or tcg, got "${opts.accel}"`);
        const fromConf = cpuFromCpuModelsConf(model, opts.section);
        const input = fromConf ? { cpu: fromConf, source: model } : loadModelInput(model);
        const run = (cpu: string) =>
          verifyModel({
            cpu,
            accel: opts.accel as 'kvm' | 'tcg' | undefined,
            kernel: opts.kernel,
            timeoutMs: Number(opts.timeout) * 1000,
          });
        const report = await run(input.cpu);
        output(opts.json ? renderJson(report) : renderText(report));
        process.exitCode = verifyExitCode(report);
        if (opts.withoutUnavailable && report.outcome === 'refused' && report.refusal?.features.length) {
          // The refusal stands (exit 1); the second boot shows whether everything else is as promised
          const rest = await run(`${input.cpu},${report.refusal.features.map((f) => `-${f}`).join(',')}`);
          output(
            `\nagain without ${report.refusal.features.join(' ')}:\n` +
              (opts.json ? renderJson(rest) : renderText(rest)),
          );
        }
      },
    );
}
