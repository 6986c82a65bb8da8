/**
 * Error lines name the kind of file they expected, and what was given when it is another known kind:
 * a VM config is not "host CPU data", host data is not a VM, and a VM config over pmxcfs's 1 MiB is
 * refused as a VM config.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProfilesFromText } from '../src/sources/index.js';
import { readVmsFromText } from '../src/sources/vm/index.js';
import { cli } from './helpers/cli.js';
import { etcPveCopy } from './helpers/pve-cluster.js';

const tmp = mkdtempSync(join(tmpdir(), 'input-kinds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vmConfig = 'test/fixtures/vms/qemu-server/101.conf';
const domainXml = 'test/fixtures/vms/domain-rome.xml';
const cpuModels = 'test/fixtures/vms/cpu-models.conf';
const cpuinfo = 'examples/field-report-cluster/pve-amd1.cpuinfo';
const hosts = 'examples/field-report-cluster';

function expectOneLineExit2(r: { code: number | null; stdout: string; stderr: string }, re: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(re);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

describe('another kind of file where host data is expected', () => {
  it('names a Proxmox VM config, a libvirt domain and a cpu-models.conf for what they are', () => {
    expectOneLineExit2(
      cli(['baseline', vmConfig]),
      /101\.conf: this is a Proxmox VM config, not host CPU data \(VMs go to check --vm\)$/m,
    );
    expectOneLineExit2(
      cli(['profile', domainXml]),
      /domain-rome\.xml: this is a libvirt domain XML \(a VM\), not host/,
    );
    expectOneLineExit2(cli(['baseline', cpuModels]), /cpu-models\.conf: this is a Proxmox cpu-models\.conf, not host/);
  });

  it('says the same to the dashboard, which reads pasted text with the same reader', () => {
    expect(() => readProfilesFromText(readFileSync(vmConfig, 'utf8'), 'pasted', 'pasted')).toThrow(
      /^pasted: this is a Proxmox VM config, not host CPU data/,
    );
  });
});

describe('another kind of file where a VM is expected', () => {
  it('names host data and a cpu-models.conf for what they are', () => {
    expectOneLineExit2(
      cli(['check', hosts, '--vm', cpuinfo]),
      /pve-amd1\.cpuinfo: this is host CPU data \(cpuinfo\), not a VM \(host data goes in the HOSTS arguments\)$/m,
    );
    expectOneLineExit2(
      cli(['check', hosts, '--vm', cpuModels]),
      /cpu-models\.conf: this is a Proxmox cpu-models\.conf, not a VM \(give it with --cpu-models\)$/m,
    );
    const profileJson = cli(['profile', '--json', cpuinfo]).stdout;
    expect(() => readVmsFromText(profileJson, 'p.json', 'p')).toThrow(/this is host CPU data \(host-profile\)/);
  });

  it('refuses binary data as not a VM config, not as host data', () => {
    expectOneLineExit2(cli(['check', hosts, '--vm', '/dev/zero']), /binary data, not text; expected a VM config/);
  });
});

describe('size caps name the VM config', () => {
  it('a VM config over 64 MiB is refused before it is read, as a VM input', () => {
    const big = join(tmp, '100.conf');
    writeFileSync(big, readFileSync(vmConfig));
    truncateSync(big, 100 * 1024 * 1024);
    expectOneLineExit2(
      cli(['check', hosts, '--vm', big]),
      /100\.conf: input larger than 64 MiB; expected a VM config \(Proxmox qemu-server\/<vmid>\.conf/,
    );
  });

  it('a Proxmox VM config over pmxcfs 1 MiB is refused, naming why', () => {
    const big = join(tmp, '102.conf');
    writeFileSync(big, readFileSync(vmConfig, 'utf8') + `#${'x'.repeat(200)}\n`.repeat(6000));
    expectOneLineExit2(
      cli(['check', hosts, '--vm', big]),
      /102\.conf: Proxmox VM config of 1\.2 MiB is larger than any real one \(pmxcfs stores at most 1 MiB per file\)/,
    );
  });

  it('plan names the VM config of the /etc/pve copy that is too big, without reading past 1 MiB', () => {
    const copy = join(tmp, 'etc-pve');
    cpSync(etcPveCopy('pve9'), copy, { recursive: true });
    const big = join(copy, 'nodes/pve1/qemu-server/777.conf');
    writeFileSync(big, 'cpu: kvm64\n');
    truncateSync(big, 100 * 1024 * 1024);
    expectOneLineExit2(
      cli(['plan', hosts, '--pve-config', copy]),
      /777\.conf: input larger than 1 MiB; expected a Proxmox VM config \(qemu-server\/<vmid>\.conf\)$/m,
    );
  });
});
