/**
 * One Linux release's KVM_GET_SUPPORTED_CPUID, per vendor module, as a condition per CPUID bit:
 * read from arch/x86/kvm/cpuid.c (the kvm_set_cpu_caps lists of 5.7+, the `*_x86_features` masks
 * of 4.15-5.4), the kvm_cpu_cap_set/clear/check_and_set calls and `entry->reg |=`/`&= ~` edits with
 * their guarding ifs, and the svm/vmx set_cpu_caps excerpts.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { statementsOf, type Statement } from './c-walk.js';
import { resolve, vendorReturns, type Assumption, type ConditionContext } from './conditions.js';
import { and, FALSE, lit, not, or, TRUE, type Dnf } from './dnf.js';
import { readHeaders, type CpuidLocation, type LinuxBit, type LinuxHeaders } from './linux-headers.js';

export type Vendor = 'intel' | 'amd';

export interface BitOffer {
  location: CpuidLocation & { bit: number };
  /** Linux's name(s) for the bit */
  names: string[];
  offer: Dnf;
  /** file:line of every statement that decided it */
  src: string[];
}

export interface ReleaseOffer {
  release: string;
  vendors: Record<Vendor, Map<string, BitOffer>>;
  /** Conditions no rule resolved (treated conservatively) */
  unknown: string[];
}

export interface Curated {
  assumptions: Record<string, Assumption>;
  /** Names in `0 /* ... *\/` comments that are not cpufeatures.h names */
  commentNames: Record<string, string>;
  /** KVM_FEATURE_* -> bit in leaf 0x40000001 EAX (uapi kvm_para.h) */
  kvmFeatureBits: Record<string, number>;
}

const CPUID_FUNCS = ['kvm_set_cpu_caps', 'do_cpuid_7_mask', '__do_cpuid_func', '__do_cpuid_ent', 'do_cpuid_1_ent'];
const VENDOR_FUNCS: Record<Vendor, string[]> = {
  intel: ['vmx_set_cpu_caps', 'vmx_set_supported_cpuid'],
  amd: ['svm_set_cpu_caps', 'sev_set_cpu_caps', 'svm_set_supported_cpuid'],
};

export const locKey = (l: CpuidLocation & { bit: number }) =>
  `${l.leaf.toString(16)}.${l.subleaf}.${l.register}.${l.bit}`;

/** "8000_0001_edx" / "7_0_ebx" / "D_1_eax" (old *_x86_features variable names) to a location. */
function oldStyleWord(tag: string): CpuidLocation {
  const parts = tag.split('_');
  const register = parts.pop() as CpuidLocation['register'];
  if (parts.length === 2 && parts[0].length === 4 && parts[1].length === 4)
    return { leaf: parseInt(parts.join(''), 16), subleaf: 0, register };
  return { leaf: parseInt(parts[0], 16), subleaf: Number(parts[1] ?? 0), register };
}

interface ReleaseFiles {
  cpuid: string;
  headers: LinuxHeaders;
  vendor: Record<Vendor, string>;
}

function readRelease(dir: string): ReleaseFiles {
  const f = (p: string) => readFileSync(join(dir, p), 'utf8');
  const kvmHeaders = ['arch/x86/kvm/cpuid.h', 'arch/x86/kvm/reverse_cpuid.h'].filter((p) => existsSync(join(dir, p)));
  return {
    cpuid: f('arch/x86/kvm/cpuid.c'),
    headers: readHeaders(f('arch/x86/include/asm/cpufeatures.h'), kvmHeaders.map(f)),
    vendor: { intel: f('vmx_set_cpu_caps.c'), amd: f('svm_set_cpu_caps.c') },
  };
}

/** Builds the per-bit conditions for one vendor, statement by statement in source order. */
class OfferBuilder {
  readonly bits = new Map<string, BitOffer>();
  private readonly vars = new Map<string, { name: string; cond: string | null }>();
  constructor(
    private readonly headers: LinuxHeaders,
    private readonly curated: Curated,
    private readonly ctx: ConditionContext,
  ) {}

  private bitOf(name: string, word: CpuidLocation | null): LinuxBit['location'] {
    const b = this.headers.bits.get(name);
    if (!b) return null;
    // Listed bits sit in the word being built (0x80000001 EDX lists 0x1 EDX names); KVM-only bits keep their place
    if (word && !b.kvmWord && b.value !== null) return { ...word, bit: b.value % 32 };
    return b.location;
  }

  private entry(name: string, loc: LinuxBit['location']): BitOffer | null {
    if (!loc) return null;
    const k = locKey(loc);
    const e = this.bits.get(k) ?? { location: loc, names: [], offer: FALSE, src: [] };
    if (!e.names.includes(name)) e.names.push(name);
    this.bits.set(k, e);
    return e;
  }

  private guard(conds: string[], pessimistic: boolean): Dnf {
    return conds.map((c) => resolve(c, this.ctx, pessimistic)).reduce(and, TRUE);
  }

  /** A mask list: F(X), EMULATED_F(X), ..., `0 /* X, Y *\/`, f_var. */
  list(text: string, word: CpuidLocation, where: string): void {
    for (const m of text.matchAll(/\b([A-Z0-9_]*F)\((\w+)\)/g)) {
      const [, kind, name] = m;
      const e = this.entry(name, this.bitOf(name, word));
      if (!e) continue;
      const shown = this.headers.bits.get(name)?.cpuinfo;
      // SYNTHESIZED_F: the host kernel's own flag, even where the raw CPUID bit is absent
      const offer =
        kind === 'EMULATED_F'
          ? TRUE
          : kind === 'VENDOR_F' || kind === 'RUNTIME_F'
            ? FALSE
            : kind === 'SYNTHESIZED_F' && shown
              ? lit(`flag:${shown}`)
              : lit('host');
      e.offer = offer;
      e.src.push(where);
    }
    for (const m of text.matchAll(/\bf_(\w+)\b/g)) {
      const v = this.vars.get(`f_${m[1]}`);
      if (!v) continue;
      const e = this.entry(v.name, this.bitOf(v.name, word));
      if (!e) continue;
      e.offer = v.cond ? and(lit('host'), resolve(v.cond, this.ctx, true)) : lit('host');
      e.src.push(where);
    }
    for (const m of text.matchAll(/\/\*([^*]*)\*\//g))
      for (const raw of m[1].split(/[,\s]+/)) {
        const tok = raw.replace(/[^A-Za-z0-9_-]/g, '');
        const name = this.curated.commentNames[tok] ?? tok.toUpperCase().replace(/-/g, '_');
        const loc = this.headers.bits.has(name) ? this.bitOf(name, word) : null;
        if (!loc || loc.leaf !== word.leaf || loc.register !== word.register) continue;
        const e = this.entry(name, loc);
        if (e && !e.src.length) e.src.push(`${where} (comment)`);
      }
  }

  /** `unsigned f_nx = is_efer_nx() ? F(NX) : 0;` */
  variable(text: string): void {
    const m = /\b(f_\w+)\s*=\s*(?:(.+?)\s*\?\s*)?F\((\w+)\)\s*(?::\s*0\s*)?;/s.exec(text);
    if (m && !this.vars.has(m[1])) this.vars.set(m[1], { name: m[3], cond: m[2]?.trim() ?? null });
  }

  edit(op: 'set' | 'clear' | 'check_and_set', name: string, conds: string[], where: string, cond?: string): void {
    const e = this.entry(name, this.bitOf(name, null));
    if (!e) return;
    const all = cond ? [...conds, cond] : conds;
    if (op === 'clear') e.offer = and(e.offer, not(this.guard(all, false)));
    else if (op === 'set') e.offer = or(e.offer, this.guard(all, true));
    else e.offer = or(e.offer, and(lit('host'), this.guard(all, true)));
    e.src.push(where);
  }

  kvmLeaf(name: string, conds: string[], where: string): void {
    const bit = this.curated.kvmFeatureBits[name];
    if (bit === undefined) return;
    const loc = { leaf: 0x40000001, subleaf: 0, register: 'eax' as const, bit };
    const e = this.entry(`KVM_FEATURE_${name}`, loc)!;
    e.offer = or(e.offer, this.guard(conds, true));
    e.src.push(where);
  }

  /**
   * Bits written as numbers inside a `case LEAF:` (4.15-5.4): `entry->ecx |= (1 << 2); /* Set SVM bit *\/`
   * sets a bit, `entry->edx &= (1 << 8);` keeps only the host's bit (invariant TSC).
   */
  private rawBit(s: Statement, where: string): boolean {
    const m = /^entry->(e[a-d]x)\s*(\|=|&=)\s*\(1 << (\d+)\)\s*;/.exec(s.text);
    const leafCase = [...s.conds].reverse().find((c) => /^case 0x[0-9a-fA-F]+$/.test(c));
    if (!m || !leafCase) return false;
    const loc = { leaf: parseInt(leafCase.slice(5), 16), subleaf: 0, register: m[1] as 'eax', bit: Number(m[3]) };
    const known = [...this.headers.bits.values()].find((b) => b.location && locKey(b.location) === locKey(loc));
    const e = this.entry(known?.name ?? `CPUID_${loc.leaf.toString(16)}_${m[1]}_${m[3]}`, loc)!;
    const guard = this.guard(s.conds, true);
    e.offer = m[2] === '|=' ? or(e.offer, guard) : and(lit('host'), guard);
    e.src.push(where);
    return true;
  }

  statement(s: Statement, file: string): void {
    const where = `${file}:${s.line}`;
    const t = s.text;
    let m = /^kvm_cpu_cap_(?:mask|init|init_kvm_defined|init_scattered)\s*\(\s*(CPUID_\w+)\s*,/.exec(t);
    if (m) {
      const word = this.headers.words.get(m[1]);
      if (word) this.list(t.slice(m[0].length), word, where);
      return;
    }
    m = /^const u32 kvm_cpuid_(\w+?)_x86_features\s*=/.exec(t);
    if (m) return this.list(t.slice(m[0].length), oldStyleWord(m[1]), where);
    if (/^unsigned\b/.test(t)) return this.variable(t);
    m = /^kvm_cpu_cap_(set|clear|check_and_set)\(X86_FEATURE_(\w+)\)/.exec(t);
    if (m) return this.edit(m[1] as 'set', m[2], s.conds, where);
    for (const k of t.matchAll(/1 << KVM_FEATURE_(\w+)/g))
      if (/^entry->eax\s*\|?=/.test(t)) this.kvmLeaf(k[1], s.conds, where);
    if (this.rawBit(s, where)) return;
    m = /^entry->e[a-d]x\s*(\|=|&=)\s*(~?)([^;]*);/.exec(t);
    if (!m || /KVM_FEATURE_/.test(t)) return;
    for (const f of m[3].matchAll(/\b(?:F|bit)\(X86_FEATURE_(\w+)\)|\bF\((\w+)\)|\b(f_\w+)\b/g)) {
      const v = f[3] ? this.vars.get(f[3]) : null;
      if (f[3] && (!v || !v.cond)) continue; // f_la57 = entry->ecx & F(LA57): the list already has it
      const name = v ? v.name : (f[1] ?? f[2]);
      this.edit(m[1] === '|=' ? 'set' : 'clear', name, s.conds, where, v?.cond ?? undefined);
    }
  }
}

export function readLinuxRelease(dir: string, release: string, curated: Curated): ReleaseOffer {
  const files = readRelease(dir);
  const unknown = new Set<string>();
  const vendors = {} as ReleaseOffer['vendors'];
  for (const vendor of ['intel', 'amd'] as Vendor[]) {
    const ctx: ConditionContext = {
      headers: files.headers,
      assumptions: curated.assumptions,
      vendorReturns: vendorReturns(files.vendor[vendor]),
      vendorPrefix: vendor === 'intel' ? 'vmx' : 'svm',
      capHas: () => null,
      unknown,
    };
    const b = new OfferBuilder(files.headers, curated, ctx);
    ctx.capHas = (name) => {
      const loc = files.headers.bits.get(name)?.location;
      return loc ? (b.bits.get(locKey(loc))?.offer ?? FALSE) : null;
    };
    for (const s of statementsOf(files.cpuid, CPUID_FUNCS)) b.statement(s, 'cpuid.c');
    const vfile = vendor === 'intel' ? 'vmx_set_cpu_caps.c' : 'svm_set_cpu_caps.c';
    for (const s of statementsOf(files.vendor[vendor], VENDOR_FUNCS[vendor])) b.statement(s, vfile);
    vendors[vendor] = b.bits;
  }
  return { release, vendors, unknown: [...unknown].sort() };
}
