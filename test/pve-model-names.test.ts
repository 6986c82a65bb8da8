/** baseline --name for the Proxmox formats: the model names pve-configid accepts, and nothing else. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const cluster = join(repoRoot, 'examples/field-report-cluster');

describe('baseline --name: what Proxmox accepts', () => {
  it('upper case, as pve-configid allows, goes into the section and the VM line', () => {
    const r = cli(['baseline', cluster, '--format', 'pve', '--name', 'WebTier_2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cpu-model: WebTier_2\n');
    expect(r.stdout).toContain('cpu: custom-WebTier_2\n');
  });

  it('a custom- prefix is bad input for the Proxmox formats: exit 2, one line, nothing on stdout', () => {
    const r = cli(['baseline', cluster, '--format', 'pve', '--name', 'custom-web']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--name: "custom-web" must not start with 'custom-'/);
  });

  it('names Proxmox refuses are still refused with exit 2', () => {
    for (const bad of ['1abc', 'a', 'web tier', 'x'.repeat(41)])
      expect(cli(['baseline', cluster, '--format', 'pve', '--name', bad]).code).toBe(2);
  });
});
