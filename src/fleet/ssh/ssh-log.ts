/**
 * ssh's own log, kept apart from the remote's stderr: `-v -E FILE` sends everything ssh itself says
 * (its errors, and at debug level the host key it verified) to a private file the remote cannot
 * write to, so a host cannot forge the key it is recorded under. `-v` goes first on the command
 * line, before any user option: ssh keeps the first LogLevel it sees.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SshLog {
  /** The arguments that send ssh's log to the file; put them before every other option */
  args: string[];
  /** Reads the log and removes it: ssh's own messages (debug lines dropped) and the verified host key */
  collect(): { messages: string[]; hostKey: string | null };
}

// Informational lines ssh prints at -v besides its debug ones; they are not reasons for anything
const CHATTER = [
  /^OpenSSH_\S+/,
  /^Authenticated to /,
  /^Transferred: /,
  /^Bytes per second: /,
  /^Warning: Permanently added /,
  /^Killed by signal \d+\.$/,
  /^debug\d: /,
];

/** `debug1: Server host key: ssh-ed25519 SHA256:...` (sshconnect.c verify_host_key) -> `ssh-ed25519 SHA256:...` */
export function verifiedHostKey(log: string): string | null {
  const m = /^debug1: Server host key: (\S+) (SHA256:[A-Za-z0-9+/=]+)\r?$/m.exec(log);
  return m ? `${m[1]} ${m[2]}` : null;
}

/** ssh's own lines without its debug output and chatter, for failure reasons. */
export function sshMessages(log: string): string[] {
  return log.split(/\r?\n/).filter((l) => l.trim() && !CHATTER.some((re) => re.test(l)));
}

export function createSshLog(): SshLog {
  const dir = mkdtempSync(join(tmpdir(), 'migratable-ssh-'));
  const file = join(dir, 'ssh.log');
  return {
    args: ['-v', '-E', file],
    collect() {
      let log = '';
      try {
        log = readFileSync(file, 'utf8');
      } catch {
        // ssh never started
      }
      rmSync(dir, { recursive: true, force: true });
      return { messages: sshMessages(log), hostKey: verifiedHostKey(log) };
    },
  };
}
