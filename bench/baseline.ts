/**
 * Benchmark (npm run bench, not a test): parse + baseline + explain for 1k / 10k / 100k hosts made
 * by varying the real cpuinfo dumps, each size in its own process for an honest peak RSS; and, where
 * virsh exists, libvirt's cpu-baseline over the same hosts as vendor-less CPU XML.
 * Targets: ours/libvirt <= 1.0 at 10k; 100k under 1 s and 256 MiB (issue 24; was 2 s and 1 GiB).
 * The whole-process comparison with virsh, as users run both, is bench/fleet.ts.
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeBaseline } from '../src/engine/baseline.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { resolveFeature } from '../src/catalog/index.js';
import { which } from '../src/qemu/binary.js';

const here = fileURLToPath(import.meta.url);
const fixtures = resolve(here, '../../test/fixtures/cpuinfo');

/** Deterministic pseudo-random numbers so every run measures the same hosts. */
function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** Flags that really differ between hosts of one model: microcode (TSX), BIOS (AVX-512 off), kernel. */
const VARIABLE = [
  'hle',
  'rtm',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'pdpe1gb',
  'md_clear',
  'flush_l1d',
  'arch_capabilities',
  'ssbd',
  'sha_ni',
  'umip',
];

export function makeHosts(n: number): Array<{ name: string; text: string }> {
  const base = readdirSync(fixtures)
    .filter((f) => f.endsWith('.cpuinfo'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(fixtures, f), 'utf8');
      // one processor stanza: a dump of 64 identical stanzas is no more realistic as input for n hosts
      return text.split(/\n\s*\n/).find((s) => /^flags\s*:/m.test(s))!;
    });
  const rand = rng(42);
  return Array.from({ length: n }, (_, i) => {
    let text = base[i % base.length];
    for (const f of VARIABLE) if (rand() < 0.08) text = text.replace(new RegExp(` ${f}(?= |$)`, 'm'), '');
    return { name: `node${i}`, text };
  });
}

function measure(n: number) {
  const hosts = makeHosts(n);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const profiles = hosts.map((h) => readCpuinfo(h.text, h.name, h.name));
  const t1 = performance.now();
  const r = computeBaseline(profiles);
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  return {
    n,
    parseMs: t1 - t0,
    baselineMs: t2 - t1,
    totalMs: t2 - t0,
    // all threads (GC, compiler): on a loaded machine wall time grows, this much less
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    features: r.features.length,
    lost: r.lost.length,
  };
}

/** The same hosts as libvirt host-CPU XML without <vendor> (libvirt refuses mixed vendors otherwise). */
export function libvirtCpus(n: number): string[] {
  // only names the installed libvirt knows (its map may be older than the catalog's reference copy)
  let known: Set<string> | null = null;
  try {
    known = new Set(
      [...readFileSync('/usr/share/libvirt/cpu_map/x86_features.xml', 'utf8').matchAll(/<feature name='([^']+)'/g)].map(
        (m) => m[1],
      ),
    );
  } catch {
    // no local map: send everything
  }
  return makeHosts(n).map((h) => {
    const p = readCpuinfo(h.text, h.name, h.name);
    const feats = p.features
      .map((f) => resolveFeature(f)?.libvirt)
      .filter((f): f is string => !!f && (!known || known.has(f)));
    return `<cpu><arch>x86_64</arch><model>qemu64</model>${feats.map((f) => `<feature name='${f}'/>`).join('')}</cpu>`;
  });
}

/**
 * virsh reads at most 10 MiB per file, so large inputs go in chunks and the chunk results are
 * baselined once more (a baseline of baselines is the baseline); all virsh time is summed.
 */
function timeVirsh(n: number): { ms: number; chunks: number } | null {
  if (!which('virsh')) return null;
  const dir = mkdtempSync(join(tmpdir(), 'migratable-bench-'));
  try {
    const cpus = libvirtCpus(n);
    const chunks: string[][] = [[]];
    let size = 0;
    for (const c of cpus) {
      if (size + c.length > 8 * 1024 * 1024) {
        chunks.push([]);
        size = 0;
      }
      chunks[chunks.length - 1].push(c);
      size += c.length + 1;
    }
    let ms = 0;
    const run = (xml: string) => {
      const file = join(dir, 'cpus.xml');
      writeFileSync(file, xml);
      const t0 = performance.now();
      const out = execFileSync('virsh', ['-c', 'test:///default', 'cpu-baseline', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      ms += performance.now() - t0;
      return out;
    };
    const partial = chunks.map((c) => run(c.join('\n') + '\n'));
    if (partial.length > 1)
      run(
        partial
          .map((x) =>
            x
              .replace("<cpu mode='custom' match='exact'>", '<cpu><arch>x86_64</arch>')
              .replace(/ fallback='forbid'/, '')
              .replace(/ policy='require'/g, ''),
          )
          .join('\n'),
      );
    return { ms, chunks: chunks.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const res = measure(Number(process.argv[3]));
  process.send!(res);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = [1000, 10000, 100000];
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('size      parse ms  baseline ms  total ms  cpu ms  peak RSS MiB  features  libvirt ms  ours/libvirt');
  for (const n of sizes) {
    const res = await new Promise<ReturnType<typeof measure>>((ok, fail) => {
      const child = fork(here, ['--child', String(n)], { execArgv: process.execArgv });
      child.once('message', (m) => ok(m as ReturnType<typeof measure>));
      child.once('error', fail);
      child.once('exit', (code) => code && fail(new Error(`benchmark of ${n} hosts exited with ${code}`)));
    });
    const lvRun = n <= 10000 ? timeVirsh(n) : null;
    const lv = lvRun?.ms ?? null;
    console.log(
      [
        String(n).padEnd(8),
        res.parseMs.toFixed(0).padStart(8),
        res.baselineMs.toFixed(0).padStart(11),
        res.totalMs.toFixed(0).padStart(8),
        res.cpuMs.toFixed(0).padStart(6),
        res.maxRssMiB.toFixed(0).padStart(12),
        String(res.features).padStart(8),
        (lv === null ? '-' : lv.toFixed(0)).padStart(10),
        (lv === null ? '-' : (res.totalMs / lv).toFixed(2)).padStart(12),
      ].join('  '),
    );
  }
  console.log('targets: ours/libvirt <= 1.0 at 10k; 100k total < 1000 ms and < 256 MiB');
  console.log(
    'libvirt: virsh -c test:///default cpu-baseline over vendor-less host CPU XML (files over 8 MiB split, results baselined again)',
  );
}
