/**
 * Pasted host data and VM configs (POST /api/profiles, /api/check): the whole request, from JSON
 * text to profiles or VMs. Pure, so it can run in the parse worker and leave the server's event
 * loop to other clients.
 */
import { z } from 'zod';
import { errorLine, InputError } from '../../../errors.js';
import type { HostProfile } from '../../../profile/host-profile.js';
import { readProfilesFromText } from '../../../sources/index.js';
import { readVmsFromText } from '../../../sources/vm/index.js';
import type { VmCpu } from '../../../profile/vm-cpu.js';

export const ProfilesRequestSchema = z.object({ text: z.string(), name: z.string().min(1).optional() }).strict();
export const CheckRequestSchema = z.object({ text: z.string(), hosts: z.array(z.string()).optional() }).strict();

export type PasteKind = 'profiles' | 'check';
export type PasteResult =
  { kind: 'profiles'; hosts: HostProfile[] } | { kind: 'check'; vms: VmCpu[]; hosts?: string[] } | { error: string };

function parseJson<T>(body: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    throw new InputError('body', `invalid JSON: ${errorLine(e)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue.path.join('.') || 'body', issue.message);
  }
  return parsed.data;
}

/** Never throws: bad input comes back as { error } with one line. */
export function parsePaste(kind: PasteKind, body: string): PasteResult {
  try {
    if (kind === 'profiles') {
      const req = parseJson(body, ProfilesRequestSchema);
      const name = req.name ?? 'pasted';
      return { kind, hosts: readProfilesFromText(req.text, name, name) };
    }
    const req = parseJson(body, CheckRequestSchema);
    return { kind, vms: readVmsFromText(req.text, 'vm', 'vm'), ...(req.hosts ? { hosts: req.hosts } : {}) };
  } catch (e) {
    return { error: errorLine(e) };
  }
}
