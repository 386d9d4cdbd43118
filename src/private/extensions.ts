import { IConstruct } from 'constructs';

/**
 * The construct side of the spec's extension section (docs/policies.md). A policy attached to a
 * route, gateway route, virtual node or virtual gateway registers a contributor on that construct;
 * at synth the spec builder calls every contributor and writes what they return, merged, as the
 * resource's `extensions`. Contributors run late, so policies added after construction count.
 */
export type ExtensionContributor = () => Record<string, unknown> | undefined;

const CONTRIBUTORS = Symbol.for('open-app-mesh.extensionContributors');

/** Adds a contributor of extension fields to `construct` (a mesh resource construct). */
export function contributeExtensions(construct: IConstruct, contributor: ExtensionContributor): void {
  let list: ExtensionContributor[] | undefined = (construct as any)[CONTRIBUTORS];
  if (list === undefined) {
    list = [];
    Object.defineProperty(construct, CONTRIBUTORS, { value: list, enumerable: false });
  }
  list.push(contributor);
}

/**
 * The merged extension fields of `construct`, or undefined when no contributor set any. Lists
 * from several contributors are concatenated in contribution order; any other field set by two
 * contributors is an error naming the construct path.
 */
export function renderExtensions(construct: IConstruct): Record<string, unknown> | undefined {
  const list: ExtensionContributor[] = (construct as any)[CONTRIBUTORS] ?? [];
  const merged: Record<string, unknown> = {};
  for (const contributor of list) {
    for (const [key, value] of Object.entries(contributor() ?? {})) {
      if (value === undefined) continue;
      const before = merged[key];
      if (before === undefined) {
        merged[key] = value;
      } else if (Array.isArray(before) && Array.isArray(value)) {
        merged[key] = [...before, ...value];
      } else {
        throw new Error(`[${construct.node.path}] extensions.${key} is set twice; a resource carries one ${key} policy`);
      }
    }
  }
  return Object.keys(merged).length > 0 ? merged : undefined;
}
