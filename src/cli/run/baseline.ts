/** `migratable baseline`: the model every given host can run, in the chosen format. */
import { computeBaseline } from '../../engine/baseline.js';
import { EMITTERS, FORMAT_NAMES, isFormatName } from '../../emitters/index.js';
import { InputError } from '../../errors.js';
import { loadHosts } from '../inputs.js';
import { parseQemuVersion } from '../options.js';
import { output } from '../output.js';

export interface BaselineOptions {
  format: string;
  name?: string;
  allowTsx?: boolean;
  qemu?: string;
  inventory?: string;
  output?: string;
  kernel?: string;
  allowIncomplete?: boolean;
}

export async function runBaseline(inputs: string[], opts: BaselineOptions): Promise<void> {
  if (!isFormatName(opts.format))
    throw new InputError('--format', `unknown format "${opts.format}"; one of ${FORMAT_NAMES.join(', ')}`);
  if (opts.name !== undefined && !/^[a-z][a-z0-9_-]{1,39}$/.test(opts.name))
    throw new InputError(
      '--name',
      `"${opts.name}" is not a valid model name (lowercase letter, then letters, digits, _ or -, at most 40)`,
    );
  const hosts = await loadHosts(inputs, opts);
  const result = computeBaseline(hosts, {
    allowTsx: opts.allowTsx,
    qemu: parseQemuVersion(opts.qemu),
    name: opts.name,
  });
  output(EMITTERS[opts.format].emit(result), opts.output);
}
