/**
 * Throwaway OpenSSH servers on 127.0.0.1 for tests and the scan benchmark: real sshd, real
 * keys, real host key checking. Runs as the current user (root in this project's CI), with
 * its own config, host keys, authorized_keys and known_hosts in a temp dir.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd'; // sshd refuses to start unless run by absolute path

export interface SshServer {
  port: number;
  pid: number;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...`, the line known_hosts needs for this server */
  knownHostsLine: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** sshd ForceCommand: runs instead of whatever the client asked for */
  forceCommand?: string;
  /** What goes into the fixture's known_hosts: the real key (default), nothing, or another key */
  knownHosts?: 'right' | 'none' | 'wrong';
}

export interface SshFixture {
  dir: string;
  /** Private key authorized on every server */
  identityFile: string;
  /** Holds the keys of servers started with knownHosts 'right' (or a wrong key for 'wrong') */
  knownHostsFile: string;
  startServer(options?: ServerOptions): Promise<SshServer>;
  /** Client options that make ssh use only this fixture's files, never ~/.ssh */
  clientOptions(): { identityFile: string; knownHostsFile: string; configFile: string; extraOptions: string[] };
  close(): Promise<void>;
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', 'migratable-test', '-f', file], {
    stdio: 'ignore',
  });
  return readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** The CLI options (scan, verify --ssh) that make ssh use only this fixture's files, never ~/.ssh. */
export function sshCliArgs(fixture: SshFixture): string[] {
  const o = fixture.clientOptions();
  const args = ['--identity', o.identityFile, '--known-hosts', o.knownHostsFile, '--ssh-config', o.configFile];
  for (const x of o.extraOptions) args.push('--ssh-option', x);
  return args;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One loopback sshd's configuration: key-only logins, nothing from the system's own config. */
function sshdConfig(o: {
  port: number;
  hostKeyFile: string;
  pidFile: string;
  authorizedKeys: string;
  forceCommand?: string;
}): string {
  const lines = [
    `Port ${o.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${o.hostKeyFile}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PrintMotd no',
    'UseDNS no',
    // the benchmark opens many connections at once
    'MaxStartups 500',
    'LogLevel INFO',
  ];
  if (o.forceCommand) lines.push(`ForceCommand ${o.forceCommand}`);
  return `${lines.join('\n')}\n`;
}

/** Resolves once sshd says it listens; rejects when it exits first or takes over 10 s. */
async function listening(child: ChildProcess, port: number): Promise<void> {
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sshd on port ${port} did not start within 10 s: ${log.trim()}`));
    }, 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      // keep draining the log (one line per connection) so sshd never blocks on it
      if (log.length < 20_000) log += d.toString();
      if (log.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd on port ${port} exited (${code}): ${log.trim().split('\n').pop()}`));
    });
  });
}

export function createSshFixture(): SshFixture {
  // As root, sshd wants its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'migratable-sshd-'));
  const identityFile = join(dir, 'client_key');
  const userKey = keygen(identityFile);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${userKey}\n`);
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, '');
  const wrongKey = keygen(join(dir, 'wrong_host_key'));
  const servers: SshServer[] = [];
  let serial = 0;

  async function startOnce(options: ServerOptions, port: number): Promise<SshServer> {
    const n = serial++;
    const hostKeyFile = join(dir, `host_key_${n}`);
    const hostKey = keygen(hostKeyFile);
    const config = join(dir, `sshd_config_${n}`);
    writeFileSync(
      config,
      sshdConfig({
        port,
        hostKeyFile,
        pidFile: join(dir, `sshd_${n}.pid`),
        authorizedKeys,
        forceCommand: options.forceCommand,
      }),
    );

    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    await listening(child, port);

    const knownHostsLine = `[127.0.0.1]:${port} ${hostKey}`;
    const mode = options.knownHosts ?? 'right';
    if (mode === 'right') appendFileSync(knownHostsFile, `${knownHostsLine}\n`);
    if (mode === 'wrong') appendFileSync(knownHostsFile, `[127.0.0.1]:${port} ${wrongKey}\n`);

    const server: SshServer = {
      port,
      pid: child.pid!,
      knownHostsLine,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
    servers.push(server);
    return server;
  }

  return {
    dir,
    identityFile,
    knownHostsFile,
    async startServer(options = {}) {
      // The free port can be taken between asking and binding; try again with another.
      let lastError: unknown;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          return await startOnce(options, await freePort());
        } catch (e) {
          lastError = e;
        }
      }
      throw lastError;
    },
    clientOptions: () => ({
      identityFile,
      knownHostsFile,
      configFile: 'none',
      extraOptions: ['GlobalKnownHostsFile=/dev/null'],
    }),
    async close() {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
