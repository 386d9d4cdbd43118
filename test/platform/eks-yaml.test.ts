import { Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { parseAllYaml, parseAllYaml12 } from './eks-support';
import { KubernetesManifests } from '../../src';
import { toYamlDocument, toYamlDocuments } from '../../src/platform/eks/private/yaml';

/** Values YAML readers like to reinterpret, and shapes the writer must keep intact. */
const TRICKY = {
  numbersAsStrings: ['8080', '0755', '0o17', '1e3', '0x1F', '1_000', '.5', '-1', '+1', '1:20', '.inf', '.NaN', '100m'],
  wordsAsStrings: ['true', 'False', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', 'Null', 'NULL', '~', ''],
  punctuation: ['-', '- x', '--spec', '-c', ': x', 'a: b', 'a:', 'a #b', '#x', '[x]', '{x}', '*ref', '&anchor', '!tag',
    '%x', '@x', '`x`', '"q"', "'q'", 'a,b', '?', '|', '>', 'x: ', ' lead', 'trail ', 'http://x:80/a?b=c#d'],
  unicode: ['é', 'π≈3.14', '日本', 'emoji 😀', 'nul\u0000', 'bell\u0007', 'del\u007f', 'ls\u2028', 'bom\ufeff', 'lone \ud800 surrogate'],
  documentMarkers: ['---', '...', '--- x', 'x\n---\ny\n', 'x\n...\n'],
  plain: ['envoyproxy/envoy:v1.34.4', 'app.kubernetes.io/name', 'mesh/apps/virtualNode/serviceA', '/etc/envoy', 'a_b-c.d'],
  multiline: [
    'line one\nline two\n',
    'no final newline\nsecond',
    'two final newlines\n\n',
    '  indented first line\nsecond\n',
    '\n  blank then indented\n',
    'trailing space \nline\n',
    'tab\tinside\nline\n',
    '#!/bin/sh\nset -eu\necho "$x: y" # comment\n',
    'crlf\r\nline\n',
    '{\n  "json": [1, 2]\n}\n',
    '\n',
    '\n\n',
    'a\n\n\nb\n',
  ],
  numbers: [0, -1, 1.5, 65535, 1e21],
  booleans: [true, false],
  nothing: null,
  empties: { object: {}, array: [], nested: [{}, []] },
  nested: [[1, [2, 3]], [{ a: [{ b: 'c' }] }], {
    'key with space': 1, '8080': 'port', 'true': 'word', 'a:b': 'colon', 'a: b': 'colon space', 'multi\nline key': 'k', 'é': 'unicode key',
  }],
};

describe('YAML writer', () => {
  test('every tricky value reads back identically under YAML 1.1 and 1.2', () => {
    const text = toYamlDocument(TRICKY);
    expect(parseAllYaml(text)).toEqual([TRICKY]);
    expect(parseAllYaml12(text)).toEqual([TRICKY]);
  });

  test('each string alone reads back as the same string', () => {
    const strings = [...TRICKY.numbersAsStrings, ...TRICKY.wordsAsStrings, ...TRICKY.punctuation, ...TRICKY.unicode,
      ...TRICKY.documentMarkers, ...TRICKY.plain, ...TRICKY.multiline];
    for (const value of strings) {
      for (const doc of [{ key: value }, [value], { list: [value] }, [[value]]]) {
        expect(parseAllYaml(toYamlDocument(doc))).toEqual([doc]);
      }
    }
  });

  test('any JSON data reads back identically under YAML 1.1 and 1.2', () => {
    // Strings from every Unicode plane, mixed with the characters YAML gives meaning to.
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[a-z0-9 :#\n\t\-.'"|>&*!%@`?,[\]{}~]{0,12}$/),
      fc.constantFrom(...Object.values(TRICKY).filter(Array.isArray).flat().filter((v) => typeof v === 'string')),
    );
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(),
        fc.constant(null), tie('list'), tie('map')),
      list: fc.array(tie('json'), { maxLength: 4 }),
      map: fc.dictionary(text, tie('json'), { maxKeys: 4 }),
    }));
    fc.assert(fc.property(fc.dictionary(text, json, { maxKeys: 4 }), (doc) => {
      const written = toYamlDocument(doc);
      expect(parseAllYaml(written)).toEqual([doc]);
      expect(parseAllYaml12(written)).toEqual([doc]);
    }), { numRuns: Number(process.env.YAML_FUZZ_RUNS ?? 300) });
  });

  test('an object used twice is written twice, not as an anchor and an alias', () => {
    const labels = { app: 'serviceA' };
    expect(toYamlDocument({ metadata: { labels }, selector: { matchLabels: labels } }))
      .toBe('metadata:\n  labels:\n    app: serviceA\nselector:\n  matchLabels:\n    app: serviceA\n');
  });

  test('plain where safe, quoted where a reader would take a string for something else', () => {
    const text = toYamlDocument({ image: 'envoyproxy/envoy:v1.34.4', port: '8080', flag: 'on', arg: '--spec', count: 8080, n: 'n' });
    expect(text).toBe('image: envoyproxy/envoy:v1.34.4\nport: "8080"\nflag: "on"\narg: "--spec"\ncount: 8080\n"n": "n"\n');
  });

  test('multi-line strings are literal blocks with the right chomping', () => {
    expect(toYamlDocument({ a: 'x\ny\n' })).toBe('a: |\n  x\n  y\n');
    expect(toYamlDocument({ a: 'x\ny' })).toBe('a: |-\n  x\n  y\n');
    expect(toYamlDocument({ a: 'x\n\n' })).toBe('a: |+\n  x\n\n');
    expect(toYamlDocument({ a: '  x\ny\n' })).toBe('a: |2\n    x\n  y\n');
    // Invisible trailing spaces, control characters and a leading line break fall back to a quoted string.
    expect(toYamlDocument({ a: 'x \ny' })).toBe('a: "x \\ny"\n');
    expect(toYamlDocument({ a: '\nx\n' })).toBe('a: "\\nx\\n"\n');
  });

  test('sequences of mappings in kubectl style', () => {
    expect(toYamlDocument({ containers: [{ name: 'a', ports: [{ containerPort: 1 }] }] }))
      .toBe('containers:\n- name: a\n  ports:\n  - containerPort: 1\n');
  });

  test('several documents are separated by ---', () => {
    const docs = [{ kind: 'A' }, { kind: 'B', list: [1] }];
    const text = toYamlDocuments(docs);
    expect(text).toBe('kind: A\n---\nkind: B\nlist:\n- 1\n');
    expect(parseAllYaml(text)).toEqual(docs);
  });

  test('undefined fields are left out; non-JSON values are refused', () => {
    expect(toYamlDocument({ a: undefined, b: 1 })).toBe('b: 1\n');
    expect(() => toYamlDocument({ a: NaN })).toThrow(/\$\.a is NaN/);
    expect(() => toYamlDocument({ f: () => 1 })).toThrow(/type function/);
  });

  test('KubernetesManifests.toYaml refuses deploy-time values and names where they are', () => {
    const manifest = { kind: 'ConfigMap', data: { x: Lazy.string({ produce: () => 'later' }) } };
    expect(() => KubernetesManifests.toYaml([manifest])).toThrow(/tokens\) at \[0\]\.data\.x/);
  });
});
