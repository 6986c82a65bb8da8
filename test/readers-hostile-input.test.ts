/**
 * Hostile input for every reader: whatever comes in, a reader returns valid profiles or throws a
 * one-line InputError, quickly, and never expands an XML entity.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../src/errors.js';
import { HostProfileSchema } from '../src/profile/host-profile.js';
import { READERS, readProfilesFromText } from '../src/sources/index.js';
import type { Reader } from '../src/sources/reader.js';
import { fixturesDir, repoRoot } from './helpers/paths.js';

const fx = (p: string) => readFileSync(resolve(repoRoot, 'test/fixtures', p), 'utf8');
const SAMPLES: Record<string, string> = {
  cpuinfo: readFileSync(resolve(fixturesDir, 'Xeon-E5-2690-v4_broadwell.cpuinfo'), 'utf8'),
  lscpu: fx('lscpu/epyc-nested.lscpu.txt'),
  lscpuJson: fx('lscpu/epyc-nested.lscpu.json'),
  domcaps: fx('virsh/epyc-nested.domcapabilities.xml'),
  domcapsIntel: fx('virsh/xeon-e5-2690-v4.domcapabilities.xml'),
  caps: fx('virsh/epyc-nested.capabilities.xml'),
  cpuid: fx('cpuid/epyc-nested.cpuid-r.txt'),
  pveStatus: fx('pve/9.2/nodes/pve2/status.json'),
  pveFlags: fx('pve/9.2/cluster/qemu/cpu-flags.json'),
  qmp: fx('virsh/epyc-nested.qmp-host-full.jsonl'),
  qemuCaps: fx('libvirt-qemu-caps/libvirt-9.0-tests-caps_7.2.0.x86_64.xml'),
};

/** Everything a reader may do with hostile input: return valid profiles or throw a one-line InputError. */
function survive(fn: () => unknown, input: string, label: string): string {
  const start = performance.now();
  let out: string;
  try {
    const profiles = fn() as unknown[];
    expect(Array.isArray(profiles), label).toBe(true);
    for (const p of profiles) {
      const r = HostProfileSchema.safeParse(p);
      expect(r.success, `${label}: invalid profile ${r.success ? '' : JSON.stringify(r.error.issues[0])}`).toBe(true);
    }
    out = JSON.stringify(profiles);
  } catch (e) {
    if (!(e instanceof InputError)) {
      throw new Error(
        `${label}: threw ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 300)} on input ${JSON.stringify(input.slice(0, 200))}`,
      );
    }
    expect(e.message, label).not.toMatch(/[\n\r]/);
    expect(e.message.startsWith(`${e.where}: `), label).toBe(true);
    out = e.message;
  }
  const ms = performance.now() - start;
  expect(ms, `${label}: took ${Math.round(ms)} ms on ${input.length} chars`).toBeLessThan(
    Math.max(2000, input.length / 200),
  ); // linear work, on a busy machine; a quadratic blowup takes minutes
  return out;
}

const everyone: [string, (t: string) => unknown][] = [
  ...READERS.map(
    (r: Reader) => [r.format, (t: string) => r.read(t, 'fuzz.in', 'fuzz')] as [string, (t: string) => unknown],
  ),
  ['readProfilesFromText', (t: string) => readProfilesFromText(t, 'fuzz.in', 'fuzz')],
];
const check = (t: string, what: string) => {
  for (const [name, fn] of everyone) survive(() => fn(t), t, `${name} (${what})`);
};

/** Values a host could send that a schema must catch: out of range, empty, prototype keys, escapes. */
const HOSTILE = [
  '999',
  '8',
  '1e308',
  '-1',
  'NaN',
  '""',
  "''",
  '__proto__',
  'constructor',
  '\u001b[2J',
  '\u001b]0;x\u0007',
  '\ufeff',
  '\u202e',
  '\r\n',
  'null',
  '[]',
  '{}',
];

/** Real samples cut, spliced, duplicated or sprinkled with junk and hostile values. */
const mutated = fc
  .tuple(
    fc.constantFrom(...Object.values(SAMPLES)),
    fc.array(
      fc.tuple(
        fc.constantFrom('cut', 'delete', 'insert', 'duplicate', 'flip', 'hostile', 'replace-number'),
        fc.nat(),
        fc.nat(),
        fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...HOSTILE)),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([sample, ops]) => {
    let s = sample;
    for (const [op, a, b, junk] of ops) {
      const i = a % (s.length + 1);
      const j = Math.min(s.length, i + (b % 200));
      if (op === 'cut') s = s.slice(0, i);
      else if (op === 'delete') s = s.slice(0, i) + s.slice(j);
      else if (op === 'insert') s = s.slice(0, i) + junk + s.slice(i);
      else if (op === 'duplicate') s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
      else if (op === 'hostile') s = s.slice(0, i) + HOSTILE[b % HOSTILE.length] + s.slice(i);
      else if (op === 'replace-number') {
        // the n-th number in the sample becomes a hostile value: physBits 999, family 1e308, ...
        let k = 0;
        const n = b % 40;
        s = s.replace(/\b\d+\b/g, (m) => (k++ === n ? HOSTILE[a % 5] : m));
      } else s = s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) || 32) ^ (1 << (b % 7))) + s.slice(i + 1);
    }
    return s;
  });

describe('fuzz: 10,000 seeded mutations through the reader entry', () => {
  // The entry every input goes through (files, stdin, pastes): each result passes the schema, each
  // failure is a one-line InputError, none takes over 2 s. Seeded, so a failure reproduces.
  // 10 blocks of 1,000 so the test worker can report between them
  let refused = 0;
  it.each(Array.from({ length: 10 }, (_, i) => i))(
    'block %i: 0 crashes, 0 invalid profiles, none slow',
    (block) => {
      fc.assert(
        fc.property(mutated, (s) => {
          const out = survive(() => readProfilesFromText(s, 'fuzz.in', 'fuzz'), s, 'readProfilesFromText (seeded)');
          if (!out.startsWith('[')) refused++;
        }),
        { numRuns: 1000, seed: 20261201 + block },
      );
    },
    60_000,
  );
  it('the mutations reach both the reading and the refusing paths', () => {
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(10_000);
  });
});

describe('fuzz: every reader and readProfilesFromText', () => {
  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => check(s, 'string')),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => check(s, 'unicode')),
      { numRuns: 200 },
    );
  });

  it('strings that start like each format', () => {
    const heads = [
      '{',
      '[',
      '<',
      '<?xml version="1.0"?>',
      '{"lscpu":',
      '{"data":',
      'CPU 0:\n',
      'processor\t: 0\nflags\t: ',
      'Architecture: x86_64\nFlags: ',
      '   0x00000000 0x00: eax=0x',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...heads), fc.string({ maxLength: 300 }), (h, s) => check(h + s, 'format head')),
      { numRuns: 400 },
    );
  });

  it('mutated and truncated real samples', () => {
    fc.assert(
      fc.property(mutated, (s) => check(s, 'mutated sample')),
      { numRuns: 300 },
    );
  });

  it('random bytes, decoded as UTF-8 and as Latin-1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        check(Buffer.from(b).toString('utf8'), 'bytes utf8');
        check(Buffer.from(b).toString('latin1'), 'bytes latin1');
      }),
      { numRuns: 150 },
    );
  });

  it('huge lines and huge inputs stay fast', () => {
    const big = 2_000_000;
    const inputs = [
      'a' + ' '.repeat(big) + 'x',
      'processor : 0\nvendor_id : GenuineIntel\nflags : fpu sse2\naddress sizes : ' +
        '9'.repeat(big) +
        '\nx' +
        ' '.repeat(big) +
        'y',
      'Architecture: x86_64\nVendor ID: AuthenticAMD\nFlags: ' +
        'sse '.repeat(big / 4) +
        '\nAddress sizes: ' +
        '4'.repeat(big),
      '\n'.repeat(big) + 'x',
      ' '.repeat(big),
      SAMPLES.cpuid.replace('CPU 0:', 'CPU 0:' + '\n '.repeat(big / 2)),
      '{"cpuinfo": {"flags": "' + 'avx '.repeat(big / 4) + '"}}',
      '{"cpuinfo"' + ' '.repeat(big) + 'x',
      '<capabilities>' + '<x a="1"/>'.repeat(big / 10) + '</capabilities>',
      SAMPLES.domcaps.replace('<cpu>', '<cpu>' + "<feature policy='require' name='avx'/>".repeat(50_000)),
      '[' + '{"name":"avx","supported-on":["n1"]},'.repeat(50_000) + '{"name":"sse","supported-on":["n1"]}]',
    ];
    for (const t of inputs) check(t, `huge ${t.slice(0, 20)}`);
  });

  it('deeply nested JSON and XML', () => {
    const d = 100_000;
    const inputs = [
      '['.repeat(d) + ']'.repeat(d),
      '{"a":'.repeat(d) + '1' + '}'.repeat(d),
      '{"lscpu":' + '[{"field":"Flags:","data":"sse","children":'.repeat(5000) + '[]' + '}]'.repeat(5000) + '}',
      '{"data":' + '{"data":'.repeat(d) + '{}' + '}'.repeat(d + 1),
      '{"cpuinfo":{"flags":"sse"},"x":' + '['.repeat(d) + ']'.repeat(d) + '}',
      '<domainCapabilities>' + '<a>'.repeat(d) + '</a>'.repeat(d) + '</domainCapabilities>',
      '<capabilities><host><cpu>' + '<x>'.repeat(5000) + '</x>'.repeat(5000) + '</cpu></host></capabilities>',
      '['.repeat(d),
    ];
    for (const t of inputs) check(t, `nested ${t.slice(0, 20)}`);
  });
});

describe('XML entities are never expanded', () => {
  const laughs =
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
    Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n') +
    '\n]>\n';
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const passwdLine = passwd.split('\n').find((l) => l.includes(':x:')) ?? 'root:x:0:0';
  const external = (root: string) =>
    `<?xml version="1.0"?>\n<!DOCTYPE ${root} [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n`;
  const attacks: [string, string][] = [
    [
      'billion laughs, domcapabilities',
      laughs +
        SAMPLES.domcaps.replace(
          "<model fallback='forbid'>EPYC-Milan</model>",
          "<model fallback='forbid'>&lol9;</model>",
        ),
    ],
    ['billion laughs, capabilities', laughs + SAMPLES.caps.replace('<model>kvm64</model>', '<model>&lol9;</model>')],
    // small enough for any parser's expansion limit: only refusing the DTD keeps it out of the output
    [
      'internal entity, domcapabilities',
      '<!DOCTYPE domainCapabilities [ <!ENTITY e "lollollol-EXPANDED"> ]>\n' +
        SAMPLES.domcaps.replace("<model fallback='forbid'>EPYC-Milan</model>", "<model fallback='forbid'>&e;</model>"),
    ],
    [
      'external entity, domcapabilities',
      external('domainCapabilities') + SAMPLES.domcaps.replace('<vendor>AMD</vendor>', '<vendor>&xxe;</vendor>'),
    ],
    [
      'external entity, capabilities',
      external('capabilities') + SAMPLES.caps.replace('<vendor>AMD</vendor>', '<vendor>&xxe;</vendor>'),
    ],
    ['parameter entity', '<!DOCTYPE capabilities [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]><capabilities/>'],
    [
      'lowercase doctype',
      '<!doctype capabilities [ <!entity xxe SYSTEM "file:///etc/passwd"> ]>' +
        SAMPLES.caps.replace('<vendor>AMD</vendor>', '<vendor>&xxe;</vendor>'),
    ],
    ['entity without DOCTYPE', SAMPLES.domcaps.replace('<vendor>AMD</vendor>', '<vendor>&xxe;</vendor>')],
  ];

  it.each(attacks)('%s: refused or read literally, never expanded', (label, xml) => {
    for (const [name, fn] of everyone) {
      const out = survive(() => fn(xml), xml, `${name} (${label})`);
      expect(out).not.toContain(passwdLine);
      expect(out).not.toContain('lollollol');
      expect(out.length).toBeLessThan(200_000);
    }
  });

  it('a DOCTYPE is refused with a one-line error naming the input', () => {
    for (const [label, xml] of attacks.slice(0, 7)) {
      expect(() => readProfilesFromText(xml, 'evil.xml', 'x'), label).toThrowError(
        /^evil\.xml: XML with a DOCTYPE or ENTITY declaration is refused/,
      );
    }
  });
});

describe('empty, binary and truncated input', () => {
  const oneLineError = (fn: () => unknown, where: string) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`${where}: `)).toBe(true);
    expect(msg).not.toMatch(/[\n\r]/);
    return msg;
  };

  it('readProfilesFromText: empty, whitespace, NUL bytes', () => {
    expect(oneLineError(() => readProfilesFromText('', 'empty.txt', 'x'), 'empty.txt')).toMatch(/empty input/);
    expect(oneLineError(() => readProfilesFromText(' \n\t\n', 'blank.txt', 'x'), 'blank.txt')).toMatch(/empty input/);
    expect(oneLineError(() => readProfilesFromText('\u0000\u0001ELF\u0000', 'a.out', 'x'), 'a.out')).toMatch(/binary/);
    expect(oneLineError(() => readProfilesFromText(SAMPLES.lscpu + '\u0000', 'nul.txt', 'x'), 'nul.txt')).toMatch(
      /binary/,
    );
  });

  it.each(READERS.map((r) => [r.format, r] as const))(
    '%s: empty and binary input give a one-line InputError naming the input',
    (_f, r) => {
      oneLineError(() => r.read('', 'empty.in', 'x'), 'empty.in');
      oneLineError(() => r.read('\u0000\u0000\u0000\u0001\u0002', 'bin.in', 'x'), 'bin.in');
    },
  );

  // Each cut loses what the format needs: the closing of JSON/XML, or the line the reader requires
  const truncated: [string, string][] = [
    ['domcapabilities', SAMPLES.domcaps.slice(0, SAMPLES.domcaps.indexOf('</cpu>'))],
    ['capabilities', SAMPLES.caps.slice(0, SAMPLES.caps.length / 2)],
    ['lscpu -J', SAMPLES.lscpuJson.slice(0, SAMPLES.lscpuJson.length / 2)],
    ['lscpu', SAMPLES.lscpu.slice(0, SAMPLES.lscpu.indexOf('Flags:'))],
    ['cpuid -r', SAMPLES.cpuid.slice(0, SAMPLES.cpuid.indexOf('   0x00000001'))],
    ['pve status', SAMPLES.pveStatus.slice(0, SAMPLES.pveStatus.length / 2)],
    ['pve cpu-flags', SAMPLES.pveFlags.slice(0, SAMPLES.pveFlags.length / 2)],
    ['qmp', SAMPLES.qmp.slice(0, SAMPLES.qmp.length - 500)],
  ];
  it.each(truncated)('truncated %s: a one-line InputError naming the input', (_label, text) => {
    oneLineError(() => readProfilesFromText(text, 'cut.in', 'x'), 'cut.in');
  });
});
