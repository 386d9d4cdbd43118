/**
 * A node's content outlives its streams (its groups are freed with them): a reconnect is served
 * what was rendered before, with no render and nothing encoded, unless the spec or the endpoints
 * changed for that node meanwhile, and each view of a node keeps its own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseMeshSpec } from '../../../src/spec/canonical';
import type { ControlPlane } from '../../src/control-plane';
import { translateNode } from '../../src/translate';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { canarySpec, startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { snapshotVersion } from '../support/snapshot-version';
import { waitFor } from '../support/wait';
import { AdsTestClient, type Message, namesIn, sotwRequest } from '../xds/ads-test-client';

const SERVICE_A = 'mesh/apps/virtualNode/serviceA';
const SERVICE_B_V1 = 'mesh/apps/virtualNode/serviceB-v1';
const ENVOY = { user_agent_name: 'envoy' };
const GRPC = { user_agent_name: 'gRPC Node Pure JS', locality: {} };
const ENDPOINTS = { 'serviceB-v1': [{ address: '127.0.0.1', port: 50051 }], 'serviceB-v2': [{ address: '127.0.0.1', port: 50052 }] };

/** The version a type would have for serviceA's Envoy view if rendered fresh from `spec` and `endpoints`. */
function freshVersion(spec: string, endpoints: object, typeUrl: string): string | undefined {
  const config = translateNode({ spec: parseMeshSpec(spec), nodeId: SERVICE_A, endpoints: endpoints as never }).envoy;
  return snapshotVersion(config, typeUrl);
}

describe('ControlPlane content reuse', () => {
  let dir: string;
  let cp: ControlPlane;
  let port: number;
  const clients: AdsTestClient[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cp-reuse-'));
    cp = await startFileControlPlane(dir, { spec: canarySpec(75), endpoints: ENDPOINTS });
    port = cp.ports.xds;
  });
  afterEach(() => stopFileControlPlane(cp, dir, clients));

  /** Opens a stream as `node`, asks for `typeUrl` and returns the first response; the connection is closed by disconnect(). */
  async function connect(node: Message, typeUrl: string, names: string[] = []): Promise<{ response: Message; disconnect: () => Promise<void> }> {
    const client = new AdsTestClient(port);
    clients.push(client);
    const stream = client.sotw();
    stream.send(sotwRequest(typeUrl, names, { node }));
    const response = await stream.next();
    const { group } = cp.xds.status().streams.find((s) => s.nodeId === node.id && s.node.user_agent_name === node.user_agent_name)!;
    return {
      response,
      disconnect: async () => {
        client.close();
        // The group is freed with its last stream.
        await waitFor(() => cp.xds.status().versions[group] === undefined, `group ${group} freed`);
      },
    };
  }

  const renders = () => cp.metrics.translateDuration.count({});

  test('a reconnect, under the same or another spelling of the node id, renders and encodes nothing', async () => {
    const first = await connect({ id: SERVICE_A, ...ENVOY }, CLUSTER_TYPE_URL);
    await first.disconnect();
    const before = { renders: await renders(), encodes: cp.xds.stats().resourceEncodes + cp.xds.stats().anyEncodes };

    const again = await connect({ id: SERVICE_A, ...ENVOY }, CLUSTER_TYPE_URL);
    const arn = await connect({ id: `arn:aws:appmesh:us-east-1:111122223333:${SERVICE_A}`, ...ENVOY }, CLUSTER_TYPE_URL);
    expect(again.response.version_info).toBe(first.response.version_info);
    expect(arn.response.version_info).toBe(first.response.version_info);
    expect((await renders()) - before.renders).toBe(0);
    expect(cp.xds.stats().resourceEncodes + cp.xds.stats().anyEncodes - before.encodes).toBe(0);
  });

  test('a reconnect after a spec change that touches the node gets the new configuration; an untouched node keeps its content', async () => {
    const routes = (cp.configOf(SERVICE_A)!.envoy.routes as Message[]).map((r) => r.name as string);
    const a = await connect({ id: SERVICE_A, ...ENVOY }, ROUTE_TYPE_URL, routes);
    const b = await connect({ id: SERVICE_B_V1, ...ENVOY }, CLUSTER_TYPE_URL);
    await a.disconnect();
    await b.disconnect();
    expect(a.response.version_info).toBe(freshVersion(canarySpec(75), ENDPOINTS, ROUTE_TYPE_URL));

    fs.writeFileSync(path.join(dir, 'spec.json'), canarySpec(40));
    await waitFor(async () => (await cp.metrics.specLoads.get()) === 2, 'the second spec applied');
    const again = await connect({ id: SERVICE_A, ...ENVOY }, ROUTE_TYPE_URL, routes);
    expect(again.response.version_info).toBe(freshVersion(canarySpec(40), ENDPOINTS, ROUTE_TYPE_URL));
    expect(again.response.version_info).not.toBe(a.response.version_info);

    // serviceB-v1 calls nothing, so the route change leaves it alone: served without a render.
    const rendered = await renders();
    const bAgain = await connect({ id: SERVICE_B_V1, ...ENVOY }, CLUSTER_TYPE_URL);
    expect(bAgain.response.version_info).toBe(b.response.version_info);
    expect((await renders()) - rendered).toBe(0);
  });

  test('a reconnect after an endpoint change that touches the node gets the new endpoints', async () => {
    const first = await connect({ id: SERVICE_A, ...ENVOY }, CLUSTER_TYPE_URL);
    const cluster = (first.response.resources as Message[]).find((c) => /serviceB-v2/.test(c.name as string))!.name as string;
    await first.disconnect();
    const endpointVersion = freshVersion(canarySpec(75), ENDPOINTS, ENDPOINT_TYPE_URL);

    const moved = { ...ENDPOINTS, 'serviceB-v2': [{ address: '127.0.0.1', port: 50053 }] };
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify(moved));
    // No stream is open, so nothing observable changes: wait for discovery to have read the file.
    await waitFor(() => (cp.configOf(SERVICE_A)?.envoy.endpoints as Message[])
      .some((e) => JSON.stringify(e).includes('50053')), 'discovery to read the new endpoints');

    const again = await connect({ id: SERVICE_A, ...ENVOY }, ENDPOINT_TYPE_URL, [cluster]);
    expect(again.response.version_info).toBe(freshVersion(canarySpec(75), moved, ENDPOINT_TYPE_URL));
    expect(again.response.version_info).not.toBe(endpointVersion);
    expect(JSON.stringify(again.response.resources)).toContain('50053');
  });

  test('each view of one node id keeps its own content', async () => {
    const envoy = await connect({ id: SERVICE_A, ...ENVOY }, LISTENER_TYPE_URL);
    await envoy.disconnect();
    const grpcClient = await connect({ id: SERVICE_A, ...GRPC }, LISTENER_TYPE_URL, ['serviceb.apps.local']);
    expect(namesIn(grpcClient.response)).toEqual(['serviceb.apps.local']);
    await grpcClient.disconnect();

    const envoyAgain = await connect({ id: SERVICE_A, ...ENVOY }, LISTENER_TYPE_URL);
    expect(namesIn(envoyAgain.response)).toEqual(namesIn(envoy.response));
    expect(envoyAgain.response.version_info).toBe(envoy.response.version_info);
  });
});
