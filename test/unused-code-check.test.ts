/**
 * `npm run lint` runs knip (knip.jsonc): an unused export or an unused file fails it. Shown on a copy of
 * the project (its tracked sources, the knip config, node_modules linked) with one unused export and one
 * unused file added: knip exits 1 and names exactly those two, so the rest of the copy is clean.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'migratable-knip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The files knip reads: what git tracks, minus fixtures and examples that are data, not code. */
function copyProject(to: string): void {
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .stdout.split('\0')
    .filter((f) => f && !((f.startsWith('test/fixtures/') || f.startsWith('examples/')) && !/\.[mc]?[jt]s$/.test(f)));
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    try {
      cpSync(join(repoRoot, f), join(to, f));
    } catch {
      // a tracked file deleted in the working tree
    }
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(to, 'node_modules'));
}

describe('unused exports and files fail npm run lint (knip)', () => {
  it('names an added unused export and an added unused file, and nothing else', () => {
    const copy = join(tmp, 'project');
    copyProject(copy);
    appendFileSync(join(copy, 'src/safe-text.ts'), '\nexport const unusedForKnipTest = 1;\n');
    writeFileSync(join(copy, 'src/unused-for-knip-test.ts'), 'export const nobodyImportsThis = 2;\n');
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/knip'), ['--no-progress', '--reporter', 'compact'], {
      cwd: copy,
      encoding: 'utf8',
    });
    const report = r.stdout + r.stderr;
    expect(r.status, report).toBe(1);
    expect(report).toContain('src/unused-for-knip-test.ts');
    expect(report).toMatch(/src\/safe-text\.ts: unusedForKnipTest/);
    const lines = report.trim().split('\n');
    expect(lines, report).toHaveLength(4); // two headings, two findings
  }, 120_000);
});
