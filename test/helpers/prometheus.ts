/**
 * Debian's `prometheus` package (scripts/install-system-deps): promtool, the real parser and rule
 * tester, and a real Prometheus server started on loopback with its own config and storage in a
 * temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../../src/qemu/binary.js';
import { available } from './qemu.js';
import { freePort } from './sshd.js';

export const promtoolPath = which('promtool');
export const prometheusPath = which('prometheus');
export const havePromtool = available('promtool (prometheus)', promtoolPath !== null);
export const havePrometheus = available('prometheus (prometheus)', prometheusPath !== null);

/** Runs promtool with `input` on stdin. */
export function promtool(args: string[], input?: string, cwd?: string) {
  const r = spawnSync(promtoolPath!, args, { input, cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface PrometheusServer {
  url: string;
  pid: number;
  /** GET /api/v1/query: the result vector (throws when Prometheus answers an error) */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** GET /api/v1/... as JSON */
  api<T = unknown>(path: string): Promise<T>;
  /** Polls `expr` until `until(result)` holds; gives the last result after `timeoutMs` */
  waitFor(
    expr: string,
    until: (r: Awaited<ReturnType<PrometheusServer['query']>>) => boolean,
    timeoutMs?: number,
  ): Promise<Awaited<ReturnType<PrometheusServer['query']>>>;
  stop(): Promise<void>;
}

/** Starts Prometheus with this config (YAML text) on 127.0.0.1; resolves once it is ready. */
export async function startPrometheus(configYaml: string, dir = mkdtempSync(join(tmpdir(), 'prometheus-'))) {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, configYaml);
  const child: ChildProcess = spawn(
    prometheusPath!,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (log.length < 20_000) log += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${log.trim()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not get ready within 60 s: ${log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { status: string; error?: string; data: T };
    if (body.status !== 'success') throw new Error(`prometheus: ${path}: ${body.error}`);
    return body.data;
  };
  const server: PrometheusServer = {
    url,
    pid: child.pid!,
    api,
    query: async (expr) =>
      (await api<{ result: Awaited<ReturnType<PrometheusServer['query']>> }>(`query?query=${encodeURIComponent(expr)}`))
        .result,
    async waitFor(expr, until, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await server.query(expr);
        if (until(r) || Date.now() > end) return r;
        await new Promise((res) => setTimeout(res, 250));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
  return server;
}
