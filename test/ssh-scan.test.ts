import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanHosts, type ScanProgressEvent } from '../src/fleet/ssh/scan.js';
import { parseTarget } from '../src/fleet/ssh/targets.js';
import { PROBE_FORMAT_VERSION } from '../src/sources/probe-script.js';
import { createSshFixture, freePort, type SshFixture, type SshServer } from './helpers/sshd.js';
import { stableCpuinfo } from './helpers/stable-cpuinfo.js';

const LOCAL_CPUINFO = stableCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));

let fixture: SshFixture;
let trusted: SshServer[] = [];
let unknown: SshServer;
let changed: SshServer;
let hanging: SshServer;
let hangPids: string;

const target = (server: SshServer | number) =>
  parseTarget(`127.0.0.1:${typeof server === 'number' ? server : server.port}`);

beforeAll(async () => {
  fixture = createSshFixture();
  hangPids = join(fixture.dir, 'hang.pids');
  trusted = await Promise.all([fixture.startServer(), fixture.startServer(), fixture.startServer()]);
  unknown = await fixture.startServer({ knownHosts: 'none' });
  changed = await fixture.startServer({ knownHosts: 'wrong' });
  // A host that accepts the login and then never answers; it records its pid so we can end it.
  hanging = await fixture.startServer({ forceCommand: `echo $$ >> ${hangPids}; exec sleep 60` });
});

afterAll(async () => {
  if (existsSync(hangPids)) {
    for (const pid of readFileSync(hangPids, 'utf8').split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await fixture?.close();
});

describe('scanHosts over real sshd', () => {
  it('probes three hosts end to end and reports progress', async () => {
    const events: ScanProgressEvent[] = [];
    const result = await scanHosts(trusted.map(target), {
      ...fixture.clientOptions(),
      concurrency: 2,
      timeoutMs: 60_000,
      onProgress: (e) => events.push(e),
    });
    expect(result.failed).toEqual([]);
    expect(result.ok.map((o) => o.target.label)).toEqual(trusted.map((s) => `127.0.0.1:${s.port}`));
    for (const host of result.ok) {
      expect(host.probe.formatVersion).toBe(PROBE_FORMAT_VERSION);
      expect(stableCpuinfo(host.probe.cpuinfo)).toBe(LOCAL_CPUINFO);
      expect(host.bundle.startsWith(`#migratable-probe ${PROBE_FORMAT_VERSION}\n`)).toBe(true);
      expect(host.ms).toBeGreaterThan(0);
    }
    expect(events.map((e) => e.done)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.ok && e.total === 3 && e.failedSoFar === 0)).toBe(true);
  });

  it('refuses an unknown host key under strict checking, naming the host', async () => {
    const result = await scanHosts([target(unknown)], { ...fixture.clientOptions(), timeoutMs: 30_000 });
    expect(result.ok).toEqual([]);
    expect(result.failed).toEqual([
      {
        target: target(unknown),
        reason: `host key verification failed: No ED25519 host key is known for [127.0.0.1]:${unknown.port} (add it to known_hosts, or accept new host keys)`,
      },
    ]);
  });

  it('with accept-new, trusts and records an unknown host key, but still refuses a changed one', async () => {
    const knownHostsFile = join(fixture.dir, 'known_hosts.accept-new');
    copyFileSync(fixture.knownHostsFile, knownHostsFile);
    const options = { ...fixture.clientOptions(), knownHostsFile, acceptNewHostKeys: true, timeoutMs: 30_000 };
    const result = await scanHosts([target(unknown), target(changed)], options);
    expect(result.ok.map((o) => o.target.port)).toEqual([unknown.port]);
    expect(stableCpuinfo(result.ok[0].probe.cpuinfo)).toBe(LOCAL_CPUINFO);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].reason).toMatch(/^host key verification failed: the host key CHANGED/);
    // the key was recorded: a strict scan with the same file now succeeds
    expect(readFileSync(knownHostsFile, 'utf8')).toContain(`[127.0.0.1]:${unknown.port} ssh-ed25519 `);
    const strict = await scanHosts([target(unknown)], { ...options, acceptNewHostKeys: false });
    expect(strict.failed).toEqual([]);
  });

  it('keeps partial results: a closed port fails fast with a reason while the others succeed', async () => {
    const closed = await freePort();
    const started = performance.now();
    const result = await scanHosts([target(trusted[0]), target(closed), target(trusted[1])], {
      ...fixture.clientOptions(),
      concurrency: 3,
      timeoutMs: 60_000,
    });
    expect(result.ok.map((o) => o.target.port)).toEqual([trusted[0].port, trusted[1].port]);
    expect(result.failed).toEqual([
      { target: target(closed), reason: `ssh: connect to host 127.0.0.1 port ${closed}: Connection refused` },
    ]);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('kills a host that hangs after login when its time is up, without holding up the rest', async () => {
    // Long enough for a real ssh login on a busy 2-core machine (both hosts must be logged in before it ends:
    // the hanging one writes its pid, the healthy one finishes); 2.5 s was sometimes not
    const timeoutMs = 6_000;
    const events: ScanProgressEvent[] = [];
    const started = performance.now();
    const result = await scanHosts([target(hanging), target(trusted[2])], {
      ...fixture.clientOptions(),
      concurrency: 2,
      timeoutMs,
      onProgress: (e) => events.push(e),
    });
    const elapsed = performance.now() - started;
    expect(result.ok.map((o) => o.target.port)).toEqual([trusted[2].port]);
    expect(result.failed).toEqual([{ target: target(hanging), reason: `timed out after ${timeoutMs} ms; ssh killed` }]);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(elapsed).toBeLessThan(timeoutMs + 5_000);
    // the healthy host finished first, not after the hanging one
    expect(events.map((e) => e.ok)).toEqual([true, false]);
    expect(readFileSync(hangPids, 'utf8').trim()).not.toBe('');
  });

  it("fails with ssh's reason when the key is not authorized", async () => {
    const result = await scanHosts([parseTarget(`nosuchuser@127.0.0.1:${trusted[0].port}`)], {
      ...fixture.clientOptions(),
      timeoutMs: 30_000,
    });
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].reason).toMatch(/^nosuchuser@127\.0\.0\.1: Permission denied \(publickey\)\.$/);
  });

  it('names a missing ssh client instead of crashing', async () => {
    const result = await scanHosts([target(trusted[0])], { ...fixture.clientOptions(), sshBinary: '/nonexistent/ssh' });
    expect(result.failed[0].reason).toMatch(
      /^cannot run \/nonexistent\/ssh: .*ENOENT.* \(is the OpenSSH client installed\?\)$/,
    );
  });
});
