/**
 * Warnings with stable codes: what can still go wrong with a model, and what to do about it. The
 * rules are the migration rules' pool scope (rules/table.ts), listed in output order.
 */
import type { Warning } from './types.js';
import { MIGRATION_RULES } from './rules/table.js';
import type { PoolContext, PoolInput } from './rules/scopes.js';

export function hazards(input: PoolInput): Warning[] {
  const { set } = input;
  const c: PoolContext = {
    ...input,
    everywhere: (f) => set.counts.get(f) === set.hosts.length,
    somewhere: (f) => (set.counts.get(f) ?? 0) > 0,
  };
  return MIGRATION_RULES.flatMap((rule) => rule.pool?.(c) ?? []);
}
