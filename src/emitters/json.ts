/** The BaselineResult itself, as pretty JSON: the contract other tools parse. */
import type { BaselineResult } from '../engine/types.js';
import { safeJson } from '../safe-json.js';

export function emitJson(result: BaselineResult): string {
  return safeJson(result, 2, '\n');
}
