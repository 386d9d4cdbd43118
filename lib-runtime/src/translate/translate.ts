import { CompiledMesh, compileMesh } from './compile';
import { formatNodeId, parseNodeId, UnknownNodeError } from './node-id';
import { patchedEnvoyView } from './policies/envoy-patch-check';
import { ProxylessTarget, renderProxyless } from './proxyless';
import { withServerListeners } from './proxyless-server';
import { DiscoveredEndpoints, NodeConfig, NodeRef } from './types';
import { gatewayTargets, renderVirtualGateway } from './virtual-gateway';
import { renderVirtualNode } from './virtual-node';
import { ClientPolicy } from '../../../src/spec/appmesh-types';
import { MeshSpecDocument } from '../../../src/spec/document';
import { envoyPatchesOf } from '../../../src/spec/extensions/envoy-patch';

/** Input of `translateNode`: the spec (or its compiled index), endpoints, and the proxy's node id. */
export interface TranslateInput {
  /** The mesh spec; compiled once per document object (cached). Ignored when `mesh` is given. */
  readonly spec?: MeshSpecDocument;
  /** A compiled index from `compileMesh`, to reuse across nodes. */
  readonly mesh?: CompiledMesh;
  /** Endpoints by virtual node name; absent = none discovered. */
  readonly endpoints?: DiscoveredEndpoints;
  /** The node id the proxy presented (short form or full ARN). */
  readonly nodeId: string;
}

const compiledBySpec = new WeakMap<MeshSpecDocument, CompiledMesh>();

/** The compiled index of a spec document, built once per document object. */
export function compiledMeshOf(spec: MeshSpecDocument): CompiledMesh {
  let mesh = compiledBySpec.get(spec);
  if (!mesh) {
    mesh = compileMesh(spec);
    compiledBySpec.set(spec, mesh);
  }
  return mesh;
}

/**
 * Spec + endpoints + node id → the node's Envoy resources (both views). Pure and deterministic.
 * Throws `UnknownNodeError` when the id is malformed or names nothing in this mesh.
 */
export function translateNode(input: TranslateInput): NodeConfig {
  const mesh = input.mesh ?? (input.spec ? compiledMeshOf(input.spec) : undefined);
  if (!mesh) {
    throw new Error('translateNode needs a spec or a compiled mesh');
  }
  return renderNode(mesh, resolveNode(mesh, input.nodeId), input.endpoints ?? {});
}

/** Parses a node id and checks that it names a virtual node or gateway of this mesh. */
export function resolveNode(mesh: CompiledMesh, nodeId: string): NodeRef {
  const node = parseNodeId(nodeId);
  if (node.meshName !== mesh.meshName) {
    throw new UnknownNodeError(nodeId, `mesh "${node.meshName}" is not served here (this control plane serves mesh "${mesh.meshName}")`);
  }
  const exists = node.kind === 'virtualNode' ? mesh.nodes.has(node.name) : mesh.gateways.has(node.name);
  if (!exists) {
    throw new UnknownNodeError(nodeId, `mesh "${mesh.meshName}" has no ${node.kind} named "${node.name}"`);
  }
  return node;
}

/** Renders a resolved node. */
export function renderNode(mesh: CompiledMesh, node: NodeRef, endpoints: DiscoveredEndpoints): NodeConfig {
  if (node.kind === 'virtualNode') {
    const resource = mesh.nodes.get(node.name);
    if (!resource) throw new UnknownNodeError(formatNodeId(node), `mesh "${mesh.meshName}" has no virtualNode named "${node.name}"`);
    // Envoy patches come last, over the finished view (docs/envoy-patches.md).
    const envoy = patchedEnvoyView(renderVirtualNode(mesh, resource, endpoints).build(), envoyPatchesOf(resource));
    const defaults = resource.spec.backendDefaults?.clientPolicy;
    let targets: ProxylessTarget[];
    if (mesh.egressFilter === 'ALLOW_ALL') {
      const own = new Map<string, ClientPolicy | undefined>();
      for (const b of resource.spec.backends ?? []) {
        if (b.virtualService) own.set(b.virtualService.virtualServiceName, b.virtualService.clientPolicy);
      }
      targets = mesh.serviceNames.map(serviceName => ({ serviceName, policy: own.get(serviceName) ?? defaults }));
    } else {
      targets = (resource.spec.backends ?? [])
        .flatMap(b => (b.virtualService ? [b.virtualService] : []))
        .map(vs => ({ serviceName: vs.virtualServiceName, policy: vs.clientPolicy ?? defaults }))
        .sort((a, b) => (a.serviceName < b.serviceName ? -1 : a.serviceName > b.serviceName ? 1 : 0));
    }
    const clientView = renderProxyless(mesh, targets, endpoints);
    const proxyless = withServerListeners(clientView, resource.spec, mesh.meshName, resource.extensions?.authorization);
    return { node, envoy, proxyless: proxyless.build() };
  }
  const gateway = mesh.gateways.get(node.name);
  if (!gateway) throw new UnknownNodeError(formatNodeId(node), `mesh "${mesh.meshName}" has no virtualGateway named "${node.name}"`);
  const envoy = patchedEnvoyView(renderVirtualGateway(mesh, gateway, endpoints).build(), envoyPatchesOf(gateway));
  const policy = gateway.spec.backendDefaults?.clientPolicy;
  const targets = gatewayTargets(mesh.gatewayRoutesByGateway.get(node.name) ?? []).map(target => ({ ...target, policy }));
  return { node, envoy, proxyless: renderProxyless(mesh, targets, endpoints).build() };
}

const nodeIdsByMesh = new WeakMap<CompiledMesh, readonly string[]>();

/** Every node id of the mesh (virtual nodes, then virtual gateways), short form, sorted. */
export function listNodeIds(mesh: CompiledMesh): string[] {
  let ids = nodeIdsByMesh.get(mesh);
  if (!ids) {
    ids = computeNodeIds(mesh);
    nodeIdsByMesh.set(mesh, ids);
  }
  return [...ids];
}

function computeNodeIds(mesh: CompiledMesh): string[] {
  const nodes = [...mesh.nodes.keys()].sort().map(name => formatNodeId({ meshName: mesh.meshName, kind: 'virtualNode', name }));
  const gateways = [...mesh.gateways.keys()].sort().map(name => formatNodeId({ meshName: mesh.meshName, kind: 'virtualGateway', name }));
  return [...nodes, ...gateways];
}
