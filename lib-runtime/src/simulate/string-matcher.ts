import { RE2JS } from 're2js';
import type { ProtoJson } from '../translate';

/**
 * `envoy.type.matcher.v3.StringMatcher` (and the older one-field header matchers): exact,
 * prefix, suffix, contains, or `safe_regex`, which is RE2 matched against the whole value (Envoy
 * and gRPC both anchor it), through re2js, the RE2 port the spec validator uses too.
 */

const compiled = new Map<string, RE2JS>();

/** The whole of `value` matches RE2 `pattern`. */
export function fullMatch(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = RE2JS.compile(pattern);
    compiled.set(pattern, regex);
  }
  return regex.matches(value);
}

/** A StringMatcher in one shape, whichever field spelled it. */
export interface StringTest {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex';
  readonly operand: string;
  readonly ignoreCase: boolean;
}

/** Reads a StringMatcher; undefined when it sets none of the known fields. */
export function stringTest(matcher: ProtoJson | undefined): StringTest | undefined {
  if (!matcher) return undefined;
  const ignoreCase = matcher.ignore_case === true;
  for (const kind of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    if (typeof matcher[kind] === 'string') return { kind, operand: matcher[kind] as string, ignoreCase };
  }
  const regex = (matcher.safe_regex as ProtoJson | undefined)?.regex;
  if (typeof regex === 'string') return { kind: 'regex', operand: regex, ignoreCase: false };
  return undefined;
}

export function applyStringTest(test: StringTest, value: string): boolean {
  if (test.kind === 'regex') return fullMatch(test.operand, value);
  const subject = test.ignoreCase ? value.toLowerCase() : value;
  const operand = test.ignoreCase ? test.operand.toLowerCase() : test.operand;
  switch (test.kind) {
    case 'exact': return subject === operand;
    case 'prefix': return subject.startsWith(operand);
    case 'suffix': return subject.endsWith(operand);
    default: return subject.includes(operand);
  }
}

/** `exact "true"`, `regex ^.*\.example\.com(:\d+)?$`, `prefix "bearer " (any case)`. */
export function describeStringTest(test: StringTest): string {
  const operand = test.kind === 'regex' ? test.operand : JSON.stringify(test.operand);
  return `${test.kind} ${operand}${test.ignoreCase ? ' (any case)' : ''}`;
}
