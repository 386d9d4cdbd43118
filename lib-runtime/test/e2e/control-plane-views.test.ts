/**
 * The ControlPlane class in process, seen from a raw ADS client: node-id checks, the Envoy vs
 * proxyless view chosen by user_agent_name, and re-rendering only the nodes a change touches.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PushedSpecSource } from '../../../bench/lib/pushed-spec-source';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { ControlPlane, groupName, viewOf } from '../../src/control-plane';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { translateNode } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { CANARY_SPEC_FILE, canarySpec, startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { snapshotVersion } from '../support/snapshot-version';
import { waitFor } from '../support/wait';
import { AdsTestClient, namesIn, sotwRequest } from '../xds/ads-test-client';

/** The version a group would have for one type if it were rendered from `spec` alone. */
function versionFor(spec: string, nodeId: string, view: 'envoy' | 'proxyless', typeUrl: string): string | undefined {
  const config = translateNode({ spec: parseMeshSpec(spec), nodeId })[view];
  return snapshotVersion(config, typeUrl);
}

describe('ControlPlane', () => {
  let dir: string;
  let cp: ControlPlane | undefined;
  const clients: AdsTestClient[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cp-'));
  });
  afterEach(async () => {
    await stopFileControlPlane(cp, dir, clients);
    cp = undefined;
  });

  async function start(spec: string, endpoints: object, renderDebounceMs?: number): Promise<ControlPlane> {
    cp = await startFileControlPlane(dir, { spec, endpoints, ...(renderDebounceMs !== undefined ? { renderDebounceMs } : {}) });
    return cp;
  }

  function stream(port: number) {
    const client = new AdsTestClient(port);
    clients.push(client);
    return client.sotw();
  }

  test('viewOf: gRPC libraries get the proxyless view, Envoy and unknown agents the Envoy view', () => {
    expect(viewOf({ id: 'x', user_agent_name: 'gRPC Node Pure JS' })).toBe('proxyless');
    expect(viewOf({ id: 'x', user_agent_name: 'gRPC Go' })).toBe('proxyless');
    expect(viewOf({ id: 'x', user_agent_name: 'envoy' })).toBe('envoy');
    expect(viewOf({ id: 'x' })).toBe('envoy');
  });

  test('Envoy (ARN node id, wildcard LDS) and a gRPC client of one node get their own views', async () => {
    const { xds } = (await start(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'), {})).ports;
    const envoy = stream(xds);
    envoy.send(sotwRequest(LISTENER_TYPE_URL, [], {
      node: { id: 'arn:aws:appmesh:us-east-1:111122223333:mesh/apps/virtualNode/serviceA', user_agent_name: 'envoy' },
    }));
    const envoyListeners = namesIn(await envoy.next());
    expect(envoyListeners).toContain('lds_egress_0.0.0.0_15001');

    const grpcClient = stream(xds);
    grpcClient.send(sotwRequest(LISTENER_TYPE_URL, ['serviceb.apps.local'], {
      node: { id: 'mesh/apps/virtualNode/serviceA', user_agent_name: 'gRPC Node Pure JS', locality: {} },
    }));
    expect(namesIn(await grpcClient.next())).toEqual(['serviceb.apps.local']);
  });

  test('a node id the spec does not define, or a malformed one, is refused with PERMISSION_DENIED', async () => {
    const { xds } = (await start(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'), {})).ports;
    const reasons: Record<string, string> = {
      'mesh/apps/virtualNode/intruder': 'has no virtualNode named "intruder"',
      'mesh/other/virtualNode/serviceA': 'mesh "other" is not served here',
      'not-a-node-id': 'expected mesh/',
    };
    for (const [id, reason] of Object.entries(reasons)) {
      const s = stream(xds);
      s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id, user_agent_name: 'envoy' } }));
      const status = await s.status();
      expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(status.details).toContain(reason);
    }
    expect(await cp!.metrics.refusedStreams.get({ reason: 'unknownNode' })).toBe(3);
  });

  test('no stream is served before a valid spec exists; readiness says why', async () => {
    const { xds } = (await start('{ "specVersion": "open-app-mesh/v1" }', {})).ports;
    const s = stream(xds);
    s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'mesh/apps/virtualNode/serviceA' } }));
    expect(await s.status()).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: 'no valid spec loaded yet' });
    expect(await cp!.metrics.specRejections.get()).toBe(1);
  });

  test('a second stream of an installed node is served what is installed, without a re-render', async () => {
    const { xds } = (await start(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'), {})).ports;
    const node = { id: 'mesh/apps/virtualNode/serviceA', user_agent_name: 'envoy' };
    const first = stream(xds);
    first.send(sotwRequest(CLUSTER_TYPE_URL, [], { node }));
    const firstResponse = await first.next();
    const renders = await cp!.metrics.translateDuration.count({});
    const encodes = cp!.xds.stats().resourceEncodes;

    const second = stream(xds);
    second.send(sotwRequest(CLUSTER_TYPE_URL, [], { node }));
    const secondResponse = await second.next();
    expect(secondResponse.version_info).toBe(firstResponse.version_info);
    expect(namesIn(secondResponse)).toEqual(namesIn(firstResponse));
    expect((await cp!.metrics.translateDuration.count({})) - renders).toBe(0);
    expect(cp!.xds.stats().resourceEncodes - encodes).toBe(0);

    // The other view of the same node is another group: rendered on its first stream.
    const grpcClient = stream(xds);
    grpcClient.send(sotwRequest(LISTENER_TYPE_URL, ['serviceb.apps.local'], { node: { ...node, user_agent_name: 'gRPC Node Pure JS', locality: {} } }));
    await grpcClient.next();
    expect((await cp!.metrics.translateDuration.count({})) - renders).toBe(1);
  });

  test('a spec change installs the renders made to validate it, without waiting for the render debounce', async () => {
    const spec = JSON.parse(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'));
    // A debounce longer than the test: only endpoint changes may wait for it.
    const { xds } = (await start(JSON.stringify(spec), {}, 600_000)).ports;
    const node = { id: 'mesh/apps/virtualNode/serviceA', user_agent_name: 'envoy' };
    const s = stream(xds);
    s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node }));
    await s.next();
    const group = groupName(node.id, 'envoy');
    const before = cp!.xds.version(group, ROUTE_TYPE_URL);
    const renders = await cp!.metrics.translateDuration.count({});

    const route = spec.routes.find((r: { routeName: string }) => r.routeName === 'default');
    route.spec.grpcRoute.action.weightedTargets[0].weight = 50;
    fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec));
    await waitFor(() => cp!.xds.version(group, ROUTE_TYPE_URL) !== before, 'serviceA\'s new routes');
    // One observation: the validation pass over the nodes the change affects (its mean); the install reused it.
    expect((await cp!.metrics.translateDuration.count({})) - renders).toBe(1);
    expect(await cp!.metrics.specLoads.get()).toBe(2);
  });

  test('an endpoint change re-renders only the connected nodes that use those endpoints', async () => {
    const endpoints = { 'serviceB-v1': [{ address: '127.0.0.1', port: 50051 }], 'serviceB-v2': [{ address: '127.0.0.1', port: 50052 }] };
    const { xds } = (await start(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'), endpoints)).ports;
    // serviceA calls serviceB; serviceB-v1 calls nothing.
    for (const id of ['mesh/apps/virtualNode/serviceA', 'mesh/apps/virtualNode/serviceB-v1']) {
      const s = stream(xds);
      s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id, user_agent_name: 'envoy' } }));
      await s.next();
    }
    const groupA = groupName('mesh/apps/virtualNode/serviceA', 'envoy');
    const groupB = groupName('mesh/apps/virtualNode/serviceB-v1', 'envoy');
    const before = { a: cp!.xds.version(groupA, ENDPOINT_TYPE_URL), b: cp!.xds.status().versions[groupB] };
    const renders = await cp!.metrics.translateDuration.count({});

    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify({ ...endpoints, 'serviceB-v2': [{ address: '127.0.0.1', port: 50053 }] }));
    await waitFor(() => cp!.xds.version(groupA, ENDPOINT_TYPE_URL) !== before.a, 'serviceA\'s new endpoints');
    expect(cp!.xds.status().versions[groupB]).toEqual(before.b);
    expect((await cp!.metrics.translateDuration.count({})) - renders).toBe(1);
  });

  test('a spec that arrives while the last one is still being installed wins everywhere', async () => {
    // The bench's source: each delivery is parsed and applied synchronously.
    const source = new PushedSpecSource(canarySpec(75));
    cp = new ControlPlane({
      spec: source,
      discovery: new StaticFileDiscovery(path.join(dir, 'none.json')),
      xdsAddress: '127.0.0.1:0',
      adminHost: '127.0.0.1',
      adminPort: 0,
      drainMs: 200,
      // One group per slice, so a second group is still waiting when the next spec comes.
      installSliceMs: 0,
    });
    fs.writeFileSync(path.join(dir, 'none.json'), '{}');
    const { xds } = await cp.start();
    const nodeId = 'mesh/apps/virtualNode/serviceA';
    const envoy = stream(xds);
    envoy.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: nodeId, user_agent_name: 'envoy' } }));
    await envoy.next();
    const grpcClient = stream(xds);
    grpcClient.send(sotwRequest(LISTENER_TYPE_URL, ['serviceb.apps.local'], { node: { id: nodeId, user_agent_name: 'gRPC Node Pure JS', locality: {} } }));
    await grpcClient.next();
    const watched = [
      { group: groupName(nodeId, 'envoy'), view: 'envoy' as const, typeUrl: ROUTE_TYPE_URL },
      { group: groupName(nodeId, 'proxyless'), view: 'proxyless' as const, typeUrl: LISTENER_TYPE_URL },
    ];
    const current = () => watched.map((w) => cp!.xds.version(w.group, w.typeUrl));
    expect(current()).toEqual(watched.map((w) => versionFor(canarySpec(75), nodeId, w.view, w.typeUrl)));

    source.deliver(canarySpec(50));
    const midway = current();
    // The first slice installed one group; the other still holds the first spec's content.
    expect(midway.filter((v, i) => v === versionFor(canarySpec(75), nodeId, watched[i].view, watched[i].typeUrl))).toHaveLength(1);
    source.deliver(canarySpec(10));
    const expected = watched.map((w) => versionFor(canarySpec(10), nodeId, w.view, w.typeUrl));
    await waitFor(() => current().every((v, i) => v === expected[i]), 'both groups on the last spec');
    // And they stay there: nothing left over from the spec in between is installed later.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(current()).toEqual(expected);
  });
});
