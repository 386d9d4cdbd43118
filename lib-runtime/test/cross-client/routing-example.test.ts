/**
 * examples/routing, as `cdk synth` writes it, served by a real ControlPlane (in process,
 * plaintext) to two real proxyless xDS clients: @grpc/grpc-js-xds and gRPC C-core (Debian's
 * python3-grpcio, the engine of gRPC Python, C++ and Ruby). Both clients run one table of
 * scenarios against loopback backends; a failure of either fails the run.
 *
 * The client is the node `web`, which uses ratings.store.local (gRPC routes) and
 * catalog.store.local (HTTP routes, which gRPC clients follow too: a gRPC call is an HTTP/2 POST
 * to /<package.Service>/<Method>).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { App } from 'aws-cdk-lib';
import { C_CORE, CallOptions, CallOutcome, describeCCore, GRPC_JS, WorkerKind } from './client-worker';
import { AttemptLog, BackendReply, JsonBackend } from './json-backend';
import { nacksOfNode, servedClient } from './served-clients';
import { suiteWorker } from './suite-worker';
import { buildRoutingApp } from '../../../examples/routing/app';
import { buildMeshSpecs } from '../../../src/private/spec-builder';
import { toCanonicalJson } from '../../../src/spec/canonical';
import type { ControlPlane } from '../../src/control-plane';
import { expectBinomial as expectSplit } from '../support/binomial';
import { replaceSpec, startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { waitFor } from '../support/wait';
import { writeXdsBootstrap } from '../support/xds-bootstrap';

// Synthesis loads aws-cdk-lib; the timeout scenario waits out a 2 s route timeout per client.
jest.setTimeout(120_000);

const NODE_ID = 'mesh/store/virtualNode/web';
const RATINGS = 'ratings.store.local';
const CATALOG = 'catalog.store.local';
const RATINGS_METHODS = ['/store.Ratings/Get', '/store.Ratings/Submit'];
const CATALOG_METHODS = ['/catalog.Catalog/List', '/admin/Report'];

interface RouteDoc { routeName: string; spec: { grpcRoute?: { action: { weightedTargets: { virtualNode: string; weight: number }[] } } } }
interface SpecDoc { routes: RouteDoc[] }

/** The canonical spec `cdk synth` writes for examples/routing. */
function synthesizeRouting(): string {
  const docs = buildMeshSpecs(buildRoutingApp(new App()));
  expect(docs.map((d) => d.mesh.meshName)).toEqual(['store']);
  return toCanonicalJson(docs[0]);
}

/** The spec with ratings-read's weights changed, as a redeploy of the example would push it. */
function withRatingsReadWeights(specText: string, v1: number, v2: number): string {
  const doc = JSON.parse(specText) as SpecDoc;
  const targets = doc.routes.find((r) => r.routeName === 'ratings-read')!.spec.grpcRoute!.action.weightedTargets;
  targets.find((t) => t.virtualNode === 'ratings-v1')!.weight = v1;
  targets.find((t) => t.virtualNode === 'ratings-v2')!.weight = v2;
  return JSON.stringify(doc, null, 2);
}

describe('examples/routing through real xDS clients (grpc-js-xds and gRPC C-core)', () => {
  const attempts: AttemptLog = new Map();
  const backends = [
    new JsonBackend('ratings-v1', RATINGS_METHODS, attempts),
    new JsonBackend('ratings-v2', RATINGS_METHODS, attempts),
    new JsonBackend('catalog-v1', CATALOG_METHODS, attempts),
    new JsonBackend('catalog-v2', CATALOG_METHODS, attempts),
    new JsonBackend('catalog-admin', CATALOG_METHODS, attempts),
  ];
  let dir: string;
  let bootstrapFile: string;
  let synthesized: string;
  let cp: ControlPlane;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cross-client-'));
    synthesized = synthesizeRouting();
    await Promise.all(backends.map((b) => b.start()));
    cp = await startFileControlPlane(dir, {
      spec: synthesized,
      endpoints: Object.fromEntries(backends.map((b) => [b.name, [{ address: '127.0.0.1', port: b.port }]])),
    });
    // Both libraries read the same bootstrap file (GRPC_XDS_BOOTSTRAP).
    bootstrapFile = writeXdsBootstrap(dir, cp.ports.xds, NODE_ID);
  });

  afterAll(async () => {
    if (dir) await stopFileControlPlane(cp, dir);
    for (const backend of backends) backend.stop();
  });

  /** The control plane's file source picks up the replaced spec. */
  const pushSpec = (text: string): void => replaceSpec(dir, text);

  /** `view`: the rendering the control plane picks from the node this library sends (docs/compatibility.md). */
  function scenarios(kind: WorkerKind, view: string): void {
    const worker = suiteWorker(kind, () => bootstrapFile);

    /** The replies of `times` calls; any failed call fails the test, naming this client's NACKs. */
    async function replies(target: string, method: string, options: CallOptions = {}): Promise<BackendReply[]> {
      const outcomes = await worker().calls(target, method, options);
      const failed = outcomes.filter((o): o is Extract<CallOutcome, { error: object }> => o.error !== undefined);
      if (failed.length > 0) {
        const { served, nacks } = await servedClient(cp, NODE_ID, kind);
        throw new Error([
          `${kind.name}: ${failed.length} of ${outcomes.length} calls of ${method} on xds:///${target} failed; first: ${failed[0].error.code} ${failed[0].error.details}`,
          `the control plane saw: ${served.join('; ') || 'no stream of this client'}`,
          nacks.length > 0
            ? `NACKs this client sent:\n  ${nacks.join('\n  ')}`
            : `this client sent no NACK; worker stderr (tail):\n${worker().stderr().slice(-1500)}`,
        ].join('\n'));
      }
      return outcomes.map((o) => o.reply as unknown as BackendReply);
    }

    async function backendsOf(target: string, method: string, options: CallOptions = {}): Promise<string[]> {
      return (await replies(target, method, options)).map((r) => r.backend);
    }

    const count = (names: string[], name: string): number => names.filter((n) => n === name).length;

    test('single target: catalog\'s default route sends every call to catalog-v1', async () => {
      expect(new Set(await backendsOf(CATALOG, '/catalog.Catalog/List', { times: 20 }))).toEqual(new Set(['catalog-v1']));
    });

    test('weighted targets: ratings-read splits 90/10 within a binomial tolerance', async () => {
      const n = 500;
      const seen = await backendsOf(RATINGS, '/store.Ratings/Get', { times: n });
      expect(count(seen, 'ratings-v1') + count(seen, 'ratings-v2')).toBe(n);
      expectSplit(count(seen, 'ratings-v1'), n, 0.9);
    });

    test('method match: /store.Ratings/Submit takes ratings-write to ratings-v2 only', async () => {
      expect(new Set(await backendsOf(RATINGS, '/store.Ratings/Submit', { times: 40 }))).toEqual(new Set(['ratings-v2']));
    });

    test('path prefix and header prefix match: /admin/ with "authorization: Bearer …" reaches catalog-admin, without it the default', async () => {
      expect(new Set(await backendsOf(CATALOG, '/admin/Report', { metadata: { authorization: 'Bearer t0ken' }, times: 10 }))).toEqual(new Set(['catalog-admin']));
      expect(new Set(await backendsOf(CATALOG, '/admin/Report', { metadata: { authorization: 'Basic dTpw' }, times: 10 }))).toEqual(new Set(['catalog-v1']));
      expect(new Set(await backendsOf(CATALOG, '/catalog.Catalog/List', { metadata: { authorization: 'Bearer t0ken' }, times: 10 }))).toEqual(new Set(['catalog-v1']));
    });

    test('header match: "x-beta: true" reaches catalog-v2, another value the default', async () => {
      expect(new Set(await backendsOf(CATALOG, '/catalog.Catalog/List', { metadata: { 'x-beta': 'true' }, times: 10 }))).toEqual(new Set(['catalog-v2']));
      expect(new Set(await backendsOf(CATALOG, '/catalog.Catalog/List', { metadata: { 'x-beta': 'yes' }, times: 10 }))).toEqual(new Set(['catalog-v1']));
    });

    test('metadata match: "x-user-group: canary" reaches ratings-v2 only; another group is split', async () => {
      expect(new Set(await backendsOf(RATINGS, '/store.Ratings/Get', { metadata: { 'x-user-group': 'canary' }, times: 40 }))).toEqual(new Set(['ratings-v2']));
      // Falls through to ratings-read: of 150 calls at 90/10, all reach ratings-v1 with p = 0.9^150 ≈ 1e-7.
      expect(new Set(await backendsOf(RATINGS, '/store.Ratings/Get', { metadata: { 'x-user-group': 'beta' }, times: 150 }))).toEqual(new Set(['ratings-v1', 'ratings-v2']));
    });

    test('retries: ratings-read retries UNAVAILABLE up to its 3 retries', async () => {
      const once = `${kind.name}/fails-once`;
      const [reply] = await replies(RATINGS, '/store.Ratings/Get', { request: { key: once, failTimes: 1 } });
      expect(reply.method).toBe('/store.Ratings/Get');
      expect(attempts.get(once)).toBe(2);
      // Always refused: the first attempt and 3 retries, then the caller sees UNAVAILABLE.
      const always = `${kind.name}/always-fails`;
      const [outcome] = await worker().calls(RATINGS, '/store.Ratings/Get', { request: { key: always, failTimes: 1000 } });
      expect(outcome.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(attempts.get(always)).toBe(4);
    });

    test('timeouts: ratings-write\'s 4 s per-request timeout ends a 6 s call with DEADLINE_EXCEEDED', async () => {
      // The caller's own deadline (10 s) is longer than the backend's delay: only the route's timeout can end the call.
      const [slow] = await worker().calls(RATINGS, '/store.Ratings/Submit', { request: { delayMs: 6000 }, timeoutMs: 10_000 });
      expect(slow.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      // The same call without the delay is answered. Not a call just under 4 s: gRPC Python ends calls
      // 1 to 2 s early under any service-config timeout, xDS or not (grpc/grpc#34547; 1.51 does here);
      // the example's 4 s leaves it 2 s or more, so an immediate answer is never cut.
      expect((await replies(RATINGS, '/store.Ratings/Submit'))[0].backend).toBe('ratings-v2');
    });

    test('a live weight change: ratings-read pushed as 10/90 reaches the running client, then 90/10 again', async () => {
      try {
        pushSpec(withRatingsReadWeights(synthesized, 10, 90));
        // Converged once a window of 40 calls fits 10/90 (mean 4 on v1) and no longer 90/10 (mean 36).
        await waitFor(async () => count(await backendsOf(RATINGS, '/store.Ratings/Get', { times: 40 }), 'ratings-v1') <= 12, 'the 10/90 split', 30_000, 50);
        const n = 500;
        expectSplit(count(await backendsOf(RATINGS, '/store.Ratings/Get', { times: n }), 'ratings-v1'), n, 0.1);
      } finally {
        pushSpec(synthesized);
      }
      await waitFor(async () => count(await backendsOf(RATINGS, '/store.Ratings/Get', { times: 40 }), 'ratings-v1') >= 28, 'the 90/10 split again', 30_000, 50);
    });

    test(`the control plane's /clients view shows this client's stream, served view ${view}, and no NACK from it`, async () => {
      const { streams, served, nacks } = await servedClient(cp, NODE_ID, kind);
      expect(streams).toBeGreaterThan(0);
      expect(served.filter((s) => !s.endsWith(`served view ${view}`))).toEqual([]);
      expect(nacks).toEqual([]);
    });
  }

  describe(`${GRPC_JS.name}`, () => scenarios(GRPC_JS, 'proxyless'));

  describeCCore(`${C_CORE.name}`, () => scenarios(C_CORE, 'proxyless+total-weight+legacy-header-match'));

  // Runs after both clients' scenarios.
  test('the control plane recorded no NACK for the node from any stream, open or closed', async () => {
    expect(await nacksOfNode(cp, NODE_ID)).toEqual([]);
  });
});
