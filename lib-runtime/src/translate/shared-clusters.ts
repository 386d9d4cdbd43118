import { remoteCluster, RemoteCluster, View } from './clusters';
import { CompiledMesh, TargetListener } from './compile';
import { DiscoveredEndpoint } from './types';
import { ClientPolicy, VirtualGatewayClientPolicy } from '../../../src/spec/appmesh-types';

/**
 * Remote clusters rendered once per compiled mesh and shared by every node that holds them: all
 * callers of a service hold the same clusters and assignments, so sharing the objects saves the
 * rendering and lets the xDS cache recognise them by identity instead of serialising each copy.
 * The output is what `remoteCluster` returns for the same inputs, so sharing changes no content;
 * like the route tables, the objects are read-only.
 */
interface MeshClusters {
  /** Clusters of targets without discovered endpoints. */
  readonly undiscovered: Map<string, RemoteCluster>;
  /** Per endpoint list (by identity: a new list from discovery renders anew, the old ones are dropped with it). */
  readonly byEndpoints: WeakMap<readonly DiscoveredEndpoint[], Map<string, RemoteCluster>>;
}

const clustersByMesh = new WeakMap<CompiledMesh, MeshClusters>();

export function sharedRemoteCluster(
  mesh: CompiledMesh,
  target: TargetListener,
  policy: ClientPolicy | VirtualGatewayClientPolicy | undefined,
  endpoints: readonly DiscoveredEndpoint[] | undefined,
  view: View,
): RemoteCluster {
  let clusters = clustersByMesh.get(mesh);
  if (!clusters) {
    clusters = { undiscovered: new Map(), byEndpoints: new WeakMap() };
    clustersByMesh.set(mesh, clusters);
  }
  let table = endpoints === undefined ? clusters.undiscovered : clusters.byEndpoints.get(endpoints);
  if (!table) {
    table = new Map();
    clusters.byEndpoints.set(endpoints!, table);
  }
  // The cluster name stands for the target node and listener; the policy (TLS) is the caller's.
  const key = `${view}\u0000${target.clusterName}\u0000${policy === undefined ? '' : JSON.stringify(policy)}`;
  let rendered = table.get(key);
  if (!rendered) {
    rendered = remoteCluster(mesh, target, policy, endpoints, view);
    table.set(key, rendered);
  }
  return rendered;
}
