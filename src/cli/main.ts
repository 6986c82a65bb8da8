#!/usr/bin/env node
// first: V8 tuning for a short-lived process, before anything else is compiled
import './v8-tuning.js';
import { Command, CommanderError } from 'commander';
import { BusyError, InputError, WriteError, EXIT_BAD_INPUT, EXIT_BUSY, EXIT_PROBLEM } from '../errors.js';
import { safeLine, safeText } from '../safe-text.js';
import { registerCommands } from './commands/index.js';
import { MIGRATABLE_VERSION } from '../tool-version.js';

// `migratable features | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('migratable')
  .description(
    'The richest virtual CPU your KVM/QEMU VMs can have and still live-migrate to every host, Intel and AMD mixed.',
  )
  .version(MIGRATABLE_VERSION)
  .exitOverride()
  .configureOutput({
    writeErr: (s) => process.stderr.write(safeText(s)),
    writeOut: (s) => process.stdout.write(safeText(s)),
  });

registerCommands(program);

/** Error messages carry file and host names: one line, control characters escaped, length capped. */
function say(message: string): void {
  const line = safeLine(message);
  process.stderr.write(`migratable: ${line.length > 2000 ? `${line.slice(0, 1999)}…` : line}\n`);
}

function fail(err: unknown): never {
  if (err instanceof InputError || err instanceof BusyError) {
    say(err.message);
    process.exit(err instanceof BusyError ? EXIT_BUSY : EXIT_BAD_INPUT);
  }
  if (err instanceof WriteError) {
    say(err.message);
    process.exit(EXIT_PROBLEM);
  }
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
  }
  say(err instanceof Error ? err.message : String(err));
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
