import { consistencyProblems, encodingProblems } from './envoy-checks';
import { MESH, meshDoc, named } from './spec-builder';
import { VirtualNodeSpec } from '../../../src/spec/appmesh-types';
import { parseMeshSpec } from '../../../src/spec/canonical';
import {
  affectedNodes,
  compileMesh,
  DiscoveredEndpoints,
  listNodeIds,
  nodesUsingEndpoints,
  ProtoJson,
  translateNode,
  TYPE_URLS,
} from '../../src/translate';
import { decodeResource, encodeResource } from '../../src/xds/protos';

/**
 * Valid App Mesh names that are also members of Object.prototype (`constructor`, `__proto__`,
 * `toString`, …) must name resources like any other name: a lookup in a plain object would find
 * the inherited member instead of "nothing".
 */
const RESERVED = Object.getOwnPropertyNames(Object.prototype).sort();

/** Builds a name-keyed record with own properties only (an object literal would set the prototype for `__proto__`). */
function byName<T>(make: (name: string, i: number) => T, names: readonly string[] = RESERVED): Record<string, T> {
  return Object.fromEntries(names.map((name, i) => [name, make(name, i)]));
}

/** Every other name gets discovered endpoints; the rest are DNS nodes Envoy resolves itself. */
const WITH_ENDPOINTS = RESERVED.filter((_, i) => i % 2 === 0);
const addressOf = (name: string) => `10.0.0.${RESERVED.indexOf(name) + 1}`;

function node(_: string, i: number): VirtualNodeSpec {
  return {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: `host${i}.local` } },
    // Each node calls the next one's service, so every name is also a backend.
    backends: [{ virtualService: { virtualServiceName: RESERVED[(i + 1) % RESERVED.length] } }],
  };
}

// Parsed from JSON text, as the control plane reads it: JSON.parse makes `__proto__` an own key.
const spec = parseMeshSpec(JSON.stringify(meshDoc({
  nodes: {
    ...byName(node),
    client: {
      backends: RESERVED.map(virtualServiceName => ({ virtualService: { virtualServiceName } })),
      logging: { accessLog: { file: { path: '/dev/stdout', format: { json: RESERVED.map(key => ({ key, value: `%${key.length}%` })) } } } },
    },
  },
  services: byName(name => ({ provider: { virtualRouter: { virtualRouterName: name } } })),
  routers: byName(() => ({ listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }] })),
  routes: byName(key => ({ httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: key.split('/')[0], weight: 1 }] } } }),
    RESERVED.map(name => `${name}/${name}`)),
  gateways: byName(() => ({ listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }] })),
  gatewayRoutes: byName(key => ({
    httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: key.split('/')[0] } } } },
  }), RESERVED.map(name => `${name}/${name}`)),
})));
const mesh = compileMesh(spec);

const plainEndpoints: DiscoveredEndpoints = byName(name => [{ address: addressOf(name), port: 8080 }], WITH_ENDPOINTS);
const nullPrototypeEndpoints: DiscoveredEndpoints = Object.assign(Object.create(null), plainEndpoints);

test('the spec names a node, service, router, route, gateway and gateway route after every Object.prototype member', () => {
  expect(RESERVED).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']));
  expect(listNodeIds(mesh)).toHaveLength(RESERVED.length * 2 + 1);
  expect(mesh.routesByRouter.get('__proto__')?.map(r => r.routeName)).toEqual(['__proto__']);
});

describe.each([
  ['a plain object', plainEndpoints],
  ['a null-prototype object', nullPrototypeEndpoints],
])('endpoints in %s', (_, endpoints) => {
  test.each(listNodeIds(mesh))('%s renders, encodes and is consistent', (nodeId) => {
    const config = translateNode({ mesh, nodeId, endpoints });
    for (const view of [config.envoy, config.proxyless]) {
      expect(encodingProblems(view)).toEqual([]);
      expect(consistencyProblems(view)).toEqual([]);
    }
  });

  test.each(RESERVED)('callers of %s get EDS with its endpoints, or DNS when none were discovered', (name) => {
    const clusterName = `cds_egress_${MESH}_${name}_http_8080`;
    const config = translateNode({ mesh, nodeId: `mesh/${MESH}/virtualNode/client`, endpoints });
    for (const view of [config.envoy, config.proxyless]) {
      const cluster = named(view.clusters, clusterName);
      if (WITH_ENDPOINTS.includes(name)) {
        expect(cluster.type).toBe('EDS');
        const assignment = named(view.endpoints, clusterName);
        const addresses = (assignment.endpoints as ProtoJson[]).flatMap(l => (l.lb_endpoints as ProtoJson[]).map(e =>
          ((e.endpoint as ProtoJson).address as { socket_address: ProtoJson }).socket_address.address));
        expect(addresses).toEqual([addressOf(name)]);
      } else {
        expect(cluster.type).toBe('LOGICAL_DNS');
        expect(view.endpoints.some(e => e.cluster_name === clusterName)).toBe(false);
      }
    }
  });
});

test('an access log JSON format keeps every key, __proto__ included, through encoding', () => {
  const config = translateNode({ mesh, nodeId: `mesh/${MESH}/virtualNode/client` });
  const listener = named(config.envoy.listeners, 'lds_egress_0.0.0.0_15001');
  const decoded = decodeResource(TYPE_URLS.listener, encodeResource(TYPE_URLS.listener, listener));
  const filter = ((decoded.filter_chains as ProtoJson[])[0].filters as ProtoJson[])[0].typed_config as ProtoJson;
  const accessLog = (filter.access_log as ProtoJson[])[0].typed_config as ProtoJson;
  const fields = ((accessLog.log_format as ProtoJson).json_format as ProtoJson).fields as ProtoJson;
  expect(Object.keys(fields).sort()).toEqual(RESERVED);
  expect(Object.hasOwn(fields, '__proto__')).toBe(true);
});

test('affectedNodes and nodesUsingEndpoints trace changes through these names', () => {
  const edited = JSON.parse(JSON.stringify(spec));
  const target = edited.virtualNodes.find((n: { virtualNodeName: string }) => n.virtualNodeName === '__proto__');
  target.spec.serviceDiscovery.dns.hostname = 'moved.local';
  const change = affectedNodes(mesh, compileMesh(edited));
  // __proto__ itself, and the callers of service __proto__ (routed to node __proto__): client, gateway __proto__, and the node before it.
  const before = RESERVED[(RESERVED.indexOf('__proto__') + RESERVED.length - 1) % RESERVED.length];
  const callers = [
    `mesh/${MESH}/virtualNode/__proto__`,
    `mesh/${MESH}/virtualNode/${before}`,
    `mesh/${MESH}/virtualNode/client`,
    `mesh/${MESH}/virtualGateway/__proto__`,
  ];
  expect(change).toEqual({ affected: [...callers.slice(0, 3).sort(), callers[3]], removed: [] });
  expect(nodesUsingEndpoints(mesh, ['constructor']).sort()).toEqual([
    `mesh/${MESH}/virtualGateway/constructor`,
    `mesh/${MESH}/virtualNode/${RESERVED[(RESERVED.indexOf('constructor') + RESERVED.length - 1) % RESERVED.length]}`,
    `mesh/${MESH}/virtualNode/client`,
  ].sort());
});
