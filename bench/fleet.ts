/**
 * Whole-process benchmark, as a user runs it: `migratable baseline DIR --format json` over a folder
 * of cpuinfo files (the real dumps with microcode/BIOS variation, see makeHosts in baseline.ts)
 * against `virsh cpu-baseline` over the same hosts as one XML file, interleaved so load on the
 * machine hits both alike. Wall time, CPU time (user + system) and peak RSS come from /usr/bin/time.
 * Then the CLI alone over 10 times the hosts: time should grow linearly, memory stay bounded.
 * Targets: at 4,000 hosts ours <= 0.5x virsh's wall time and <= 0.7x its CPU time; at 40,000 hosts
 * peak RSS < 256 MiB.
 *
 *   npx tsx bench/fleet.ts [--hosts 4000] [--runs 7] [--large 40000] [--cli dist/cli/main.js] [--before OTHER/dist/cli/main.js]
 *
 * --cli runs another build (another branch's dist/cli/main.js); --before BUILD adds that build to the
 * same interleaved runs (and the large one), for before/after figures from one run.
 *
 * Needs `npm run build` first (it runs dist/, as users do), virsh and /usr/bin/time (Debian "time").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { which } from '../src/qemu/binary.js';
import { libvirtCpus, makeHosts } from './baseline.js';
import { numberOption, pathOption } from './options.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cli = pathOption('cli') ?? join(root, 'dist/cli/main.js');
const before = pathOption('before');
const HOSTS = numberOption('hosts', 4000);
const RUNS = numberOption('runs', 7);
const LARGE = numberOption('large', 40000);
// The recipe's hosts include one real dump cut off mid-line (Xeon-E5504), as the in-process bench and virsh get it
const CLI_ARGS = ['--format', 'json', '--allow-incomplete'];

interface Usage {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

/** One whole process under /usr/bin/time; its output is discarded after a size check. */
function timed(cmd: string, args: string[]): Usage {
  const r = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S %M', cmd, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const m = /@@ (\S+) (\S+) (\S+) (\d+)\s*$/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  if (!r.stdout.length) throw new Error(`${cmd} printed nothing`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, rssMiB: Number(m[4]) / 1024 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = (us: Usage[]): Usage => ({
  wallMs: median(us.map((u) => u.wallMs)),
  cpuMs: median(us.map((u) => u.cpuMs)),
  rssMiB: median(us.map((u) => u.rssMiB)),
});
const show = (label: string, u: Usage) =>
  `${label.padEnd(44)} wall ${u.wallMs.toFixed(0).padStart(6)} ms  cpu ${u.cpuMs.toFixed(0).padStart(6)} ms  peak RSS ${u.rssMiB.toFixed(0).padStart(4)} MiB`;

function writeHostDir(dir: string, n: number): void {
  mkdirSync(dir);
  for (const h of makeHosts(n)) writeFileSync(join(dir, `${h.name}.cpuinfo`), h.text);
}

if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing (Debian package "time")');
const work = mkdtempSync(join(tmpdir(), 'migratable-fleet-'));
try {
  console.log(
    `${cpus().length} CPUs, load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const hostDir = join(work, 'hosts');
  writeHostDir(hostDir, HOSTS);
  const ours = () => timed(process.execPath, [cli, 'baseline', hostDir, ...CLI_ARGS]);
  const prior = before ? () => timed(process.execPath, [before, 'baseline', hostDir, ...CLI_ARGS]) : null;

  let virsh: (() => Usage) | null = null;
  if (which('virsh')) {
    const xml = join(work, 'cpus.xml');
    writeFileSync(xml, libvirtCpus(HOSTS).join('\n') + '\n');
    virsh = () => timed('virsh', ['-c', 'test:///default', 'cpu-baseline', xml]);
  }

  // warm the file cache and both programs, then interleave
  ours();
  prior?.();
  virsh?.();
  const o: Usage[] = [];
  const b: Usage[] = [];
  const v: Usage[] = [];
  for (let i = 0; i < RUNS; i++) {
    o.push(ours());
    if (prior) b.push(prior());
    if (virsh) v.push(virsh());
  }
  const om = med(o);
  console.log(`${HOSTS} cpuinfo files, median of ${RUNS} interleaved runs`);
  console.log(show('migratable baseline DIR --format json', om));
  if (b.length) console.log(show('  the same, before (--before)', med(b)));
  if (v.length) {
    const vm = med(v);
    console.log(show('virsh cpu-baseline (one XML file)', vm));
    if (b.length)
      console.log(
        `before/virsh: wall ${(med(b).wallMs / vm.wallMs).toFixed(2)}x, cpu ${(med(b).cpuMs / vm.cpuMs).toFixed(2)}x`,
      );
    const wall = om.wallMs / vm.wallMs;
    const cpu = om.cpuMs / vm.cpuMs;
    console.log(
      `ours/virsh: wall ${wall.toFixed(2)}x (target <= 0.5x: ${wall <= 0.5 ? 'met' : 'MISSED'}), ` +
        `cpu ${cpu.toFixed(2)}x (target <= 0.7x: ${cpu <= 0.7 ? 'met' : 'MISSED'})`,
    );
  } else console.log('virsh: not installed, no comparison');

  if (LARGE) {
    rmSync(hostDir, { recursive: true });
    const largeDir = join(work, 'large');
    writeHostDir(largeDir, LARGE);
    const runs = Math.max(3, Math.ceil(RUNS / 2));
    const l: Usage[] = [];
    const lb: Usage[] = [];
    for (let i = 0; i < runs; i++) {
      l.push(timed(process.execPath, [cli, 'baseline', largeDir, ...CLI_ARGS]));
      if (before) lb.push(timed(process.execPath, [before, 'baseline', largeDir, ...CLI_ARGS]));
    }
    const lm = med(l);
    console.log(show(`${LARGE} cpuinfo files, median of ${runs} runs`, lm));
    if (lb.length) console.log(show('  the same, before (--before)', med(lb)));
    const scale = LARGE / HOSTS;
    console.log(
      `${LARGE}/${HOSTS} hosts: wall ${(lm.wallMs / om.wallMs).toFixed(1)}x, cpu ${(lm.cpuMs / om.cpuMs).toFixed(1)}x ` +
        `for ${scale}x the hosts (linear: <= ${scale}x); peak RSS ${lm.rssMiB.toFixed(0)} MiB ` +
        `(target < 256: ${lm.rssMiB < 256 ? 'met' : 'MISSED'})`,
    );
  }
  console.log(
    `load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
