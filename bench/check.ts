/**
 * `migratable check` as a user runs it: 500 Proxmox VM configs (the fixtures' eight, cycled: custom,
 * named and generic types with flags, host passthrough) against 50 hosts (the cpuinfo recipe of
 * baseline.ts), whole process, text and --json; median of interleaved runs.
 * Target: under 1 s each.
 *
 *   npx tsx bench/check.ts [--vms 500] [--hosts 50] [--runs 7] [--cli dist/cli/main.js] [--before OTHER/dist/cli/main.js]
 *
 * --before BUILD runs another build in the same interleaved runs, for before/after figures.
 *
 * Needs `npm run build` first (it runs dist/, as users do) and /usr/bin/time (Debian "time").
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHosts } from './baseline.js';
import { checkMatrix } from '../src/engine/check.js';
import { readCpuinfo } from '../src/sources/cpuinfo.js';
import { vmFromPveText } from '../src/sources/vm/pve.js';
import { parseCpuModels } from '../src/formats/pve-cpu-models.js';
import { numberOption, pathOption } from './options.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cli = pathOption('cli') ?? join(root, 'dist/cli/main.js');
const before = pathOption('before');
const builds: Array<[string, string]> = [['', cli]];
if (before) builds.push([', before', before]);
const fixtures = join(root, 'test/fixtures/vms');
const VMS = numberOption('vms', 500);
const HOSTS = numberOption('hosts', 50);
const RUNS = numberOption('runs', 7);

function timed(build: string, args: string[]): { wallMs: number; cpuMs: number; rssMiB: number; status: number } {
  const r = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S %M', process.execPath, build, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const m = /@@ (\S+) (\S+) (\S+) (\d+)\s*$/.exec(r.stderr ?? '');
  // exit 1: some VM would not start somewhere (the fixtures include such VMs); 2 would be bad input
  if (!m || (r.status !== 0 && r.status !== 1)) throw new Error(`check failed (${r.status}): ${r.stderr.slice(-500)}`);
  return {
    wallMs: Number(m[1]) * 1000,
    cpuMs: (Number(m[2]) + Number(m[3])) * 1000,
    rssMiB: Number(m[4]) / 1024,
    status: r.status ?? -1,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The engine alone, in this process, at ten times the VMs: checkMatrix's time grows with VMs x hosts
 * (one row per VM), so a per-VM scan of the whole matrix (VMs^2 x hosts) shows here first.
 */
function matrixLine(hostDir: string, vmDir: string, models: string): void {
  const hosts = readdirSync(hostDir).map((f) => readCpuinfo(readFileSync(join(hostDir, f), 'utf8'), f, f));
  const sections = new Map(parseCpuModels(readFileSync(models, 'utf8'), models).models.map((m) => [m.name, m]));
  const files = readdirSync(vmDir);
  const scale = 10;
  const vms = Array.from({ length: VMS * scale }, (_, i) => {
    const f = files[i % files.length];
    return { ...vmFromPveText(readFileSync(join(vmDir, f), 'utf8'), join(vmDir, f), f, sections), name: `vm-${i}` };
  });
  checkMatrix(vms.slice(0, 50), hosts); // warm up
  const ms: number[] = [];
  for (let run = 0; run < Math.max(3, Math.ceil(RUNS / 2)); run++) {
    const t0 = performance.now();
    checkMatrix(vms, hosts);
    ms.push(performance.now() - t0);
  }
  console.log(
    `checkMatrix in-process, ${vms.length} VMs x ${hosts.length} hosts: ${median(ms).toFixed(0)} ms (median of ${ms.length})`,
  );
}

for (const [, build] of builds) if (!existsSync(build)) throw new Error(`${build} is missing: run npm run build first`);
const work = mkdtempSync(join(tmpdir(), 'migratable-check-'));
try {
  const hostDir = join(work, 'hosts');
  mkdirSync(hostDir);
  for (const h of makeHosts(HOSTS)) writeFileSync(join(hostDir, `${h.name}.cpuinfo`), h.text);
  const vmDir = join(work, 'qemu-server');
  mkdirSync(vmDir);
  const confs = readdirSync(join(fixtures, 'qemu-server')).filter((f) => f.endsWith('.conf'));
  for (let i = 0; i < VMS; i++) {
    const text = readFileSync(join(fixtures, 'qemu-server', confs[i % confs.length]), 'utf8');
    writeFileSync(join(vmDir, `${1000 + i}.conf`), text.replace(/^name: (.*)$/m, `name: $1-${i}`));
  }
  const models = join(work, 'cpu-models.conf');
  copyFileSync(join(fixtures, 'cpu-models.conf'), models);

  console.log(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const args = [hostDir, '--vm', vmDir, '--cpu-models', models, '--allow-incomplete'];
  const variants: Array<[string, string, string[]]> = builds.flatMap(
    ([suffix, build]): Array<[string, string, string[]]> => [
      [`text${suffix}`, build, args],
      [`--json${suffix}`, build, [...args, '--json']],
    ],
  );
  for (const [, build, a] of variants) timed(build, ['check', ...a]); // warm the file cache
  const results = variants.map(() => [] as ReturnType<typeof timed>[]);
  for (let run = 0; run < RUNS; run++)
    variants.forEach(([, build, a], k) => results[k].push(timed(build, ['check', ...a])));
  variants.forEach(([label], k) => {
    const wall = median(results[k].map((r) => r.wallMs));
    const cpu = median(results[k].map((r) => r.cpuMs));
    const rss = median(results[k].map((r) => r.rssMiB));
    console.log(
      `check ${VMS} VMs x ${HOSTS} hosts, ${label.padEnd(14)} wall ${wall.toFixed(0).padStart(5)} ms  cpu ${cpu
        .toFixed(0)
        .padStart(5)} ms  peak RSS ${rss.toFixed(0)} MiB  (target < 1000 ms: ${wall < 1000 ? 'met' : 'MISSED'})`,
    );
  });
  matrixLine(hostDir, vmDir, models);
  console.log(
    `median of ${RUNS} interleaved runs; load average at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
