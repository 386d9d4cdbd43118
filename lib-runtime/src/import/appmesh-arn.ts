import type { ResourceKind } from './imported-resource';

/**
 * App Mesh ARNs: `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>[/<kind>/<name>[/<childKind>/<child>]]`.
 * Inputs often name a resource by its ARN where the spec wants its name (a CloudFormation `Ref`,
 * a Kubernetes `virtualNodeARN`); the spec holds names only, so the ARN is read back to a name.
 */

export interface AppMeshArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly meshName: string;
  readonly kind: ResourceKind;
  /** The resource's own name (the mesh name for a mesh). */
  readonly name: string;
  /** Parent router or gateway of a route or gateway route. */
  readonly parentName?: string;
}

const ARN = /^arn:([^:]+):appmesh:([^:]*):([^:]*):mesh\/([^/]+)(?:\/(virtualNode|virtualService|virtualRouter|virtualGateway)\/([^/]+)(?:\/(route|gatewayRoute)\/([^/]+))?)?$/;

/** The parts of an App Mesh ARN, or undefined when `text` is not one. */
export function parseAppMeshArn(text: string): AppMeshArn | undefined {
  const match = ARN.exec(text);
  if (match === null) return undefined;
  const [, partition, region, account, meshName, kind, name, childKind, child] = match;
  const base = { partition, region, account, meshName };
  if (kind === undefined) return { ...base, kind: 'mesh', name: meshName };
  if (childKind !== undefined) return { ...base, kind: childKind as ResourceKind, name: child, parentName: name };
  return { ...base, kind: kind as ResourceKind, name };
}

/** Builds the ARN of a resource (what CloudFormation's `Ref` of an App Mesh resource returns). */
export function formatAppMeshArn(arn: AppMeshArn): string {
  const prefix = `arn:${arn.partition}:appmesh:${arn.region}:${arn.account}:mesh/${arn.meshName}`;
  switch (arn.kind) {
    case 'mesh':
      return prefix;
    case 'route':
      return `${prefix}/virtualRouter/${arn.parentName}/route/${arn.name}`;
    case 'gatewayRoute':
      return `${prefix}/virtualGateway/${arn.parentName}/gatewayRoute/${arn.name}`;
    default:
      return `${prefix}/${arn.kind}/${arn.name}`;
  }
}

/** Spec fields that hold a resource name (and so never an ARN). */
const NAME_FIELDS = new Set(['virtualNode', 'virtualNodeName', 'virtualRouterName', 'virtualServiceName', 'virtualGatewayName', 'meshName']);

/**
 * Replaces App Mesh ARNs found in name fields of `spec` (in place) by the names they carry;
 * `onReplace` hears each replacement with the field's path.
 */
export function namesFromArns(spec: unknown, path: string, onReplace: (path: string, arn: string, name: string) => void): void {
  if (Array.isArray(spec)) {
    spec.forEach((item, i) => namesFromArns(item, `${path}[${i}]`, onReplace));
    return;
  }
  if (typeof spec !== 'object' || spec === null) return;
  const record = spec as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    const here = `${path}.${key}`;
    if (typeof value === 'string' && NAME_FIELDS.has(key)) {
      const arn = parseAppMeshArn(value);
      if (arn !== undefined) {
        record[key] = arn.name;
        onReplace(here, value, arn.name);
      }
    } else {
      namesFromArns(value, here, onReplace);
    }
  }
}
