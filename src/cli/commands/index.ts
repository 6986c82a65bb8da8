import type { Command } from 'commander';
import { registerBaseline } from './baseline.js';
import { registerCheck } from './check.js';
import { registerApply } from './apply.js';
import { registerInventory } from './inventory.js';
import { registerScan } from './scan.js';
import { registerProbe } from './probe.js';
import { registerProfile } from './profile.js';
import { registerServeCommand } from './serve.js';
import { registerVerify } from './verify.js';
import { registerPlan } from './plan.js';

/** Commands beyond the catalog; each lives in its own module. */
export function registerCommands(program: Command): void {
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
}
