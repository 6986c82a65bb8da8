/**
 * "Runs an outdated model version", per VM. One function, so the rule lives in one place.
 *
 * Plans made by this version of migratable carry no model versions: the VM runs an older version
 * when its cpu: names a custom model of the same family as its domain's current model (plan names
 * a changed model NAME-2, NAME-3 ... instead of rewriting a section in use: proxmox/plan/models.ts)
 * but not that model itself. When the plan carries per-VM version data (a `versions` part with a
 * status per VM, as immutable model versions add), that decides instead: `older-version`.
 */

/** The per-VM version status a plan may carry (only what this rule reads). */
export interface PlanVersionsView {
  vms: ReadonlyArray<{ vmid: number; status: string }>;
}

/** NAME-2 -> NAME: the family a versioned section name belongs to. */
export const modelFamily = (name: string) => name.replace(/-\d+$/, '');

export function runsOutdatedModel(
  vm: { vmid: number; cpu: string; domainModel: string },
  versions?: PlanVersionsView,
): boolean {
  if (versions) return versions.vms.some((v) => v.vmid === vm.vmid && v.status === 'older-version');
  const own = /^custom-(.+)$/.exec(vm.cpu)?.[1];
  const current = /^custom-(.+)$/.exec(vm.domainModel)?.[1];
  return own !== undefined && current !== undefined && own !== current && modelFamily(own) === modelFamily(current);
}
