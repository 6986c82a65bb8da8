/** `migratable serve`: the web dashboard over the given host inputs (or an empty page to add hosts to). */
import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { readProfileInputs } from '../../sources/files.js';
import { DEFAULT_HOST, DEFAULT_PORT, startServer } from '../../web/server.js';
import { openInventoryDrift } from '../../web/inventory-drift.js';
import { clusterPlanSource } from '../plan-inputs.js';

interface ServeOptions {
  inventory?: string;
  port: string;
  host: string;
  token?: string;
  pveConfig?: string;
}

function parsePort(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new InputError('--port', `expected a port number 0-65535, got "${v}"`);
  return Number(v);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('web dashboard: hosts x features matrix, live model builder, VM checks, exports (binds 127.0.0.1)')
    .argument(
      '[input...]',
      'host data files or directories (cpuinfo, QMP JSON, HostProfile JSON, ...); none = add them in the browser',
    )
    .option('--inventory <db>', 'serve hosts and feature drift from a migratable inventory database')
    .option('--port <n>', 'port to listen on (0 = any free port)', String(DEFAULT_PORT))
    .option('--host <addr>', 'address to bind; anything but loopback needs --token', DEFAULT_HOST)
    .option(
      '--token <t>',
      'require this token on every API request (Authorization: Bearer or ?token=); env MIGRATABLE_TOKEN',
    )
    .option('--pve-config <dir>', 'a copy of /etc/pve: adds the Plan view and GET /api/vms/VMID/targets')
    .action(async (inputs: string[], opts: ServeOptions) => {
      const token = opts.token ?? process.env.MIGRATABLE_TOKEN;
      const hosts = readProfileInputs(inputs);
      const inventory = opts.inventory ? await openInventoryDrift(opts.inventory) : undefined;
      const server = await startServer({
        inputs: [...hosts, ...(inventory?.hosts ?? [])],
        port: parsePort(opts.port),
        host: opts.host,
        token,
        drift: inventory?.drift,
        plan: opts.pveConfig ? clusterPlanSource(opts.pveConfig, [...hosts, ...(inventory?.hosts ?? [])]) : undefined,
      });
      const open = token ? `${server.url}?token=${encodeURIComponent(token)}` : server.url;
      process.stderr.write(
        `migratable: serving ${hosts.length + (inventory?.hosts.length ?? 0)} host(s) at ${open}  (Ctrl-C stops)\n`,
      );
      const stop = () =>
        void server.close().finally(() => {
          inventory?.close();
          process.exit(0);
        });
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
