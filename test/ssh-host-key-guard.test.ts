/**
 * Finding 9: the host-key guard normalizes known-hosts paths (/dev//null is /dev/null) and refuses
 * every combination that makes ssh accept an unknown key, wherever it comes from: --ssh-option, an
 * ssh_config given with --ssh-config, or a Match block in it. It asks ssh itself (`ssh -G`).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyWeakness, parseSshG } from '../src/fleet/ssh/host-key-guard.js';
import { buildSshArgs } from '../src/fleet/ssh/ssh-args.js';
import { cli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-hostkeys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const knownHosts = join(tmp, 'known_hosts');
writeFileSync(knownHosts, '');
const linkToNull = join(tmp, 'kh-link');
symlinkSync('/dev/null', linkToNull);
const aDir = join(tmp, 'kh-dir');
mkdirSync(aDir);
const target = { host: 'pve1', user: null, port: null, label: 'pve1' };

const DISCARDING = [
  '/dev//null',
  '/dev/./null',
  '/dev/../dev/null',
  '"/dev//null"',
  'NONE',
  '/dev/zero',
  linkToNull,
  aDir,
  `/dev//null ${knownHosts}`,
];

describe('UserKnownHostsFile spellings that keep no key (finding 9)', () => {
  it.each(DISCARDING)('--ssh-option UserKnownHostsFile=%s is refused without --insecure-host-keys', (path) => {
    expect(() => buildSshArgs(target, { extraOptions: [`UserKnownHostsFile=${path}`] })).toThrow(
      /--insecure-host-keys/,
    );
  });

  it('a real known_hosts file first, or a missing one ssh will create, is fine', () => {
    for (const path of [knownHosts, join(tmp, 'not-yet'), `${knownHosts} /dev/null`])
      expect(buildSshArgs(target, { extraOptions: [`UserKnownHostsFile=${path}`] })).toContain(
        `UserKnownHostsFile=${path}`,
      );
  });

  it("judges ssh's resolved configuration: every combination that accepts an unknown key", () => {
    const weak = (lines: string) => hostKeyWeakness(parseSshG(lines));
    expect(weak('stricthostkeychecking false\nuserknownhostsfile /root/.ssh/known_hosts')).toMatch(/off/);
    expect(weak('stricthostkeychecking accept-new\nuserknownhostsfile /dev//null')).toMatch(/keeps no key/);
    expect(weak('stricthostkeychecking ask\nbatchmode no\nuserknownhostsfile /dev/null')).toMatch(/keeps no key/);
    expect(weak('stricthostkeychecking true\nknownhostscommand /bin/echo %H')).toMatch(/KnownHostsCommand/);
    // strict checking refuses unknown keys whatever the files; ask in batch mode is strict
    expect(weak('stricthostkeychecking true\nuserknownhostsfile /dev/null')).toBeNull();
    expect(weak('stricthostkeychecking ask\nbatchmode yes\nuserknownhostsfile /dev/null')).toBeNull();
    expect(weak(`stricthostkeychecking accept-new\nuserknownhostsfile ${knownHosts}`)).toBeNull();
  });
});

describe('scan refuses before contacting any host', () => {
  const scan = (...more: string[]) => cli(['scan', '127.0.0.1:1', '--no-store', '--timeout', '5', ...more]);

  it.each([
    ['--ssh-option /dev//null with --accept-new-host-keys', ['--ssh-option', 'UserKnownHostsFile=/dev//null']],
    ['--ssh-option "/dev/./null"', ['--ssh-option', 'UserKnownHostsFile="/dev/./null"']],
  ])('%s: exit 2, one line', (_what, args) => {
    const r = scan('--ssh-config', 'none', '--accept-new-host-keys', ...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/host-key checking off|accept any host key/);
  });

  it('an ssh_config (--ssh-config) that discards known hosts, with accept-new: exit 2', () => {
    const config = join(tmp, 'ssh_config');
    writeFileSync(config, 'Match host 127.0.0.1\n  UserKnownHostsFile /dev//null\n');
    const r = scan('--ssh-config', config, '--accept-new-host-keys');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^migratable: ssh configuration: for 127\.0\.0\.1:1 ssh would accept any host key: /);
  });

  it('an ssh_config that turns strict checking off is overridden by our own -o (first value wins)', () => {
    const config = join(tmp, 'ssh_config_off');
    writeFileSync(config, `Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile ${knownHosts}\n`);
    const r = scan('--ssh-config', config);
    expect(r.code, r.stderr).toBe(1); // refused by nobody, then the connection to port 1 fails
    expect(r.stderr).not.toMatch(/accept any host key/);
  });

  it('with --insecure-host-keys the user has said so: no refusal', () => {
    const r = scan(
      '--ssh-config',
      'none',
      '--accept-new-host-keys',
      '--insecure-host-keys',
      '--ssh-option',
      'UserKnownHostsFile=/dev//null',
    );
    expect(r.code, r.stderr).toBe(1);
  });
});
