/**
 * Finding 4, deterministically: a writer that takes no lock (an admin's `>>`) appends at the worst
 * moments of an apply, placed there by hooking the filesystem calls apply makes: while the backup
 * is being written, and right after the switch into the old file through a descriptor opened
 * before it. The appended section must survive both, next to apply's own. (The stress version, real
 * processes racing, is in apply-concurrent.test.ts.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Hook = { onOpen?: (path: string) => void; aroundRename?: (from: string, to: string, rename: () => void) => void };
const hooks: Hook = {};

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    hooks.onOpen?.(String(path));
    return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof real.openSync;
  const renameSync = ((from: string, to: string) => {
    const go = () => real.renameSync(from, to);
    if (hooks.aroundRename) hooks.aroundRename(String(from), String(to), go);
    else go();
  }) as typeof real.renameSync;
  return { ...real, default: { ...real, openSync, renameSync }, openSync, renameSync };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open = (async (path: string, ...rest: unknown[]) => {
    hooks.onOpen?.(String(path));
    return (real.open as (...a: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof real.open;
  const rename = (async (from: string, to: string) => {
    let done: Promise<void> = Promise.resolve();
    const go = () => {
      done = real.rename(from, to);
    };
    if (hooks.aroundRename) hooks.aroundRename(String(from), String(to), go);
    else go();
    await done;
  }) as typeof real.rename;
  return { ...real, default: { ...real, open, rename }, open, rename };
});

const { applyCpuModel } = await import('../src/proxmox/apply/index.js');
const realFs = await vi.importActual<typeof import('node:fs')>('node:fs');

const FOREIGN = 'cpu-model: avx\n    flags +avx;+avx2\n    reported-model kvm64\n';
const APPENDED = '\ncpu-model: admin\n\tflags +pcid\n\treported-model qemu64\n';
const OURS = { name: 'ours', flags: ['+aes'], reportedModel: 'qemu64' };

let dir = '';
let file = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apply-lockless-'));
  file = join(dir, 'cpu-models.conf');
  await writeFile(file, FOREIGN);
});
afterEach(async () => {
  delete hooks.onOpen;
  delete hooks.aroundRename;
  await rm(dir, { recursive: true, force: true });
});

describe("apply beside a writer that takes no lock (finding 4: the admin's >>)", () => {
  it('an append landing while the backup is written is kept', async () => {
    let appended = false;
    hooks.onOpen = (path) => {
      if (!appended && path.startsWith(`${file}.bak.tmp.`)) {
        appended = true;
        realFs.appendFileSync(file, APPENDED);
      }
    };
    const r = await applyCpuModel({ file, section: OURS });
    expect(appended).toBe(true);
    expect(r.written).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('cpu-model: admin\n');
    expect(text).toContain('cpu-model: ours\n');
    expect(text.startsWith(FOREIGN)).toBe(true);
  });

  it('an append through a descriptor opened before the switch, written just after it, is kept', async () => {
    let appended = false;
    hooks.aroundRename = (from, to, rename) => {
      if (appended || to !== file || !from.startsWith(`${file}.tmp.`)) return rename();
      appended = true;
      const fd = realFs.openSync(file, 'a'); // the admin's >> opened the file ...
      rename(); // ... apply switched to its new file ...
      realFs.writeSync(fd, APPENDED); // ... and the admin's text went into the old one
      realFs.closeSync(fd);
    };
    await applyCpuModel({ file, section: OURS });
    expect(appended).toBe(true);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('cpu-model: admin\n');
    expect(text).toContain('cpu-model: ours\n');
    expect(await readFile(`${file}.bak`, 'utf8')).toContain('cpu-model: admin\n');
  });
});
