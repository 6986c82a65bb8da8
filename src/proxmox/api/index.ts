export { PveClient } from './client.js';
export { PveApiError } from './http.js';
export { normalizeFingerprint } from './tls.js';
export { PveToken, resolvePveToken } from './token.js';
