/** `models --host H --json`: one row per model, named and shaped as `models --json` names them. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { repoRoot } from './helpers/paths.js';

const caps72 = join(repoRoot, 'test/fixtures/libvirt-qemu-caps/libvirt-9.0-tests-caps_7.2.0.x86_64.xml');

describe('models --host --json', () => {
  it('entries carry name (versioned), aliases, runnable and missing, as models --json names them', () => {
    const r = cli(['models', '--host', caps72, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const all = new Map(
      (JSON.parse(cli(['models', '--json']).stdout) as Array<{ name: string; aliases: string[] }>).map((m) => [
        m.name,
        m,
      ]),
    );
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['name', 'aliases', 'runnable', 'missing']));
      expect(row).not.toHaveProperty('model');
      expect(row.name).toMatch(/-v\d+$/);
      expect(row.aliases).toEqual(all.get(row.name as string)!.aliases);
      expect(row.runnable).toBe((row.missing as string[]).length === 0);
    }
    expect(rows.find((x) => x.name === 'EPYC-Rome-v1')).toMatchObject({ aliases: ['EPYC-Rome'], runnable: true });
  });
});
