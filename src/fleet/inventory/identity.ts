/**
 * Which machine a snapshot is of. A scanned host names itself (its `hostname`), so the name alone
 * cannot be trusted: a second machine reporting the same name would silently become that host's
 * latest state. Each snapshot therefore records where it was taken (the address scanned: the SSH
 * target, or the Proxmox API's host:port) and the key that machine proved it holds (the SSH host key
 * ssh verified, or the node certificate's fingerprint as the cluster API lists it).
 */

export interface HostIdentity {
  /** The address scanned: `host[:port]` of the SSH target, or the API's `host:port` */
  address: string;
  /** `ssh-ed25519 SHA256:...` (ssh's verified host key) or `tls AA:BB:...` (the node certificate); null when unknown */
  key: string | null;
}

export type IdentityVerdict =
  /** The stored host (or a host with no identity stored yet): the snapshot is its next one */
  | { kind: 'same' }
  /** Same address, another key of the same kind: reinstalled or re-keyed (ssh only accepted it once known_hosts said so) */
  | { kind: 'rekeyed' }
  /** Another machine claims the name: another address, and no matching key */
  | { kind: 'other' };

const keyKind = (key: string) => key.split(' ')[0];

/** Judges a new snapshot's identity against the latest stored one of the same name. */
export function judgeIdentity(stored: HostIdentity | null, seen: HostIdentity): IdentityVerdict {
  if (!stored) return { kind: 'same' };
  if (stored.key && seen.key && keyKind(stored.key) === keyKind(seen.key)) {
    if (stored.key === seen.key) return { kind: 'same' }; // moved to another address, same machine
    return stored.address === seen.address ? { kind: 'rekeyed' } : { kind: 'other' };
  }
  // keys that cannot be compared (unknown, or an SSH key against a certificate): the address decides
  return stored.address === seen.address ? { kind: 'same' } : { kind: 'other' };
}

/** The name a snapshot is stored under when another machine already holds its own. */
export const otherMachineName = (name: string, seen: HostIdentity) => `${name}@${seen.address}`;

export function describeIdentity(id: HostIdentity): string {
  return `${id.address}${id.key ? ` (${id.key})` : ''}`;
}
