import { RE2JS, RE2JSException } from 're2js';

/**
 * Regular expressions in a mesh spec are RE2 (Envoy's `safe_regex` and gRPC's matcher both use
 * it). JavaScript accepts constructs RE2 refuses, and a proxyless gRPC client that meets one does
 * not NACK: it fails name resolution. So the spec refuses them up front, with RE2's own parser
 * (re2js, a port of RE2 in plain JavaScript) rather than an imitation of its grammar.
 */

/**
 * Verdicts by pattern, least recently used first. Compiling costs tens of microseconds per
 * pattern, and every spec change re-validates every regex of the mesh, mostly the same ones.
 */
const verdicts = new Map<string, string | undefined>();
const MAX_REMEMBERED = 4096;

/** Returns why `pattern` is not valid RE2 (RE2's error text), or undefined when it is. */
export function re2SyntaxProblem(pattern: string): string | undefined {
  if (verdicts.has(pattern)) {
    const known = verdicts.get(pattern);
    verdicts.delete(pattern);
    verdicts.set(pattern, known);
    return known;
  }
  const problem = compileProblem(pattern);
  if (verdicts.size >= MAX_REMEMBERED) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(pattern, problem);
  return problem;
}

function compileProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    // Any failure refuses the pattern: a regex RE2 cannot compile must not reach a proxy.
    const reason = error instanceof RE2JSException ? error.message : `RE2 could not compile it: ${String(error)}`;
    return `is not valid RE2 (${reason})`;
  }
}
