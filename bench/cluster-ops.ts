/**
 * plan (with model versions), plan --ha-rules and drain over synthetic Proxmox clusters built from
 * the real cpuinfo dumps: N nodes cycling through Intel and AMD CPUs, M HA VMs on them with the CPU
 * configs people use (cpu: host, no cpu: line, x86-64-v2-AES, two custom models), a strict rule on
 * the Intel nodes and keep-apart pairs. Wall time per operation and peak RSS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCpuModels } from '../src/formats/pve-cpu-models.js';
import { parseVmConfig } from '../src/formats/pve-vm-config.js';
import { combineHaConfig, parseHaResources, parseHaRules } from '../src/proxmox/config/ha.js';
import type { ClusterVm } from '../src/proxmox/config/cluster.js';
import { computeDrain } from '../src/proxmox/drain/drain.js';
import { computeGuardrails } from '../src/proxmox/ha/guardrails.js';
import { computePlan } from '../src/proxmox/plan/plan.js';
import { readProfilesFromText } from '../src/sources/index.js';

const root = join(fileURLToPath(import.meta.url), '../..');
const DUMPS = [
  'Xeon-E5-2690-v4_broadwell',
  'Xeon-E5-2680-v3_haswell',
  'EPYC-7301_naples',
  'Xeon-Gold-6132_skylake',
  'Ryzen-9-5950X_zen3',
  'Xeon-Platinum-8260M_cascadelake',
];
const CPUS = ['host', '', 'x86-64-v2-AES', 'custom-mix', 'custom-mix-2'];
const MODELS =
  'cpu-model: mix\n\tflags +aes;+sse4.2;-kvm_pv_unhalt\n\treported-model kvm64\n\ncpu-model: mix-2\n\tflags +aes;+avx;+sse4.2;-kvm_pv_unhalt\n\treported-model kvm64\n';

function cluster(nodes: number, vms: number) {
  const names = Array.from({ length: nodes }, (_, i) => `pve${i + 1}`);
  const hosts = names.map((n, i) => {
    const dump = DUMPS[i % DUMPS.length];
    return readProfilesFromText(readFileSync(join(root, 'test/fixtures/cpuinfo', `${dump}.cpuinfo`), 'utf8'), n, n)[0];
  });
  const list: ClusterVm[] = Array.from({ length: vms }, (_, i) => {
    const vmid = 100 + i;
    const cpu = CPUS[i % CPUS.length];
    const text = `${cpu ? `cpu: ${cpu}\n` : ''}name: vm${vmid}\nmemory: 2048\n`;
    const node = names[i % nodes];
    return { vmid, node, config: parseVmConfig(text, `${vmid}.conf`, vmid), where: `${vmid}.conf`, running: true };
  });
  const intel = names.filter((_, i) => DUMPS[i % DUMPS.length].startsWith('Xeon'));
  const resources = list.map((v) => `vm: ${v.vmid}\n\tstate started\n`).join('\n');
  const strict = list.filter((_, i) => i % 7 === 0).map((v) => `vm:${v.vmid}`);
  const pairs = list.filter((_, i) => i % 11 === 1).map((v, i, a) => (i % 2 ? null : [v.vmid, a[i + 1]?.vmid]));
  const rules = [
    `node-affinity: intel-only\n\tnodes ${intel.join(',')}\n\tresources ${strict.join(',')}\n\tstrict 1\n`,
    ...pairs
      .filter((p): p is number[] => !!p && p[1] !== undefined)
      .map(([a, b]) => `resource-affinity: apart-${a}\n\taffinity negative\n\tresources vm:${a},vm:${b}\n`),
  ].join('\n');
  const ha = combineHaConfig([], parseHaResources(resources, 'r'), parseHaRules(rules, 'r'));
  const input = {
    nodes: names,
    vms: list,
    ha,
    customModels: parseCpuModels(MODELS, 'm').models,
    source: 'bench',
    hosts,
  };
  return { input, files: { rules, groups: null, resources } };
}

function time<T>(fn: () => T): [T, number] {
  const t = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

for (const [nodes, vms] of [
  [8, 200],
  [16, 1000],
  [48, 3000],
]) {
  const { input, files } = cluster(nodes, vms);
  const [plan, tPlan] = time(() => computePlan(input));
  const [guard, tGuard] = time(() => computeGuardrails({ cluster: input, hosts: input.hosts, files }));
  const [drain, tDrain] = time(() => computeDrain(input, plan, 'pve1'));
  const guarded = guard.vms.filter((v) => v.status === 'guarded').length;
  console.log(
    `${nodes} nodes, ${vms} VMs: plan ${tPlan.toFixed(0)} ms (${plan.versions.powerCycle.length} to power-cycle), ` +
      `ha-rules ${tGuard.toFixed(0)} ms (${guarded} guarded), drain pve1 ${tDrain.toFixed(0)} ms (${drain.vms.length} VMs); ` +
      `rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}
