import type { Command } from 'commander';

/** Commands beyond the catalog; each lives in its own module. */
export function registerCommands(_program: Command): void {}
