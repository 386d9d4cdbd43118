/**
 * The Envoy view's route tables for two of issue #13's routing bugs, routed by the real xDS
 * clients (grpc-js-xds and gRPC C-core via python3-grpcio). No Envoy runs here, but a proxyless
 * gRPC client routes an RDS RouteConfiguration with the same rules Envoy applies to these fields
 * (virtual host by authority, prefix and header matches, cluster per route). So each client is
 * given, for the authorities it dials, a stand-in listener (an api_listener whose connection
 * manager takes its routes over RDS) naming a route configuration exactly as translate renders it
 * for Envoy, with the clusters and endpoints of that Envoy view, in the spelling the control plane
 * picks for that client:
 * - the gateway's re-entry table `rds_egress_http_15001`: a virtual host and a cluster per
 *   (service, target port), and the `default_backend` host that picks one by the
 *   `x-app-mesh-virtual-service` header the ingress hop sets;
 * - the caller's tables `rds_egress_http_9080` / `_9090`: the port-only route only in the second.
 * Not exercised: Envoy's listener and filter chain selection, the gateway's ingress hop (its
 * prefix and Host rewrites) and the connection manager's filters; the gateway listener's health
 * check lives there (translate renders nothing for it), so it has no part here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C_CORE, describeCCore, GRPC_JS, WorkerKind } from './client-worker';
import { BackendReply, JsonBackend } from './json-backend';
import { suiteWorker } from './suite-worker';
import { COLOR, COLOR_BY_PORT, COLOR_DEFAULT_PORT, METHODS, PRODUCE, walkthroughMesh } from './walkthrough-mesh';
import { choicesKey, choicesOfKey, clientProfile, configForClient, NodeConfig, ProtoJson, translateNode } from '../../src/translate';
import { routerFilter } from '../../src/translate/http-connection-manager';
import { packed, TYPE } from '../../src/translate/proto-json';
import type { XdsNackRecord, XdsStreamInfo } from '../../src/xds/events';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';
import { writeXdsBootstrap } from '../support/xds-bootstrap';
import { MESH, named } from '../translate/spec-builder';

jest.setTimeout(60_000);

const GATEWAY_ID = `mesh/${MESH}/virtualGateway/gw`;
const CALLER_ID = `mesh/${MESH}/virtualNode/caller`;
const REENTRY = 'rds_egress_http_15001';
/** Any authority the re-entry table has no host for: its `default_backend` host (`*`) takes it. */
const INGRESS_AUTHORITY = 'ingress.example';
const SELECTOR = 'x-app-mesh-virtual-service';
/** The Envoy view in the spellings of the two clients (grpc-js-xds current, C-core 1.51 older). */
const CLIENT_KEYS = ['envoy', 'envoy+total-weight+legacy-header-match'];

/** The control plane's choices for a client, applied to the Envoy view. */
function envoyKeyOf(node: XdsStreamInfo['node']): string {
  return choicesKey({ ...clientProfile(node).choices, view: 'envoy' });
}

/** A listener for `authority` whose connection manager takes route configuration `routeConfig` over ADS. */
function standInListener(authority: string, routeConfig: string): ProtoJson {
  return {
    name: authority,
    api_listener: {
      api_listener: packed(TYPE.httpConnectionManager, {
        stat_prefix: authority,
        rds: { route_config_name: routeConfig, config_source: { ads: {}, resource_api_version: 'V3' } },
        http_filters: [routerFilter()],
      }),
    },
  };
}

/** The clusters the route configurations name (never more: a client is sent what it routes to). */
function clustersNamedBy(routeConfigs: readonly ProtoJson[]): Set<string> {
  const names = new Set<string>();
  for (const rc of routeConfigs) {
    for (const vh of rc.virtual_hosts as ProtoJson[]) {
      for (const r of vh.routes as ProtoJson[]) {
        const action = r.route as ProtoJson;
        const weighted = (action.weighted_clusters as ProtoJson | undefined)?.clusters as ProtoJson[] | undefined;
        for (const name of weighted ? weighted.map((c) => c.name) : [action.cluster]) names.add(String(name));
      }
    }
  }
  return names;
}

describe('the Envoy view\'s route tables for issue #13\'s routing bugs, routed by real xDS clients', () => {
  const fruit = new JsonBackend('produce:fruit-port', METHODS, new Map());
  const vegetable = new JsonBackend('produce:vegetable-port', METHODS, new Map());
  const colorV1 = new JsonBackend('color-v1', METHODS, new Map());
  const colorV2 = new JsonBackend('color-v2', METHODS, new Map());
  const backends = [fruit, vegetable, colorV1, colorV2];
  const nacks: { agent: string; nack: XdsNackRecord }[] = [];
  let xds: XdsServer;
  let dir: string;
  let bootstrapFile: string;

  /** The snapshot for one spelling: the stand-in listeners, the Envoy view's tables, their clusters and endpoints. */
  function snapshotFor(key: string, gateway: NodeConfig, caller: NodeConfig) {
    const choices = choicesOfKey(key);
    const gw = configForClient(gateway, choices);
    const cl = configForClient(caller, choices);
    const routes = [named(gw.routes, REENTRY), named(cl.routes, `rds_egress_http_${COLOR_DEFAULT_PORT}`), named(cl.routes, `rds_egress_http_${COLOR_BY_PORT}`)];
    const wanted = clustersNamedBy(routes);
    const byName = new Map<string, ProtoJson>();
    for (const cluster of [...gw.clusters, ...cl.clusters].filter((c) => wanted.has(String(c.name)))) {
      // A cluster both views render is the same resource.
      if (byName.has(String(cluster.name))) expect(cluster).toEqual(byName.get(String(cluster.name)));
      byName.set(String(cluster.name), cluster);
    }
    expect([...byName.keys()].sort()).toEqual([...wanted].sort());
    const endpoints = new Map([...gw.endpoints, ...cl.endpoints].filter((e) => wanted.has(String(e.cluster_name))).map((e) => [e.cluster_name, e]));
    return {
      [LISTENER_TYPE_URL]: [
        standInListener(`${PRODUCE}:${fruit.port}`, REENTRY),
        standInListener(`${PRODUCE}:${vegetable.port}`, REENTRY),
        standInListener(INGRESS_AUTHORITY, REENTRY),
        standInListener(`${COLOR}:${COLOR_DEFAULT_PORT}`, `rds_egress_http_${COLOR_DEFAULT_PORT}`),
        standInListener(`${COLOR}:${COLOR_BY_PORT}`, `rds_egress_http_${COLOR_BY_PORT}`),
      ],
      [ROUTE_TYPE_URL]: routes,
      [CLUSTER_TYPE_URL]: [...byName.values()],
      [ENDPOINT_TYPE_URL]: [...endpoints.values()],
    };
  }

  beforeAll(async () => {
    for (const backend of backends) await backend.start();
    const { doc, endpoints } = walkthroughMesh({ fruit: fruit.port, vegetable: vegetable.port, colorV1: colorV1.port, colorV2: colorV2.port });
    const gateway = translateNode({ spec: doc, nodeId: GATEWAY_ID, endpoints });
    const caller = translateNode({ spec: doc, nodeId: CALLER_ID, endpoints });
    xds = new XdsServer({
      pushDebounceMs: 1,
      // A group per spelling, as the control plane groups its streams.
      groupOf: envoyKeyOf,
      hooks: { onNack: (stream, nack) => { nacks.push({ agent: String(stream.node.user_agent_name ?? ''), nack }); } },
    });
    for (const key of CLIENT_KEYS) xds.setSnapshot(key, snapshotFor(key, gateway, caller));
    const port = await xds.listen('127.0.0.1:0');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-envoy-route-tables-'));
    bootstrapFile = writeXdsBootstrap(dir, port, GATEWAY_ID);
  });

  afterAll(async () => {
    await xds?.shutdown(200);
    for (const backend of backends) backend.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function scenarios(kind: WorkerKind, key: string): void {
    const worker = suiteWorker(kind, () => bootstrapFile);

    async function backendsOf(target: string, method: string, metadata: Record<string, string> = {}): Promise<Set<string>> {
      const outcomes = await worker().calls(target, method, { metadata, times: 10 });
      const failed = outcomes.find((o) => o.error !== undefined);
      if (failed?.error) {
        const mine = nacks.filter((n) => kind.userAgent.test(n.agent)).map((n) => n.nack.message);
        throw new Error(`${kind.name}: ${method} on xds:///${target} failed: ${failed.error.code} ${failed.error.details}\n`
          + `NACKs: ${mine.join('; ') || 'none'}\nworker stderr (tail):\n${worker().stderr().slice(-1500)}`);
      }
      return new Set(outcomes.map((o) => (o.reply as unknown as BackendReply).backend));
    }

    test(`is served the Envoy view spelled ${key}`, async () => {
      await backendsOf(`${PRODUCE}:${fruit.port}`, '/fruit.Fruit/Get');
      const streams = xds.status().streams.filter((s) => kind.userAgent.test(String(s.node.user_agent_name ?? '')));
      expect(streams.map((s) => s.group)).toEqual([key]);
    });

    test('gateway re-entry: produce.local on each target port is its own virtual host and cluster, reaching the backend on that port', async () => {
      expect(await backendsOf(`${PRODUCE}:${fruit.port}`, '/fruit.Fruit/Get')).toEqual(new Set([fruit.name]));
      expect(await backendsOf(`${PRODUCE}:${vegetable.port}`, '/vegetable.Vegetable/Get')).toEqual(new Set([vegetable.name]));
    });

    test(`gateway re-entry, default_backend: ${SELECTOR} (as the ingress hop sets it) picks the port's cluster`, async () => {
      expect(await backendsOf(INGRESS_AUTHORITY, '/vegetable.Vegetable/Get', { [SELECTOR]: `${PRODUCE}:${vegetable.port}` })).toEqual(new Set([vegetable.name]));
      expect(await backendsOf(INGRESS_AUTHORITY, '/fruit.Fruit/Get', { [SELECTOR]: `${PRODUCE}:${fruit.port}` })).toEqual(new Set([fruit.name]));
    });

    test('the caller\'s tables: the port-only route takes every method on its port, the other port keeps its default', async () => {
      for (const method of ['/color.Color/Get', '/fruit.Fruit/Get']) {
        expect(await backendsOf(`${COLOR}:${COLOR_BY_PORT}`, method)).toEqual(new Set(['color-v2']));
        expect(await backendsOf(`${COLOR}:${COLOR_DEFAULT_PORT}`, method)).toEqual(new Set(['color-v1']));
      }
    });

    test('sent no NACK', () => {
      expect(nacks.filter((n) => kind.userAgent.test(n.agent)).map((n) => n.nack.message)).toEqual([]);
    });
  }

  describe(`${GRPC_JS.name}`, () => scenarios(GRPC_JS, CLIENT_KEYS[0]));
  describeCCore(`${C_CORE.name}`, () => scenarios(C_CORE, CLIENT_KEYS[1]));
});
