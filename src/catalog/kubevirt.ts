/** KubeVirt's defaults about CPU models (data/kubevirt.json, from KubeVirt's source at a cited commit). */
import kubevirtData from '../../data/kubevirt.json' with { type: 'json' };
import type { KubevirtData } from './types.js';

export const kubevirt = kubevirtData as KubevirtData;
