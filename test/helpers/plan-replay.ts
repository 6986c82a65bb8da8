/**
 * Replays a plan's steps against a model of the cluster: cpu-models.conf sections, each VM's active
 * and pending cpu:, and the CPU each running VM booted with. After every step it checks that every
 * running VM would migrate with the CPU it booted with and still reaches every node it reached before
 * (through the same target rules plan uses: HA keep-together bundles and keep-apart partners included),
 * and that a running VM that had a target still has one.
 */
import { TargetSolver, targetInputs } from '../../src/proxmox/plan/targets.js';
import type { ClusterVm, Plan, PlanInput } from '../../src/proxmox/plan/types.js';
import type { CpuModelSection } from '../../src/formats/pve-cpu-models.js';
import { parseCpuProperty } from '../../src/formats/pve-vm-config.js';
import { compileHa } from '../../src/proxmox/ha/compile.js';

interface SimVm {
  vm: ClusterVm;
  pending?: string;
  running: boolean;
  booted: string;
  initialTargets: string[];
}

export interface ReplayTrace {
  violations: string[];
  steps: number;
  finalTargets: Map<number, string[]>;
}

const fingerprint = (c: { features: string[]; physBits: unknown; model: string }) =>
  `${c.model} ${c.features.join(',')} ${String(c.physBits)}`;

function withCpu(vm: ClusterVm, cpu: string): ClusterVm {
  const config = { ...vm.config, cpu: parseCpuProperty(cpu), raw: { ...vm.config.raw, cpu } };
  delete config.invalidCpu;
  return { ...vm, config };
}

export function replayPlan(input: PlanInput, plan: Plan): ReplayTrace {
  const sections = new Map<string, CpuModelSection>(input.customModels.map((m) => [m.name, m]));
  const domainOf = new Map(plan.vms.map((v) => [v.vmid, v.domain]));
  const ha = compileHa(input.ha, input.nodes);
  const sims = new Map<number, SimVm>();
  /** A solver over the cluster as it is now: the configs and sections the steps so far made */
  const solver = () =>
    new TargetSolver(
      targetInputs({ ...input, vms: [...sims.values()].map((s) => s.vm), customModels: [...sections.values()] }, ha),
    );
  for (const vm of input.vms) sims.set(vm.vmid, { vm, running: vm.running !== false, booted: '', initialTargets: [] });
  const first = solver();
  for (const s of sims.values()) {
    s.booted = fingerprint(first.cpuOf(s.vm));
    s.initialTargets = first.vmTargets(s.vm, domainOf.get(s.vm.vmid)!).liveTargets;
  }
  const violations: string[] = [];
  plan.steps.forEach((step, i) => {
    const at = `step ${i + 1} (${step.command})`;
    if (step.kind === 'apply') {
      const d = plan.domains.find((x) => x.model.name === step.model);
      if (!d) violations.push(`${at}: no domain has model ${step.model}`);
      else sections.set(d.section.name, d.section);
    } else if (step.kind === 'set-cpu') {
      const s = sims.get(step.vmid)!;
      if (!sections.has(step.model)) violations.push(`${at}: cpu-models.conf has no ${step.model} yet`);
      if (s.running) s.pending = `custom-${step.model}`;
      else s.vm = withCpu(s.vm, `custom-${step.model}`);
    } else {
      // Full stop and start: the VM is down in between (as planned), then boots the pending CPU
      const s = sims.get(step.vmid)!;
      if (s.pending) s.vm = withCpu(s.vm, s.pending);
      s.pending = undefined;
      s.booted = fingerprint(solver().cpuOf(s.vm));
    }
    const now = solver();
    for (const s of sims.values()) {
      if (!s.running) continue;
      try {
        if (fingerprint(now.cpuOf(s.vm)) !== s.booted)
          violations.push(`${at}: VM ${s.vm.vmid} would migrate with a CPU other than the one it booted with`);
        const targets = now.vmTargets(s.vm, domainOf.get(s.vm.vmid)!).liveTargets;
        const lost = s.initialTargets.filter((n) => !targets.includes(n));
        if (lost.length) violations.push(`${at}: VM ${s.vm.vmid} lost live target(s) ${lost.join(', ')}`);
      } catch (e) {
        violations.push(`${at}: VM ${s.vm.vmid}: ${(e as Error).message}`);
      }
    }
  });
  const last = solver();
  const finalTargets = new Map(
    [...sims.values()].map((s) => [s.vm.vmid, last.vmTargets(s.vm, domainOf.get(s.vm.vmid)!).liveTargets]),
  );
  return { violations, steps: plan.steps.length, finalTargets };
}
