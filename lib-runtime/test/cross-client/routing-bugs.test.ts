/**
 * The three routing bugs App Mesh walkthrough configurations exposed (issue #13), through the
 * two real proxyless xDS clients (grpc-js-xds and gRPC C-core via python3-grpcio), served by a
 * real ControlPlane in process:
 * - an HTTP route whose match has only a `port` (prefix `/` implied, on that port only);
 * - two gateway routes to one virtual service on different `target.port`s (one cluster each);
 * - a virtual gateway listener's `healthCheck` (validated, and changes nothing served).
 *
 * What a proxyless client can show here. It presents the gateway's node id and so receives the
 * gateway's proxyless view: a listener per authority the gateway routes to, `<service>:<port>`
 * when a gateway route names a target port, holding that port's route table and clusters. It
 * dials those authorities itself, which is the gateway's second hop; the first hop (the gateway
 * listener matching `/fruit/` and rewriting Host) exists only in the Envoy view, which no real
 * Envoy runs here (lib-runtime/test/translate/gateway-target-ports.test.ts, port-only-match.test.ts
 * and gateway-health-check.test.ts check it on rendered config; envoy-route-tables.test.ts has the
 * same clients route the Envoy view's tables). So through the clients:
 * - port-only route: the router's table for the port the match names routes every method to its
 *   target, and the router's other port does not take it;
 * - target ports: `produce.local:<A>` and `produce.local:<B>` reach two distinct backends, one
 *   bound on each listener port of the one virtual node (before the fix both went to one port);
 * - health check: the gateway's configuration with the check is accepted (no NACK), removing the
 *   check from the served spec changes nothing the client is sent (its versions stay), and a call
 *   on the check's path reaches the mesh like any other. Envoy's side of it (no health-check
 *   filter on the gateway listener) is not visible to a gRPC client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C_CORE, describeCCore, GRPC_JS, WorkerKind } from './client-worker';
import { BackendReply, JsonBackend } from './json-backend';
import { nacksOfNode, servedClient, servedSpec } from './served-clients';
import { suiteWorker } from './suite-worker';
import { COLOR, COLOR_BY_PORT, COLOR_DEFAULT_PORT, HEALTH_PATH, METHODS, PRODUCE, walkthroughMesh } from './walkthrough-mesh';
import { validateMeshSpec } from '../../../src/spec/validate';
import type { ControlPlane } from '../../src/control-plane';
import { replaceSpec, startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { waitFor } from '../support/wait';
import { writeXdsBootstrap } from '../support/xds-bootstrap';
import { MESH } from '../translate/spec-builder';

jest.setTimeout(60_000);

const GATEWAY_NODE_ID = `mesh/${MESH}/virtualGateway/gw`;

describe('the routing bugs of issue #13 through real xDS clients (grpc-js-xds and gRPC C-core)', () => {
  const fruit = new JsonBackend('produce:fruit-port', METHODS, new Map());
  const vegetable = new JsonBackend('produce:vegetable-port', METHODS, new Map());
  const colorV1 = new JsonBackend('color-v1', METHODS, new Map());
  const colorV2 = new JsonBackend('color-v2', METHODS, new Map());
  let dir: string;
  let bootstrapFile: string;
  let cp: ControlPlane;
  let specText: string;

  beforeAll(async () => {
    for (const backend of [fruit, vegetable, colorV1, colorV2]) await backend.start();
    const { doc, endpoints } = walkthroughMesh({ fruit: fruit.port, vegetable: vegetable.port, colorV1: colorV1.port, colorV2: colorV2.port });
    // Valid as App Mesh took it: the port-only match and the gateway health check included.
    expect(validateMeshSpec(doc).map((i) => `${i.path}: ${i.message}`)).toEqual([]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-routing-bugs-'));
    specText = JSON.stringify(doc, null, 2);
    cp = await startFileControlPlane(dir, { spec: specText, endpoints });
    bootstrapFile = writeXdsBootstrap(dir, cp.ports.xds, GATEWAY_NODE_ID);
  });

  afterAll(async () => {
    if (dir) await stopFileControlPlane(cp, dir);
    for (const backend of [fruit, vegetable, colorV1, colorV2]) backend.stop();
  });

  /** Atomically replaces the spec file, and waits until the control plane serves it: with the gateway's health check or without. */
  async function pushSpec(text: string, withCheck: boolean): Promise<void> {
    replaceSpec(dir, text);
    const served = async () => (await servedSpec(cp)).virtualGateways[0].spec.listeners[0].healthCheck !== undefined;
    await waitFor(async () => await served() === withCheck, `the spec ${withCheck ? 'with' : 'without'} the health check served`, 10_000, 50);
  }

  /** Per xDS type, the versions sent to and ACKed by this library's gateway streams. */
  function versionsOf(kind: WorkerKind): string[] {
    return cp.xds.status().streams
      .filter((s) => s.nodeId === GATEWAY_NODE_ID && kind.userAgent.test(String(s.node.user_agent_name ?? '')))
      .flatMap((s) => s.types.map((t) => `${s.streamId} ${t.typeUrl.split('.').pop()}: sent ${t.sentVersion}, acked ${t.ackedVersion}`))
      .sort();
  }

  function scenarios(kind: WorkerKind): void {
    const worker = suiteWorker(kind, () => bootstrapFile);

    /** The backend of each of `times` calls; a failed call fails the test with how the client was served. */
    async function backendsOf(target: string, method: string, times = 10): Promise<Set<string>> {
      const outcomes = await worker().calls(target, method, { times });
      const failed = outcomes.find((o) => o.error !== undefined);
      if (failed?.error) {
        const { served, nacks } = await servedClient(cp, GATEWAY_NODE_ID, kind);
        throw new Error(`${kind.name}: ${method} on xds:///${target} failed: ${failed.error.code} ${failed.error.details}\n`
          + `served: ${served.join('; ') || 'no stream'}\nNACKs: ${nacks.join('; ') || 'none'}\nworker stderr (tail):\n${worker().stderr().slice(-1500)}`);
      }
      return new Set(outcomes.map((o) => (o.reply as unknown as BackendReply).backend));
    }

    test('port-only HTTP route: the color router\'s table for that port sends every method to color-v2; its other port does not take the route', async () => {
      for (const method of ['/color.Color/Get', '/fruit.Fruit/Get']) {
        expect(await backendsOf(`${COLOR}:${COLOR_BY_PORT}`, method)).toEqual(new Set(['color-v2']));
        expect(await backendsOf(`${COLOR}:${COLOR_DEFAULT_PORT}`, method)).toEqual(new Set(['color-v1']));
      }
    });

    test('gateway target ports: produce.local on the fruit port and on the vegetable port reach the backend bound on each', async () => {
      expect(await backendsOf(`${PRODUCE}:${fruit.port}`, '/fruit.Fruit/Get')).toEqual(new Set([fruit.name]));
      expect(await backendsOf(`${PRODUCE}:${vegetable.port}`, '/vegetable.Vegetable/Get')).toEqual(new Set([vegetable.name]));
    });

    test('gateway listener health check: a call on the check\'s path goes to the mesh like any other', async () => {
      expect(await backendsOf(`${PRODUCE}:${fruit.port}`, HEALTH_PATH)).toEqual(new Set([fruit.name]));
    });

    test('gateway listener health check: removing it changes nothing this client is sent (the versions it ACKed stay)', async () => {
      await backendsOf(`${PRODUCE}:${fruit.port}`, HEALTH_PATH);
      const before = versionsOf(kind);
      expect(before.length).toBeGreaterThan(0);
      const withoutCheck = JSON.parse(specText);
      delete withoutCheck.virtualGateways[0].spec.listeners[0].healthCheck;
      try {
        await pushSpec(JSON.stringify(withoutCheck, null, 2), false);
        // Longer than the push debounce: a changed resource would have been sent by now.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(versionsOf(kind)).toEqual(before);
        expect(await backendsOf(`${PRODUCE}:${fruit.port}`, HEALTH_PATH)).toEqual(new Set([fruit.name]));
      } finally {
        await pushSpec(specText, true);
      }
    });

    test('the control plane\'s /clients view shows this client\'s gateway stream and no NACK from it', async () => {
      const { streams, served, nacks } = await servedClient(cp, GATEWAY_NODE_ID, kind);
      expect(streams).toBeGreaterThan(0);
      expect(served.every((s) => s.includes('served view proxyless'))).toBe(true);
      expect(nacks).toEqual([]);
    });
  }

  describe(`${GRPC_JS.name}`, () => scenarios(GRPC_JS));
  describeCCore(`${C_CORE.name}`, () => scenarios(C_CORE));

  // Runs after both clients' scenarios.
  test('the control plane recorded no NACK for the node from any stream, open or closed', async () => {
    expect(await nacksOfNode(cp, GATEWAY_NODE_ID)).toEqual([]);
  });
});
