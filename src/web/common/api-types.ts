/**
 * The JSON API of `migratable serve`, shared by the server and the browser UI.
 * Every error is `ApiError` with the HTTP status saying which kind (400 bad input, 401 token, 404 unknown).
 */
import type { Feature, Model } from '../../catalog/types.js';
import type { BaselineResult } from '../../engine/types.js';
import type { HostProfile } from '../../profile/host-profile.js';

export interface ApiError {
  error: string;
}

/** GET /api/hosts */
export interface HostsResponse {
  hosts: HostProfile[];
}

/** One catalog feature as the UI gets it (everything but the first QEMU release). */
export type CatalogFeature = Omit<Feature, 'qemu'>;

/** One catalog model as the UI gets it. */
export type CatalogModel = Pick<Model, 'name' | 'aliases' | 'vendor' | 'qemu' | 'verified' | 'features'>;

/** GET /api/catalog */
export interface CatalogResponse {
  features: CatalogFeature[];
  models: CatalogModel[];
}

/** What the model builder chooses; POST /api/baseline takes it as JSON, GET /api/export/:format as query parameters. */
export interface ModelRequest {
  /** Host names to build for; omitted = every loaded host */
  hosts?: string[];
  /** Features to leave out even though every host has them */
  disabled?: string[];
  allowTsx?: boolean;
  qemu?: string;
  name?: string;
}

/**
 * POST /api/baseline -> BaselineResult
 * @public the HTTP API's shape for its clients (the dashboard's own code needs no name for it)
 */
export type BaselineResponse = BaselineResult;

/**
 * POST /api/profiles: one input's text; `name` is the host name when the content has none.
 * @public the HTTP API's shape for its clients (the dashboard's own code needs no name for it)
 */
export interface ProfilesRequest {
  text: string;
  name?: string;
}

/** @public the HTTP API's shape for its clients (the dashboard's own code needs no name for it) */
export interface ProfilesResponse {
  hosts: HostProfile[];
}

/**
 * POST /api/check: VM definitions (Proxmox config, libvirt XML, -cpu string) against the loaded hosts.
 * @public the HTTP API's shape for its clients (the dashboard's own code needs no name for it)
 */
export interface CheckRequest {
  text: string;
  /** Host names to check against; omitted = every loaded host */
  hosts?: string[];
}

/**
 * GET /api/export/:format -> text/plain, the emitter's output. Query: hosts, disabled (comma lists), allowTsx, qemu, name.
 * @public the HTTP API's shape for its clients (the dashboard's own code needs no name for it)
 */
export type ExportQuery = ModelRequest;

/**
 * GET /api/drift (empty, with a note, without --inventory): per host, its snapshots oldest first; each says which
 * features appeared and disappeared against the snapshot before it (the first lists everything as added).
 */
export interface DriftResponse {
  hosts: DriftHost[];
  /** scan --verify results in the inventory: the newest per node and model, newest first */
  verifications?: NodeVerdict[];
  /** false when the server runs without --inventory (then hosts is empty and note says how to get drift) */
  inventory?: boolean;
  note?: string;
}

/** One node's proof of one model (`scan --verify`). */
export interface NodeVerdict {
  host: string;
  target: string;
  verifiedAt: string;
  /** sha256 of the -cpu string booted */
  modelHash: string;
  modelCpu: string;
  modelName: string | null;
  /** match, mismatch, refused, failed, timeout (stuck), unrun, unreachable */
  outcome: string;
  accel: string | null;
  qemu: string | null;
  detail: string;
}

export interface DriftHost {
  name: string;
  snapshots: DriftSnapshot[];
}

export interface DriftSnapshot {
  /** ISO 8601 */
  collectedAt: string;
  added: string[];
  removed: string[];
}
