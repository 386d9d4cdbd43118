import { NodeRef } from './types';

/**
 * Thrown when a proxy presents a node id that is malformed or names no virtual node or virtual
 * gateway of the mesh. The runtime refuses the stream with this message.
 */
export class UnknownNodeError extends Error {
  public readonly nodeId: string;
  constructor(nodeId: string, reason: string) {
    super(`unknown node id "${nodeId}": ${reason}`);
    this.name = 'UnknownNodeError';
    this.nodeId = nodeId;
  }
}

const ARN_PREFIX = /^arn:[^:]+:appmesh:[^:]*:[^:]*:/;

/**
 * Parses the node id forms the App Mesh Envoy agent accepts (docs/envoy-mapping.md §11.2):
 * `mesh/<mesh>/virtualNode/<name>`, `mesh/<mesh>/virtualGateway/<name>`, the same behind a full
 * ARN prefix `arn:aws:appmesh:<region>:<account>:`, and a shared mesh written `<mesh>@<owner>`.
 */
export function parseNodeId(nodeId: string): NodeRef {
  if (typeof nodeId !== 'string' || nodeId.length === 0) {
    throw new UnknownNodeError(String(nodeId), 'empty node id');
  }
  let resource = nodeId;
  if (resource.startsWith('arn:')) {
    const prefix = ARN_PREFIX.exec(resource);
    if (!prefix) {
      throw new UnknownNodeError(nodeId, 'not an App Mesh ARN (expected arn:<partition>:appmesh:<region>:<account>:mesh/...)');
    }
    resource = resource.slice(prefix[0].length);
  }
  const parts = resource.split('/');
  if (parts.length !== 4 || parts[0] !== 'mesh') {
    throw new UnknownNodeError(nodeId, 'expected mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>');
  }
  const [, meshPart, kind, name] = parts;
  if (kind !== 'virtualNode' && kind !== 'virtualGateway') {
    throw new UnknownNodeError(nodeId, `resource type "${kind}" is neither virtualNode nor virtualGateway`);
  }
  const meshName = meshPart.split('@')[0];
  if (!meshName || !name) {
    throw new UnknownNodeError(nodeId, 'mesh and resource names must not be empty');
  }
  return { meshName, kind, name };
}

/** The short node id of a node, `mesh/<mesh>/<kind>/<name>`. */
export function formatNodeId(node: NodeRef): string {
  return `mesh/${node.meshName}/${node.kind}/${node.name}`;
}
