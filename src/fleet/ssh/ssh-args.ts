import { InputError } from '../../errors.js';
import { discardsKeys, knownHostsPaths } from './host-key-guard.js';
import type { SshTarget } from './targets.js';

/** How to call the system OpenSSH client (so ~/.ssh/config, agents and jump hosts keep working). */
export interface SshOptions {
  /** ssh binary; default `ssh` from PATH */
  sshBinary?: string;
  /** ssh's own connect timeout in seconds (TCP + banner); default 10 */
  connectTimeoutSec?: number;
  /** `StrictHostKeyChecking=accept-new` instead of `yes`: trust unknown hosts on first contact. */
  acceptNewHostKeys?: boolean;
  /** Login user for targets that name none */
  user?: string;
  /** Port for targets that name none */
  port?: number;
  identityFile?: string;
  knownHostsFile?: string;
  /** `-F`: an ssh_config file, or `none` to ignore ~/.ssh/config */
  configFile?: string;
  /** Extra `-o Key=Value` options. They come first, and ssh keeps the first value it sees, so they override ours. */
  extraOptions?: string[];
  /** Allow extraOptions that turn host-key checking off (refused otherwise). */
  insecureHostKeys?: boolean;
}

/** What the remote login shell runs: a POSIX sh reading the probe script from stdin. */
export const REMOTE_COMMAND = 'sh -s';

const USER_SHAPE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const OPTION_SHAPE = /^[A-Za-z][A-Za-z0-9]*=[^\u0000-\u001f\u007f]+$/;

/**
 * The argv for one ssh run (never a shell string). Everything the user typed lands in its own
 * argv slot, and the host comes after `--`, so nothing can be read as an ssh option.
 */
export function buildSshArgs(target: SshTarget, options: SshOptions = {}): string[] {
  const args: string[] = [];
  for (const o of options.extraOptions ?? []) {
    if (!OPTION_SHAPE.test(o)) throw new InputError('--ssh-option', `expected Key=Value, got ${JSON.stringify(o)}`);
    if (!options.insecureHostKeys && weakensHostKeys(o))
      throw new InputError(
        '--ssh-option',
        `${JSON.stringify(o)} turns host-key checking off (anyone in the path could answer as the host); add --insecure-host-keys if you mean it`,
      );
    args.push('-o', o);
  }
  // -T: no pty (clean stdout, stdin is the script); -a/-x: never forward agent or X11 to scanned hosts
  args.push('-T', '-a', '-x');
  args.push('-o', 'BatchMode=yes');
  args.push('-o', `StrictHostKeyChecking=${options.acceptNewHostKeys ? 'accept-new' : 'yes'}`);
  const connectTimeout = options.connectTimeoutSec ?? 10;
  if (!Number.isInteger(connectTimeout) || connectTimeout < 1)
    throw new InputError('--connect-timeout', 'must be a whole number of seconds, at least 1');
  args.push('-o', `ConnectTimeout=${connectTimeout}`);
  if (options.configFile) args.push('-F', options.configFile);
  if (options.identityFile) args.push('-i', sshPath(options.identityFile, '--identity'), '-o', 'IdentitiesOnly=yes');
  if (options.knownHostsFile)
    args.push('-o', `UserKnownHostsFile=${quoteConfigValue(sshPath(options.knownHostsFile, '--known-hosts'))}`);
  const port = target.port ?? options.port ?? null;
  if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65535))
    throw new InputError('--port', 'must be a number from 1 to 65535');
  if (port !== null) args.push('-p', String(port));
  const user = target.user ?? options.user ?? null;
  if (user !== null && !USER_SHAPE.test(user)) throw new InputError('--user', `bad user name ${JSON.stringify(user)}`);
  if (user !== null) args.push('-l', user);
  args.push('--', target.host, REMOTE_COMMAND);
  return args;
}

/**
 * Options that make ssh accept any host key, so a machine in the middle could answer for the host:
 * checking off, a user known-hosts list that keeps no key (/dev/null however spelled, `none`, a
 * device: with accept-new every host then stays new), or a command deciding the known hosts.
 * ssh_config(5): keywords are case-insensitive, values of yes/no also take true/false. The
 * combinations other sources make are caught on ssh's resolved configuration (host-key-guard.ts).
 */
export function weakensHostKeys(option: string): boolean {
  const eq = option.indexOf('=');
  const key = option.slice(0, eq).toLowerCase();
  const value = option
    .slice(eq + 1)
    .trim()
    .replace(/^"(.*)"$/, '$1');
  const v = value.toLowerCase();
  if (key === 'stricthostkeychecking') return v === 'no' || v === 'off' || v === 'false';
  // Learned keys go to the first file: if it keeps nothing, accept-new accepts any key every time.
  // (Dropping only the global list, as tests with their own known_hosts do, still checks against the user's.)
  if (key === 'userknownhostsfile') {
    const first = knownHostsPaths(option.slice(eq + 1))[0];
    return first === undefined || discardsKeys(first);
  }
  return key === 'knownhostscommand';
}

/** ssh expands `%` tokens in IdentityFile/UserKnownHostsFile; double them so a path means itself. */
function sshPath(path: string, where: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f"]/.test(path))
    throw new InputError(where, 'path must not contain control characters or double quotes');
  return path.replace(/%/g, '%%');
}

/** UserKnownHostsFile takes a whitespace-separated list; quote a path holding spaces. */
function quoteConfigValue(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}
