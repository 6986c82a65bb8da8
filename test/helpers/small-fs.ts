/**
 * A real, tiny filesystem for tests of full disks and read-only mounts: a tmpfs with size= mounted
 * on a temp directory. Mounting needs root (CI runs as root); elsewhere `smallFsSkipReason` says why
 * the tests that need one are skipped.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallFs {
  dir: string;
  /** Fills the filesystem to the last byte with a file named `filler`. */
  fill(): void;
  /** Remounts it read-only. */
  readOnly(): void;
  unmount(): void;
}

function mount(args: string[]): { ok: boolean; why: string } {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  return { ok: r.status === 0, why: (r.stderr || r.error?.message || '').trim() };
}

/** Why no small filesystem can be mounted here, or null when one can. */
export const smallFsSkipReason: string | null = (() => {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs (CI runs as root)';
  const probe = mkdtempSync(join(tmpdir(), 'migratable-smallfs-probe-'));
  try {
    const r = mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    if (!r.ok) return `cannot mount a tmpfs here: ${r.why}`;
    spawnSync('umount', [probe]);
    return null;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

export function mountSmallFs(sizeKiB: number): SmallFs {
  const dir = mkdtempSync(join(tmpdir(), 'migratable-smallfs-'));
  const r = mount(['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir]);
  if (!r.ok) throw new Error(`mount tmpfs on ${dir}: ${r.why}`);
  return {
    dir,
    fill() {
      const fd = openSync(join(dir, 'filler'), 'a');
      const block = Buffer.alloc(4096, 0x61);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
      // the last partial block
      try {
        for (;;) writeSync(fd, block, 0, 1);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      } finally {
        closeSync(fd);
      }
    },
    readOnly() {
      const m = mount(['-o', 'remount,ro', dir]);
      if (!m.ok) throw new Error(`remount ro ${dir}: ${m.why}`);
    },
    unmount() {
      // lazily when a file on it is still open (a failed test), so the mount never outlives the run
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
