/**
 * A DNS-discovered virtual node without discovered endpoints is served to proxyless clients as a
 * LOGICAL_DNS cluster (gRFC A37) the client resolves itself. grpc-js-xds is tested on it in
 * lib-runtime/test/translate/grpc-client.test.ts; this is the same through gRPC C-core 1.51
 * (python3-grpcio), in the spelling the control plane picks for it, served by the project's
 * XdsServer.
 */
import { startCCoreFixture, type CCoreFixture } from './ccore-fixture';
import { C_CORE, ClientWorker, describeCCore } from './client-worker';
import { BackendReply, JsonBackend } from './json-backend';
import { clientProfile, configForClient, translateNode } from '../../src/translate';
import type { XdsNackRecord } from '../../src/xds/events';
import type { XdsServer } from '../../src/xds/xds-server';
import { configSnapshot } from '../support/config-snapshot';
import { meshDoc, MESH } from '../translate/spec-builder';

jest.setTimeout(60_000);

const NODE_ID = `mesh/${MESH}/virtualNode/caller`;

describeCCore(`a LOGICAL_DNS cluster through ${C_CORE.name}`, () => {
  const hello = new JsonBackend('dns-node', ['/hello.Greeter/SayHello'], new Map());
  let fixture: CCoreFixture | undefined;
  let xds: XdsServer;
  let worker: ClientWorker;
  let nacks: XdsNackRecord[];

  beforeAll(async () => {
    await hello.start();
    fixture = await startCCoreFixture(NODE_ID, 'oam-ccore-dns-');
    ({ xds, worker, nacks } = fixture);
  });

  afterAll(async () => {
    await fixture?.stop();
    hello.stop();
  });

  test('the client resolves the node\'s hostname (localhost) and reaches it on the listener port', async () => {
    const spec = meshDoc({
      nodes: {
        caller: { backends: [{ virtualService: { virtualServiceName: 'hello.local' } }] },
        dnsNode: { listeners: [{ portMapping: { port: hello.port, protocol: 'grpc' } }], serviceDiscovery: { dns: { hostname: 'localhost', ipPreference: 'IPv4_ONLY' } } },
      },
      services: { 'hello.local': { provider: { virtualNode: { virtualNodeName: 'dnsNode' } } } },
    });
    const choices = clientProfile({ user_agent_name: 'gRPC C-core linux Python', user_agent_version: 'C-core 29.0.0 Python 1.51.1' }).choices;
    const view = configForClient(translateNode({ spec, nodeId: NODE_ID }), choices);
    expect(view.clusters.map((c) => c.type)).toEqual(['LOGICAL_DNS']);
    xds.setSnapshot(NODE_ID, configSnapshot(view));
    const outcomes = await worker.calls('hello.local', '/hello.Greeter/SayHello', { times: 5 });
    expect(outcomes.map((o) => o.error ?? (o.reply as unknown as BackendReply).backend)).toEqual(Array(5).fill('dns-node'));
    expect(nacks.map((n) => n.message)).toEqual([]);
  });
});
