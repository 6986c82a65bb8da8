/**
 * Which /proc/cpuinfo flags each Linux release prints, from its arch/x86/include/asm/cpufeatures.h
 * (the reference's linux-kvm/linux-X.Y/, 13 releases 4.15-6.19; repository, commit and blob of each in
 * linux-kvm/SOURCE.md), and the flags the kernel sets by itself (catalog-src/linux-implied.json).
 * A flag's history is kept as steps: the first listed release from which it is shown or hidden, only
 * where that changes after the flag first appears shown (hidden from the start counts as a change:
 * spec_ctrl, printed by 4.16 and hidden since the 4.17 cleanup, is `""` in every listed release).
 */
import type { CpuinfoStep, KernelSetFlag, LinuxFlag } from '../src/catalog/types.js';
import { readCpufeatures } from './kvm-offer/linux-headers.js';

export interface ReleaseHeader {
  /** "4.19" */
  release: string;
  /** The text of that release's cpufeatures.h */
  cpufeatures: string;
}

/** cpuinfo flag name -> its visibility steps, for flags whose visibility ever differs from "shown". */
export function cpuinfoHistory(headers: ReleaseHeader[]): Map<string, CpuinfoStep[]> {
  const per = headers.map(({ release, cpufeatures }) => {
    const bits = [...readCpufeatures(cpufeatures).bits.values()];
    const shown = new Set(bits.flatMap((b) => (b.cpuinfo ? [b.cpuinfo] : [])));
    // A hidden bit is known by the name an old kernel printed for it: its define, lower-cased
    const hidden = new Set(
      bits.filter((b) => !b.cpuinfo && !shown.has(b.name.toLowerCase())).map((b) => b.name.toLowerCase()),
    );
    return { release, shown, hidden };
  });
  const names = new Set(per.flatMap((r) => [...r.shown, ...r.hidden]));
  const out = new Map<string, CpuinfoStep[]>();
  for (const name of [...names].sort()) {
    const steps: CpuinfoStep[] = [];
    let state: boolean | undefined;
    for (const r of per) {
      // gone from a later release: no longer printed
      const now = r.shown.has(name) ? true : r.hidden.has(name) ? false : state === undefined ? undefined : false;
      if (now === undefined || now === state) continue;
      if (!(state === undefined && now)) steps.push({ since: r.release, shown: now });
      state = now;
    }
    if (steps.length) out.set(name, steps);
  }
  return out;
}

/** catalog-src/linux-implied.json: flags Linux sets from other facts, whatever CPUID says. */
export interface LinuxImplied {
  flags: Array<KernelSetFlag & { flag: string }>;
}

/** Sets `cpuinfo` (history) and `setByKernel` on the flags they concern; throws on a name the table lacks. */
export function annotateLinuxFlags(
  flags: LinuxFlag[],
  history: Map<string, CpuinfoStep[]>,
  implied: LinuxImplied,
): void {
  const byName = new Map(flags.map((f) => [f.name, f]));
  for (const f of flags) {
    const steps = history.get(f.name);
    if (steps) f.cpuinfo = steps;
  }
  for (const { flag, ...rule } of implied.flags) {
    const f = byName.get(flag);
    if (!f) throw new Error(`linux-implied.json: ${flag} is not a Linux flag of the catalog`);
    for (const n of rule.anyOf)
      if (!byName.has(n)) throw new Error(`linux-implied.json: ${flag} names unknown flag ${n}`);
    f.setByKernel = rule;
  }
}
