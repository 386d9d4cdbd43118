/**
 * Translation: mesh spec + discovered endpoints + node id → Envoy v3 resources, with App Mesh's
 * names, ports and defaults. Pure: no I/O, deterministic output.
 */
export { affectedNodes, nodesUsingEndpoints } from './affected';
export type { MeshChange } from './affected';
export { configForClient } from './client-dialect';
export { choicesKey, choicesOfKey, clientProfile } from './client-profile';
export type { ClientFamily, ClientNode, ClientProfile, ClientVersion, RenderChoices } from './client-profile';
export { compileMesh } from './compile';
export type { CompiledMesh } from './compile';
export * as defaults from './defaults';
export { formatNodeId, parseNodeId, UnknownNodeError } from './node-id';
export { TRANSLATION_TYPE_URLS, TYPE as TYPE_URLS } from './proto-json';
export { compiledMeshOf, listNodeIds, renderNode, resolveNode, translateNode } from './translate';
export type { TranslateInput } from './translate';
export type { DiscoveredEndpoint, DiscoveredEndpoints, EnvoyConfig, NodeConfig, NodeRef, ProtoJson } from './types';
