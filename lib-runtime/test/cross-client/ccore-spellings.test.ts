/**
 * Why gRPC C-core 1.51 is served older spellings, shown by the real client (Debian's
 * python3-grpcio): examples/routing's `web` served as translate renders it for current clients is
 * NACKed with the two errors issue #13 reported, each older spelling removes its error, and with
 * both (what the control plane picks from the node C-core sends) the listener is ACKed and calls
 * route. It also shows that C-core's NACKs reach the server's NACK records, the ones the
 * /clients view lists, so the no-NACK checks of the other real-client tests can fail.
 *
 * Served by the project's XdsServer directly (not the ControlPlane, which never sends C-core the
 * current spelling).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCCoreFixture, type CCoreFixture } from './ccore-fixture';
import { C_CORE, ClientWorker, describeCCore } from './client-worker';
import { BackendReply, JsonBackend } from './json-backend';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { choicesKey, choicesOfKey, clientProfile, configForClient, NodeConfig, RenderChoices, translateNode } from '../../src/translate';
import type { XdsNackRecord } from '../../src/xds/events';
import { LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import type { XdsServer } from '../../src/xds/xds-server';
import { configSnapshot } from '../support/config-snapshot';
import type { AckSeen } from '../support/loopback-xds-server';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const NODE_ID = 'mesh/store/virtualNode/web';
const RATINGS = 'ratings.store.local';
const METHODS = ['/store.Ratings/Get', '/store.Ratings/Submit'];
/** examples/routing's spec (test/examples.test.ts keeps this fixture equal to what the example synthesizes). */
const FIXTURE = path.join(__dirname, '..', 'translate', 'fixtures', 'example-routing.json');

describeCCore(`examples/routing's web served to ${C_CORE.name} in each spelling`, () => {
  const backends = [new JsonBackend('ratings-v1', METHODS, new Map()), new JsonBackend('ratings-v2', METHODS, new Map())];
  let fixture: CCoreFixture | undefined;
  let xds: XdsServer;
  let worker: ClientWorker;
  let nacks: XdsNackRecord[];
  let acks: AckSeen[];
  let rendered: NodeConfig;

  beforeAll(async () => {
    for (const backend of backends) await backend.start();
    rendered = translateNode({
      spec: parseMeshSpec(fs.readFileSync(FIXTURE, 'utf8')),
      nodeId: NODE_ID,
      endpoints: Object.fromEntries(backends.map((b) => [b.name, [{ address: '127.0.0.1', port: b.port }]])),
    });
    fixture = await startCCoreFixture(NODE_ID, 'oam-ccore-spellings-');
    ({ xds, worker, nacks, acks } = fixture);
  });

  afterAll(async () => {
    await fixture?.stop();
    for (const backend of backends) backend.stop();
  });

  /**
   * Serves the proxyless view in `choices`' spelling; the listener NACKs and ACKs C-core sends
   * from then on. (A stream is sent the versions of the resources it asked for, not the group's.)
   */
  function serve(choices: RenderChoices): { nacks: () => XdsNackRecord[]; acks: () => string[] } {
    const [nacksBefore, acksBefore] = [nacks.length, acks.length];
    const view = configForClient(rendered, choices);
    xds.setSnapshot(NODE_ID, configSnapshot(view));
    return {
      nacks: () => nacks.slice(nacksBefore).filter((n) => n.typeUrl === LISTENER_TYPE_URL),
      acks: () => acks.slice(acksBefore).filter((a) => a.nodeId === NODE_ID && a.typeUrl === LISTENER_TYPE_URL).map((a) => a.version),
    };
  }

  /** The one listener NACK C-core sends for what was served; a call makes it subscribe (its channels resolve lazily). */
  async function listenerNack(served: ReturnType<typeof serve>): Promise<XdsNackRecord> {
    await worker.calls(RATINGS, '/store.Ratings/Submit', { timeoutMs: 1000 });
    await waitFor(() => served.nacks().length > 0, 'C-core\'s NACK of the listener', 10_000);
    expect(served.acks()).toEqual([]);
    return served.nacks()[0];
  }

  test('the current spelling: NACKed, "RouteAction weighted_cluster has incorrect total weight"', async () => {
    const nack = await listenerNack(serve(choicesOfKey('proxyless')));
    expect(nack.nodeId).toBe(NODE_ID);
    // The record /clients lists as this stream's recent NACK.
    expect(xds.status().recentNacks).toContainEqual(nack);
    expect(nack.message).toContain('RouteAction weighted_cluster has incorrect total weight');
  });

  test('total_weight added, string_match kept: NACKed, "Invalid route header matcher specified."', async () => {
    const nack = await listenerNack(serve({ ...choicesOfKey('proxyless'), totalWeight: true }));
    expect(nack.message).toContain('Invalid route header matcher specified.');
    expect(nack.message).not.toContain('incorrect total weight');
  });

  test('the spelling chosen from the node C-core sends: ACKed, and the method match routes', async () => {
    const stream = xds.status().streams.find((s) => s.nodeId === NODE_ID)!;
    const choices = clientProfile(stream.node).choices;
    expect(choicesKey(choices)).toBe('proxyless+total-weight+legacy-header-match');
    const served = serve(choices);
    await waitFor(async () => {
      const [outcome] = await worker.calls(RATINGS, '/store.Ratings/Submit', { timeoutMs: 1000 });
      return (outcome.reply as BackendReply | undefined)?.backend === 'ratings-v2';
    }, 'a call of ratings-write answered by ratings-v2', 15_000, 50);
    expect(served.acks().length).toBeGreaterThan(0);
    expect(served.nacks()).toEqual([]);
  });
});
