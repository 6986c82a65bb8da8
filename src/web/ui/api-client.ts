/** The few server calls the UI makes; with a token (page opened as ?token=...) each one carries it. */
import type { PlanJson } from '../../proxmox/plan/json.js';
import type { ApiError, DriftResponse, HostsResponse } from '../common/api-types.js';

const token = new URLSearchParams(location.search).get('token');

async function get<T>(path: string): Promise<{ ok: true; value: T } | { ok: false; status: number; error: string }> {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({ error: res.statusText }))) as ApiError;
    return { ok: false, status: res.status, error: body.error };
  }
  return { ok: true, value: (await res.json()) as T };
}

export const fetchHosts = () => get<HostsResponse>('/api/hosts');
export const fetchDrift = () => get<DriftResponse>('/api/drift');
export const fetchPlan = () => get<PlanJson>('/api/plan');
