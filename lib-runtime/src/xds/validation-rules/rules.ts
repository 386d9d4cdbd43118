/**
 * The protoc-gen-validate annotations of a proto, as protobufjs keeps them: every custom option
 * lands in `parsedOptions` (a list of single-key objects, one per option statement), so
 * `[(validate.rules).string = {min_len: 1}]` reads back as `{'(validate.rules)': {string: {min_len: 1}}}`.
 */
import * as protobuf from 'protobufjs';

/** One kind's rules (`{min_len: 1, well_known_regex: 'HTTP_HEADER_NAME', strict: false}`). */
export type RuleSet = Record<string, unknown>;

/** A field's `(validate.rules)`: at most one kind key (string, repeated, duration…) plus `message`. */
export type FieldRules = Record<string, RuleSet>;

const FIELD_RULES = '(validate.rules)';
const ONEOF_REQUIRED = '(validate.required)';
const MESSAGE_DISABLED = '(validate.disabled)';
const MESSAGE_IGNORED = '(validate.ignored)';

const fieldRulesCache = new WeakMap<protobuf.Field, FieldRules | undefined>();

/** The `(validate.rules)` of a field, merged across option statements; undefined when it has none. */
export function fieldRules(field: protobuf.Field): FieldRules | undefined {
  if (fieldRulesCache.has(field)) return fieldRulesCache.get(field);
  let merged: Record<string, unknown> | undefined;
  for (const option of parsedOptionsOf(field)) {
    const rules = (option as Record<string, unknown>)[FIELD_RULES];
    if (isRecord(rules)) merged = deepMerge(merged ?? {}, rules);
  }
  fieldRulesCache.set(field, merged as FieldRules | undefined);
  return merged as FieldRules | undefined;
}

/** Whether a oneof is annotated `(validate.required) = true`: exactly one member must be set. */
export function oneofRequired(oneof: protobuf.OneOf): boolean {
  return optionTrue(parsedOptionsOf(oneof), ONEOF_REQUIRED);
}

/** Whether a message opts out of validation (`(validate.disabled)` or `(validate.ignored)`). */
export function messageSkipped(type: protobuf.Type): boolean {
  const options = parsedOptionsOf(type);
  return optionTrue(options, MESSAGE_DISABLED) || optionTrue(options, MESSAGE_IGNORED);
}

/** protobufjs types parsedOptions as a record, but holds a list (or nothing) at run time. */
function parsedOptionsOf(object: protobuf.ReflectionObject): unknown[] {
  const options = (object as { parsedOptions?: unknown }).parsedOptions;
  return Array.isArray(options) ? options : [];
}

function optionTrue(parsedOptions: unknown[], name: string): boolean {
  return parsedOptions.some((option) => (option as Record<string, unknown>)[name] === true);
}

/** A rule that protobufjs read as one value where the proto text allows a list (`not_in: 0`). */
export function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    into[key] = isRecord(existing) && isRecord(value) ? deepMerge({ ...existing }, value) : value;
  }
  return into;
}
