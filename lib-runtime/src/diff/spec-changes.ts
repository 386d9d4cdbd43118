import { FieldChange, JsonChangeOptions, jsonChanges } from './json-changes';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { isCloudFormationIntrinsic } from '../../../src/spec/intrinsic';

/**
 * The App Mesh-level change between two spec documents of one mesh: which resources were added,
 * removed or changed, and for a changed one every field, with the paths the validator uses
 * (`routes["serviceB/serviceB-route"].spec.httpRoute.action.weightedTargets[…].weight`).
 * Resources are matched by name (routes and gateway routes by parent and name), so the order of
 * the document's lists does not count as a change.
 *
 * A cloud assembly's file holds deploy-time values as CloudFormation intrinsics where the spec a
 * control plane serves has them resolved. A field that is an intrinsic on one side only cannot
 * be compared: it is not a change, and its path goes to `onDeployTimeValue`.
 */

export type ResourceKind = 'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute' | 'proxyAccess';

/** One resource that differs. */
export interface ResourceChange {
  readonly kind: ResourceKind;
  /** Its name; `router/route` for routes, `gateway/route` for gateway routes, the node id for proxyAccess. */
  readonly name: string;
  /** The resource in the document: `virtualNodes["serviceB"]`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Field changes of a changed resource; empty for added and removed ones. */
  readonly fields: readonly FieldChange[];
  /** The resource as it was (removed) or is (added). */
  readonly resource?: unknown;
}

interface KindOf {
  readonly kind: ResourceKind;
  readonly list: 'virtualNodes' | 'virtualServices' | 'virtualRouters' | 'routes' | 'virtualGateways' | 'gatewayRoutes' | 'proxyAccess';
  readonly key: (resource: any) => string;
}

/** In the document's order, as the validator reports them. */
const KINDS: readonly KindOf[] = [
  { kind: 'virtualNode', list: 'virtualNodes', key: r => r.virtualNodeName },
  { kind: 'virtualService', list: 'virtualServices', key: r => r.virtualServiceName },
  { kind: 'virtualRouter', list: 'virtualRouters', key: r => r.virtualRouterName },
  { kind: 'route', list: 'routes', key: r => `${r.virtualRouterName}/${r.routeName}` },
  { kind: 'virtualGateway', list: 'virtualGateways', key: r => r.virtualGatewayName },
  { kind: 'gatewayRoute', list: 'gatewayRoutes', key: r => `${r.virtualGatewayName}/${r.gatewayRouteName}` },
  { kind: 'proxyAccess', list: 'proxyAccess', key: r => r.nodeId },
];

/** Every resource that differs between `before` and `after` (either may be absent: a mesh added or removed). */
export function specChanges(
  before: MeshSpecDocument | undefined,
  after: MeshSpecDocument | undefined,
  onDeployTimeValue: (path: string) => void = () => undefined,
): ResourceChange[] {
  const options: JsonChangeOptions = {
    incomparable: (b, a) => isCloudFormationIntrinsic(b) !== isCloudFormationIntrinsic(a),
    onIncomparable: onDeployTimeValue,
  };
  const compare = (kind: ResourceKind, name: string, path: string, b: unknown, a: unknown) => compareResource(kind, name, path, b, a, options);
  const out: ResourceChange[] = [];
  const mesh = compare('mesh', before?.mesh.meshName ?? after!.mesh.meshName, 'mesh', before?.mesh, after?.mesh);
  if (mesh) out.push(mesh);
  for (const kind of KINDS) {
    const old = index(before?.[kind.list] ?? [], kind);
    const now = index(after?.[kind.list] ?? [], kind);
    const names = [...old.keys(), ...[...now.keys()].filter(name => !old.has(name))].sort();
    for (const name of names) {
      const change = compare(kind.kind, name, `${kind.list}[${JSON.stringify(name)}]`, old.get(name), now.get(name));
      if (change) out.push(change);
    }
  }
  return out;
}

function compareResource(
  kind: ResourceKind, name: string, path: string, before: unknown, after: unknown, options: JsonChangeOptions,
): ResourceChange | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) return { kind, name, path, change: 'added', fields: [], resource: after };
  if (after === undefined) return { kind, name, path, change: 'removed', fields: [], resource: before };
  const fields = jsonChanges(before, after, path, options);
  return fields.length === 0 ? undefined : { kind, name, path, change: 'changed', fields };
}

function index(list: readonly unknown[], kind: KindOf): Map<string, unknown> {
  return new Map(list.map(resource => [kind.key(resource), resource]));
}
