/** The BaselineResult itself, as pretty JSON: the contract other tools parse. */
import type { BaselineResult } from '../engine/types.js';

export function emitJson(result: BaselineResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
