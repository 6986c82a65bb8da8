/**
 * Every command's definition: name, arguments, options, help. These modules stay cheap (commander and
 * constants only) so `migratable --version` or one command never loads the others; each action loads its
 * implementation from src/cli/run/ with `await import(...)`. A new command is a `commands/NAME.ts` with
 * `.action(async (...) => (await import('../run/NAME.js')).runNAME(...))` and one line below.
 */
import type { Command } from 'commander';
import { registerApply } from './apply.js';
import { registerBaseline } from './baseline.js';
import { registerCatalogCommands } from './catalog.js';
import { registerCheck } from './check.js';
import { registerInventory } from './inventory.js';
import { registerProbe } from './probe.js';
import { registerProfile } from './profile.js';
import { registerScan } from './scan.js';
import { registerServeCommand } from './serve.js';
import { registerVerify } from './verify.js';
import { registerPlan } from './plan.js';
import { registerDrain } from './drain.js';
import { registerMetrics } from './metrics.js';

export function registerCommands(program: Command): void {
  registerCatalogCommands(program);
  registerProfile(program);
  registerProbe(program);
  registerBaseline(program);
  registerCheck(program);
  registerVerify(program);
  registerScan(program);
  registerInventory(program);
  registerApply(program);
  registerServeCommand(program);
  registerPlan(program);
  registerDrain(program);
  registerMetrics(program);
}
