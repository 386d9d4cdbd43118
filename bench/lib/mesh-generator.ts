/**
 * Generated meshes of any size, shaped like a microservice fleet: every service has a router
 * splitting traffic between two versions (v1/v2) of its virtual node, every node calls a few
 * neighbouring services plus one shared dependency ("shared", think auth or config) that the
 * whole fleet calls. Changing the shared route's weights therefore touches every application
 * node (a fleet-wide push); changing one ordinary service's weights touches only its callers.
 */
import { HttpRoute, VirtualNodeSpec } from '../../src/spec/appmesh-types';
import { parseMeshSpec, toCanonicalJson } from '../../src/spec/canonical';
import { MeshSpecDocument, SPEC_VERSION } from '../../src/spec/document';

export const BENCH_MESH = 'bench';
export const SHARED_SERVICE = 'shared';
const PORT = 8080;

export interface MeshShape {
  /** Total virtual nodes (≥ 6, even): two per service, two of them for the shared service. */
  readonly virtualNodes: number;
  /** Services each application node calls besides the shared one (default 7). */
  readonly backendsPerNode?: number;
}

/** Weights of the two versions of one service's route. */
export interface Split {
  readonly v1: number;
  readonly v2: number;
}

export interface GeneratedMesh {
  readonly doc: MeshSpecDocument;
  /** Canonical JSON, as the constructs write it. */
  readonly json: string;
  /** Virtual nodes of application services (the ones proxies connect as), in a stable order. */
  readonly appNodes: readonly string[];
  /** Names of the ordinary services (the shared one excluded). */
  readonly services: readonly string[];
}

export function serviceName(index: number): string {
  return `svc-${String(index).padStart(4, '0')}`;
}

function hostOf(service: string): string {
  return `${service}.${BENCH_MESH}.local`;
}

function nodeSpec(service: string, version: 'v1' | 'v2', backends: readonly string[]): VirtualNodeSpec {
  return {
    listeners: [{
      portMapping: { port: PORT, protocol: 'http' },
      healthCheck: {
        protocol: 'http', path: '/ping', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000,
      },
      timeout: { http: { perRequest: { unit: 'ms', value: 15000 } } },
    }],
    serviceDiscovery: { dns: { hostname: `${service}-${version}.${BENCH_MESH}.local` } },
    ...(backends.length > 0 ? { backends: backends.map((b) => ({ virtualService: { virtualServiceName: hostOf(b) } })) } : {}),
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
  };
}

function httpRoute(service: string, split: Split): HttpRoute {
  return {
    match: { prefix: '/' },
    action: {
      weightedTargets: [
        { virtualNode: `${service}-v1`, weight: split.v1 },
        { virtualNode: `${service}-v2`, weight: split.v2 },
      ],
    },
    retryPolicy: { maxRetries: 2, perRetryTimeout: { unit: 'ms', value: 1000 }, httpRetryEvents: ['gateway-error'], tcpRetryEvents: ['connection-error'] },
    timeout: { perRequest: { unit: 'ms', value: 15000 } },
  };
}

/**
 * A mesh of `virtualNodes` nodes. `splits` overrides the default 90/10 split of named services
 * (the shared one is named SHARED_SERVICE). The document passes parseMeshSpec.
 */
export function generateMesh(shape: MeshShape, splits: Readonly<Record<string, Split>> = {}): GeneratedMesh {
  if (shape.virtualNodes < 6 || shape.virtualNodes % 2 !== 0) throw new Error('virtualNodes must be an even number ≥ 6');
  const serviceCount = shape.virtualNodes / 2 - 1;
  const backends = Math.min(shape.backendsPerNode ?? 7, serviceCount - 1);
  const services = Array.from({ length: serviceCount }, (_, i) => serviceName(i));
  const all = [...services, SHARED_SERVICE];
  const splitOf = (service: string): Split => splits[service] ?? { v1: 90, v2: 10 };

  const virtualNodes = all.flatMap((service, i) => {
    const calls = service === SHARED_SERVICE
      ? []
      : [...Array.from({ length: backends }, (_, k) => services[(i + 1 + k) % serviceCount]), SHARED_SERVICE];
    return (['v1', 'v2'] as const).map((version) => ({
      meshName: BENCH_MESH, virtualNodeName: `${service}-${version}`, spec: nodeSpec(service, version, calls),
    }));
  });
  const doc: MeshSpecDocument = {
    specVersion: SPEC_VERSION,
    mesh: { meshName: BENCH_MESH, spec: { egressFilter: { type: 'DROP_ALL' } } },
    virtualNodes,
    virtualServices: all.map((service) => ({
      meshName: BENCH_MESH,
      virtualServiceName: hostOf(service),
      spec: { provider: { virtualRouter: { virtualRouterName: `${service}-router` } } },
    })),
    virtualRouters: all.map((service) => ({
      meshName: BENCH_MESH,
      virtualRouterName: `${service}-router`,
      spec: { listeners: [{ portMapping: { port: PORT, protocol: 'http' } }] },
    })),
    routes: all.map((service) => ({
      meshName: BENCH_MESH,
      virtualRouterName: `${service}-router`,
      routeName: `${service}-route`,
      spec: { httpRoute: httpRoute(service, splitOf(service)) },
    })),
    virtualGateways: [],
    gatewayRoutes: [],
  };
  const json = toCanonicalJson(doc);
  return {
    doc: parseMeshSpec(json),
    json,
    appNodes: services.flatMap((s) => [`${s}-v1`, `${s}-v2`]),
    services,
  };
}

/** Static endpoints (two instances per node, two zones) in the StaticFileDiscovery file format. */
export function staticEndpoints(mesh: GeneratedMesh): Record<string, Array<{ address: string; port: number; zone: string }>> {
  const endpoints: Record<string, Array<{ address: string; port: number; zone: string }>> = {};
  mesh.doc.virtualNodes.forEach((node, i) => {
    const net = `10.${Math.floor(i / 256) % 256}.${i % 256}`;
    endpoints[node.virtualNodeName] = [
      { address: `${net}.1`, port: PORT, zone: 'zone-a' },
      { address: `${net}.2`, port: PORT, zone: 'zone-b' },
    ];
  });
  return endpoints;
}

/** The node id an App Mesh Envoy presents for a virtual node of the bench mesh. */
export function nodeIdOf(virtualNodeName: string): string {
  return `mesh/${BENCH_MESH}/virtualNode/${virtualNodeName}`;
}
