/**
 * Rules of the string and bytes kinds. Lengths (`len`, `min_len`, `max_len`) count code points
 * for strings and bytes for bytes; `*_bytes` count UTF-8 bytes; `pattern` is RE2 and matches
 * anywhere unless anchored, as in the generated validators Envoy is built with.
 */
import { isIP } from 'net';
import { RE2JS } from 're2js';
import { listOf, RuleSet } from './rules';

const STRING_RULES = new Set(['const', 'len', 'min_len', 'max_len', 'len_bytes', 'min_bytes', 'max_bytes', 'pattern', 'prefix', 'suffix',
  'contains', 'not_contains', 'in', 'not_in', 'well_known_regex', 'strict', 'ignore_empty', 'hostname', 'ip', 'ipv4', 'ipv6', 'address', 'uuid']);
const BYTES_RULES = new Set(['const', 'len', 'min_len', 'max_len', 'pattern', 'prefix', 'suffix', 'contains', 'in', 'not_in', 'ip', 'ipv4', 'ipv6', 'ignore_empty']);

export function unknownStringRules(kind: 'string' | 'bytes', rules: RuleSet): string[] {
  const known = kind === 'string' ? STRING_RULES : BYTES_RULES;
  return Object.keys(rules).filter((name) => !known.has(name));
}

/**
 * The well-known header patterns. Strict ones follow RFC 7230 (a name is a token, optionally
 * after ':' for pseudo-headers; the class runs '+' to '.' as the validator's own does, so ','
 * passes too; a value has no control characters but tab). `strict: false`, which Envoy's protos
 * mostly set, refuses only NUL, CR and LF.
 */
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+,\-.^_|~`]+$/;
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// eslint-disable-next-line no-control-regex
const HEADER_LOOSE = /^[^\u0000\u000A\u000D]*$/;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const compiled = new Map<string, RE2JS | undefined>();

/** Whether RE2 finds the pattern in the value; a pattern RE2 refuses matches nothing. */
function matchesPattern(pattern: string, value: string | Uint8Array): boolean {
  if (!compiled.has(pattern)) {
    let regex: RE2JS | undefined;
    try {
      regex = RE2JS.compile(pattern);
    } catch {
      regex = undefined;
    }
    compiled.set(pattern, regex);
  }
  return compiled.get(pattern)?.test(value) ?? false;
}

export function stringViolations(rules: RuleSet, raw: unknown): string[] {
  if (raw !== undefined && typeof raw !== 'string') return [];
  const value = raw ?? '';
  if (rules.ignore_empty === true && value === '') return [];
  const problems: string[] = [];
  const got = ` (got ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)})`;
  const chars = [...value].length;
  const bytes = Buffer.byteLength(value, 'utf8');
  const lengthRule = (name: string, ok: (limit: number) => boolean, measured: number): void => {
    if (typeof rules[name] === 'number' && !ok(rules[name] as number)) problems.push(`${name} ${rules[name] as number} (has ${measured})`);
  };
  lengthRule('len', (n) => chars === n, chars);
  lengthRule('min_len', (n) => chars >= n, chars);
  lengthRule('max_len', (n) => chars <= n, chars);
  lengthRule('len_bytes', (n) => bytes === n, bytes);
  lengthRule('min_bytes', (n) => bytes >= n, bytes);
  lengthRule('max_bytes', (n) => bytes <= n, bytes);
  if (rules.const !== undefined && value !== rules.const) problems.push(`const ${JSON.stringify(rules.const)}${got}`);
  if (typeof rules.pattern === 'string' && !matchesPattern(rules.pattern, value)) problems.push(`pattern ${JSON.stringify(rules.pattern)}${got}`);
  if (typeof rules.prefix === 'string' && !value.startsWith(rules.prefix)) problems.push(`prefix ${JSON.stringify(rules.prefix)}${got}`);
  if (typeof rules.suffix === 'string' && !value.endsWith(rules.suffix)) problems.push(`suffix ${JSON.stringify(rules.suffix)}${got}`);
  if (typeof rules.contains === 'string' && !value.includes(rules.contains)) problems.push(`contains ${JSON.stringify(rules.contains)}${got}`);
  if (typeof rules.not_contains === 'string' && value.includes(rules.not_contains)) problems.push(`not_contains ${JSON.stringify(rules.not_contains)}${got}`);
  const allowed = listOf(rules.in);
  if (allowed.length > 0 && !allowed.includes(value)) problems.push(`in ${JSON.stringify(allowed)}${got}`);
  if (listOf(rules.not_in).includes(value)) problems.push(`not_in ${JSON.stringify(listOf(rules.not_in))}${got}`);
  if (rules.well_known_regex !== undefined && !matchesWellKnown(String(rules.well_known_regex), rules.strict !== false, value)) {
    problems.push(`well_known_regex ${String(rules.well_known_regex)}${rules.strict === false ? ' (strict: false)' : ''}${got}`);
  }
  if (rules.hostname === true && !isHostname(value)) problems.push(`hostname${got}`);
  if (rules.ip === true && isIP(value) === 0) problems.push(`ip${got}`);
  if (rules.ipv4 === true && isIP(value) !== 4) problems.push(`ipv4${got}`);
  if (rules.ipv6 === true && isIP(value) !== 6) problems.push(`ipv6${got}`);
  if (rules.address === true && isIP(value) === 0 && !isHostname(value)) problems.push(`address${got}`);
  if (rules.uuid === true && !UUID.test(value)) problems.push(`uuid${got}`);
  return problems;
}

function matchesWellKnown(name: string, strict: boolean, value: string): boolean {
  if (name === 'HTTP_HEADER_NAME') return (strict ? HEADER_NAME_STRICT : HEADER_LOOSE).test(value);
  if (name === 'HTTP_HEADER_VALUE') return (strict ? HEADER_VALUE_STRICT : HEADER_LOOSE).test(value);
  return true; // UNKNOWN: no constraint
}

/** RFC 1034 host names: dot-separated labels of 1 to 63 letters, digits and inner hyphens, 253 at most. */
function isHostname(value: string): boolean {
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label));
}

/** Bytes as the project's proto JSON holds them: base64 text (or a Uint8Array). */
export function bytesViolations(rules: RuleSet, raw: unknown): string[] {
  const value = raw === undefined ? Buffer.alloc(0)
    : raw instanceof Uint8Array ? Buffer.from(raw)
      : typeof raw === 'string' ? Buffer.from(raw, 'base64') : undefined;
  if (!value) return [];
  if (rules.ignore_empty === true && value.length === 0) return [];
  // A bytes literal in the proto text reads back as a string of byte-valued characters.
  const literal = (operand: unknown): Buffer => Buffer.from(String(operand), 'latin1');
  const problems: string[] = [];
  const got = ` (got ${value.length} bytes)`;
  if (typeof rules.len === 'number' && value.length !== rules.len) problems.push(`len ${rules.len}${got}`);
  if (typeof rules.min_len === 'number' && value.length < rules.min_len) problems.push(`min_len ${rules.min_len}${got}`);
  if (typeof rules.max_len === 'number' && value.length > rules.max_len) problems.push(`max_len ${rules.max_len}${got}`);
  if (rules.const !== undefined && !value.equals(literal(rules.const))) problems.push(`const${got}`);
  if (typeof rules.pattern === 'string' && !matchesPattern(rules.pattern, value)) problems.push(`pattern ${JSON.stringify(rules.pattern)}${got}`);
  if (rules.prefix !== undefined && !value.subarray(0, literal(rules.prefix).length).equals(literal(rules.prefix))) problems.push(`prefix${got}`);
  if (rules.suffix !== undefined) {
    const suffix = literal(rules.suffix);
    if (value.length < suffix.length || !value.subarray(value.length - suffix.length).equals(suffix)) problems.push(`suffix${got}`);
  }
  if (rules.contains !== undefined && !value.includes(literal(rules.contains))) problems.push(`contains${got}`);
  const allowed = listOf(rules.in).map(literal);
  if (allowed.length > 0 && !allowed.some((b) => b.equals(value))) problems.push(`in${got}`);
  if (listOf(rules.not_in).map(literal).some((b) => b.equals(value))) problems.push(`not_in${got}`);
  if (rules.ip === true && value.length !== 4 && value.length !== 16) problems.push(`ip${got}`);
  if (rules.ipv4 === true && value.length !== 4) problems.push(`ipv4${got}`);
  if (rules.ipv6 === true && value.length !== 16) problems.push(`ipv6${got}`);
  return problems;
}
