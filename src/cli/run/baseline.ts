/** `migratable baseline`: the model every given host can run, in the chosen format. */
import { computeBaseline } from '../../engine/baseline.js';
import { EMITTERS, FORMAT_NAMES, isFormatName } from '../../emitters/index.js';
import { InputError } from '../../errors.js';
import { loadHosts } from '../inputs.js';
import { checkModelName, emitterOptions, type EmitterCliOptions } from './baseline-options.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';

export interface BaselineCliOptions extends EmitterCliOptions {
  format: string;
  name?: string;
  allowTsx?: boolean;
  qemu?: string;
  inventory?: string;
  output?: string;
  kernel?: string;
  allowIncomplete?: boolean;
}

export async function runBaseline(inputs: string[], opts: BaselineCliOptions): Promise<void> {
  if (!isFormatName(opts.format))
    throw new InputError('--format', `unknown format "${opts.format}"; one of ${FORMAT_NAMES.join(', ')}`);
  checkModelName(opts.name, opts.format);
  const emitOptions = emitterOptions(opts);
  const hosts = await loadHosts(inputs, opts);
  const result = computeBaseline(hosts, {
    allowTsx: opts.allowTsx,
    qemu: parseQemuVersion(opts.qemu),
    name: opts.name,
  });
  const emitter = EMITTERS[opts.format];
  output(emitter.emit(result, emitOptions), opts.output, emitter.escaped);
}
