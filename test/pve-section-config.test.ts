import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import {
  findSection,
  formatSection,
  parseSectionConfig,
  serializeSectionConfig,
  upsertSection,
  writeSectionConfig,
} from '../src/formats/pve-section-config.js';
import { QEMU_SERVER_FIXTURE } from './helpers/pve-samples.js';

// Verbatim from pve-docs cpu-models.conf.adoc (notes §1.4): four-space indent.
const DOCS_EXAMPLE = `cpu-model: avx
    flags +avx;+avx2
    phys-bits host
    hidden 0
    hv-vendor-id proxmox
    reported-model kvm64
`;

// Hand-edited style: tabs and spaces mixed, comments between and inside sections, extra blanks, no final newline.
const HAND_EDITED = `# cluster CPU models, managed by hand
# do not remove 'avx' - mongo VMs need it


cpu-model: avx
\tflags +avx;+avx2;+xsave
\t# phys-bits host breaks migration, keep it fixed
\tphys-bits 40
\treported-model kvm64

# the old one
cpu-model: legacy-westmere
  reported-model Westmere
  flags -hle;-rtm
  hidden 1

cpu-model:   spacy   \t
\tflags +pcid`;

describe('parseSectionConfig', () => {
  it.each([
    ['docs example', DOCS_EXAMPLE],
    ['qemu-server fixture', QEMU_SERVER_FIXTURE],
    ['hand edited', HAND_EDITED],
    ['empty file', ''],
    ['only comments', '# nothing here\n#\n'],
  ])('round-trips the %s byte-for-byte', (_name, text) => {
    expect(serializeSectionConfig(parseSectionConfig(text, 'f.conf'))).toBe(text);
  });

  it('reads sections, ids, keys and values like PVE', () => {
    const doc = parseSectionConfig(HAND_EDITED, 'f.conf');
    const sections = doc.chunks.filter((c) => c.kind === 'section');
    expect(sections.map((s) => s.kind === 'section' && [s.type, s.id, s.line])).toEqual([
      ['cpu-model', 'avx', 5],
      ['cpu-model', 'legacy-westmere', 12],
      ['cpu-model', 'spacy', 17],
    ]);
    const avx = findSection(doc, 'avx')!;
    expect(avx.props.map((p) => [p.key, p.value, p.line])).toEqual([
      ['flags', '+avx;+avx2;+xsave', 6],
      ['phys-bits', '40', 8],
      ['reported-model', 'kvm64', 9],
    ]);
    expect(findSection(doc, 'spacy')!.props).toEqual([{ key: 'flags', value: '+pcid', line: 18 }]);
    expect(findSection(parseSectionConfig(QEMU_SERVER_FIXTURE, 'f'), 'alldefault')!.props).toEqual([]);
  });

  it('keeps a bare key with an undefined value', () => {
    const s = findSection(parseSectionConfig('cpu-model: a\n\thidden\n', 'f'), 'a')!;
    expect(s.props[0]).toMatchObject({ key: 'hidden', value: undefined });
  });

  const bad: Array<[string, string, RegExp]> = [
    [
      'duplicate key',
      'cpu-model: a\n\tflags +aes\n\tflags +avx\n',
      /^x\.conf: line 3: .*duplicate attribute 'flags' \(also on line 2\)/,
    ],
    [
      'duplicate section id',
      'cpu-model: a\n\ncpu-model: a\n',
      /line 3: duplicate section id 'a' \(first defined on line 1\)/,
    ],
    [
      'header without blank line before it',
      'cpu-model: a\n\tflags +aes\ncpu-model: b\n',
      /line 3: section header without an empty line/,
    ],
    ['unindented property', 'cpu-model: a\nflags +aes\n', /line 2: section 'a': cannot parse/],
    ['property outside section', '\tflags +aes\n', /line 1: property line outside a section/],
    [
      'whitespace-only separator',
      'cpu-model: a\n\tflags +aes\n  \ncpu-model: b\n',
      /line 3: line contains only whitespace/,
    ],
    ['garbage', 'hello world\n', /line 1: expected a section header/],
  ];
  it.each(bad)('rejects %s with file and line', (_n, text, re) => {
    let err: unknown;
    try {
      parseSectionConfig(text, 'x.conf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe('x.conf');
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('writer', () => {
  it('emits a tab before each property and a blank line after each section', () => {
    expect(
      writeSectionConfig([
        {
          type: 'cpu-model',
          id: 'a',
          props: [
            ['flags', '+aes'],
            ['hidden', '1'],
          ],
        },
        { type: 'cpu-model', id: 'b', props: [] },
      ]),
    ).toBe('cpu-model: a\n\tflags +aes\n\thidden 1\n\ncpu-model: b\n\n');
  });

  it('writes what it parses back', () => {
    const text = writeSectionConfig([
      {
        type: 'cpu-model',
        id: 'x',
        props: [
          ['flags', '+a;-b'],
          ['phys-bits', 'host'],
        ],
      },
    ]);
    const s = findSection(parseSectionConfig(text, 'f'), 'x')!;
    expect(s.props.map((p) => [p.key, p.value])).toEqual([
      ['flags', '+a;-b'],
      ['phys-bits', 'host'],
    ]);
  });

  it('refuses values that would not read back', () => {
    expect(() => formatSection({ type: 'cpu-model', id: 'a', props: [['flags', 'x\ny']] })).toThrow(/line break/);
    expect(() => formatSection({ type: 'cpu-model', id: 'a b', props: [] })).toThrow(/whitespace/);
    expect(() => formatSection({ type: 'cpu-model', id: 'a', props: [['k', ' v']] })).toThrow(/whitespace/);
  });
});

describe('upsertSection', () => {
  const ours = { type: 'cpu-model', id: 'migratable', props: [['flags', '+aes;+avx']] as Array<[string, string]> };

  it('appends after an empty line and keeps everything else', () => {
    const { text, action } = upsertSection(parseSectionConfig(HAND_EDITED, 'f'), ours);
    expect(action).toBe('added');
    expect(text).toBe(HAND_EDITED + '\n\ncpu-model: migratable\n\tflags +aes;+avx\n\n');
    expect(serializeSectionConfig(parseSectionConfig(text, 'f'))).toBe(text);
  });

  it('replaces only the section with the same id, keeping comments above it', () => {
    const withOurs = upsertSection(parseSectionConfig(QEMU_SERVER_FIXTURE, 'f'), ours).text;
    const { text, action } = upsertSection(parseSectionConfig(withOurs, 'f'), { ...ours, props: [['flags', '-hle']] });
    expect(action).toBe('replaced');
    expect(text).toBe(QEMU_SERVER_FIXTURE + 'cpu-model: migratable\n\tflags -hle\n\n');

    const middle = upsertSection(parseSectionConfig(HAND_EDITED, 'f'), {
      type: 'cpu-model',
      id: 'avx',
      props: [['flags', '+avx']],
    }).text;
    expect(middle).toBe(HAND_EDITED.replace(/cpu-model: avx\n(\t.*\n)+/, 'cpu-model: avx\n\tflags +avx\n'));
  });

  it('replaces a last section that has no final newline and ends the file like PVE', () => {
    const { text } = upsertSection(parseSectionConfig(HAND_EDITED, 'f'), {
      type: 'cpu-model',
      id: 'spacy',
      props: [['flags', '-pcid']],
    });
    expect(text).toBe(HAND_EDITED.replace(/cpu-model: {3}spacy.*$/s, 'cpu-model: spacy\n\tflags -pcid\n\n'));
  });

  it('refuses to reuse an id of another section type', () => {
    const doc = parseSectionConfig('dir: migratable\n\tpath /x\n', 'f');
    expect(() => upsertSection(doc, ours)).toThrow(/already used by a 'dir' section/);
  });
});
