/**
 * Fault injection through a real proxyless client (@grpc/grpc-js-xds, gRFC A33): translate's
 * proxyless view of a route with a fault policy is served by the project's XdsServer on loopback;
 * the client ACKs it and injects the faults itself. The injected shares are measured and compared
 * with the configured ones by a binomial check (|observed − np| < 4σ, σ = √(np(1−p))), as the demo
 * does for weighted splits; delayed calls are told apart by their latency (the delay is fixed).
 */
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { RouteSpec } from '../../../../src/spec/appmesh-types';
import { MeshSpecDocument, SPEC_VERSION_EXTENSIONS } from '../../../../src/spec/document';
import { RouteExtensions } from '../../../../src/spec/extensions';
import { DiscoveredEndpoints, EnvoyConfig, translateNode } from '../../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL } from '../../../src/xds/type-urls';
import { JsonBackend } from '../../cross-client/json-backend';
import { expectBinomial } from '../../support/binomial';
import { configSnapshot } from '../../support/config-snapshot';
import { LoopbackXdsServer, startLoopbackXdsServer } from '../../support/loopback-xds-server';
import { xdsBootstrap } from '../../support/xds-bootstrap';
import { meshDoc } from '../spec-builder';

grpcXds.register();
jest.setTimeout(60000);

const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): { backend: string } => JSON.parse(bytes.toString() || '{}'),
};

const cart = new JsonBackend('cart', ['/shop.Cart/Abort', '/shop.Cart/Delay'], new Map());
let server: LoopbackXdsServer;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  await cart.start();
  server = await startLoopbackXdsServer();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.xds.shutdown(200);
  cart.stop();
});

/** `client` calls `cart.shop.local` (router `r`, grpc 8080) whose routes `abort` and `delay` carry the given policies. */
function faultMesh(abort: RouteExtensions, delay: RouteExtensions): MeshSpecDocument {
  const route = (methodName: string): RouteSpec => ({
    grpcRoute: { match: { serviceName: 'shop.Cart', methodName }, action: { weightedTargets: [{ virtualNode: 'cart', weight: 1 }] } },
  });
  const doc = meshDoc({
    nodes: {
      client: { backends: [{ virtualService: { virtualServiceName: 'cart.shop.local' } }] },
      cart: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'cart.local' } } },
    },
    services: { 'cart.shop.local': { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
    routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }] } },
    routes: { 'r/abort': route('Abort'), 'r/delay': route('Delay') },
  });
  const extensions: Record<string, RouteExtensions> = { abort, delay };
  return { ...doc, specVersion: SPEC_VERSION_EXTENSIONS, routes: doc.routes.map(r => ({ ...r, extensions: extensions[r.routeName] })) };
}

function serve(nodeId: string, view: EnvoyConfig): void {
  server.xds.setSnapshot(nodeId, configSnapshot(view));
}

function channel(nodeId: string): grpc.Client {
  const c = new grpc.Client('xds:///cart.shop.local', grpc.credentials.createInsecure(), {
    'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(server.port, nodeId, { cluster: 'fault-injection' }),
  });
  clients.push(c);
  return c;
}

interface Outcome { readonly code: grpc.status; readonly ms: number }

function call(c: grpc.Client, method: string): Promise<Outcome> {
  const started = process.hrtime.bigint();
  return new Promise(resolve => {
    const done = (err: grpc.ServiceError | null) =>
      resolve({ code: err ? err.code : grpc.status.OK, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    c.makeUnaryRequest(`/shop.Cart/${method}`, json.serialize, json.deserialize, {}, new grpc.Metadata(), { deadline: Date.now() + 20000 }, done);
  });
}

async function calls(c: grpc.Client, method: string, n: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let done = 0; done < n; done += 50) out.push(...await Promise.all(Array.from({ length: 50 }, () => call(c, method))));
  return out;
}


test('grpc-js-xds aborts 25 % of calls with the configured gRPC status and delays 40 % by the fixed delay', async () => {
  const spec = faultMesh(
    { faultInjection: { abort: { grpcStatus: grpc.status.RESOURCE_EXHAUSTED, percentage: 25 } } },
    { faultInjection: { delay: { fixedDelay: { unit: 'ms', value: 400 }, percentage: 40 } } },
  );
  const nodeId = 'mesh/m/virtualNode/client';
  const endpoints: DiscoveredEndpoints = { cart: [{ address: '127.0.0.1', port: cart.port }] };
  const view = translateNode({ spec, endpoints, nodeId }).proxyless;
  serve(nodeId, view);
  const c = channel(nodeId);
  // The first call waits for the configuration; faults may hit it too.
  await call(c, 'Delay');

  const aborted = await calls(c, 'Abort', 400);
  const codes = new Set(aborted.map(o => o.code));
  expect([...codes].sort()).toEqual([grpc.status.OK, grpc.status.RESOURCE_EXHAUSTED]);
  expectBinomial(aborted.filter(o => o.code === grpc.status.RESOURCE_EXHAUSTED).length, 400, 0.25);

  const delayed = await calls(c, 'Delay', 300);
  expect(delayed.every(o => o.code === grpc.status.OK)).toBe(true);
  // A fixed delay: a delayed call takes at least 400 ms; an undelayed one on loopback far less.
  const slow = delayed.filter(o => o.ms >= 395);
  expectBinomial(slow.length, 300, 0.4);
  expect(Math.max(...slow.map(o => o.ms))).toBeLessThan(2000);
  expect(server.nacks).toEqual([]);
  expect(server.acks.map((a) => a.typeUrl)).toEqual(expect.arrayContaining([LISTENER_TYPE_URL, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL]));
});

test('an HTTP-status abort reaches a gRPC caller as the status gRPC maps it to (503 → UNAVAILABLE)', async () => {
  const spec = faultMesh({ faultInjection: { abort: { httpStatus: 503, percentage: 100 } } }, {});
  const nodeId = 'mesh/m/virtualNode/client';
  const view = translateNode({ spec, endpoints: { cart: [{ address: '127.0.0.1', port: cart.port }] }, nodeId }).proxyless;
  serve(nodeId, view);
  const c = channel(nodeId);
  // The snapshot replaced the first test's: wait until the abort route is in force.
  const deadline = Date.now() + 10000;
  while ((await call(c, 'Abort')).code !== grpc.status.UNAVAILABLE && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
  const outcomes = await calls(c, 'Abort', 100);
  expect(outcomes.filter(o => o.code === grpc.status.UNAVAILABLE).length).toBe(100);
  expect((await calls(c, 'Delay', 50)).every(o => o.code === grpc.status.OK)).toBe(true);
  expect(server.nacks).toEqual([]);
});
