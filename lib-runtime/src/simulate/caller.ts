import { SimulateInputError } from './input-error';
import type { LoadedSpec } from '../diff/spec-inputs';
import { formatNodeId, NodeRef, parseNodeId } from '../translate';

/**
 * `--from`: a node id (`mesh/<mesh>/virtualNode/<name>`, `…/virtualGateway/<name>`, an App Mesh
 * ARN) or a bare name, looked up among the virtual nodes and gateways of every spec read. A bare
 * name that more than one mesh or kind uses must be given as a node id.
 */
export function resolveCaller(specs: readonly LoadedSpec[], from: string): { spec: LoadedSpec; nodeId: string } {
  const candidates: Array<{ spec: LoadedSpec; node: NodeRef }> = [];
  if (from.includes('/') || from.startsWith('arn:')) {
    let node: NodeRef;
    try {
      node = parseNodeId(from);
    } catch (error) {
      throw new SimulateInputError(`--from ${from}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const spec = specs.find(s => s.doc.mesh.meshName === node.meshName);
    if (!spec) throw new SimulateInputError(`--from ${from}: no spec read is of mesh "${node.meshName}" (read: ${specs.map(s => s.doc.mesh.meshName).join(', ')})`);
    candidates.push({ spec, node });
  } else {
    for (const spec of specs) {
      const meshName = spec.doc.mesh.meshName;
      if (spec.doc.virtualNodes.some(n => n.virtualNodeName === from)) candidates.push({ spec, node: { meshName, kind: 'virtualNode', name: from } });
      if (spec.doc.virtualGateways.some(g => g.virtualGatewayName === from)) candidates.push({ spec, node: { meshName, kind: 'virtualGateway', name: from } });
    }
    if (candidates.length > 1) {
      throw new SimulateInputError(`--from ${from}: several nodes have this name (${candidates.map(c => formatNodeId(c.node)).join(', ')}): give the node id`);
    }
  }
  const found = candidates[0];
  const exists = found && (found.node.kind === 'virtualNode'
    ? found.spec.doc.virtualNodes.some(n => n.virtualNodeName === found.node.name)
    : found.spec.doc.virtualGateways.some(g => g.virtualGatewayName === found.node.name));
  if (!found || !exists) {
    const names = specs.flatMap(s => [...s.doc.virtualNodes.map(n => n.virtualNodeName), ...s.doc.virtualGateways.map(g => g.virtualGatewayName)]);
    throw new SimulateInputError(`--from ${from}: no virtual node or gateway of that name (the spec has ${names.join(', ') || 'none'})`);
  }
  return { spec: found.spec, nodeId: formatNodeId(found.node) };
}
