/**
 * Every option more than one command offers, with its one meaning: a long option name means the same
 * in every command (test/option-names.test.ts). Checked before any command module loads (cheap: the
 * CLI's definitions import this).
 */
import { Option, type Command } from 'commander';
import { InputError } from '../errors.js';
import { defaultInventoryPath } from '../fleet/inventory/path.js';
import { collect } from './output.js';

const SHARED_OPTIONS = {
  // host data
  '--kernel': [
    '--kernel <release>',
    "the hosts' Linux release (e.g. 6.8) for inputs that do not carry it: what KVM offers depends on it",
  ],
  '--allow-incomplete': [
    '--allow-incomplete',
    'use host data that lacks x86-64 baseline features (lm, sse2, ...) instead of refusing it; the model is cut down to it',
  ],
  '--no-probe': [
    '--no-probe',
    "read this machine's /proc/cpuinfo as it is, without checking it against QEMU/KVM here (by default, where /dev/kvm and QEMU work, their exact answer is used and the difference reported)",
  ],
  '--inventory': [
    '--inventory <db>',
    `migratable's SQLite inventory of host scans (default: ${defaultInventoryPath()})`,
  ],
  '--qemu': [
    '--qemu <version>',
    'the oldest QEMU in the cluster: only models and features it has (default: what the profiles say, else 7.2)',
  ],
  '--allow-tsx': [
    '--allow-tsx',
    'keep hle/rtm when every host (of a migration domain) has them (microcode updates may remove TSX)',
  ],
  // the Proxmox cluster
  '--pve': ['--pve <url>', 'read the cluster through the Proxmox API at URL, e.g. https://pve1:8006'],
  '--token': [
    '--token <token>',
    "Proxmox API token 'USER@REALM!ID=SECRET' (prefer --token-file: arguments are visible to other users; env MIGRATABLE_PVE_TOKEN)",
  ],
  '--token-file': ['--token-file <file>', 'file holding the Proxmox API token'],
  '--fingerprint': [
    '--fingerprint <sha256>',
    "pin the Proxmox API server's certificate (AA:BB:... as Proxmox shows it) instead of the system CAs",
  ],
  '--pve-config': [
    '--pve-config <dir>',
    "the cluster's /etc/pve or a copy of it (nodes/*/qemu-server, ha/, virtual-guest/)",
  ],
  '--cpu-models': [
    '--cpu-models <file>',
    'Proxmox cpu-models.conf for custom-NAME cpu types, instead of the one in --pve-config (the API has none before PVE 9.2)',
  ],
  '--running': ['--running <vmids>', 'VMs known to run (comma list; a config copy does not say); repeatable'],
  '--stopped': ['--stopped <vmids>', 'VMs known to be stopped: they switch without a restart (comma list); repeatable'],
  '--write-models': [
    '--write-models <dir>',
    'write each cpu-models.conf section the rollout applies first to DIR/NAME.conf',
  ],
  // ssh (scan, verify --ssh)
  '--accept-new-host-keys': [
    '--accept-new-host-keys',
    'ssh: trust a host key seen for the first time (default: strict checking)',
  ],
  '--identity': ['-i, --identity <file>', 'ssh identity file'],
  '--known-hosts': ['--known-hosts <file>', 'ssh known_hosts file'],
  '--ssh-config': ['--ssh-config <file>', 'ssh_config file (ssh -F), or "none" to ignore ~/.ssh/config'],
  '--ssh-option': ['--ssh-option <Key=Value>', 'extra ssh -o option; repeatable'],
  '--insecure-host-keys': [
    '--insecure-host-keys',
    'allow --ssh-option values that turn host-key checking off (StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null)',
  ],
  '--user': ['-l, --user <user>', 'ssh login user for targets that name none'],
  // output and writing
  '--format': ['-f, --format <format>', 'output format'],
  '--json': ['--json', 'print JSON'],
  '--output': ['-o, --output <file>', 'write to this file instead of stdout'],
  '--dry-run': ['--dry-run', 'print what would change (a unified diff for files) and write nothing'],
  '--lock-timeout': ['--lock-timeout <seconds>', 'wait this long for another writer to finish, then exit 3'],
  '--timeout': ['--timeout <seconds>', 'give up after this many seconds'],
  '--section': ['--section <name>', 'which cpu-model of a cpu-models.conf file'],
  '--vm': [
    '--vm <input>',
    'VM config (Proxmox <vmid>.conf or a directory of them, libvirt domain XML, a -cpu string, baseline JSON); repeatable',
  ],
} as const satisfies Record<string, readonly [string, string]>;

export type SharedOptionName = keyof typeof SHARED_OPTIONS;

/** A fresh commander Option for a shared name; the command adds its own default, parser or choices. */
export function sharedOption(name: SharedOptionName): Option {
  const [flags, description] = SHARED_OPTIONS[name];
  return new Option(flags, description);
}

/**
 * Old spellings a command still accepts, one per line of the README's table: a hidden option whose value
 * goes to the new one, without a warning (scripts keep working; --help shows only the new name).
 */
/** Where the Proxmox API is and how to reach it: the four options every command that reads it takes. */
export function addPveApiOptions(cmd: Command): Command {
  for (const name of ['--pve', '--token', '--token-file', '--fingerprint'] as const) cmd.addOption(sharedOption(name));
  return cmd;
}

/** The SSH options, as scan and verify --ssh take them (cli/ssh-options.ts hands them to the runner). */
export function addSshOptions(cmd: Command): Command {
  for (const name of ['--accept-new-host-keys', '--identity', '--known-hosts', '--ssh-config'] as const)
    cmd.addOption(sharedOption(name));
  cmd.addOption(sharedOption('--ssh-option').argParser(collect));
  return cmd.addOption(sharedOption('--insecure-host-keys')).addOption(sharedOption('--user'));
}

export const OLD_SPELLINGS = [
  { command: 'baseline', old: '--pve <major>', now: '--pve-release' },
  { command: 'verify', old: '--kernel <path>', now: '--guest-kernel' },
  { command: 'serve', old: '--host <addr>', now: '--bind' },
  { command: 'serve', old: '--token <token>', now: '--access-token' },
  { command: 'apply', old: '--vm <vmid>', now: '--vmid' },
] as const;

/** Adds the OLD_SPELLINGS of this command as hidden options that set the new option's value. */
export function addOldSpellings(cmd: Command): Command {
  for (const { command, old, now } of OLD_SPELLINGS) {
    if (command !== cmd.name()) continue;
    const target = cmd.options.find((o) => o.long === now);
    if (!target) throw new Error(`${command}: ${old} is an old spelling of ${now}, which it lacks`);
    const alias = new Option(old).hideHelp();
    cmd.addOption(alias);
    cmd.on(`option:${alias.name()}`, (value: string) => {
      const previous = cmd.getOptionValue(target.attributeName()) as unknown;
      cmd.setOptionValue(
        target.attributeName(),
        target.parseArg ? target.parseArg(value, previous === target.defaultValue ? undefined : previous) : value,
      );
    });
  }
  return cmd;
}

export function parseQemuVersion(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+\.\d+(\.\d+)?$/.test(v))
    throw new InputError('--qemu', `expected a QEMU version like 7.2 or 8.1.5, got "${v}"`);
  return v;
}
