/** The dashboard server under hostile clients: big pastes, injected names, aborted uploads, half-open requests, SIGTERM. */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProfileInputs } from '../src/sources/files.js';
import { startServer, type RunningServer } from '../src/web/server/server.js';
import { cliPath } from './helpers/cli.js';

const execFileAsync = promisify(execFile);
import { fixturesDir, repoRoot } from './helpers/paths.js';

const cpuinfo = readFileSync(join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ inputs: readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]), port: 0 });
});
afterAll(() => server?.close());

/** `migratable serve ARGS --port 0` as a child; resolves once it says where it listens. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args, '--port', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise<{ child: typeof child; url: string; stderr: () => string }>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /at (http:\/\/\S+)/.exec(stderr);
      if (m) resolve({ child, url: m[1], stderr: () => stderr });
    });
    child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
  });
}

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

describe('uploads over the cap', () => {
  /** A server of its own: each has its own paste budget */
  async function withServer(run: (url: string) => Promise<void>): Promise<void> {
    const own = await startServer({
      inputs: readProfileInputs([join(repoRoot, 'examples/field-report-cluster')]),
      port: 0,
    });
    try {
      await run(own.url);
    } finally {
      await own.close();
    }
  }
  const big = JSON.stringify({ text: cpuinfo.repeat(Math.ceil((15 << 20) / cpuinfo.length)) });

  it('curl is refused before it sends the body (Expect: 100-continue), and a body under the cap goes through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migratable-upload-'));
    try {
      const post = async (file: string, body: string) => {
        writeFileSync(join(dir, file), body);
        const out = join(dir, `${file}.reply`);
        const { stdout } = await execFileAsync('curl', [
          '-sS',
          '-o',
          out,
          '-w',
          '%{http_code} %{size_upload}',
          '-H',
          'Content-Type: application/json',
          // curl asks by itself for large bodies (the size varies by release): ask on every one
          '-H',
          'Expect: 100-continue',
          '--data-binary',
          `@${join(dir, file)}`,
          `${url}api/profiles`,
        ]);
        return {
          status: stdout.split(' ')[0],
          uploaded: Number(stdout.split(' ')[1]),
          reply: readFileSync(out, 'utf8'),
        };
      };
      let url = '';
      await withServer(async (u) => {
        url = u;
        const refused = await post('big.json', big);
        expect(refused.status).toBe('413');
        expect(refused.uploaded).toBe(0);
        expect(JSON.parse(refused.reply)).toEqual({ error: 'request body larger than 8192 KiB' });
        // it asks first too, and is told to go on
        const ok = await post(
          'ok.json',
          JSON.stringify({ text: cpuinfo.repeat(Math.ceil((2 << 20) / cpuinfo.length)) }),
        );
        expect(ok.status).toBe('200');
        expect(ok.uploaded).toBeGreaterThan(2 << 20);
        expect((JSON.parse(ok.reply) as { hosts: unknown[] }).hosts.length).toBeGreaterThan(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a paste without a Content-Length (chunked) is counted as it is read, within the budget', async () => {
    await withServer(async (url) => {
      const { port } = new URL(url);
      /** `body` in 64 KiB chunks; resolves with the reply's status line and body */
      const chunked = (body: string) =>
        new Promise<{ status: string; reply: string }>((resolve, reject) => {
          const sock = connect(Number(port), '127.0.0.1');
          let received = '';
          sock.on('data', (d) => (received += d));
          sock.on('error', () => undefined);
          sock.once('close', () => {
            const at = received.indexOf('\r\n\r\n');
            if (at < 0) return reject(new Error(`no reply: ${JSON.stringify(received.slice(0, 200))}`));
            const reply = received.slice(at + 4);
            // the reply itself may be chunked: take the JSON out of it
            resolve({
              status: received.slice(0, received.indexOf('\r\n')),
              reply: reply.slice(reply.indexOf('{'), reply.lastIndexOf('}') + 1),
            });
          });
          sock.write(
            `POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
          );
          for (let i = 0; i < body.length; i += 1 << 16) {
            const piece = body.slice(i, i + (1 << 16));
            sock.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
          }
          sock.write('0\r\n\r\n');
        });
      const started = performance.now();
      for (let i = 0; i < 2; i++) {
        const r = await chunked(big);
        expect(r.status).toMatch(/^HTTP\/1\.1 413 /);
        expect(JSON.parse(r.reply)).toEqual({ error: 'request body larger than 8192 KiB' });
      }
      // the second one's 8 MiB were read at the budget's pace (hono's body limit read them whole at once)
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      const ok = await chunked(JSON.stringify({ text: cpuinfo }));
      expect(ok.status).toMatch(/^HTTP\/1\.1 200 /);
      expect((JSON.parse(ok.reply) as { hosts: unknown[] }).hosts).toHaveLength(1);
    });
  }, 30_000);

  it('a client still sending reads the whole 413; then the server closes the connection', async () => {
    await withServer(async (url) => {
      const { port } = new URL(url);
      const sock = connect(Number(port), '127.0.0.1');
      sock.on('error', () => undefined);
      await new Promise((r) => sock.once('connect', r));
      let received = '';
      // A while after the reply (the connection lingers for a second), what has the server taken?
      let unsentLater = 0;
      sock.once('data', () => setTimeout(() => (unsentLater = sock.writableLength), 300));
      sock.on('data', (d) => (received += d));
      const closed = new Promise((r) => sock.once('close', r));
      sock.write(
        `POST /api/profiles HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n`,
      );
      sock.write(big); // far more than the socket buffers hold: the server must answer while we are still sending
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      expect(received).toMatch(/\r\nconnection: close\r\n/i);
      expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toEqual({
        error: 'request body larger than 8192 KiB',
      });
      // nothing read on: most of the body stayed on our side (read to the end, it would be gone in ms)
      expect(unsentLater).toBeGreaterThan(big.length / 2);
    });
  }, 30_000);

  it('uploads past their budget wait for it: refused ones as if full-size, accepted ones as they are read', async () => {
    await withServer(async (url) => {
      const post = (body: string) =>
        fetch(`${url}api/profiles`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const started = performance.now();
      expect((await post(big)).status).toBe(413); // the first full-size upload: at once
      expect((await post(big)).status).toBe(413); // the next: once a second's budget has come
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      const seven = JSON.stringify({ text: cpuinfo.repeat(Math.floor((7 << 20) / cpuinfo.length)) });
      const again = performance.now();
      for (let i = 0; i < 2; i++) expect((await post(seven)).status).toBe(200);
      // 14 MB at 8 MiB a second after a burst of 8 MiB (the pastes' own budget: refusals do not spend it)
      expect(performance.now() - again).toBeGreaterThanOrEqual(700);
    });
  }, 60_000);
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
    const { child, url } = await startServe([]);
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
    const served = await startServe([join(repoRoot, 'examples/field-report-cluster')]);
    const { child } = served;
    try {
      const { port } = new URL(served.url);
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
    expect(served.stderr().trim().split('\n')).toEqual([
      expect.stringMatching(/^migratable: serving 2 host\(s\) at http/),
    ]);
  }, 30_000);
});
