/** The x86-64 psABI levels in catalog names (data/x86-64.json, from the psABI's Table 3.1). */
import x86Data from '../../data/x86-64.json' with { type: 'json' };
import type { X86_64Data } from './types.js';

export const x86_64 = x86Data as X86_64Data;
