/**
 * Finding 8: apply checks every argument before it writes anything. `--vm 12` (not a Proxmox VM id)
 * used to write the file and its backup, then exit 2.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-apply-args-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SECTION = 'cpu-model: checked\n\tflags +aes\n\treported-model qemu64\n';
const EXISTING = 'cpu-model: avx\n    flags +avx\n    reported-model kvm64\n';

describe('apply validates its arguments first (finding 8)', () => {
  it.each([['12'], ['0'], ['101;reboot'], ['1e3']])('--vm %s: exit 2, nothing written, no backup', (vm) => {
    const dir = mkdtempSync(join(tmp, 'case-'));
    const file = join(dir, 'cpu-models.conf');
    writeFileSync(file, EXISTING);
    const r = cli(['apply', '-', '--file', file, '--vmid', '101', '--vmid', vm], SECTION);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^migratable: vmid: .* is not a VM id/);
    expect(readFileSync(file, 'utf8')).toBe(EXISTING);
    expect(readdirSync(dir)).toEqual(['cpu-models.conf']);
  });

  it('a file that does not exist yet is not created either', () => {
    const file = join(tmp, 'new', 'cpu-models.conf');
    const r = cli(['apply', '-', '--file', file, '--vmid', '12'], SECTION);
    expect(r.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });

  it('good ids: written, then the qm set lines', () => {
    const file = join(tmp, 'ok.conf');
    const r = cli(['apply', '-', '--file', file, '--vmid', '101', '--vmid', '999999999'], SECTION);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('qm set 101 --cpu custom-checked\nqm set 999999999 --cpu custom-checked\n');
    expect(readFileSync(file, 'utf8')).toContain('cpu-model: checked\n');
  });
});
