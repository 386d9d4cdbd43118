import { SpecIssueSeverity } from '../issue';
import { MeshIndex } from '../mesh-index';

/** What a rule sees besides the resource it checks. */
export interface RuleContext {
  /** Name lookups over the whole document. */
  readonly index: MeshIndex;
  /** Name of the mesh the document describes. */
  readonly meshName: string;
  /** False for values that are still CDK tokens: rules never compare those. */
  known(value: unknown): boolean;
  /** Reports a problem at the resource's path followed by `relativePath` (e.g. `.spec.listeners[0]`). */
  report(relativePath: string, message: string): void;
}

/**
 * One cross-field rule of the mesh spec: a rule the JSON schema cannot express.
 * Rules run only on resources whose spec passed the structural check, so they may rely
 * on the generated types, except that any value may be an unresolved CDK token.
 */
export interface SpecRule<R> {
  /** Stable id, used by tests and in docs. */
  readonly id: string;
  /** One line: what the rule requires. */
  readonly summary: string;
  /**
   * `warning` where App Mesh accepted the input but traffic does not flow as written: the spec
   * is still served (the offending route is not distributed). Default `error`: refused.
   */
  readonly severity?: SpecIssueSeverity;
  /** Reports each violation through `ctx.report`. */
  readonly check: (resource: R, ctx: RuleContext) => void;
}

/** The array, or nothing when the value is absent or a token standing for a list. */
export function items<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Keys of the members that are set, in the order given. */
export function setMembers(value: object | undefined, members: readonly string[]): string[] {
  if (value === undefined || value === null) return [];
  const record = value as Record<string, unknown>;
  return members.filter(member => record[member] !== undefined);
}

/** `"a"`, `"a" and "b"` style quoting of names in messages. */
export function quote(value: unknown): string {
  return JSON.stringify(value);
}

/** `8080, 8081` */
export function portList(ports: readonly unknown[]): string {
  return ports.join(', ');
}
