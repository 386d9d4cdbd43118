import { remoteCluster, RemoteCluster, View } from './clusters';
import { CompiledMesh, TargetListener } from './compile';
import { DiscoveredEndpoint } from './types';
import { ClientPolicy, VirtualGatewayClientPolicy } from '../../../src/spec/appmesh-types';

/**
 * Output objects made once per compiled mesh and shared by every node that holds the same
 * resource: the callers of a service hold the same clusters, assignments and route configs. That
 * saves rendering them again, and lets the xDS cache recognise them by identity instead of
 * serialising every copy. A key must stand for everything the object is made from, so sharing
 * changes no content; like the route tables, shared objects are read-only.
 */
interface MeshOutput {
  readonly byKey: Map<string, unknown>;
  /** Remote clusters per endpoint list (by identity: a list discovery replaces is dropped with its clusters). */
  readonly byEndpoints: WeakMap<readonly DiscoveredEndpoint[], Map<string, RemoteCluster>>;
}

const outputByMesh = new WeakMap<CompiledMesh, MeshOutput>();

function outputOf(mesh: CompiledMesh): MeshOutput {
  let output = outputByMesh.get(mesh);
  if (!output) {
    output = { byKey: new Map(), byEndpoints: new WeakMap() };
    outputByMesh.set(mesh, output);
  }
  return output;
}

/** The object `build` makes for `key` in this mesh, made on first use. */
export function sharedOutput<T>(mesh: CompiledMesh, key: string, build: () => T): T {
  const { byKey } = outputOf(mesh);
  let value = byKey.get(key) as T | undefined;
  if (value === undefined) {
    value = build();
    byKey.set(key, value);
  }
  return value;
}

/** `remoteCluster` for these inputs, shared. */
export function sharedRemoteCluster(
  mesh: CompiledMesh,
  target: TargetListener,
  policy: ClientPolicy | VirtualGatewayClientPolicy | undefined,
  endpoints: readonly DiscoveredEndpoint[] | undefined,
  view: View,
): RemoteCluster {
  // The cluster name stands for the target node and listener; the policy (TLS) is the caller's.
  const key = `cluster\u0000${view}\u0000${target.clusterName}\u0000${policy === undefined ? '' : JSON.stringify(policy)}`;
  const build = (): RemoteCluster => remoteCluster(mesh, target, policy, endpoints, view);
  if (endpoints === undefined) return sharedOutput(mesh, key, build);
  const output = outputOf(mesh);
  let clusters = output.byEndpoints.get(endpoints);
  if (!clusters) {
    clusters = new Map();
    output.byEndpoints.set(endpoints, clusters);
  }
  let rendered = clusters.get(key);
  if (!rendered) {
    rendered = build();
    clusters.set(key, rendered);
  }
  return rendered;
}
