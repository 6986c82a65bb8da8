/** `migratable drain NODE`: definitions only; the implementation in ../run/drain.ts is loaded when it runs. */
import type { Command } from 'commander';
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
    .option('--qemu <version>', 'oldest QEMU in the cluster (default: what the profiles say, else 7.2)')
    .option('-f, --format <format>', 'text, markdown or json', 'text')
    .option('--write-models <dir>', 'write each cpu-models.conf section to roll out first to DIR/NAME.conf')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (node: string, hosts: string[], opts: DrainOpts) =>
      (await import('../run/drain.js')).runDrain(node, hosts, opts),
    );
}
