/**
 * The session survives a reload: host choice, switched-off features, options, hosts added here and the
 * chosen format, in localStorage under a key of the server's host list (another cluster, another session).
 */
import type { HostProfile } from '../../profile/host-profile.js';
import { textKey } from './paste-split.js';
import type { Store } from './store.js';

interface Saved {
  deselected: string[];
  disabled: string[];
  allowTsx: boolean;
  qemu: string;
  name: string;
  added: HostProfile[];
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // disabled by policy: the page works, it only forgets
  }
}

export function sessionKey(serverHosts: HostProfile[]): string {
  return `migratable:${textKey(serverHosts.map((h) => h.name).join('\n'))}`;
}

/** Restores a saved session into the store (before the first render), then saves every change. */
export function keepSession(store: Store, key: string): void {
  const ls = storage();
  if (!ls) return;
  try {
    const saved = JSON.parse(ls.getItem(key) ?? 'null') as Saved | null;
    if (saved) {
      if (saved.added?.length) store.addHosts(saved.added, true);
      store.update((s) => {
        for (const n of saved.deselected ?? []) s.selected.delete(n);
        s.disabled = new Set(saved.disabled ?? []);
        s.allowTsx = !!saved.allowTsx;
        s.qemu = saved.qemu ?? '';
        s.name = saved.name ?? '';
      });
    }
  } catch {
    ls.removeItem(key); // unreadable: start afresh rather than fail
  }
  store.subscribe((s) => {
    const data: Saved = {
      deselected: s.hosts.filter((h) => !s.selected.has(h.name)).map((h) => h.name),
      disabled: [...s.disabled],
      allowTsx: s.allowTsx,
      qemu: s.qemu,
      name: s.name,
      added: s.hosts.filter((h) => s.added.has(h.name)),
    };
    try {
      ls.setItem(key, JSON.stringify(data));
    } catch {
      /* quota: the session is not kept, nothing else changes */
    }
  });
}
