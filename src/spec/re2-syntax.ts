/**
 * Regular expressions in a mesh spec are RE2 (Envoy's `safe_regex` and gRPC's matcher both use
 * it). JavaScript accepts constructs RE2 refuses, and a proxyless gRPC client that meets one does
 * not NACK: it fails name resolution. So the spec refuses them up front.
 */

/** Constructs RE2 rejects, recognised at the start of a group or after a quantifier. */
const UNSUPPORTED_GROUPS: ReadonlyArray<readonly [string, string]> = [
  ['(?=', 'lookahead'],
  ['(?!', 'negative lookahead'],
  ['(?<=', 'lookbehind'],
  ['(?<!', 'negative lookbehind'],
  ['(?>', 'atomic group'],
  ['(?(', 'conditional'],
];

/** Returns why `pattern` is not valid RE2, or undefined when it is. */
export function re2SyntaxProblem(pattern: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `uses a backreference (\\${next}), which RE2 does not support`;
      if (!inClass && next === 'k' && pattern[i + 2] === '<') return 'uses a named backreference (\\k<…>), which RE2 does not support';
      if (next === 'Z') return 'uses \\Z, which RE2 does not support (use \\z or $)';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === ']') i++; // a leading ']' is a literal inside the class
      continue;
    }
    if (c === '(') {
      for (const [prefix, what] of UNSUPPORTED_GROUPS) {
        if (pattern.startsWith(prefix, i)) return `uses a ${what} (${prefix}…)), which RE2 does not support`;
      }
    }
    if ((c === '*' || c === '+' || c === '?' || c === '}') && pattern[i + 1] === '+') {
      return `uses a possessive quantifier (${c}+), which RE2 does not support`;
    }
  }
  try {
    // Catches plain syntax errors (unbalanced parentheses, bad ranges) with JavaScript's parser,
    // after rewriting the RE2 forms JavaScript lacks: (?P<name>…) groups and inline flags.
    new RegExp(pattern.replace(/\(\?P</g, '(?<').replace(/\(\?[imsU]+\)/g, '').replace(/\(\?[imsU-]+:/g, '(?:'));
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  return undefined;
}
