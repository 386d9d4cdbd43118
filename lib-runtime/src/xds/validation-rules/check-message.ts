/**
 * The walk: every field of every message in a resource, with the field's rules applied. Scalars
 * outside a oneof are checked even when absent (absent means the default value, which a rule
 * such as `min_len: 1` refuses); oneof members, proto3 `optional` fields and messages only when
 * set. Any values are checked as the message their type URL names, as Envoy validates a typed
 * config when it unpacks it.
 */
import * as protobuf from 'protobufjs';
import { messageKindViolations, ruleKind, scalarViolations, unimplementedRules } from './field-rules';
import { FieldRules, fieldRules, isRecord, messageSkipped, oneofRequired, RuleSet } from './rules';
import { messageTypeOfUrl, OBJECT_OPTIONS } from '../protos';
import { shortTypeName } from '../type-urls';

/** One broken rule: where (`Listener "x".filter_chains[0].name`) and which (`string.min_len 1 (has 0)`). */
export interface RuleViolation {
  readonly path: string;
  readonly rule: string;
}

const MAX_DEPTH = 64;
const ANY = 'google.protobuf.Any';

/** Finds the message a type URL names, for Any values. */
export type TypeOfUrl = (typeUrl: string) => protobuf.Type;

export class MessageChecker {
  readonly violations: RuleViolation[] = [];

  /** `typeOfUrl` resolves Any contents; by default in the server's Root. */
  constructor(private readonly typeOfUrl: TypeOfUrl = messageTypeOfUrl) {}

  /** Checks `value` as a `type` message found at `path`. */
  message(type: protobuf.Type, value: unknown, path: string, depth = 0): void {
    if (depth > MAX_DEPTH) {
      this.report(path, 'nested too deeply to check');
      return;
    }
    if (messageSkipped(type) || !isRecord(value)) return;
    if (type.fullName === `.${ANY}`) {
      this.anyContent(value, path, depth);
      return;
    }
    for (const oneof of type.oneofsArray) {
      if (oneofRequired(oneof) && !oneof.fieldsArray.some((member) => isSet(value[member.name]))) {
        this.report(`${path}.${oneof.name}`, `oneof required: one of ${oneof.oneof.join(', ')}`);
      }
    }
    for (const field of type.fieldsArray) this.field(field, value[field.name], `${path}.${field.name}`, depth);
  }

  private field(field: protobuf.Field, value: unknown, path: string, depth: number): void {
    const rules = fieldRules(field);
    for (const gap of unimplementedRules(rules)) this.report(path, `${gap} is not implemented by this checker`);
    if (field.map) {
      this.map(field, rules?.map ?? {}, value, path, depth);
    } else if (field.repeated) {
      this.repeated(field, rules?.repeated ?? {}, value, path, depth);
    } else if (isSet(value) || !field.partOf) {
      this.single(field, rules, value, `${path}${anyLabel(field, value)}`, depth);
    }
  }

  /** A singular value: a field's, a list item's, a map value's. */
  private single(field: protobuf.Field, rules: FieldRules | undefined, value: unknown, path: string, depth: number): void {
    const resolved = field.resolve().resolvedType;
    const kind = ruleKind(rules);
    if (resolved instanceof protobuf.Type) {
      const set = isSet(value);
      if (rules?.message?.required === true && !set) this.report(path, 'message.required');
      if (kind !== undefined && (rules?.[kind] as RuleSet).required === true && !set) this.report(path, `${kind}.required`);
      if (!set) return;
      if (kind !== undefined) for (const problem of messageKindViolations(resolved, kind, rules![kind], value)) this.report(path, problem);
      if (rules?.message?.skip !== true) this.message(resolved, value, path, depth + 1);
      return;
    }
    if (kind === undefined) return;
    const enumType = resolved instanceof protobuf.Enum ? resolved : undefined;
    for (const problem of scalarViolations(kind, rules![kind], value, enumType)) this.report(path, problem);
  }

  private repeated(field: protobuf.Field, rules: RuleSet, value: unknown, path: string, depth: number): void {
    if (isSet(value) && !Array.isArray(value)) return; // a shape problem, for checkResourceObject
    const items = (value ?? []) as unknown[];
    if (!(rules.ignore_empty === true && items.length === 0)) {
      if (typeof rules.min_items === 'number' && items.length < rules.min_items) this.report(path, `repeated.min_items ${rules.min_items} (has ${items.length})`);
      if (typeof rules.max_items === 'number' && items.length > rules.max_items) this.report(path, `repeated.max_items ${rules.max_items} (has ${items.length})`);
      if (rules.unique === true) {
        const seen = new Set<string>();
        for (const item of items) {
          const key = JSON.stringify(item);
          if (seen.has(key)) this.report(path, `repeated.unique (${key} repeats)`);
          seen.add(key);
        }
      }
    }
    items.forEach((item, index) => this.single(field, rules.items as FieldRules | undefined, item, `${path}[${index}]${anyLabel(field, item)}`, depth));
  }

  private map(field: protobuf.Field, rules: RuleSet, value: unknown, path: string, depth: number): void {
    if (isSet(value) && !isRecord(value)) return;
    const entries = Object.entries((value ?? {}) as Record<string, unknown>);
    if (!(rules.ignore_empty === true && entries.length === 0)) {
      if (typeof rules.min_pairs === 'number' && entries.length < rules.min_pairs) this.report(path, `map.min_pairs ${rules.min_pairs} (has ${entries.length})`);
      if (typeof rules.max_pairs === 'number' && entries.length > rules.max_pairs) this.report(path, `map.max_pairs ${rules.max_pairs} (has ${entries.length})`);
    }
    const keyRules = rules.keys as FieldRules | undefined;
    const keyKind = ruleKind(keyRules);
    for (const [key, item] of entries) {
      const where = `${path}[${JSON.stringify(key)}]`;
      if (keyKind !== undefined) for (const problem of scalarViolations(keyKind, keyRules![keyKind], key)) this.report(`${where}(key)`, problem);
      this.single(field, rules.values as FieldRules | undefined, item, `${where}${anyLabel(field, item)}`, depth);
    }
  }

  /** The message inside an Any, by its type URL: expanded (`@type` plus fields) or packed bytes. */
  private anyContent(value: Record<string, unknown>, path: string, depth: number): void {
    const typeUrl = value['@type'] ?? value.type_url;
    if (typeof typeUrl !== 'string') return; // checkResourceObject reports an Any without a type
    let inner: protobuf.Type;
    try {
      inner = this.typeOfUrl(typeUrl);
    } catch {
      this.report(path, `any: ${typeUrl} is not a loaded message, its rules cannot be checked`);
      return;
    }
    let content: unknown = value;
    if (value['@type'] === undefined && typeof value.value === 'string') {
      try {
        content = inner.toObject(inner.decode(Buffer.from(value.value, 'base64')), OBJECT_OPTIONS);
      } catch (err) {
        this.report(path, `any: the bytes do not decode as ${typeUrl}: ${(err as Error).message}`);
        return;
      }
    }
    this.message(inner, content, path, depth + 1);
  }

  private report(path: string, rule: string): void {
    this.violations.push({ path, rule });
  }
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** `(HttpConnectionManager)` after the path of an Any value, naming what is packed. */
function anyLabel(field: protobuf.Field, value: unknown): string {
  if (field.resolvedType?.fullName !== `.${ANY}` || !isRecord(value)) return '';
  const typeUrl = value['@type'] ?? value.type_url;
  return typeof typeUrl === 'string' ? `(${shortTypeName(typeUrl)})` : '';
}
