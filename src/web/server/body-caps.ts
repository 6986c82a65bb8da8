/**
 * How large a request body each path takes: one home for the caps, read by the API's body limit
 * (bodies of any framing) and by the server's early check (a declared Content-Length is refused
 * from the headers, before a byte of the body is read; see server.ts).
 */

/** Pasted host data and VM configs: a 1024-thread host's cpuinfo is about 2.5 MB. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Everything else the API takes is a small JSON request. */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

/** The paths that take pastes; each is parsed in the paste worker (paste/pool.ts). */
const PASTE_PATH = /^\/api\/(profiles|check)$/;

export const bodyCapFor = (path: string): number => (PASTE_PATH.test(path) ? MAX_BODY_BYTES : MAX_SMALL_BODY_BYTES);

export const tooLargeMessage = (cap: number): string => `request body larger than ${Math.round(cap / 1024)} KiB`;
