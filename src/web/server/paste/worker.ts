/** Worker thread entry: parses pasted inputs one at a time, off the server's event loop. */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { parsePaste, type PasteKind } from './parse.js';

// Other clients first: a big paste waits for the CPU rather than the other way round. On Linux a
// thread's nice value is its own (setpriority(2), NOTES), so this lowers this thread only; elsewhere
// it would lower the whole server, so it is left alone there.
if (process.platform === 'linux')
  try {
    setPriority(10);
  } catch {
    // not allowed here (a container without CAP_SYS_NICE can still lower; any failure is harmless)
  }

const decoder = new TextDecoder();

parentPort!.on('message', (m: { id: number; kind: PasteKind; body: string | ArrayBuffer }) => {
  const body = typeof m.body === 'string' ? m.body : decoder.decode(m.body);
  parentPort!.postMessage({ id: m.id, result: parsePaste(m.kind, body) });
});
