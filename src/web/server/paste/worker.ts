/** Worker thread entry: parses pasted inputs one at a time, off the server's event loop. */
import { parentPort } from 'node:worker_threads';
import { parsePaste, type PasteKind } from './parse.js';

parentPort!.on('message', (m: { id: number; kind: PasteKind; body: string }) => {
  parentPort!.postMessage({ id: m.id, result: parsePaste(m.kind, m.body) });
});
