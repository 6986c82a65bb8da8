/**
 * `serve --inventory DB`: the newest profile of every host, and /api/drift from the snapshot history
 * (read per request, so a scan running beside the server shows up on reload). Node-only.
 */
import type { HostProfile } from '../../profile/host-profile.js';
import { driftFromSnapshots, type DriftSource } from '../common/drift.js';

export interface InventoryView {
  hosts: HostProfile[];
  drift: DriftSource;
  close(): void;
}

export async function openInventoryDrift(path: string): Promise<InventoryView> {
  // Loaded only when asked for: better-sqlite3 is a native module the plain dashboard never needs
  const { openInventory } = await import('../../fleet/inventory/index.js');
  const inv = openInventory(path, { readOnly: true });
  return {
    hosts: inv.latestProfiles(),
    drift: () => ({
      ...driftFromSnapshots(
        inv.history().map((s) => ({ host: s.host, collectedAt: s.collectedAt, features: s.features })),
      ),
      verifications: inv.verifications(),
    }),
    close: () => inv.close(),
  };
}
