#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { InputError, EXIT_BAD_INPUT } from '../errors.js';
import { registerCommands } from './commands/index.js';

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
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerCommands(program);

function fail(err: unknown): never {
  if (err instanceof InputError) {
    process.stderr.write(`migratable: ${err.message.split('\n')[0]}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`migratable: ${message}\n`);
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  fail(err);
}
