/**
 * Remote clusters outlive the spec version that rendered them: a new version whose cluster inputs
 * are unchanged hands back the same objects (so the xDS cache knows them by identity), and a
 * changed input gives a new object with the new content.
 */
import { MESH, named, routedMesh } from './spec-builder';
import { MeshSpecDocument } from '../../../src/spec/document';
import { ProtoJson, translateNode } from '../../src/translate';
import { DiscoveredEndpoint } from '../../src/translate/types';

const CALLER = `mesh/${MESH}/virtualNode/client`;
const V1 = `cds_egress_${MESH}_v1_http_8080`;
const V2 = `cds_egress_${MESH}_v2_http_8080`;

function spec(v2Hostname = 'v2.local'): MeshSpecDocument {
  const doc = routedMesh({
    split: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 90 }, { virtualNode: 'v2', weight: 10 }] } } },
  });
  // Each version is a fresh parse in the control plane: no object is shared between two documents.
  const copy = JSON.parse(JSON.stringify(doc)) as MeshSpecDocument;
  (copy.virtualNodes.find(n => n.virtualNodeName === 'v2')!.spec as { serviceDiscovery?: object }).serviceDiscovery = { dns: { hostname: v2Hostname } };
  return copy;
}

function clustersOf(doc: MeshSpecDocument, endpoints: Record<string, DiscoveredEndpoint[]> = {}) {
  const config = translateNode({ spec: doc, nodeId: CALLER, endpoints });
  return { envoy: config.envoy, proxyless: config.proxyless };
}

function loadAssignment(cluster: ProtoJson): unknown {
  return JSON.stringify(cluster.load_assignment);
}

test('a cluster whose target node is unchanged is the same object in the next spec version; a changed one is new', () => {
  const first = clustersOf(spec());
  const second = clustersOf(spec('v2-moved.local'));
  expect(named(second.envoy.clusters, V1)).toBe(named(first.envoy.clusters, V1));
  expect(named(second.envoy.clusters, V2)).not.toBe(named(first.envoy.clusters, V2));
  expect(loadAssignment(named(second.envoy.clusters, V2))).toContain('v2-moved.local');
  expect(loadAssignment(named(first.envoy.clusters, V2))).toContain('v2.local');
  // Each view keeps its own objects.
  expect(named(second.proxyless.clusters, V1)).toBe(named(first.proxyless.clusters, V1));
  expect(named(second.proxyless.clusters, V1)).not.toBe(named(second.envoy.clusters, V1));
});

test('EDS clusters and assignments are reused for the same endpoint list and made again for a new one', () => {
  const v1: DiscoveredEndpoint[] = [{ address: '10.0.0.1', port: 8080 }];
  const v2: DiscoveredEndpoint[] = [{ address: '10.0.0.2', port: 8080 }];
  const first = clustersOf(spec(), { v1, v2 });
  const second = clustersOf(spec(), { v1, v2: [{ address: '10.0.0.3', port: 8080 }] });
  expect(named(second.envoy.clusters, V1)).toBe(named(first.envoy.clusters, V1));
  expect(named(second.envoy.endpoints, V1)).toBe(named(first.envoy.endpoints, V1));
  expect(named(second.envoy.endpoints, V2)).not.toBe(named(first.envoy.endpoints, V2));
  expect(JSON.stringify(named(second.envoy.endpoints, V2))).toContain('10.0.0.3');
});

test('a change of the mesh\'s IP preference renders every DNS cluster again', () => {
  const first = clustersOf(spec());
  const changed = spec();
  (changed.mesh as { spec: object }).spec = { serviceDiscovery: { ipPreference: 'IPv4_ONLY' } };
  const second = clustersOf(changed);
  expect(named(second.envoy.clusters, V1)).not.toBe(named(first.envoy.clusters, V1));
  expect(named(second.envoy.clusters, V1).dns_lookup_family).toBe('V4_ONLY');
  expect(named(first.envoy.clusters, V1).dns_lookup_family).toBe('AUTO');
});
