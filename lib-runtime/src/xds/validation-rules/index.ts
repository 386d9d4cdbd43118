/**
 * Envoy's own validation rules, checked on our resources before any Envoy sees them. Envoy's
 * protos carry protoc-gen-validate annotations (`(validate.rules)` on fields, `(validate.required)`
 * on oneofs); Envoy runs the generated validators on every resource it accepts and on every
 * typed config it unpacks, and rejects the update when one fails. This reads the same
 * annotations from the descriptors the server already loads (xds/protos.ts) and applies them to
 * resource objects in the project's proto JSON. Generic: it knows messages, not meshes.
 */
import type * as protobuf from 'protobufjs';
import { MessageChecker, RuleViolation, TypeOfUrl } from './check-message';
import { messageTypeOfUrl } from '../protos';
import { shortTypeName } from '../type-urls';

export type { RuleViolation, TypeOfUrl } from './check-message';
export { unimplementedRules } from './field-rules';
export { fieldRules } from './rules';

/**
 * Every validation rule a resource breaks, with the path to the field; empty when it passes.
 * The path starts with the type and name, as in `Listener "x".filter_chains[0].name`.
 */
export function validationRuleViolations(typeUrl: string, resource: object): RuleViolation[] {
  const checker = new MessageChecker();
  checker.message(messageTypeOfUrl(typeUrl), resource, resourceLabel(typeUrl, resource));
  return checker.violations;
}

/**
 * Every validation rule a message object breaks, for messages outside the served resource types
 * (a bootstrap, say); `typeOfUrl` resolves the Any values inside it.
 */
export function messageRuleViolations(type: protobuf.Type, value: object, path: string, typeOfUrl?: TypeOfUrl): RuleViolation[] {
  const checker = new MessageChecker(typeOfUrl);
  checker.message(type, value, path);
  return checker.violations;
}

/** A violation as one line: `path: rule`. */
export function formatViolation(violation: RuleViolation): string {
  return `${violation.path}: ${violation.rule}`;
}

function resourceLabel(typeUrl: string, resource: object): string {
  const record = resource as { name?: unknown; cluster_name?: unknown };
  const name = record.name ?? record.cluster_name;
  return typeof name === 'string' ? `${shortTypeName(typeUrl)} ${JSON.stringify(name)}` : shortTypeName(typeUrl);
}
