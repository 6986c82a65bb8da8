import type { Command } from 'commander';
import { ALLOW_INCOMPLETE_OPTION, NO_PROBE_OPTION } from '../options.js';
import type { ServeOptions } from '../run/serve.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('web dashboard: hosts x features matrix, live model builder, VM checks, exports (binds 127.0.0.1)')
    .argument(
      '[input...]',
      'host data files or directories (cpuinfo, QMP JSON, HostProfile JSON, ...); none = add them in the browser',
    )
    .option(...ALLOW_INCOMPLETE_OPTION)
    .option(...NO_PROBE_OPTION)
    .option('--pve-config <dir>', 'a copy of /etc/pve: adds the Plan view and GET /api/vms/VMID/targets')
    .option('--inventory <db>', 'serve hosts and feature drift from a migratable inventory database')
    .option(
      '--metrics-feature-labels',
      'GET /metrics also gives one series per lost feature, named in a label (as metrics --feature-labels)',
    )
    // the defaults live with the server (web/server.ts) and are printed at start
    .option('--port <n>', "port to listen on (default: the dashboard's own; 0 = any free port)")
    .option('--host <addr>', 'address to bind (default: loopback); anything but loopback needs --token')
    .option(
      '--token <t>',
      'require this token on every API request (Authorization: Bearer or ?token=); env MIGRATABLE_TOKEN',
    )
    .action(async (inputs: string[], opts: ServeOptions) => (await import('../run/serve.js')).runServe(inputs, opts));
}
