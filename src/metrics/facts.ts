/**
 * What the metrics are made of: per host its latest profile and what the inventory knows about its
 * scans, and per VM what the plan says. Plain data (no database, no files), so the exposition is a
 * pure function of it (./families.ts).
 */
import type { NodeOutcome } from '../fleet/inventory/verifications.js';
import type { HostProfile } from '../profile/host-profile.js';

/** What the inventory knows about one host's scans (absent for host data given as files). */
export interface HostScanFacts {
  /** Successful scans: the host's snapshots */
  snapshots: number;
  /** When its latest snapshot was taken (ISO 8601) */
  lastSuccess: string;
  /** Features its latest snapshot lacks that the one before had ([] with one snapshot) */
  lost: string[];
  /** Snapshots that changed its features (added or removed), over the whole history */
  driftEvents: number;
  /** Failed scans recorded, and the newest one's time */
  failures: number;
  lastFailure: string | null;
  /** How long the probe behind its latest snapshot took, when the scan recorded it */
  lastSeconds: number | null;
}

export interface HostFacts {
  /** The name as stored (host label) */
  name: string;
  profile: HostProfile;
  scans?: HostScanFacts;
  /** The newest scan --verify verdict on this host (any model) */
  verify?: { outcome: NodeOutcome; at: string };
}

/** A host that failed every scan recorded: named by the address tried (or the API's node name). */
export interface UnprofiledHost {
  name: string;
  failures: number;
  lastFailure: string | null;
}

export interface ScanRunFacts {
  startedAt: string;
  finishedAt: string;
  hostsOk: number;
  hostsFailed: number;
}

export interface VmFacts {
  vmid: number;
  name?: string;
  node: string;
  /** The CPU type it runs, as its config says: `custom-NAME`, `host`, `kvm64` (Proxmox's default) */
  cpu: string;
  /** The current model of its domain, as a cpu: value (`custom-NAME`) */
  domainModel: string;
  /** Nodes of its domain other than its own: where it should be able to go */
  domainTargets: number;
  liveTargets: number;
  /** The plan's action is change-model: its CPU does not reach every node of its domain */
  changeNeeded: boolean;
  /** It runs an older version of its model than cpu-models.conf holds (./outdated.ts) */
  outdated: boolean;
}

export interface PlanFacts {
  vms: VmFacts[];
  /** Per CPU type (cpu-models.conf sections as custom-NAME, used or not, and every type a VM runs): its VMs */
  models: Array<{ model: string; vms: number }>;
}

export interface FleetFacts {
  hosts: HostFacts[];
  unprofiled: UnprofiledHost[];
  lastRun: ScanRunFacts | null;
  /** Absent without a cluster config; an error when the plan could not be made */
  plan?: PlanFacts | { error: string };
}
