import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostProfileSchema, hostProfileJsonSchema } from '../src/profile/host-profile.js';
import { fixtureProfiles } from './helpers/fixtures.js';
import { repoRoot } from './helpers/paths.js';

describe('HostProfile JSON Schema', () => {
  it('the published schema is the one the readers validate with (npm run gen:schema)', () => {
    const published = JSON.parse(readFileSync(join(repoRoot, 'schema/host-profile.v1.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(hostProfileJsonSchema())));
    expect(published.properties.schemaVersion).toEqual({ type: 'number', const: 1 });
    for (const k of ['name', 'vendor', 'features', 'exact', 'source', 'physBits', 'collectedAt'])
      expect(published.required).toContain(k);
  });

  it('every profile the readers make is valid, and round-trips through JSON', () => {
    for (const p of fixtureProfiles()) {
      const again = HostProfileSchema.parse(JSON.parse(JSON.stringify(p)));
      expect(again).toEqual(p);
    }
  });
});
