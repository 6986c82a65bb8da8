/**
 * The generator's reference material (libvirt's x86 CPU map, the Linux cpufeatures table) lives outside
 * the repository: its folder comes from `--reference DIR`, else $MIGRATABLE_REFERENCE. Building, testing
 * and running never need it; only regenerating data/ does.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NEEDED = ['libvirt-cpu_map/index.xml', 'libvirt-cpu_map/SOURCE.md', 'linux-cpufeatures.tsv', 'linux-kvm'];

export function referenceDir(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--reference' || a.startsWith('--reference='));
  const given = i < 0 ? process.env.MIGRATABLE_REFERENCE : argv[i].includes('=') ? argv[i].slice(12) : argv[i + 1];
  const hint = `gen:catalog needs the reference folder (with ${NEEDED.join(' and ')}): npm run gen:catalog -- --reference DIR, or MIGRATABLE_REFERENCE=DIR`;
  if (!given) fail(hint);
  const dir = resolve(given);
  const missing = NEEDED.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) fail(`${dir}: no ${missing.join(', ')}. ${hint}`);
  return dir;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
