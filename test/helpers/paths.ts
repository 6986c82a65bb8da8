import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
/** ../shared next to the checkout (CI lays a copy beside its clone); MIGRATABLE_SHARED overrides. */
export const sharedDir = process.env.MIGRATABLE_SHARED ?? resolve(repoRoot, '../shared');
export const referenceDir = resolve(sharedDir, 'reference');
export const fixturesDir = resolve(sharedDir, 'fixtures/cpuinfo');
