import { readFileSync } from 'fs';
import * as path from 'path';
import { parseMeshSpec } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';

/** Hand-written mesh specs the graph tests draw (each passes parseMeshSpec). */
export const FIXTURE_NAMES = ['canary', 'gateway', 'header-routing'] as const;
export type FixtureName = typeof FIXTURE_NAMES[number];

export function fixturePath(name: FixtureName): string {
  return path.join(__dirname, 'fixtures', `${name}.json`);
}

export function loadFixture(name: FixtureName): MeshSpecDocument {
  return parseMeshSpec(readFileSync(fixturePath(name), 'utf8'));
}

/** Every resource name in a document: what a picture of it must show. */
export function resourceNames(doc: MeshSpecDocument): string[] {
  return [
    doc.mesh.meshName,
    ...doc.virtualGateways.map((r) => r.virtualGatewayName),
    ...doc.gatewayRoutes.map((r) => r.gatewayRouteName),
    ...doc.virtualServices.map((r) => r.virtualServiceName),
    ...doc.virtualRouters.map((r) => r.virtualRouterName),
    ...doc.routes.map((r) => r.routeName),
    ...doc.virtualNodes.map((r) => r.virtualNodeName),
  ];
}

/** The same mesh with every resource list in reverse order (and backends reversed). */
export function reordered(doc: MeshSpecDocument): MeshSpecDocument {
  return {
    ...doc,
    virtualGateways: [...doc.virtualGateways].reverse(),
    gatewayRoutes: [...doc.gatewayRoutes].reverse(),
    virtualServices: [...doc.virtualServices].reverse(),
    virtualRouters: [...doc.virtualRouters].reverse(),
    routes: [...doc.routes].reverse(),
    virtualNodes: [...doc.virtualNodes].reverse().map((vn) => ({
      ...vn,
      spec: { ...vn.spec, backends: vn.spec.backends ? [...vn.spec.backends].reverse() : undefined },
    })),
  };
}

/**
 * A larger mesh made up deterministically (a fixed-seed generator, no Math.random):
 * `services` services behind routers with several weighted routes, a gateway, and
 * backends between nodes, to exercise the layout beyond the small fixtures.
 */
export function generatedMesh(services: number, seed = 7): MeshSpecDocument {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const meshName = 'generated';
  const doc: MeshSpecDocument = {
    specVersion: 'open-app-mesh/v1',
    mesh: { meshName, spec: {} },
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [{ meshName, virtualGatewayName: 'edge', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } }],
    gatewayRoutes: [],
  };
  const serviceName = (i: number): string => `svc${i}.generated.local`;
  for (let i = 0; i < services; i++) {
    const versions = 1 + next(3);
    const nodes = Array.from({ length: versions }, (_, v) => `svc${i}-v${v + 1}`);
    for (const node of nodes) {
      const backends = Array.from({ length: next(3) }, () => serviceName(next(services)))
        .filter((name, k, all) => name !== serviceName(i) && all.indexOf(name) === k)
        .map((virtualServiceName) => ({ virtualService: { virtualServiceName } }));
      doc.virtualNodes.push({
        meshName,
        virtualNodeName: node,
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: `${node}.generated.local` } },
          backends: backends.length > 0 ? backends : undefined,
        },
      });
    }
    if (versions === 1 && next(2) === 0) {
      const provider = { virtualNode: { virtualNodeName: nodes[0] } };
      doc.virtualServices.push({ meshName, virtualServiceName: serviceName(i), spec: { provider } });
    } else {
      const router = `svc${i}-router`;
      doc.virtualRouters.push({ meshName, virtualRouterName: router, spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } });
      const provider = { virtualRouter: { virtualRouterName: router } };
      doc.virtualServices.push({ meshName, virtualServiceName: serviceName(i), spec: { provider } });
      const routes = 1 + next(2);
      for (let r = 0; r < routes; r++) {
        const targets = nodes.filter((_, k) => r === 0 || k === nodes.length - 1)
          .map((virtualNode, k) => ({ virtualNode, weight: 10 + 10 * ((k + r + i) % 5) }));
        doc.routes.push({
          meshName,
          virtualRouterName: router,
          routeName: r === 0 ? 'default' : 'beta',
          spec: {
            priority: r === 0 ? 10 : 1,
            httpRoute: {
              match: r === 0 ? { prefix: '/' } : { prefix: '/', headers: [{ name: 'x-beta', match: { exact: 'yes' } }] },
              action: { weightedTargets: targets },
            },
          },
        });
      }
    }
    if (next(3) === 0) {
      doc.gatewayRoutes.push({
        meshName,
        virtualGatewayName: 'edge',
        gatewayRouteName: `to-svc${i}`,
        spec: { httpRoute: { match: { prefix: `/svc${i}/` }, action: { target: { virtualService: { virtualServiceName: serviceName(i) } } } } },
      });
    }
  }
  return doc;
}
