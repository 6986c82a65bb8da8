import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../src/errors.js';
import { parseTarget, parseTargetsFile } from '../src/fleet/ssh/targets.js';
import { clusterTargets, parseCorosyncConf, parsePveMembers, readClusterTargets } from '../src/fleet/ssh/cluster.js';
import { buildSshArgs } from '../src/fleet/ssh/ssh-args.js';
import { scanHosts } from '../src/fleet/ssh/scan.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-targets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('parseTarget', () => {
  it.each([
    ['pve1', { host: 'pve1', port: null, user: null, label: 'pve1' }],
    ['root@pve1.example.com', { host: 'pve1.example.com', port: null, user: 'root', label: 'root@pve1.example.com' }],
    ['10.0.0.1:2222', { host: '10.0.0.1', port: 2222, user: null, label: '10.0.0.1:2222' }],
    ['admin@10.0.0.1:22', { host: '10.0.0.1', port: 22, user: 'admin', label: 'admin@10.0.0.1:22' }],
    ['[::1]:2222', { host: '::1', port: 2222, user: null, label: '[::1]:2222' }],
    ['root@[fd00:10::5]', { host: 'fd00:10::5', port: null, user: 'root', label: 'root@fd00:10::5' }],
    ['fe80::1%vmbr0', { host: 'fe80::1%vmbr0', port: null, user: null, label: 'fe80::1%vmbr0' }],
  ])('%s', (spec, expected) => {
    expect(parseTarget(spec)).toEqual(expected);
  });

  it.each([
    ['-oProxyCommand=touch /tmp/pwned', 'must not start with "-"'],
    ['pve1 -oProxyCommand=x', 'must not contain whitespace or control characters'],
    ['pve1\n', 'must not contain whitespace or control characters'],
    ['pve\u001b[31m1', 'must not contain whitespace or control characters'],
    ['-l@pve1', 'must not start with "-"'],
    ['x@-pve1', 'host may only hold letters'],
    ['-x@pve1', 'must not start with "-"'],
    ['.x@pve1', 'user name may only hold'],
    ['pve1:0', 'port must be a number from 1 to 65535'],
    ['pve1:65536', 'port must be a number from 1 to 65535'],
    ['pve1:ssh', 'port must be a number from 1 to 65535'],
    ['[::1', 'missing "]"'],
    ['[::1]2222', 'expected ":port" after "]"'],
    ['[pve1]:22', 'not an IPv6 address'],
    ['pve1;reboot', 'host may only hold letters'],
    ['$(reboot)', 'host may only hold letters'],
    ['', 'empty'],
  ])('refuses %j', (spec, why) => {
    const message = errorOf(() => parseTarget(spec, '--host'));
    expect(message.startsWith(`--host: bad target ${JSON.stringify(spec)}: `)).toBe(true);
    expect(message).toContain(why);
    expect(message).not.toContain('\n');
  });

  it('round-trips: a label parses back to the same target', () => {
    const label = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.option(label, { nil: null }),
        label,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
        (user, host, port) => {
          const spec = `${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}`;
          const t = parseTarget(spec);
          expect(t).toEqual({ host, port, user, label: spec });
          expect(parseTarget(t.label)).toEqual(t);
        },
      ),
    );
  });
});

describe('parseTargetsFile', () => {
  it('reads one target per line with comments, skipping blanks and repeats', () => {
    const text = '# rack A\npve1\nroot@pve2:2222   # behind NAT\n\n  [fd00::3]:22\r\npve1\n';
    expect(parseTargetsFile(text, 'hosts.txt').map((t) => t.label)).toEqual(['pve1', 'root@pve2:2222', '[fd00::3]:22']);
  });

  it('names the line of a bad target', () => {
    expect(errorOf(() => parseTargetsFile('pve1\n\npve2 pve3\n', 'hosts.txt'))).toMatch(
      /^hosts\.txt:3: bad target "pve2 pve3": /,
    );
  });
});

// As pmxcfs writes it on a 3-node cluster with one node down (offline nodes have no ip).
const MEMBERS = `{
"nodename": "pve1",
"version": 9,
"cluster": { "name": "lab", "version": 3, "nodes": 3, "quorate": 1 },
"nodelist": {
  "pve1": { "id": 1, "online": 1, "ip": "192.168.10.11"},
  "pve2": { "id": 2, "online": 1, "ip": "192.168.10.12"},
  "pve3": { "id": 3, "online": 0}
  }
}
`;

const COROSYNC = `logging {
  debug: off
  to_syslog: yes
}

nodelist {
  node {
    name: pve1
    nodeid: 1
    quorum_votes: 1
    ring0_addr: 192.168.10.11
    ring1_addr: 10.99.0.11
  }
  node {
    name: pve2
    nodeid: 2
    quorum_votes: 1
    ring0_addr: 192.168.10.12
  }
  # a node on IPv6
  node {
    name: pve3
    nodeid: 3
    quorum_votes: 1
    ring0_addr: fd00:10::13
  }
}

quorum {
  provider: corosync_votequorum
}

totem {
  cluster_name: lab
  config_version: 3
  interface {
    linknumber: 0
  }
  ip_version: ipv4-6
  link_mode: passive
  secauth: on
  version: 2
}
`;

describe('cluster membership', () => {
  it('reads /etc/pve/.members', () => {
    expect(parsePveMembers(MEMBERS, '.members')).toEqual([
      { name: 'pve1', address: '192.168.10.11', online: true },
      { name: 'pve2', address: '192.168.10.12', online: true },
      { name: 'pve3', address: null, online: false },
    ]);
    // a standalone node has no nodelist
    expect(parsePveMembers('{"nodename": "pve", "version": 0}', '.members')).toEqual([]);
    expect(errorOf(() => parsePveMembers('{"nodelist": ', '.members'))).toMatch(/^\.members: not JSON/);
  });

  it('reads corosync.conf', () => {
    expect(parseCorosyncConf(COROSYNC, 'corosync.conf')).toEqual([
      { name: 'pve1', address: '192.168.10.11', online: null },
      { name: 'pve2', address: '192.168.10.12', online: null },
      { name: 'pve3', address: 'fd00:10::13', online: null },
    ]);
    expect(errorOf(() => parseCorosyncConf('nodelist {\n node {\n name: a\n }\n', 'c.conf'))).toBe(
      'c.conf: unclosed "nodelist {" block in corosync.conf',
    );
    expect(errorOf(() => parseCorosyncConf('}\n', 'c.conf'))).toBe('c.conf: unbalanced "}" in corosync.conf');
  });

  it('turns nodes into targets: by IP, else by name; offline ones optionally left out', () => {
    const nodes = parsePveMembers(MEMBERS, '.members');
    expect(clusterTargets(nodes, '.members', { user: 'root' }).map((t) => [t.node, t.label])).toEqual([
      ['pve1', 'root@192.168.10.11'],
      ['pve2', 'root@192.168.10.12'],
      ['pve3', 'root@pve3'],
    ]);
    expect(clusterTargets(nodes, '.members', { skipOffline: true }).map((t) => t.node)).toEqual(['pve1', 'pve2']);
  });

  it('refuses a hostile address in cluster files', () => {
    const hostile = MEMBERS.replace('"192.168.10.12"', '"-oProxyCommand=sh"');
    expect(errorOf(() => clusterTargets(parsePveMembers(hostile, 'm'), 'm'))).toMatch(
      /^m \(node "pve2"\): bad target "-oProxyCommand=sh": must not start with "-"$/,
    );
  });

  it('prefers .members, falls back to corosync.conf, and says so when neither lists nodes', () => {
    const members = join(tmp, 'members');
    const corosync = join(tmp, 'corosync.conf');
    const missing = join(tmp, 'missing');
    writeFileSync(members, MEMBERS);
    writeFileSync(corosync, COROSYNC);
    expect(readClusterTargets({ membersPath: members, corosyncPath: corosync }).map((t) => t.host)).toEqual([
      '192.168.10.11',
      '192.168.10.12',
      'pve3',
    ]);
    expect(readClusterTargets({ membersPath: missing, corosyncPath: corosync }).map((t) => t.host)).toEqual([
      '192.168.10.11',
      '192.168.10.12',
      'fd00:10::13',
    ]);
    writeFileSync(members, '{"nodename": "pve", "version": 0}');
    expect(readClusterTargets({ membersPath: members, corosyncPath: corosync })).toHaveLength(3);
    expect(errorOf(() => readClusterTargets({ membersPath: missing, corosyncPath: missing }))).toMatch(
      /^--cluster: no cluster members found/,
    );
  });
});

describe('buildSshArgs', () => {
  it('puts the host after "--", options in their own argv slots, strict host keys by default', () => {
    const args = buildSshArgs(parseTarget('admin@[fd00::3]:2222'), {
      identityFile: '/keys/id 50%',
      knownHostsFile: '/tmp/known hosts',
      connectTimeoutSec: 5,
    });
    expect(args).toEqual([
      '-T',
      '-a',
      '-x',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ConnectTimeout=5',
      '-i',
      '/keys/id 50%%',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'UserKnownHostsFile="/tmp/known hosts"',
      '-p',
      '2222',
      '-l',
      'admin',
      '--',
      'fd00::3',
      'sh -s',
    ]);
  });

  it('accept-new on request; defaults for user/port; extra options first so they win', () => {
    const args = buildSshArgs(parseTarget('pve1'), {
      acceptNewHostKeys: true,
      user: 'root',
      port: 22,
      extraOptions: ['ProxyJump=bastion'],
      configFile: 'none',
    });
    expect(args.slice(0, 2)).toEqual(['-o', 'ProxyJump=bastion']);
    expect(args).toContain('StrictHostKeyChecking=accept-new');
    expect(args.slice(-7)).toEqual(['-p', '22', '-l', 'root', '--', 'pve1', 'sh -s']);
    expect(args[args.indexOf('-F') + 1]).toBe('none');
  });

  it('refuses malformed options with one line', () => {
    expect(errorOf(() => buildSshArgs(parseTarget('pve1'), { extraOptions: ['-oProxyCommand=x'] }))).toBe(
      '--ssh-option: expected Key=Value, got "-oProxyCommand=x"',
    );
    expect(errorOf(() => buildSshArgs(parseTarget('pve1'), { user: '-oFoo' }))).toBe('--user: bad user name "-oFoo"');
    expect(errorOf(() => buildSshArgs(parseTarget('pve1'), { connectTimeoutSec: 0 }))).toMatch(/^--connect-timeout: /);
  });
});

describe('scanHosts option checks', () => {
  it('refuses bad options once, before contacting any host', async () => {
    const targets = [parseTarget('pve1'), parseTarget('pve2')];
    await expect(scanHosts(targets, { concurrency: 0 })).rejects.toThrow(
      '--concurrency: must be a whole number, at least 1',
    );
    await expect(scanHosts(targets, { extraOptions: ['Bad Option'] })).rejects.toThrow(InputError);
    await expect(scanHosts([], {})).resolves.toEqual({ ok: [], failed: [] });
  });
});

describe('--ssh-option cannot turn host-key checking off unasked', () => {
  it('refuses options that accept any host key without --insecure-host-keys', () => {
    const target = { host: 'pve1', user: null, port: null, label: 'pve1' };
    for (const o of [
      'StrictHostKeyChecking=no',
      'stricthostkeychecking=off',
      'UserKnownHostsFile=/dev/null',
      'KnownHostsCommand=/bin/true',
    ]) {
      expect(() => buildSshArgs(target, { extraOptions: [o] }), o).toThrow(/--insecure-host-keys/);
      expect(buildSshArgs(target, { extraOptions: [o], insecureHostKeys: true })).toContain(o);
    }
    for (const o of [
      'StrictHostKeyChecking=accept-new',
      'UserKnownHostsFile=/tmp/kh',
      'GlobalKnownHostsFile=/dev/null',
      'ServerAliveInterval=5',
    ])
      expect(buildSshArgs(target, { extraOptions: [o] })).toContain(o);
  });
});
