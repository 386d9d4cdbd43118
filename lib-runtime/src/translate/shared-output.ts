import { remoteCluster, RemoteCluster, View } from './clusters';
import { CompiledMesh, TargetListener } from './compile';
import { sameContent } from './same-content';
import { DiscoveredEndpoint } from './types';
import { ClientPolicy, VirtualGatewayClientPolicy } from '../../../src/spec/appmesh-types';
import { VirtualNodeResource } from '../../../src/spec/document';

/**
 * Output objects made once per compiled mesh and shared by every node that holds the same
 * resource: the callers of a service hold the same clusters, assignments and route configs. That
 * saves rendering them again, and lets the xDS cache recognise them by identity instead of
 * serialising every copy. A key must stand for everything the object is made from, so sharing
 * changes no content; like the route tables, shared objects are read-only.
 *
 * Remote clusters also outlive their mesh: a new spec version that leaves a cluster's inputs as
 * they were gets the very object the previous version rendered (see `PreviousVersions`).
 */
interface MeshOutput {
  readonly byKey: Map<string, unknown>;
  /** Remote clusters per endpoint list (by identity: a list discovery replaces is dropped with its clusters). */
  readonly byEndpoints: WeakMap<readonly DiscoveredEndpoint[], Map<string, RemoteCluster>>;
}

const outputByMesh = new WeakMap<CompiledMesh, MeshOutput>();

/**
 * Remote clusters by a key of everything they are made from, kept for the mesh rendered now and
 * the one before it: a spec version's renders find what the last version made, and nothing older
 * is held, so the store never holds more than two meshes' clusters (and the previous mesh's node
 * table, to know its nodes again).
 */
class PreviousVersions {
  private current = new Map<string, RemoteCluster>();
  private previous = new Map<string, RemoteCluster>();
  private currentNodes: ReadonlyMap<string, VirtualNodeResource> = new Map();
  private previousNodes: ReadonlyMap<string, VirtualNodeResource> = new Map();
  private readonly nodeIds = new WeakMap<VirtualNodeResource, number>();
  private lastNodeId = 0;

  /** A mesh was compiled and is rendered for the first time: what the one before it made becomes the previous. */
  nextVersion(mesh: CompiledMesh): void {
    this.previous = this.current;
    this.current = new Map();
    this.previousNodes = this.currentNodes;
    this.currentNodes = mesh.nodes;
  }

  /**
   * A number per node content: a node equal to the same-named node of the previous version gets
   * that node's number (each spec version parses new objects, so identity says nothing across
   * versions). Equal numbers mean equal content, with nothing serialised or hashed.
   */
  nodeIdOf(node: VirtualNodeResource): number {
    let id = this.nodeIds.get(node);
    if (id === undefined) {
      const before = this.previousNodes.get(node.virtualNodeName);
      const beforeId = before && this.nodeIds.get(before);
      id = beforeId !== undefined && before!.meshName === node.meshName && sameContent(before!.spec, node.spec) ? beforeId : ++this.lastNodeId;
      this.nodeIds.set(node, id);
    }
    return id;
  }

  get(key: string): RemoteCluster | undefined {
    let value = this.current.get(key);
    if (value === undefined) {
      value = this.previous.get(key);
      if (value !== undefined) this.current.set(key, value);
    }
    return value;
  }

  set(key: string, value: RemoteCluster): void {
    this.current.set(key, value);
  }
}

const acrossVersions = new PreviousVersions();

function outputOf(mesh: CompiledMesh): MeshOutput {
  let output = outputByMesh.get(mesh);
  if (!output) {
    output = { byKey: new Map(), byEndpoints: new WeakMap() };
    outputByMesh.set(mesh, output);
    acrossVersions.nextVersion(mesh);
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
  const build = (): RemoteCluster => {
    // Across versions the name is not enough: the target node's content (its number), which of its listeners,
    // the mesh's IP preference and the endpoint list (by identity) are the rest of the inputs.
    const versionKey = `${key}\u0000${acrossVersions.nodeIdOf(target.node)}\u0000${target.node.spec.listeners?.indexOf(target.listener)}`
      + `\u0000${mesh.ipPreference ?? ''}\u0000${endpoints === undefined ? '' : endpointListId(endpoints)}`;
    let rendered = acrossVersions.get(versionKey);
    if (!rendered) {
      rendered = remoteCluster(mesh, target, policy, endpoints, view);
      acrossVersions.set(versionKey, rendered);
    }
    return rendered;
  };
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

const endpointListIds = new WeakMap<readonly DiscoveredEndpoint[], number>();
let lastEndpointListId = 0;

/** A number per endpoint list object: discovery replaces a list when its endpoints change, never edits one. */
function endpointListId(endpoints: readonly DiscoveredEndpoint[]): number {
  let id = endpointListIds.get(endpoints);
  if (id === undefined) {
    id = ++lastEndpointListId;
    endpointListIds.set(endpoints, id);
  }
  return id;
}
