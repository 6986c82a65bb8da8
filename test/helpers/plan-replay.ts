/**
 * Replays a plan's steps against a model of the cluster: cpu-models.conf sections, each VM's active
 * and pending cpu:, and the CPU each running VM booted with. After every step it checks that every
 * running VM would migrate with the CPU it booted with and still reaches every node it reached before.
 */
import { currentCpu, vmTargets } from '../../src/proxmox/plan/targets.js';
import type { ClusterVm, Plan, PlanInput } from '../../src/proxmox/plan/types.js';
import type { CpuModelSection } from '../../src/formats/pve-cpu-models.js';
import { parseCpuProperty } from '../../src/formats/pve-vm-config.js';

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
  return { ...vm, config: { ...vm.config, cpu: parseCpuProperty(cpu), raw: { ...vm.config.raw, cpu } } };
}

export function replayPlan(input: PlanInput, plan: Plan): ReplayTrace {
  const sections = new Map<string, CpuModelSection>(input.customModels.map((m) => [m.name, m]));
  const hosts = new Map(input.hosts.map((h) => [h.name, h]));
  const domainOf = new Map(plan.vms.map((v) => [v.vmid, v.domain]));
  const resolve = (vm: ClusterVm) => currentCpu(vm, [...sections.values()]);
  const targets = (s: SimVm) => vmTargets(s.vm, resolve(s.vm), domainOf.get(s.vm.vmid)!, hosts).liveTargets;
  const sims = new Map<number, SimVm>();
  for (const vm of input.vms) {
    const s: SimVm = { vm, running: vm.running !== false, booted: fingerprint(resolve(vm)), initialTargets: [] };
    s.initialTargets = targets(s);
    sims.set(vm.vmid, s);
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
      s.booted = fingerprint(resolve(s.vm));
    }
    for (const s of sims.values()) {
      if (!s.running) continue;
      try {
        if (fingerprint(resolve(s.vm)) !== s.booted)
          violations.push(`${at}: VM ${s.vm.vmid} would migrate with a CPU other than the one it booted with`);
        const now = targets(s);
        const lost = s.initialTargets.filter((n) => !now.includes(n));
        if (lost.length) violations.push(`${at}: VM ${s.vm.vmid} lost live target(s) ${lost.join(', ')}`);
      } catch (e) {
        violations.push(`${at}: VM ${s.vm.vmid}: ${(e as Error).message}`);
      }
    }
  });
  const finalTargets = new Map([...sims.values()].map((s) => [s.vm.vmid, targets(s)]));
  return { violations, steps: plan.steps.length, finalTargets };
}
