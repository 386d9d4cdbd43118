import { specDepthIssue } from './depth-limit';
import { MeshSpecDocument } from './document';
import { SpecValidationError } from './issue';
import { describeValue } from './schema-check';
import { specVersionIssue } from './spec-version';
import { validateMeshSpec, ValidateOptions } from './validate';

/**
 * Canonical form of a mesh spec document: the same mesh always gives the same bytes.
 *
 * - object keys are sorted everywhere (code-unit order, independent of locale);
 * - fields whose value is `undefined` are dropped (JSON has no undefined);
 * - the resource lists are sorted by name (routes and gateway routes by parent, then name),
 *   `proxyAccess` by node id and each entry's principals alphabetically;
 * - arrays inside specs keep the author's order: listener order carries meaning (the first
 *   listener is the default one), and keeping backends, targets and matchers as written makes
 *   a synthesized spec easy to compare with the code that produced it.
 */

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Deep copy with sorted keys; arrays keep their order. Class instances are kept as they are. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareStrings)) {
    const child = value[key];
    // defineProperty, not assignment: a "__proto__" key from JSON.parse stays a key instead of
    // replacing the copy's prototype.
    if (child !== undefined) Object.defineProperty(out, key, { value: sortKeys(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Sorts a copy of `list` by the string keys `keyFields` (in order); non-arrays pass through. */
function sortList<T>(list: readonly T[] | undefined, ...keyFields: string[]): T[] | undefined {
  if (!Array.isArray(list)) return list as T[] | undefined;
  const keyOf = (item: T, field: string) => String((item as Record<string, unknown> | undefined)?.[field] ?? '');
  return [...list].sort((a, b) => {
    for (const field of keyFields) {
      const order = compareStrings(keyOf(a, field), keyOf(b, field));
      if (order !== 0) return order;
    }
    return 0;
  });
}

/**
 * The canonical copy of a mesh spec document (see the module comment). The input is not changed.
 * Throws `SpecValidationError` for a document nested deeper than any mesh spec can be.
 */
export function canonicalizeMeshSpec(doc: MeshSpecDocument): MeshSpecDocument {
  const tooDeep = specDepthIssue(doc);
  if (tooDeep !== undefined) throw new SpecValidationError([tooDeep], 'cannot write mesh spec');
  const proxyAccess = sortList(doc.proxyAccess, 'nodeId')?.map(grant =>
    Array.isArray(grant?.principals) ? { ...grant, principals: [...grant.principals].sort(compareStrings) } : grant);
  const sorted = {
    ...doc,
    virtualNodes: sortList(doc.virtualNodes, 'virtualNodeName'),
    virtualServices: sortList(doc.virtualServices, 'virtualServiceName'),
    virtualRouters: sortList(doc.virtualRouters, 'virtualRouterName'),
    routes: sortList(doc.routes, 'virtualRouterName', 'routeName'),
    virtualGateways: sortList(doc.virtualGateways, 'virtualGatewayName'),
    gatewayRoutes: sortList(doc.gatewayRoutes, 'virtualGatewayName', 'gatewayRouteName'),
    proxyAccess,
  };
  return sortKeys(sorted) as MeshSpecDocument;
}

/**
 * The canonical JSON text of a mesh spec document: canonical form, 2-space indent,
 * trailing newline. Byte-identical for equal meshes.
 */
export function toCanonicalJson(doc: MeshSpecDocument): string {
  return `${JSON.stringify(canonicalizeMeshSpec(doc), undefined, 2)}\n`;
}

/**
 * Reads a mesh spec document from JSON text: parses it, refuses a `specVersion` it does not know
 * (`KNOWN_SPEC_VERSIONS`; a document with extensions from a newer release is refused, never read
 * without its policies),
 * validates it, and throws a `SpecValidationError` listing every issue (one per line).
 * Returns the document as parsed (canonical when it was written by `toCanonicalJson`).
 * `options.isUnresolved` lets a tool read a cloud-assembly file whose deploy-time values are
 * still CloudFormation intrinsics (see `isCloudFormationIntrinsic`); the control plane passes none.
 */
export function parseMeshSpec(json: string, options: ValidateOptions = {}): MeshSpecDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SpecValidationError([{ path: '(document)', message: `not valid JSON: ${reason}` }], 'cannot read mesh spec');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SpecValidationError(
      [{ path: '(document)', message: `expected a mesh spec document object, got ${describeValue(doc)}` }],
      'cannot read mesh spec');
  }
  const versionIssue = specVersionIssue((doc as Record<string, unknown>).specVersion);
  if (versionIssue !== undefined) throw new SpecValidationError([versionIssue], 'cannot read mesh spec');
  const issues = validateMeshSpec(doc as MeshSpecDocument, options);
  if (issues.length > 0) throw new SpecValidationError(issues);
  return doc as MeshSpecDocument;
}
