/** OpenStack Nova's releases as the catalog has them (data/nova.json, from Nova's source at its tags). */
import novaData from '../../data/nova.json' with { type: 'json' };
import type { NovaData } from './types.js';

export const nova = novaData as NovaData;
