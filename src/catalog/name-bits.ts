/**
 * Names interned as bit positions: a set of catalog features or Linux flags becomes a few 32-bit
 * words, so the rules that turn one host's flags into what KVM offers test and set bits instead of
 * hashing strings into Sets (a fleet has hundreds of CPU variants, each evaluated this way).
 */
export type Bits = Uint32Array;

export class NameBits {
  readonly names: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly words: number;

  /** `names` in any order, duplicates ignored; positions follow first appearance. */
  constructor(names: Iterable<string>) {
    const list: string[] = [];
    for (const n of names)
      if (!this.index.has(n)) {
        this.index.set(n, list.length);
        list.push(n);
      }
    this.names = list;
    this.words = (list.length + 31) >>> 5;
  }

  /** The position of a name, or -1 for a name outside the set of names. */
  of(name: string): number {
    return this.index.get(name) ?? -1;
  }

  empty(): Bits {
    return new Uint32Array(this.words);
  }

  /** Bits of the known names among `names` (the others cannot be referred to, so they are left out). */
  from(names: Iterable<string>): Bits {
    const b = this.empty();
    for (const n of names) {
      const i = this.of(n);
      if (i >= 0) setBit(b, i);
    }
    return b;
  }

  /** The names whose bits are set, in position order. */
  toNames(b: Bits): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.names.length; i++) if (hasBit(b, i)) out.push(this.names[i]);
    return out;
  }
}

export const hasBit = (b: Bits, i: number): boolean => i >= 0 && (b[i >>> 5] & (1 << (i & 31))) !== 0;
export const setBit = (b: Bits, i: number): void => {
  if (i >= 0) b[i >>> 5] |= 1 << (i & 31);
};
export const clearBit = (b: Bits, i: number): void => {
  if (i >= 0) b[i >>> 5] &= ~(1 << (i & 31));
};
