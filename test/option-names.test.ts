/**
 * One meaning per option name: every long option of every command, enumerated from the CLI's own
 * definitions, has one flags string and one description across all commands. The old spellings a
 * command still accepts (OLD_SPELLINGS) are hidden, set the new option, and are documented in the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../src/cli/commands/index.js';
import { OLD_SPELLINGS } from '../src/cli/options.js';
import { repoRoot } from './helpers/paths.js';

interface Definition {
  command: string;
  flags: string;
  description: string;
  hidden: boolean;
}

function definitions(program: Command): Map<string, Definition[]> {
  const byLong = new Map<string, Definition[]>();
  const walk = (cmd: Command, path: string) => {
    for (const o of cmd.options) {
      if (!o.long) continue;
      const list = byLong.get(o.long) ?? [];
      list.push({ command: path, flags: o.flags, description: o.description, hidden: o.hidden });
      byLong.set(o.long, list);
    }
    for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`.trim());
  };
  walk(program, '');
  return byLong;
}

/** Long names whose visible definitions differ between commands, with each differing definition. */
function conflicts(program: Command): string[] {
  const out: string[] = [];
  for (const [long, defs] of definitions(program)) {
    const meanings = new Set(defs.filter((d) => !d.hidden).map((d) => `${d.flags} :: ${d.description}`));
    if (meanings.size > 1) out.push(`${long}: ${[...meanings].join(' | ')}`);
  }
  return out;
}

const cliProgram = () => {
  const program = new Command();
  registerCommands(program);
  return program;
};

describe('one meaning per option name', () => {
  it('every long option has one definition across all commands', () => {
    const byLong = definitions(cliProgram());
    expect(byLong.size).toBeGreaterThan(40);
    expect(conflicts(cliProgram())).toEqual([]);
  });

  it('the check bites: a command defining --pve as a release is reported', () => {
    const program = cliProgram();
    program.command('fixture').option('--pve <major>', 'Proxmox VE release: 7, 8 or 9');
    expect(conflicts(program)).toEqual([
      expect.stringMatching(/^--pve: --pve <url> :: read the cluster .* \| --pve <major> :: Proxmox VE release/),
    ]);
    const wording = cliProgram();
    wording.command('fixture').option('--json', 'print the report as JSON');
    expect(conflicts(wording)).toEqual([expect.stringMatching(/^--json: /)]);
  });

  it('hidden options are exactly the old spellings', () => {
    const hidden = [...definitions(cliProgram())].flatMap(([long, defs]) =>
      defs.filter((d) => d.hidden).map((d) => `${d.command} ${long}`),
    );
    expect(hidden.sort()).toEqual(OLD_SPELLINGS.map(({ command, old }) => `${command} ${old.split(' ')[0]}`).sort());
  });
});

describe('old spellings', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

  for (const { command, old, now } of OLD_SPELLINGS) {
    const oldLong = old.split(' ')[0];
    it(`${command} ${oldLong} sets ${now}, and the README names it`, () => {
      const program = cliProgram().exitOverride();
      const cmd = program.commands.find((c) => c.name() === command)!;
      cmd.exitOverride();
      let seen: Record<string, unknown> = {};
      cmd.action(function (this: Command) {
        seen = this.opts();
      });
      const positional = cmd.registeredArguments.filter((a) => a.required).map(() => 'x');
      program.parse([command, ...positional, oldLong, '101', oldLong, '102'], { from: 'user' });
      const target = cmd.options.find((o) => o.long === now)!;
      const repeatable = target.parseArg !== undefined;
      expect(seen[target.attributeName()]).toEqual(repeatable ? ['101', '102'] : '102');
      expect(readme).toContain(`| \`${command}\` | \`${oldLong}\` | \`${now}\``);
    });
  }
});
