/**
 * The import layers (README, "How it is built") are enforced by `npm run lint`: a synthetic upward
 * import, linted with the project's own ESLint config as if it were a file in src/, is an error.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'migratable/layers').map((m) => m.message);
}

describe('import layers', () => {
  it('refuses an import from the engine up into a reader, an emitter, the Proxmox wing, the CLI or the dashboard', async () => {
    const file = 'src/engine/synthetic.ts';
    for (const [spec, layer] of [
      ['../sources/vm/pve.js', 'sources'],
      ['../emitters/pve.js', 'emitters'],
      ['../proxmox/plan/plan.js', 'proxmox'],
      ['../cli/inputs.js', 'cli'],
      ['../web/server/api.js', 'web/server'],
      ['../fleet/inventory/index.js', 'fleet'],
    ]) {
      const errors = await layerErrors(file, `import { x } from '${spec}';\nexport const y = x;\n`);
      expect(errors, spec).toEqual([expect.stringContaining(`src/engine may not import src/${layer}`)]);
    }
  });

  it('sees type-only imports, re-exports and import() too', async () => {
    const file = 'src/engine/rules/synthetic.ts';
    const code = [
      "import type { Plan } from '../../proxmox/plan/types.js';",
      "export { emitPve } from '../../emitters/pve.js';",
      "export const load = () => import('../../sources/index.js');",
      'export type P = Plan;',
      '',
    ].join('\n');
    expect(await layerErrors(file, code)).toHaveLength(3);
  });

  it('lets each layer import what the README allows', async () => {
    const ok: Array<[string, string]> = [
      ['src/engine/synthetic.ts', '../catalog/index.js'],
      ['src/engine/synthetic.ts', '../formats/qemu-cpu.js'],
      ['src/engine/synthetic.ts', '../errors.js'],
      ['src/emitters/synthetic.ts', '../engine/types.js'],
      ['src/sources/vm/synthetic.ts', '../../catalog/dependencies.js'],
      ['src/proxmox/plan/synthetic.ts', '../../emitters/pve.js'],
      ['src/proxmox/plan/synthetic.ts', '../../engine/migration.js'],
      ['src/cli/run/synthetic.ts', '../../proxmox/plan/plan.js'],
      ['src/catalog/synthetic.ts', '../../data/kvm.json'],
    ];
    for (const [file, spec] of ok)
      expect(await layerErrors(file, `import x from '${spec}';\nexport default x;\n`), `${file} -> ${spec}`).toEqual(
        [],
      );
  });

  it('keeps readers below the engine, the emitters below the wing and the wing below the CLI', async () => {
    const refused: Array<[string, string]> = [
      ['src/sources/synthetic.ts', '../engine/baseline.js'],
      ['src/formats/synthetic.ts', '../sources/index.js'],
      ['src/emitters/synthetic.ts', '../proxmox/commands.js'],
      ['src/fleet/ssh/synthetic.ts', '../../proxmox/api/index.js'],
      ['src/proxmox/plan/synthetic.ts', '../../cli/inputs.js'],
      ['src/proxmox/plan/synthetic.ts', '../../web/server/api.js'],
      ['src/errors-synthetic.ts', './engine/types.js'],
      ['src/engine/synthetic.ts', '../../test/helpers/paths.js'],
    ];
    for (const [file, spec] of refused)
      expect(
        await layerErrors(file, `import x from '${spec}';\nexport default x;\n`),
        `${file} -> ${spec}`,
      ).toHaveLength(1);
  });

  it('keeps Node out of the browser: no node: modules or Node-only src modules in the engine or the dashboard UI', async () => {
    expect(
      await layerErrors('src/engine/synthetic.ts', "import { readFileSync } from 'node:fs';\nreadFileSync;\n"),
    ).toEqual([expect.stringContaining('runs in the browser too')]);
    expect(await layerErrors('src/web/ui/synthetic.ts', "import { x } from '../../sources/files.js';\nx;\n")).toEqual([
      expect.stringContaining('Node-only src/sources/files.js'),
    ]);
    expect(
      await layerErrors('src/web/ui/synthetic.ts', "import { x } from '../../proxmox/apply/index.js';\nx;\n"),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        'src/web/ui/synthetic.ts',
        "import type { PlanJson } from '../../proxmox/plan/json.js';\nexport type P = PlanJson;\n",
      ),
    ).toEqual([]);
    expect(await layerErrors('src/web/server/synthetic.ts', "import { x } from '../ui/store.js';\nx;\n")).toHaveLength(
      1,
    );
  });
});
