/** Linux's synthetic cpuinfo flags and the raw CPUID bits they stand for (data/linux-synthetic.json). */
import syntheticData from '../../data/linux-synthetic.json' with { type: 'json' };
import type { LinuxSyntheticData } from './types.js';

export const linuxSynthetic = syntheticData as LinuxSyntheticData;
