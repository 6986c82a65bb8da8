import type { Command } from 'commander';
import { addOldSpellings, sharedOption } from '../options.js';
import type { ServeOptions } from '../run/serve.js';

export function registerServeCommand(program: Command): void {
  const cmd = program
    .command('serve')
    .description(
      'web dashboard: hosts x features matrix, live model builder, VM checks, exports (binds 127.0.0.1); --inventory adds the scanned hosts and their drift, --pve-config the Plan view and GET /api/vms/VMID/targets',
    )
    .argument(
      '[input...]',
      'host data files or directories (cpuinfo, QMP JSON, HostProfile JSON, ...); none = add them in the browser',
    )
    .addOption(sharedOption('--allow-incomplete'))
    .addOption(sharedOption('--no-probe'))
    .addOption(sharedOption('--pve-config'))
    .addOption(sharedOption('--inventory'))
    .option(
      '--metrics-feature-labels',
      'GET /metrics also gives one series per lost feature, named in a label (as metrics --feature-labels)',
    )
    // the defaults live with the server (web/server.ts) and are printed at start
    .option('--port <n>', "port to listen on (default: the dashboard's own; 0 = any free port)")
    .option(
      '--bind <addr>',
      'address to listen on (default: loopback); anything but loopback needs --access-token; old spelling --host',
    )
    .option(
      '--access-token <token>',
      'require this token on every dashboard API request (Authorization: Bearer or ?token=); env MIGRATABLE_TOKEN; old spelling --token',
    );
  addOldSpellings(cmd).action(async (inputs: string[], opts: ServeOptions) =>
    (await import('../run/serve.js')).runServe(inputs, opts),
  );
}
