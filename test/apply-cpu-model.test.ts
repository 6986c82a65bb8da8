import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { applyCpuModel, backupPathFor, writeFileAtomic } from '../src/proxmox/apply/index.js';
import { qmSetLines } from '../src/proxmox/commands.js';
import type { CpuModelSection } from '../src/formats/pve-cpu-models.js';

// An existing file with comments, odd indentation and no final newline: all of it must survive.
const EXISTING = `# cluster CPU models
# do not remove 'avx' - mongo VMs need it

cpu-model: avx
    flags +avx;+avx2;+xsave
    phys-bits host
    hidden 0
    hv-vendor-id proxmox
    reported-model kvm64

# our section, written by an older run
cpu-model: migratable
\tflags +aes
\treported-model qemu64

cpu-model: legacy
  reported-model Westmere
  # keep TSX off
  flags -hle;-rtm`;

const OURS: CpuModelSection = {
  name: 'migratable',
  flags: ['+aes', '+avx2', '+pcid'],
  reportedModel: 'qemu64',
  physBits: 40,
};
const OURS_TEXT = 'cpu-model: migratable\n\tflags +aes;+avx2;+pcid\n\tphys-bits 40\n\treported-model qemu64\n';

let dir = '';
let file = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apply-'));
  file = join(dir, 'cpu-models.conf');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const listDir = async () => (await readdir(dir)).sort();

describe('applyCpuModel', () => {
  it('dry run shows a unified diff and writes nothing', async () => {
    await writeFile(file, EXISTING);
    const r = await applyCpuModel({ file, section: OURS, dryRun: true });
    expect(r).toMatchObject({ file, action: 'replaced', written: false });
    expect(r.backupFile).toBeUndefined();
    expect(r.diff).toContain(`--- ${file}\tcurrent`);
    expect(r.diff).toContain(`+++ ${file}\twith cpu-model migratable`);
    expect(r.diff).toContain('-\tflags +aes\n');
    expect(r.diff).toContain('+\tflags +aes;+avx2;+pcid\n');
    expect(r.diff).toContain('+\tphys-bits 40\n');
    expect(r.diff).not.toMatch(/^[-+].*avx;\+avx2;\+xsave/m); // other sections are context only
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });

  it('replaces only our section; every other byte stays; backup holds the old file', async () => {
    await writeFile(file, EXISTING);
    const r = await applyCpuModel({ file, section: OURS });
    expect(r).toMatchObject({ action: 'replaced', written: true, backupFile: backupPathFor(file) });
    const after = await readFile(file, 'utf8');
    const start = EXISTING.indexOf('cpu-model: migratable');
    const end = EXISTING.indexOf('\n\n', start) + 1;
    expect(after.slice(0, start)).toBe(EXISTING.slice(0, start));
    expect(after.slice(start, start + OURS_TEXT.length)).toBe(OURS_TEXT);
    expect(after.slice(start + OURS_TEXT.length)).toBe(EXISTING.slice(end));
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(EXISTING);
    expect(await listDir()).toEqual(['cpu-models.conf', 'cpu-models.conf.bak']); // no temp files left
  });

  it('appends our section after a blank line when it is not there yet', async () => {
    const withoutOurs = EXISTING.replace(/# our section[^]*?\n\n/, '');
    await writeFile(file, withoutOurs);
    const r = await applyCpuModel({ file, section: OURS });
    expect(r.action).toBe('added');
    expect(await readFile(file, 'utf8')).toBe(withoutOurs + '\n\n' + OURS_TEXT + '\n');
  });

  it('is idempotent: a second run changes nothing and keeps the first backup', async () => {
    await writeFile(file, EXISTING);
    await applyCpuModel({ file, section: OURS });
    const once = await readFile(file, 'utf8');
    const r = await applyCpuModel({ file, section: OURS });
    expect(r).toEqual({ file, action: 'unchanged', written: false, diff: '' });
    expect(await readFile(file, 'utf8')).toBe(once);
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(EXISTING);
  });

  it('creates a missing file (and its directory) without a backup', async () => {
    const nested = join(dir, 'virtual-guest', 'cpu-models.conf');
    const dry = await applyCpuModel({ file: nested, section: OURS, dryRun: true });
    expect(dry.action).toBe('created');
    expect(dry.diff).toContain('--- /dev/null');
    await expect(stat(nested)).rejects.toThrow(/ENOENT/);
    const r = await applyCpuModel({ file: nested, section: OURS });
    expect(r).toMatchObject({ action: 'created', written: true });
    expect(r.backupFile).toBeUndefined();
    expect(await readFile(nested, 'utf8')).toBe(OURS_TEXT + '\n');
    expect(await readdir(join(dir, 'virtual-guest'))).toEqual(['cpu-models.conf']);
  });

  it('backup=false writes no .bak', async () => {
    await writeFile(file, EXISTING);
    await applyCpuModel({ file, section: OURS, backup: false });
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });

  it('keeps the file mode', async () => {
    await writeFile(file, EXISTING);
    await chmod(file, 0o640);
    await applyCpuModel({ file, section: OURS });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
  });

  it.each([
    ['duplicate key', EXISTING + '\n\tflags +x\n', /line 20: .*duplicate attribute 'flags'/],
    [
      'sections run together',
      'cpu-model: a\n\tflags +aes\ncpu-model: migratable\n',
      /line 3: section header without an empty line/,
    ],
    ['garbage', 'this is not a section config\n', /line 1: expected a section header/],
  ])('refuses a file it cannot parse (%s) and leaves it untouched', async (_n, text, re) => {
    await writeFile(file, text);
    for (const dryRun of [true, false]) {
      const err = await applyCpuModel({ file, section: OURS, dryRun }).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(err.message).toMatch(re);
    }
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });

  it('refuses an invalid model before touching anything', async () => {
    await writeFile(file, EXISTING);
    await expect(applyCpuModel({ file, section: { ...OURS, flags: ['avx'] } })).rejects.toThrow(InputError);
    await expect(applyCpuModel({ file, section: { ...OURS, name: '9custom' } })).rejects.toThrow(/must match/);
    expect(await readFile(file, 'utf8')).toBe(EXISTING);
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });

  it('names the file when it cannot be read', async () => {
    const err = await applyCpuModel({ file: dir, section: OURS }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`${dir}: cannot read: EISDIR`);
  });
});

describe('writeFileAtomic', () => {
  it('leaves the target and no temp file behind when aborted before the rename', async () => {
    await writeFile(file, 'old');
    const seen: string[] = [];
    const err = await writeFileAtomic(file, 'new', {
      beforeRename: async () => {
        seen.push(...(await listDir()));
        throw new Error('abort');
      },
    }).catch((e) => e);
    expect(err.message).toBe('abort');
    // The temp file existed next to the target (same filesystem, so rename is atomic)...
    expect(seen).toHaveLength(2);
    expect(seen.find((n) => n !== 'cpu-models.conf')).toMatch(/^cpu-models\.conf\.tmp\.\d+\.[0-9a-f]{8}$/);
    // ...and is gone now.
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });

  it('replaces the content', async () => {
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await listDir()).toEqual(['cpu-models.conf']);
  });
});

describe('qmSetLines', () => {
  it('produces one qm set line per VM', () => {
    expect(qmSetLines([101, '2000'], 'migratable')).toEqual([
      'qm set 101 --cpu custom-migratable',
      'qm set 2000 --cpu custom-migratable',
    ]);
  });

  it.each([['101; rm -rf /'], ['99'], ['abc'], ['0101'], ['1e3'], [' 101']])('rejects vmid %j', (v) => {
    expect(() => qmSetLines([v], 'migratable')).toThrow(InputError);
  });

  it('rejects bad model names', () => {
    expect(() => qmSetLines([101], 'custom-x')).toThrow(/custom-/);
    expect(() => qmSetLines([101], 'x;reboot')).toThrow(InputError);
  });
});
