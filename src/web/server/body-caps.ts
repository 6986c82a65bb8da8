/**
 * How large a request body each path takes: one home for the caps. A declared Content-Length over
 * the cap is refused from the headers, before a byte of the body is read (capped-server.ts); a body
 * sent without one (chunked) is counted as it is read: a paste by the paste pool, within its budget,
 * anything else by the API's body limit.
 */

/** Pasted host data and VM configs: a 1024-thread host's cpuinfo is about 2.5 MB. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Everything else the API takes is a small JSON request. */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

/** The paths that take pastes; each is read by the paste pool, within its budget, and parsed in its worker (paste/pool.ts). */
export const isPastePath = (path: string): boolean => /^\/api\/(profiles|check)$/.test(path);

export const bodyCapFor = (path: string): number => (isPastePath(path) ? MAX_BODY_BYTES : MAX_SMALL_BODY_BYTES);

export const tooLargeMessage = (cap: number): string => `request body larger than ${Math.round(cap / 1024)} KiB`;
