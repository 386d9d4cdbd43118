import { DiscoveryTarget } from './types';
import { MeshSpecDocument } from '../../../src/spec/document';

/**
 * The virtual nodes of a spec that need endpoints, with what their `serviceDiscovery`
 * says about finding them. Nodes without service discovery (backend-only callers) have
 * nothing to discover and are left out.
 *
 * Total over every document the validator accepts: App Mesh lets a mesh (and a node) come
 * without a spec, so every step below the names is read as possibly absent.
 */
export function discoveryTargets(doc: MeshSpecDocument): DiscoveryTarget[] {
  const meshPreference = doc.mesh.spec?.serviceDiscovery?.ipPreference;
  const targets: DiscoveryTarget[] = [];
  for (const node of doc.virtualNodes) {
    const sd = node.spec?.serviceDiscovery;
    if (!sd) continue;
    const ports = (node.spec.listeners ?? []).map((l) => l.portMapping.port);
    if (sd.awsCloudMap) {
      // Null prototype: an attribute key such as `__proto__` or `constructor` stays a plain key.
      const attributes: Record<string, string> = Object.create(null);
      for (const a of sd.awsCloudMap.attributes ?? []) attributes[a.key] = a.value;
      targets.push({
        virtualNodeName: node.virtualNodeName,
        ports,
        cloudMap: { namespaceName: sd.awsCloudMap.namespaceName, serviceName: sd.awsCloudMap.serviceName, attributes },
        ipPreference: sd.awsCloudMap.ipPreference ?? meshPreference,
      });
    } else if (sd.dns) {
      targets.push({
        virtualNodeName: node.virtualNodeName,
        ports,
        dns: { hostname: sd.dns.hostname, responseType: sd.dns.responseType },
        ipPreference: sd.dns.ipPreference ?? meshPreference,
      });
    } else {
      targets.push({ virtualNodeName: node.virtualNodeName, ports, ipPreference: meshPreference });
    }
  }
  return targets;
}
