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
  ])('accepts %s', (pattern) => {
    expect(re2SyntaxProblem(pattern)).toBeUndefined();
  });

  test.each([
    ['(?=v2)v2', 'uses a lookahead ((?=…)), which RE2 does not support'],
    ['^(?!internal)', 'uses a negative lookahead ((?!…)), which RE2 does not support'],
    ['(?<=a)b', 'uses a lookbehind ((?<=…)), which RE2 does not support'],
    ['(?<!a)b', 'uses a negative lookbehind ((?<!…)), which RE2 does not support'],
    ['(a)\\1', 'uses a backreference (\\1), which RE2 does not support'],
    ['(?<v>a)\\k<v>', 'uses a named backreference (\\k<…>), which RE2 does not support'],
    ['a++', 'uses a possessive quantifier (++), which RE2 does not support'],
    ['end\\Z', 'uses \\Z, which RE2 does not support (use \\z or $)'],
  ])('rejects %s', (pattern, message) => {
    expect(re2SyntaxProblem(pattern)).toBe(message);
  });

  test('reports plain syntax errors', () => {
    expect(re2SyntaxProblem('(unclosed')).toMatch(/^is not a valid regular expression \(/);
  });
});
