/**
 * The HA files have one reader (src/proxmox/config/ha.ts): plan, targets and the guardrails see the
 * same rules, groups and resources. Each case here is an input the guardrails once read with a
 * looser parser of their own and saw differently from plan; the expected answer is pve-ha-manager's
 * (5.2.0, b71218f) with pve-common 9.2.1 (f665029) SectionConfig.pm parse_config/check_value: a
 * value that fails its schema is dropped (a list with one bad entry is dropped whole), a section then
 * missing a required option is skipped, and section types are lower-cased (Rules.pm, Groups.pm and
 * Resources.pm parse_section_header all take lc($1)).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEtcPve } from '../src/proxmox/config/etc-pve.js';
import { parseHaGroups, parseHaResources, parseHaRules } from '../src/proxmox/config/ha.js';
import { computeGuardrails } from '../src/proxmox/ha/guardrails.js';
import { readProfileInputs } from '../src/sources/files.js';
import { clusterHostsDir, etcPveCopy } from './helpers/pve-cluster.js';

const hosts = readProfileInputs([clusterHostsDir()]);
const haText = (dir: string, f: string) => readFileSync(join(dir, 'ha', f), 'utf8');

/** The guardrails over pve9's rules.cfg with `edit` applied; the VM of interest is vm:101 (cpu: host). */
function guardPve9(edit: (rules: string) => string) {
  const base = etcPveCopy('pve9');
  const rules = edit(haText(base, 'rules.cfg'));
  const g = computeGuardrails({
    cluster: readEtcPve(base),
    hosts,
    files: { rules, groups: null, resources: haText(base, 'resources.cfg') },
  });
  return { g, rules, v101: g.vms.find((v) => v.sid === 'vm:101')! };
}

describe('one reader for the HA files: the guardrails see what plan sees', () => {
  it('`disable` with a value that is no boolean is dropped: the rule stays in force', () => {
    const notes: string[] = [];
    const edit = (t: string) => t.replace('\tstrict 1\n', '\tstrict 1\n\tdisable maybe\n');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg', notes)[0]).toMatchObject({
      id: 'intel-only',
      disabled: false,
    });
    expect(notes.join('\n')).toMatch(/unable to parse value of 'disable'/);
    const { g, v101 } = guardPve9(edit);
    expect(v101.allowedBefore).toEqual(['pve1', 'pve2']);
    expect(v101).toMatchObject({ status: 'guarded', allowedAfter: ['pve1'] });
    // Rewritten, the rule is not turned into a disabled one
    const after = g.files.find((f) => f.name === 'rules.cfg')!.after;
    expect(after).not.toMatch(/^\tdisable 1$/m);
  });

  it('a node list with one bad entry is dropped whole, so the rule is skipped: it places nothing', () => {
    const edit = (t: string) => t.replace('nodes pve1:2,pve2', 'nodes pve1:2,pve2,bad_node');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg')).toEqual([]);
    const { v101 } = guardPve9(edit);
    expect(v101.allowedBefore).toEqual(['pve1', 'pve2', 'pve3']);
    expect(v101.holder).not.toBe('intel-only');
  });

  it('a resource list with one bad entry is dropped whole, so the rule is skipped', () => {
    const edit = (t: string) => t.replace('resources vm:101,vm:103', 'resources vm:101,vm:103,104');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg')).toEqual([]);
    expect(guardPve9(edit).v101.allowedBefore).toEqual(['pve1', 'pve2', 'pve3']);
  });

  it('a node named twice counts once, with its last priority (NodeAffinity.pm decode_plugin_value: a hash)', () => {
    const edit = (t: string) => t.replace('nodes pve1:2,pve2', 'nodes pve1:2,pve2,pve1:2');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg')[0]).toMatchObject({
      nodes: [
        { node: 'pve1', priority: 2 },
        { node: 'pve2', priority: 0 },
      ],
    });
    const { g } = guardPve9(edit);
    const after = g.files.find((f) => f.name === 'rules.cfg')!.after;
    expect(after).toMatch(/origin=rule\/intel-only\/strict\/pve1%3A2,pve2\n/);
  });

  it('a rule with an invalid id is skipped (pve_verify_configid), by plan and guardrails alike', () => {
    const edit = (t: string) => t.replace('node-affinity: intel-only', 'node-affinity: 9intel');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg')).toEqual([]);
    expect(guardPve9(edit).v101.allowedBefore).toEqual(['pve1', 'pve2', 'pve3']);
  });

  it('section types are read case-insensitively in groups.cfg and resources.cfg, as in rules.cfg', () => {
    const notes: string[] = [];
    const groups = parseHaGroups('Group: intel\n\tnodes pve1:2,pve2\n\trestricted 1\n', 'groups.cfg', notes);
    expect(groups.map((g) => g.id)).toEqual(['intel']);
    const resources = parseHaResources('VM: 101\n\tgroup intel\n\nCT: 200\n', 'resources.cfg', notes);
    expect(resources.map((r) => r.sid)).toEqual(['vm:101', 'ct:200']);
    expect(notes).toEqual([]);
    // And plan reads such a cluster the way the guardrails do
    const dir = mkdtempSync(join(tmpdir(), 'ha-one-reader-'));
    cpSync(etcPveCopy('pve8'), dir, { recursive: true });
    writeFileSync(join(dir, 'ha/groups.cfg'), haText(dir, 'groups.cfg').replace('group: intel', 'Group: intel'));
    const cluster = readEtcPve(dir);
    expect(cluster.ha.groups.map((g) => g.id)).toEqual(['intel']);
    const g = computeGuardrails({
      cluster,
      hosts,
      files: { rules: null, groups: haText(dir, 'groups.cfg'), resources: haText(dir, 'resources.cfg') },
    });
    expect(g.mode).toBe('groups');
    expect(g.vms.find((v) => v.sid === 'vm:101')!.allowedBefore).toEqual(['pve1', 'pve2']);
  });

  it('a resource whose name is no VMID is skipped (Resources/PVEVM.pm verify_name)', () => {
    const notes: string[] = [];
    expect(parseHaResources('vm: 0101\n\nvm: 101\n', 'resources.cfg', notes).map((r) => r.sid)).toEqual(['vm:101']);
    expect(notes.join('\n')).toMatch(/resources.cfg line 1: .*'0101'.*invalid VMID/);
  });
});

describe('bare boolean keys (SectionConfig.pm check_value: a boolean without a value is 1)', () => {
  it('a bare `strict` makes the rule strict for the guardrails as for plan', () => {
    const edit = (t: string) => t.replace('\tstrict 1\n', '\tstrict\n');
    expect(parseHaRules(edit(haText(etcPveCopy('pve9'), 'rules.cfg')), 'rules.cfg')[0]).toMatchObject({ strict: true });
    expect(guardPve9(edit).v101.allowedBefore).toEqual(['pve1', 'pve2']);
  });

  it("a bare `nofailback` stays set on the admin's group's successor", () => {
    const base = etcPveCopy('pve8');
    const groups = haText(base, 'groups.cfg').replace('\tnofailback 0\n', '\tnofailback\n');
    const g = computeGuardrails({
      cluster: readEtcPve(base),
      hosts,
      files: { rules: null, groups, resources: haText(base, 'resources.cfg') },
    });
    const after = g.files.find((f) => f.name === 'groups.cfg')!.after;
    expect(after).toMatch(/^group: migratable-cpu-1\n.*\n\tnodes pve1\n\tnofailback 1\n\trestricted 1\n/m);
    expect(after).toMatch(/^group: intel\n\tnodes pve1:2,pve2\n\tnofailback\n\trestricted 1\n/m); // untouched
  });
});

it('a resource naming a group by an invalid id has no group (Resources.pm group: pve-configid)', () => {
  const notes: string[] = [];
  expect(parseHaResources('vm: 101\n\tgroup 1intel\n', 'resources.cfg', notes)).toEqual([
    { sid: 'vm:101', state: 'started' },
  ]);
  expect(notes.join('\n')).toMatch(/unable to parse value of 'group'/);
});
