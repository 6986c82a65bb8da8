/**
 * Strict host keys, checked where ssh decides them. ssh accepts a key it has never seen when
 * StrictHostKeyChecking is off, or is accept-new (or ask, without BatchMode) while the first user
 * known-hosts file cannot keep what it learns (/dev/null in any spelling, `none`, a device, a
 * directory: every host then stays new forever), or when a KnownHostsCommand decides. Any source
 * can set those: our -o options, the user's --ssh-option, an ssh_config named with -F, or
 * ~/.ssh/config, including its Match blocks. So besides checking the options a user types, the
 * scan asks ssh itself for the configuration it will use for each host (`ssh -G`, ssh(1)) and
 * refuses every combination above unless --insecure-host-keys was given.
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { runProcess } from '../../process/run-process.js';

/** True when a known-hosts path keeps nothing: /dev/null however spelled, `none`, or not a regular file. */
export function discardsKeys(path: string): boolean {
  const p = path.trim().replace(/^"(.*)"$/, '$1');
  if (p.toLowerCase() === 'none') return true;
  if (p.startsWith('/') && posix.normalize(p) === '/dev/null') return true;
  try {
    // follows links: a link to /dev/null is /dev/null; a missing file is fine (ssh creates it)
    return !statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The paths of a UserKnownHostsFile value: whitespace-separated, each possibly double-quoted. */
export function knownHostsPaths(value: string): string[] {
  return [...value.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Why a resolved ssh configuration (`ssh -G` keys, lower-case) accepts unknown host keys, or null. */
export function hostKeyWeakness(config: Map<string, string>): string | null {
  const strict = (config.get('stricthostkeychecking') ?? 'true').toLowerCase();
  if (['false', 'no', 'off'].includes(strict)) return 'StrictHostKeyChecking is off';
  const command = config.get('knownhostscommand');
  if (command && command.toLowerCase() !== 'none') return `KnownHostsCommand ${command} decides which keys are known`;
  const batch = (config.get('batchmode') ?? 'false').toLowerCase();
  const learns = strict === 'accept-new' || (strict === 'ask' && !['true', 'yes'].includes(batch));
  const first = knownHostsPaths(config.get('userknownhostsfile') ?? '')[0];
  if (learns && first !== undefined && discardsKeys(first))
    return `StrictHostKeyChecking ${strict} with UserKnownHostsFile ${first}, which keeps no key: every host stays new, any key is accepted`;
  return null;
}

/** `ssh -G` output ("key value" lines) as a map. */
export function parseSshG(text: string): Map<string, string> {
  const config = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m && !config.has(m[1].toLowerCase())) config.set(m[1].toLowerCase(), m[2]);
  }
  return config;
}

/**
 * Asks ssh for the configuration an argv (buildSshArgs' options and `-- host`, without the remote
 * command) resolves to, and says why it would accept an unknown host key, or null. When ssh cannot
 * answer, the real run reports why.
 */
export async function effectiveHostKeyWeakness(sshBinary: string, argv: readonly string[]): Promise<string | null> {
  const r = await runProcess(sshBinary, ['-G', ...argv], { input: '', timeoutMs: 10_000 });
  if (r.code !== 0) return null;
  return hostKeyWeakness(parseSshG(r.stdout));
}
