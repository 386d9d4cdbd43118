/**
 * One field's `(validate.rules)` applied to one value: dispatch on the rule kind (string,
 * uint32, duration, repeated…), the message rules (`required`, `skip`), well-known types
 * (wrappers carry their scalar's rules, Duration and Any their own).
 */
import * as protobuf from 'protobufjs';
import { durationViolations, unknownDurationRules } from './duration-rules';
import { FieldRules, isRecord, listOf, RuleSet } from './rules';
import { boolViolations, enumViolations, isNumericKind, numberViolations, unknownScalarRules } from './scalar-rules';
import { bytesViolations, stringViolations, unknownStringRules } from './string-rules';

/** The scalar kind whose rules a wrapper message field carries. */
const WRAPPER_KINDS: Readonly<Record<string, string>> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

const MESSAGE_RULES = new Set(['required', 'skip']);
const REPEATED_RULES = new Set(['min_items', 'max_items', 'unique', 'items', 'ignore_empty']);
const MAP_RULES = new Set(['min_pairs', 'max_pairs', 'no_sparse', 'keys', 'values', 'ignore_empty']);
const ANY_RULES = new Set(['required', 'in', 'not_in']);

/** The kind key of a field's rules (`string`, `repeated`, `duration`…), beside `message`. */
export function ruleKind(rules: FieldRules | undefined): string | undefined {
  return rules ? Object.keys(rules).find((key) => key !== 'message') : undefined;
}

/**
 * Rule names in `rules` this checker does not implement, as `kind.name`; the checker reports
 * them as violations so that a rule is never skipped without notice.
 */
export function unimplementedRules(rules: FieldRules | undefined): string[] {
  if (!rules) return [];
  const gaps: string[] = [];
  for (const [kind, set] of Object.entries(rules)) {
    const names = unknownRuleNames(kind, set);
    if (names === undefined) {
      gaps.push(kind); // timestamp, and kinds newer than this checker
      continue;
    }
    gaps.push(...names.map((name) => `${kind}.${name}`));
    if (kind === 'repeated') gaps.push(...unimplementedRules(set.items as FieldRules | undefined).map((gap) => `repeated.items.${gap}`));
    if (kind === 'map') {
      gaps.push(...unimplementedRules(set.keys as FieldRules | undefined).map((gap) => `map.keys.${gap}`));
      gaps.push(...unimplementedRules(set.values as FieldRules | undefined).map((gap) => `map.values.${gap}`));
    }
  }
  return gaps;
}

/** The rule names of one kind this checker does not implement; undefined for a kind it does not know. */
function unknownRuleNames(kind: string, set: RuleSet): string[] | undefined {
  const unknown = (known: Set<string>): string[] => Object.keys(set).filter((name) => !known.has(name));
  switch (kind) {
    case 'message': return unknown(MESSAGE_RULES);
    case 'string':
    case 'bytes': return unknownStringRules(kind, set);
    case 'duration': return unknownDurationRules(set);
    case 'any': return unknown(ANY_RULES);
    case 'repeated': return unknown(REPEATED_RULES);
    // no_sparse (no unset message values in a map) is not implemented: reported when a field asks for it.
    case 'map': return unknown(MAP_RULES).concat(set.no_sparse === true ? ['no_sparse'] : []);
    default: return kind === 'enum' || kind === 'bool' || isNumericKind(kind) ? unknownScalarRules(kind, set) : undefined;
  }
}

/**
 * The violations of a scalar or enum value (a field, a list item, a map key or value) against
 * the rules of its kind, each as `kind.rule …`.
 */
export function scalarViolations(kind: string, set: RuleSet, value: unknown, enumType?: protobuf.Enum): string[] {
  let problems: string[];
  if (kind === 'string') problems = stringViolations(set, value);
  else if (kind === 'bytes') problems = bytesViolations(set, value);
  else if (kind === 'bool') problems = boolViolations(set, value);
  else if (kind === 'enum') problems = enumType ? enumViolations(enumType, set, value) : [];
  else if (isNumericKind(kind)) problems = numberViolations(kind, set, value);
  else problems = [];
  return problems.map((problem) => `${kind}.${problem}`);
}

/**
 * The violations of a set message-typed value against its kind's rules (wrapper, duration,
 * any); presence rules (`required`) are the caller's.
 */
export function messageKindViolations(type: protobuf.Type, kind: string, set: RuleSet, value: unknown): string[] {
  const wrapped = WRAPPER_KINDS[type.fullName.slice(1)];
  // proto-loader JSON wraps the value ({value: 5}); proto3 JSON (a bootstrap) writes it bare.
  if (wrapped !== undefined) return scalarViolations(kind, set, isRecord(value) ? value.value : value);
  if (kind === 'duration') return durationViolations(set, value).map((problem) => `duration.${problem}`);
  if (kind === 'any') return anyViolations(set, value);
  return [];
}

function anyViolations(set: RuleSet, value: unknown): string[] {
  if (!isRecord(value)) return [];
  const typeUrl = value['@type'] ?? value.type_url;
  const problems: string[] = [];
  const allowed = listOf(set.in);
  if (allowed.length > 0 && !allowed.includes(typeUrl)) problems.push(`any.in ${JSON.stringify(allowed)} (got ${String(typeUrl)})`);
  const refused = listOf(set.not_in);
  if (refused.includes(typeUrl)) problems.push(`any.not_in ${JSON.stringify(refused)} (got ${String(typeUrl)})`);
  return problems;
}
