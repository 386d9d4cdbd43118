import { re2SyntaxProblem } from '../../src/spec/re2-syntax';

describe('re2SyntaxProblem', () => {
  test.each([
    '^/api/v[0-9]+/.*$',
    'v2|beta',
    '[(?=]literal',
    '\\(?=x\\)',
    '(?i)^bearer .+',
    '(?P<version>v[12])',
    '(?s:a.b)',
    'a{2,3}',
    '[]a]+',
    '\\d+\\z',
    'a{1000}',
    '(a{10}){10}',
    '[[:alpha:]]+\\pL\\p{Greek}',
    // The approximation refused these valid RE2 patterns: JavaScript's parser knows neither
    // \Q…\E quoting nor flag groups that clear a flag.
    '\\Q[\\E',
    '(?i-s)a.b',
  ])('accepts %s', (pattern) => {
    expect(re2SyntaxProblem(pattern)).toBeUndefined();
  });

  test.each([
    ['(?=v2)v2', 'invalid or unsupported Perl syntax: `(?=`'],
    ['^(?!internal)', 'invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'invalid named capture: `(?<=a)b`'],
    ['(?<!a)b', 'invalid named capture: `(?<!a)b`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['(?<v>a)\\k<v>', 'invalid escape sequence: `\\k`'],
    ['a++', 'invalid nested repetition operator: `++`'],
    ['end\\Z', 'invalid escape sequence: `\\Z`'],
    ['(unclosed', 'missing closing ): `(unclosed`'],
    // The approximation accepted these (JavaScript does); RE2, and so Envoy, refuses them.
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['(a{100}){11}', 'invalid repeat count: `{11}`'],
    ['\\e', 'invalid escape sequence: `\\e`'],
    ['\\cA', 'invalid escape sequence: `\\c`'],
    ['\\u0041', 'invalid escape sequence: `\\u`'],
    ['\\Gabc', 'invalid escape sequence: `\\G`'],
  ])('rejects %s with RE2\'s error', (pattern, reason) => {
    expect(re2SyntaxProblem(pattern)).toBe(`is not valid RE2 (error parsing regexp: ${reason})`);
  });

  test('verdicts stay right for patterns asked again, also after the remembered ones were evicted', () => {
    const patterns = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? `a{${i % 1001}}b${i}` : `x(?=${i})`));
    const first = patterns.map(re2SyntaxProblem);
    expect(first.filter(problem => problem === undefined)).toHaveLength(patterns.length / 2);
    expect(patterns.map(re2SyntaxProblem)).toEqual(first);
  });
});
