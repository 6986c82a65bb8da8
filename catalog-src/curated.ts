/** The curated fact files in catalog-src/ (each citing its source), read by the stages that use them. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** catalog-src/<file> parsed as JSON. */
export function curated<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(join(here, file), 'utf8')) as T;
}

/** A curated object without its `$comment` (and other `$` keys): the facts only. */
export function facts<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('$'))) as T;
}

export const CATALOG_SRC = here;
