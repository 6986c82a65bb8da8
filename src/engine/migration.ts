/**
 * Can this running VM live-migrate from its host to that one, now, with the CPU it booted with? The
 * migration rules' move scope (rules/table.ts), in table order. Whatever stops the VM from starting
 * on the target (its start scope's missing features) stops the move too. Pure.
 */
import type { MissingFeature, MoveContext } from './rules/scopes.js';
import { MIGRATION_RULES } from './rules/table.js';

export type { MoveContext as MigrationContext } from './rules/scopes.js';

const blocker = (m: MissingFeature) => (m.why ? `${m.feature}: ${m.why}` : `missing ${m.feature}`);

export function migrationBlockers(ctx: MoveContext): string[] {
  const onTarget = { vm: ctx.vm, host: ctx.target, crossVendor: false };
  const reasons: string[] = [];
  for (const rule of MIGRATION_RULES) {
    for (const m of rule.start?.(onTarget)?.missing ?? []) reasons.push(blocker(m));
    const r = rule.move?.(ctx);
    if (r) reasons.push(...(Array.isArray(r) ? r : [r]));
  }
  return reasons;
}

/** What a guest loses when its CPU changes from one feature set to another: the rules' model-change scope. */
export function capabilitiesLost(from: string[], to: string[]): { features: string[]; loses: string[] } {
  const features: string[] = [];
  const loses: string[] = [];
  for (const rule of MIGRATION_RULES) {
    const gone = rule.dropped?.features.filter((f) => from.includes(f) && !to.includes(f)) ?? [];
    if (!gone.length) continue;
    features.push(...gone);
    loses.push(rule.dropped!.loses);
  }
  return { features, loses };
}
