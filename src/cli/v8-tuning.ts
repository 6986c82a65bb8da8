/**
 * Imported first by the CLI entry: V8's defaults suit long-lived pages, where hot code earns its
 * optimizing compile back. A CLI run is over in well under a second for a typical fleet, and
 * TurboFan's background compiles of functions that are merely warm cost more CPU than they save:
 * `baseline` over 4,000 cpuinfo files took about 110 ms less CPU (of 560) and 40,000 about 65 ms
 * less with a 4x later tier-up and smaller inlining (bench/fleet.ts, Node 20). Set only on the V8
 * measured (an unknown flag makes V8 print to stdout, which would corrupt JSON output).
 * Node's compile cache (module.enableCompileCache) stays off: its default home is the shared temp
 * directory, and root must not load V8 code cache another user could plant there.
 */
import nodeModule from 'node:module';

const command = process.argv[2];
/**
 * `serve` is the one command that runs for long: its hot paths should be optimized as V8 would (with
 * the tuning, 20 dashboard clients got half the answers per second: bench/web-load.ts). `--version`
 * and `--help` run no code worth it, and loading node:v8 would be a tenth of their time.
 */
const oneShot = command !== undefined && command !== 'serve' && !command.startsWith('-');

if (oneShot && process.versions.v8.split('.')[0] === '11') {
  const v8 = nodeModule.createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--interrupt-budget=270000 --max-inlined-bytecode-size=100');
}
