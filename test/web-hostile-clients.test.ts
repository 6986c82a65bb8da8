/** The dashboard server under hostile clients: big pastes, injected names, aborted uploads, half-open requests, SIGTERM. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { cliPath } from './helpers/cli.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';

const cpuinfo = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ inputs: readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]), port: 0 });
});
afterAll(() => server?.close());

const paste = (text: string) =>
  fetch(`${server.url}api/profiles`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text, name: 'pasted' }),
  });

describe('pastes', () => {
  it('a 15 MB paste is refused with 413; a normal one is read', async () => {
    const big = await paste(cpuinfo.repeat(Math.ceil((15 << 20) / cpuinfo.length)));
    expect(big.status).toBe(413);
    const ok = await paste(cpuinfo);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { hosts: unknown[] }).hosts).toHaveLength(1);
  });

  it('small requests are served while a large paste is being read', async () => {
    // near the cap; many CPUs' worth of cpuinfo takes the parser a while
    const large = paste(cpuinfo.repeat(Math.floor((7 << 20) / cpuinfo.length)));
    let largeDone = false;
    void large.then(() => (largeDone = true));
    await new Promise((r) => setTimeout(r, 50));
    const small = await fetch(`${server.url}api/hosts`);
    expect(small.status).toBe(200);
    const servedDuring = !largeDone;
    const res = await large;
    expect([200, 400]).toContain(res.status);
    expect(servedDuring).toBe(true);
  }, 60_000);

  it('bad pastes are one-line 400s', async () => {
    const r = await paste('\u0000\u0001');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/^pasted: binary data/);
  });
});

describe('model names in the API', () => {
  it('a name that would inject lines into nova or KubeVirt output is refused', async () => {
    for (const format of ['nova', 'kubevirt', 'pve']) {
      const r = await fetch(`${server.url}api/export/${format}?name=x%0A%5BDEFAULT%5D%0Afoo%3Dbar`);
      expect(r.status, format).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/^name: expected a model name/);
    }
    const ok = await fetch(`${server.url}api/export/nova?name=fleet-1`);
    expect(ok.status).toBe(200);
  });
});

describe('serve and SIGTERM', () => {
  it('exits soon after SIGTERM even with a half-open request', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'serve', '--port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /at (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
    });
    const { port } = new URL(url);
    const sock = connect(Number(port), '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      'POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"te',
    );
    sock.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    sock.destroy();
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000); // was over 100 s
  }, 60_000);
});

describe('serve: an aborted upload is not an error of ours', () => {
  it('logs nothing for clients that hang up mid-body', async () => {
    const child = spawn(
      process.execPath,
      [cliPath, 'serve', join(repoRoot, 'examples/field-report-cluster'), '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /at (http:\/\/\S+)/.exec(stderr);
          if (m) resolve(m[1]);
        });
        child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
      });
      const { port } = new URL(url);
      for (let i = 0; i < 3; i++) {
        const sock = connect(Number(port), '127.0.0.1');
        sock.on('error', () => undefined);
        await new Promise((r) => sock.once('connect', r));
        sock.write(
          `POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`,
        );
        await new Promise((r) => setTimeout(r, 200));
        sock.destroy();
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^migratable: serving 2 host\(s\) at http/)]);
  }, 30_000);
});
