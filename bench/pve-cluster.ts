/**
 * A generated Proxmox cluster for the plan benchmarks (bench/plan.ts, bench/web-load.ts): a copy of
 * /etc/pve and one cpuinfo file per node, written to a temporary directory. Nothing is committed: the
 * nodes' CPUs are the real dumps of test/fixtures/cpuinfo, everything else comes from a seeded
 * generator, so every run plans the same cluster.
 *
 * What a 50-node cluster of a few hardware generations holds (hosts of one generation differing in
 * a few flags, as microcode and BIOS settings make them): per-generation HA node affinity rules
 * (strict and non-strict, with priorities), a negative one, keep-together pairs and keep-apart pairs,
 * HA resources for most VMs (a few ignored), VMs with no cpu:, cpu: host, Proxmox's x86-64-vN models,
 * named QEMU models, custom models from cpu-models.conf, VM flags, args: -cpu, pinned machine
 * versions, templates and locks.
 *
 *   npx tsx bench/pve-cluster.ts DIR [--nodes 50] [--vms 500]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberOption } from './options.js';

const fixtures = resolve(fileURLToPath(import.meta.url), '../../test/fixtures/cpuinfo');

/** Hardware generations, each a real dump; a cluster grows by generations, so nodes come in blocks. */
const GENERATIONS = [
  { tag: 'bdw', dump: 'Xeon-E5-2690-v4_broadwell.cpuinfo' },
  { tag: 'hsw', dump: 'Xeon-E5-2680-v3_haswell.cpuinfo' },
  { tag: 'skx', dump: 'Xeon-Gold-6132_skylake.cpuinfo' },
  { tag: 'clx', dump: 'Xeon-Platinum-8260M_cascadelake.cpuinfo' },
  { tag: 'spr', dump: 'Xeon-Platinum-8480+_sapphirerapids.cpuinfo' },
  { tag: 'naples', dump: 'EPYC-7301_naples.cpuinfo' },
  { tag: 'genoa', dump: 'EPYC-9654_genoa.cpuinfo' },
];

const CPU_LINES: Array<[weight: number, line: string | null]> = [
  [25, null],
  [15, 'host'],
  [15, 'x86-64-v2-AES'],
  [8, 'x86-64-v3'],
  [5, 'kvm64,flags=+aes;+pdpe1gb'],
  [5, 'Haswell-noTSX-IBRS'],
  [4, 'Skylake-Server-IBRS,flags=+md-clear;+pcid'],
  [4, 'EPYC-Rome'],
  [6, 'custom-web-tier'],
  [5, 'custom-db-tier,flags=+aes'],
  [3, 'host,flags=+nested-virt'],
  [3, 'qemu64'],
  [2, 'host,flags=+avx2'], // not a flag a VM may set: qemu-server drops the line, the VM runs kvm64
];

/** Flags that differ between hosts of one model (microcode: TSX; BIOS: AVX-512 off; kernel), as bench/baseline.ts */
const VARIABLE = ['hle', 'rtm', 'avx512f', 'avx512bw', 'avx512vl', 'pdpe1gb', 'md_clear', 'flush_l1d', 'ssbd', 'umip'];

function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

export interface GeneratedCluster {
  dir: string;
  etcPve: string;
  hosts: string;
  nodes: string[];
  vmids: number[];
  /** A VM outside HA (its domain is every node) and one that moves with a keep-together partner */
  unplaced: number;
  bundled: number;
}

export function generateCluster(dir: string, nodeCount = 50, vmCount = 500): GeneratedCluster {
  const rand = rng(20_26);
  const pick = <T>(xs: Array<[number, T]>): T => {
    let r = rand() * xs.reduce((s, [w]) => s + w, 0);
    for (const [w, x] of xs) if ((r -= w) < 0) return x;
    return xs[xs.length - 1][1];
  };
  const etcPve = join(dir, 'etc-pve');
  const hosts = join(dir, 'hosts');
  mkdirSync(hosts, { recursive: true });
  const nodes = Array.from({ length: nodeCount }, (_, i) => `pve${String(i + 1).padStart(2, '0')}`);
  const genOf = (i: number) => GENERATIONS[Math.floor((i * GENERATIONS.length) / nodeCount)];
  const byGen = new Map<string, string[]>();
  nodes.forEach((n, i) => {
    mkdirSync(join(etcPve, 'nodes', n, 'qemu-server'), { recursive: true });
    // Hosts of one generation differ a little, as real ones do: each reads its own flags
    let text = readFileSync(join(fixtures, genOf(i).dump), 'utf8');
    for (const f of VARIABLE) if (rand() < 0.08) text = text.replace(new RegExp(` ${f}(?= |$)`, 'gm'), '');
    writeFileSync(join(hosts, `${n}.cpuinfo`), text);
    byGen.set(genOf(i).tag, [...(byGen.get(genOf(i).tag) ?? []), n]);
  });
  mkdirSync(join(etcPve, 'virtual-guest'), { recursive: true });
  writeFileSync(
    join(etcPve, 'virtual-guest/cpu-models.conf'),
    'cpu-model: web-tier\n\tflags +aes;+popcnt;+sse4.1;+sse4.2;+ssse3\n\treported-model kvm64\n\n' +
      'cpu-model: db-tier\n\tflags +avx;+avx2;+popcnt;+sse4.2\n\tphys-bits 40\n\treported-model Haswell-noTSX\n\n',
  );
  const vmids: number[] = [];
  const managed: string[] = [];
  const unplaced: number[] = [];
  let resources = '';
  for (let i = 0; i < vmCount; i++) {
    const vmid = 100 + i;
    vmids.push(vmid);
    const node = nodes[Math.floor(rand() * nodeCount)];
    const cpu = pick(CPU_LINES);
    const lines = [
      `name: vm${vmid}`,
      'cores: 4',
      'memory: 8192',
      'ostype: l26',
      `scsi0: local-lvm:vm-${vmid}-disk-0,size=32G`,
    ];
    if (cpu) lines.push(`cpu: ${cpu}`);
    if (rand() < 0.03) lines.push('args: -cpu kvm64,+sse4.2,+popcnt');
    if (rand() < 0.2) lines.push(`machine: pc-q35-${rand() < 0.5 ? '8.1' : '9.0'}`);
    const state = rand();
    if (state < 0.02) lines.push('template: 1');
    else if (state < 0.04) lines.push(`lock: ${rand() < 0.5 ? 'backup' : 'migrate'}`);
    writeFileSync(join(etcPve, 'nodes', node, 'qemu-server', `${vmid}.conf`), lines.join('\n') + '\n');
    if (rand() < 0.65) {
      const ignored = rand() < 0.03;
      resources += `vm: ${vmid}\n\tstate ${ignored ? 'ignored' : 'started'}\n\n`;
      if (!ignored) managed.push(`vm:${vmid}`);
    } else unplaced.push(vmid);
  }
  mkdirSync(join(etcPve, 'ha'), { recursive: true });
  writeFileSync(join(etcPve, 'ha/resources.cfg'), resources);
  // Rules over disjoint slices of the managed VMs, so most of them stay in force
  const slice = (from: number, n: number) => {
    if (from + n > managed.length)
      throw new Error(`${vmCount} VMs put ${managed.length} under HA: too few for the generated rules; give more VMs`);
    return managed.slice(from, from + n);
  };
  const rules: string[] = [];
  let at = 0;
  for (const [tag, genNodes] of byGen) {
    const strict = at % 2 === 0;
    const nodesList = strict ? genNodes.join(',') : genNodes.map((n, j) => (j < 2 ? `${n}:2` : n)).join(',');
    rules.push(
      `node-affinity: on-${tag}\n\tnodes ${nodesList}\n\tresources ${slice(at, 20).join(',')}\n\tstrict ${strict ? 1 : 0}`,
    );
    at += 20;
  }
  const amd = [...(byGen.get('naples') ?? []), ...(byGen.get('genoa') ?? [])];
  rules.push(
    `node-affinity: not-on-amd\n\tnodes ${amd.join(',')}\n\tresources ${slice(at, 15).join(',')}\n\taffinity negative\n\tstrict 1`,
  );
  at += 15;
  const bundled = Number(slice(at, 1)[0].slice(3));
  for (let k = 0; k < 10; k++, at += 2)
    rules.push(`resource-affinity: together-${k}\n\tresources ${slice(at, 2).join(',')}\n\taffinity positive`);
  // Keep-together with a VM of a node affinity rule: the pair inherits the rule
  rules.push(`resource-affinity: with-rule\n\tresources ${managed[0]},${slice(at, 1).join(',')}\n\taffinity positive`);
  at += 1;
  for (let k = 0; k < 10; k++, at += 3)
    rules.push(`resource-affinity: apart-${k}\n\tresources ${slice(at, 3).join(',')}\n\taffinity negative`);
  rules.push(`resource-affinity: off\n\tresources ${slice(at, 2).join(',')}\n\taffinity negative\n\tdisable 1`);
  writeFileSync(join(etcPve, 'ha/rules.cfg'), rules.join('\n\n') + '\n');
  return { dir, etcPve, hosts, nodes, vmids, unplaced: unplaced[0], bundled };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) throw new Error('usage: npx tsx bench/pve-cluster.ts DIR [--nodes 50] [--vms 500]');
  const c = generateCluster(resolve(dir), numberOption('nodes', 50), numberOption('vms', 500));
  console.log(`${c.nodes.length} nodes, ${c.vmids.length} VMs: ${c.etcPve} and ${c.hosts}`);
}
