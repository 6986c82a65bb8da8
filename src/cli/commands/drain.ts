/** `migratable drain NODE`: definitions only; the implementation in ../run/drain.ts is loaded when it runs. */
import type { Command } from 'commander';
import { sharedOption } from '../options.js';
import { collect } from '../output.js';
import { clusterInputOptions } from './plan.js';
import type { DrainOpts } from '../run/drain.js';

export function registerDrain(program: Command): void {
  clusterInputOptions(
    program
      .command('drain')
      .description(
        'every VM on NODE: where it can live-migrate now, which cannot and why, and the least change that frees it; with --after, which VMs planned host data strands (exit 1 if a VM cannot move or is stranded)',
      )
      .argument('<node>', 'the node to drain'),
  )
    .option(
      '--after <hostdata>',
      'planned host data (a new kernel, QEMU, microcode or CPU): a profile named like a node replaces it, another one replaces NODE; repeatable',
      collect,
    )
    .option('--every-node', 'the one --after profile replaces every node')
    .addOption(sharedOption('--qemu'))
    .addOption(sharedOption('--format').choices(['text', 'markdown', 'json']).default('text'))
    .addOption(sharedOption('--write-models'))
    .addOption(sharedOption('--output'))
    .action(async (node: string, hosts: string[], opts: DrainOpts) =>
      (await import('../run/drain.js')).runDrain(node, hosts, opts),
    );
}
