import { InputError } from '../errors.js';
import { HostProfileSchema, type HostProfile } from '../profile/host-profile.js';
import { canonicalFeature } from '../catalog/index.js';
import { looksLikeJson, parseJsonDocuments } from './json-docs.js';
import type { Reader } from './reader.js';

/** Our own HostProfile JSON: one object or an array of them, validated against the schema. */
export const profileJsonReader: Reader = {
  format: 'host-profile',
  describe: 'migratable HostProfile JSON (schemaVersion 1), one object or an array',
  detect: (text) => looksLikeJson(text) && /"schemaVersion"\s*:/.test(text),
  read(text, where) {
    const docs = parseJsonDocuments(text, where).flatMap((d) => (Array.isArray(d) ? d : [d]));
    return docs.map((d, i) => {
      const r = HostProfileSchema.safeParse(d);
      if (!r.success) {
        const issue = r.error.issues[0] as {
          path: PropertyKey[];
          code: string;
          expected?: string;
          message: string;
          keys?: string[];
        };
        const what =
          issue.code === 'invalid_type'
            ? `expected ${issue.expected}`
            : issue.code === 'unrecognized_keys'
              ? `unknown field(s) ${issue.keys?.join(', ')}`
              : issue.message;
        throw new InputError(where, `profile ${i + 1}: ${issue.path.join('.') || '(root)'}: ${what}`);
      }
      const unknown = r.data.features.filter((f) => canonicalFeature(f) !== f);
      if (unknown.length)
        throw new InputError(
          where,
          `profile "${r.data.name}": unknown feature name(s) ${unknown.slice(0, 5).join(' ')}`,
        );
      return r.data as HostProfile;
    });
  },
};
