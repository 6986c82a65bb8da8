export {
  PveClient,
  type PveClientOptions,
  type PveClusterData,
  type PveClusterNode,
  type PveNodeListEntry,
} from './client.js';
export { PveApiError, type PveErrorKind } from './http.js';
export { normalizeFingerprint } from './tls.js';
export { PveToken, resolvePveToken, PVE_TOKEN_ENV, type TokenSource } from './token.js';
