/**
 * Rules of the numeric kinds (int32 … double), bool and enum. Each takes the field's value as
 * the project's proto JSON holds it: numbers, decimal strings for 64-bit integers, enum names.
 */
import * as protobuf from 'protobufjs';
import { Ordered, rangeViolations, toBigInt, toFloat } from './range';
import { RuleSet } from './rules';

const INTEGER_KINDS = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const FLOAT_KINDS = new Set(['float', 'double']);

/** The rule kinds this file checks, besides enum. */
export function isNumericKind(kind: string): boolean {
  return INTEGER_KINDS.has(kind) || FLOAT_KINDS.has(kind);
}

const NUMERIC_RULES = new Set(['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'ignore_empty']);
const ENUM_RULES = new Set(['const', 'defined_only', 'in', 'not_in']);
const BOOL_RULES = new Set(['const']);

/** Rule names a kind has that this checker does not implement (reported, never skipped silently). */
export function unknownScalarRules(kind: string, rules: RuleSet): string[] {
  const known = kind === 'enum' ? ENUM_RULES : kind === 'bool' ? BOOL_RULES : NUMERIC_RULES;
  return Object.keys(rules).filter((name) => !known.has(name));
}

export function numberViolations(kind: string, rules: RuleSet, value: unknown): string[] {
  const toOrdered = FLOAT_KINDS.has(kind) ? toFloat : toBigInt;
  const ordered = toOrdered(value ?? 0);
  if (ordered === undefined) return [];
  if (rules.ignore_empty === true && (ordered === 0 || ordered === 0n)) return [];
  return rangeViolations(ordered, rules, toOrdered, String);
}

export function boolViolations(rules: RuleSet, value: unknown): string[] {
  const actual = value === true;
  return rules.const !== undefined && actual !== rules.const ? [`const ${String(rules.const)} (got ${String(actual)})`] : [];
}

/** Enum rules: values compare by number; defined_only refuses numbers the enum does not name. */
export function enumViolations(type: protobuf.Enum, rules: RuleSet, value: unknown): string[] {
  const number = enumNumber(type, value ?? 0);
  if (number === undefined) return rules.defined_only === true ? [`defined_only (got ${String(value)})`] : [];
  const problems: string[] = [];
  if (rules.defined_only === true && type.valuesById[number] === undefined) problems.push(`defined_only (got ${number})`);
  const toOrdered = (raw: unknown): Ordered | undefined => {
    const n = enumNumber(type, raw);
    return n === undefined ? undefined : BigInt(n);
  };
  const show = (v: Ordered): string => type.valuesById[Number(v)] ?? String(v);
  problems.push(...rangeViolations(BigInt(number), { const: rules.const, in: rules.in, not_in: rules.not_in }, toOrdered, show));
  return problems;
}

function enumNumber(type: protobuf.Enum, value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') return type.values[value];
  return undefined;
}
