/** The few server calls the UI makes; with a token (page opened as ?token=...) each one carries it. */
import type { PlanJson } from '../../proxmox/plan/json.js';
import type { ApiError, DriftResponse, HostsResponse } from '../common/api-types.js';

const token = new URLSearchParams(location.search).get('token');

export async function get<T>(
  path: string,
): Promise<{ ok: true; value: T } | { ok: false; status: number; error: string }> {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({ error: res.statusText }))) as ApiError;
    return { ok: false, status: res.status, error: body.error };
  }
  return { ok: true, value: (await res.json()) as T };
}

/** A JSON POST; the same reply shape as get(). */
export async function post<T>(
  path: string,
  body: unknown,
): Promise<{ ok: true; value: T } | { ok: false; status: number; error: string }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const err = (await res.json().catch(() => ({ error: res.statusText }))) as ApiError;
    return { ok: false, status: res.status, error: err.error };
  }
  return { ok: true, value: (await res.json()) as T };
}

export const fetchHosts = () => get<HostsResponse>('/api/hosts');
export const fetchDrift = () => get<DriftResponse>('/api/drift');
export const fetchPlan = () => get<PlanJson>('/api/plan');
