/**
 * Finding 6: --json output stays valid JSON whatever a name holds. C1 controls (U+0080-U+009F),
 * DEL and the Unicode separators and overrides are written as \uXXXX escapes: JSON.parse gives the
 * exact name back, and nothing raw reaches the terminal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RAW_IN_JSON, safeJson } from '../src/safe-json.js';
import { UNSAFE_CHARS, safeText } from '../src/safe-text.js';
import { cli } from './helpers/cli.js';
import { fixturesDir } from './helpers/paths.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;
const NAMES = [
  'nel\u0085host',
  'csi\u009b31mhost',
  'del\u007fhost',
  'ls\u2028host',
  'rlo\u202ehost',
  'esc\u001b[2Jhost',
];

const tmp = mkdtempSync(join(tmpdir(), 'migratable-json-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hostFiles(): string[] {
  const cpuinfo = join(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo');
  const r = cli(['profile', cpuinfo, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const [profile] = JSON.parse(r.stdout);
  return NAMES.map((name, i) => {
    const f = join(tmp, `host-${i}.json`);
    writeFileSync(f, JSON.stringify({ ...profile, name }));
    return f;
  });
}

describe('JSON output with control characters in names (finding 6)', () => {
  const files = hostFiles();

  it('profile --json parses and gives every name back exactly', () => {
    const r = cli(['profile', ...files, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect((JSON.parse(r.stdout) as Array<{ name: string }>).map((p) => p.name)).toEqual(NAMES);
  });

  it('baseline --format json, to stdout and to a file, parses', () => {
    const r = cli(['baseline', ...files, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain(JSON.stringify(NAMES[0]).slice(1, -1));
    const out = join(tmp, 'model.json');
    expect(cli(['baseline', ...files, '--format', 'json', '-o', out]).code).toBe(0);
    expect(() => JSON.parse(readFileSync(out, 'utf8'))).not.toThrow();
  });

  it('safeJson escapes exactly what JSON.stringify leaves raw', () => {
    const value = { s: 'a\u0085b\u009bc\u007fd\u2028e\u202ef\u00a0g\u00e9' };
    const text = safeJson(value);
    expect(text).toBe('{\n  "s": "a\\u0085b\\u009bc\\u007fd\\u2028e\\u202ef\u00a0g\u00e9"\n}');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('leaves nothing safeText would change, so output() may skip its pass over escaped JSON', () => {
    const every = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).join('');
    const text = safeJson({ [every]: [every, { nested: every }] }, 2, '\n');
    expect(safeText(text)).toBe(text);
    expect(safeText(safeJson(every, 0))).toBe(safeJson(every, 0));
  });

  it('escapes every character safe-text calls unsafe except the C0 controls JSON.stringify escapes itself', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      UNSAFE_CHARS.lastIndex = 0;
      RAW_IN_JSON.lastIndex = 0;
      expect(RAW_IN_JSON.test(ch), `U+${c.toString(16)}`).toBe(c >= 0x20 && UNSAFE_CHARS.test(ch));
    }
  });
});
