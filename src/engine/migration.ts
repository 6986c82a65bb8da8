/**
 * Can this running VM live-migrate from its host to that one, now, with the CPU it booted with? The
 * migration rules' move scope (rules/table.ts), in table order. Whatever stops the VM from starting
 * on the target (its start scope's missing features) stops the move too. Pure.
 */
import type { MissingFeature, MoveContext } from './rules/scopes.js';
import { MIGRATION_RULES } from './rules/table.js';

const blocker = (m: MissingFeature) => (m.why ? `${m.feature}: ${m.why}` : `missing ${m.feature}`);

/**
 * Per rule, what stops the VM from starting on the host: the part of a move's blockers that depends on
 * the VM's CPU and the target only, so a caller planning many VMs can compute it once per pair.
 */
export function startBlockersByRule(vm: MoveContext['vm'], host: MoveContext['target']): string[][] {
  const onHost = { vm, host, crossVendor: false };
  return MIGRATION_RULES.map((rule) => (rule.start?.(onHost)?.missing ?? []).map(blocker));
}

export function migrationBlockers(
  ctx: MoveContext,
  start: string[][] = startBlockersByRule(ctx.vm, ctx.target),
): string[] {
  const reasons: string[] = [];
  MIGRATION_RULES.forEach((rule, i) => {
    reasons.push(...start[i]);
    const r = rule.move?.(ctx);
    if (r) reasons.push(...(Array.isArray(r) ? r : [r]));
  });
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
