/**
 * Route fault injection (gRFC A33) through gRPC C-core 1.51 (python3-grpcio), beside the
 * grpc-js-xds test in lib-runtime/test/translate/policies/fault-injection-grpc.test.ts: the
 * proxyless view of routes with abort policies, in the spelling the control plane picks from the
 * node C-core sends, served by the project's XdsServer; C-core ACKs it and aborts the configured
 * share of calls itself. (Delays are left to the grpc-js-xds test: the C-core worker reports
 * outcomes, not latencies.)
 */
import * as grpc from '@grpc/grpc-js';
import { startCCoreFixture, type CCoreFixture } from './ccore-fixture';
import { C_CORE, CallOutcome, ClientWorker, describeCCore } from './client-worker';
import { JsonBackend } from './json-backend';
import { RouteSpec } from '../../../src/spec/appmesh-types';
import { MeshSpecDocument, SPEC_VERSION_EXTENSIONS } from '../../../src/spec/document';
import { RouteExtensions } from '../../../src/spec/extensions';
import { clientProfile, configForClient, translateNode } from '../../src/translate';
import type { XdsNackRecord } from '../../src/xds/events';
import type { XdsServer } from '../../src/xds/xds-server';
import { expectBinomial } from '../support/binomial';
import { configSnapshot } from '../support/config-snapshot';
import { waitFor } from '../support/wait';
import { meshDoc, MESH } from '../translate/spec-builder';

jest.setTimeout(60_000);

const NODE_ID = `mesh/${MESH}/virtualNode/client`;
const CART = 'cart.shop.local';

/** `client` calls cart.shop.local (router `r`, grpc 8080), whose routes `abort` and `ok` carry the given policies. */
function faultMesh(abort: RouteExtensions): MeshSpecDocument {
  const route = (methodName: string): RouteSpec => ({
    grpcRoute: { match: { serviceName: 'shop.Cart', methodName }, action: { weightedTargets: [{ virtualNode: 'cart', weight: 1 }] } },
  });
  const doc = meshDoc({
    nodes: {
      client: { backends: [{ virtualService: { virtualServiceName: CART } }] },
      cart: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'cart.local' } } },
    },
    services: { [CART]: { provider: { virtualRouter: { virtualRouterName: 'r' } } } },
    routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }] } },
    routes: { 'r/abort': route('Abort'), 'r/ok': route('Ok') },
  });
  return { ...doc, specVersion: SPEC_VERSION_EXTENSIONS, routes: doc.routes.map((r) => (r.routeName === 'abort' ? { ...r, extensions: abort } : r)) };
}

describeCCore(`route fault injection through ${C_CORE.name}`, () => {
  const cart = new JsonBackend('cart', ['/shop.Cart/Abort', '/shop.Cart/Ok'], new Map());
  let fixture: CCoreFixture | undefined;
  let xds: XdsServer;
  let worker: ClientWorker;
  let nacks: XdsNackRecord[];

  beforeAll(async () => {
    await cart.start();
    fixture = await startCCoreFixture(NODE_ID, 'oam-ccore-faults-');
    ({ xds, worker, nacks } = fixture);
  });

  afterAll(async () => {
    await fixture?.stop();
    cart.stop();
  });

  /** Serves the proxyless view of `abort` as the control plane would serve C-core 1.51. */
  function serve(abort: RouteExtensions): void {
    const choices = clientProfile({ user_agent_name: 'gRPC C-core linux Python', user_agent_version: 'C-core 29.0.0 Python 1.51.1' }).choices;
    const view = configForClient(translateNode({ spec: faultMesh(abort), nodeId: NODE_ID, endpoints: { cart: [{ address: '127.0.0.1', port: cart.port }] } }), choices);
    xds.setSnapshot(NODE_ID, configSnapshot(view));
  }

  const codes = (outcomes: CallOutcome[]) => outcomes.map((o) => o.error?.code ?? grpc.status.OK);

  test('aborts 25 % of calls with the configured gRPC status; the route without a policy is untouched', async () => {
    serve({ faultInjection: { abort: { grpcStatus: grpc.status.RESOURCE_EXHAUSTED, percentage: 25 } } });
    await waitFor(async () => codes(await worker.calls(CART, '/shop.Cart/Ok'))[0] === grpc.status.OK, 'the configuration in force', 15_000, 50);
    const n = 400;
    const aborted = codes(await worker.calls(CART, '/shop.Cart/Abort', { times: n }));
    expect([...new Set(aborted)].sort()).toEqual([grpc.status.OK, grpc.status.RESOURCE_EXHAUSTED]);
    expectBinomial(aborted.filter((c) => c === grpc.status.RESOURCE_EXHAUSTED).length, n, 0.25);
    expect(new Set(codes(await worker.calls(CART, '/shop.Cart/Ok', { times: 50 })))).toEqual(new Set([grpc.status.OK]));
    expect(nacks.map((x) => x.message)).toEqual([]);
  });

  test('an HTTP-status abort reaches the caller as the status gRPC maps it to (503 → UNAVAILABLE)', async () => {
    serve({ faultInjection: { abort: { httpStatus: 503, percentage: 100 } } });
    await waitFor(async () => codes(await worker.calls(CART, '/shop.Cart/Abort'))[0] === grpc.status.UNAVAILABLE, 'the 503 abort in force', 15_000, 50);
    expect(new Set(codes(await worker.calls(CART, '/shop.Cart/Abort', { times: 100 })))).toEqual(new Set([grpc.status.UNAVAILABLE]));
    expect(new Set(codes(await worker.calls(CART, '/shop.Cart/Ok', { times: 20 })))).toEqual(new Set([grpc.status.OK]));
    expect(nacks.map((x) => x.message)).toEqual([]);
  });
});
