import { homedir } from 'node:os';
import { join } from 'node:path';

/** $XDG_DATA_HOME/migratable/inventory.db, the XDG default being ~/.local/share. */
export function defaultInventoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'migratable', 'inventory.db');
}
