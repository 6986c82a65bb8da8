/**
 * Finding 5: every command that talks to the Proxmox API (plan --pve, targets --pve, scan --pve)
 * goes through one redaction, in the API client, so a server that echoes the token (here in a node's
 * name, beside terminal escapes) gets neither the token nor a raw escape onto the terminal.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli.js';
import { clusterApiDir } from './helpers/pve-cluster.js';
import { startPveReplay, type PveReplay, pveApiArgs } from './helpers/pve-replay.js';

const SECRET = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const TOKEN = `root@pam!audit=${SECRET}`;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const EVIL_NODE = `evil-${SECRET}\u001b]0;owned\u0007\u001b[2J`;

describe('a Proxmox API server that echoes the token (finding 5)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'migratable-redact-'));
  const tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  let srv: PveReplay;
  beforeAll(async () => {
    srv = await startPveReplay({
      version: '9.2',
      dir: clusterApiDir,
      token: TOKEN,
      // one more node, named with the token and escapes; its own calls then fail with an error
      rewrite: (path, body) => {
        if (path !== '/nodes') return body;
        const doc = JSON.parse(body) as { data: Array<Record<string, unknown>> };
        doc.data.push({ ...doc.data[0], node: EVIL_NODE, id: `node/${EVIL_NODE}` });
        return JSON.stringify(doc);
      },
    });
  });
  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const api = () => [...pveApiArgs(srv, tokenFile)];

  it.each([
    ['plan --pve', () => ['plan', ...api()]],
    ['targets --pve', () => ['targets', '103', ...api()]],
    ['scan --pve', () => ['scan', ...api(), '--no-store']],
  ])('%s prints neither the token nor a raw escape', async (_name, args) => {
    const r = await cliAsync(args());
    const all = r.stdout + r.stderr;
    expect(all).not.toContain(SECRET);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    // the node was reported, with the token replaced and the escapes shown
    expect(r.stderr).toContain('evil-***\\x1b]0;owned\\x07\\x1b[2J');
  });
});
