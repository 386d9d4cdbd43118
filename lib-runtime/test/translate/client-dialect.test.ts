/**
 * Older clients get the same routes spelled their way (client-dialect.ts): the NACKs of gRPC C-core
 * 1.51 on examples/routing ("RouteAction weighted_cluster has incorrect total weight", "Invalid
 * route header matcher specified.") and what Envoy before 1.20/1.23/1.24 requires.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MESH, named, routedMesh } from './spec-builder';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { choicesOfKey, clientProfile, configForClient, NodeConfig, ProtoJson, RenderChoices, translateNode } from '../../src/translate';

const CCORE_1_51 = clientProfile({ user_agent_name: 'gRPC C-core linux Python', user_agent_version: 'C-core 29.0.0 Python 1.51.1' }).choices;
const ENVOY_1_15 = clientProfile({ user_agent_name: 'envoy', user_agent_build_version: { version: { major_number: 1, minor_number: 15, patch: 5 } } }).choices;
const CURRENT_PROXYLESS = choicesOfKey('proxyless');

function render(): NodeConfig {
  const spec = routedMesh({
    single: {
      httpRoute: {
        match: { prefix: '/one', headers: [{ name: 'x-exact', match: { exact: 'a' } }, { name: 'x-re', match: { regex: 'b.*' } }, { name: 'x-any' }] },
        action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] },
      },
    },
    split: {
      httpRoute: {
        match: { path: { regex: '/split/.*' }, headers: [{ name: 'x-pre', match: { prefix: 'p' }, invert: true }, { name: 'x-suf', match: { suffix: 's' } }] },
        action: { weightedTargets: [{ virtualNode: 'v1', weight: 9 }, { virtualNode: 'v2', weight: 0 }, { virtualNode: 'v2', weight: 1 }] },
      },
    },
  });
  return translateNode({ spec, nodeId: `mesh/${MESH}/virtualNode/client` });
}

/** Routes `single` and `split` of `svc` in a view: RDS for Envoy, the api_listener's inline route config for gRPC clients. */
function routesOf(config: NodeConfig, choices: RenderChoices): [ProtoJson, ProtoJson] {
  const view = configForClient(config, choices);
  const routeConfig = choices.view === 'envoy'
    ? named(view.routes, 'rds_egress_http_8080')
    : ((named(view.listeners, 'svc').api_listener as ProtoJson).api_listener as ProtoJson).route_config as ProtoJson;
  const routes = named(routeConfig.virtual_hosts as ProtoJson[], 'svc').routes as ProtoJson[];
  return [named(routes, 'single'), named(routes, 'split')];
}

const weighted = (route: ProtoJson) => (route.route as ProtoJson).weighted_clusters as ProtoJson;
const headers = (route: ProtoJson) => (route.match as ProtoJson).headers as ProtoJson[];

describe('rendering for older clients', () => {
  test('C-core 1.51: total_weight is the sum of the weights, zero weights included (it assumes 100 otherwise)', () => {
    const [single, split] = routesOf(render(), CCORE_1_51);
    expect(weighted(single)).toEqual({ clusters: [{ name: 'cds_egress_m_v1_http_8080', weight: { value: 1 } }], total_weight: { value: 1 } });
    expect(weighted(split)).toEqual({
      clusters: [{ name: 'cds_egress_m_v1_http_8080', weight: { value: 9 } }, { name: 'cds_egress_m_v2_http_8080', weight: { value: 1 } }],
      total_weight: { value: 10 },
    });
  });

  test('C-core 1.51: header matchers in the fields from before string_match; presence, range and invert unchanged', () => {
    const [single, split] = routesOf(render(), CCORE_1_51);
    expect(headers(single)).toEqual([
      { name: 'x-exact', exact_match: 'a' },
      { name: 'x-re', safe_regex_match: { regex: 'b.*' } },
      { name: 'x-any', present_match: true },
    ]);
    expect(headers(split)).toEqual([{ name: 'x-pre', invert_match: true, prefix_match: 'p' }, { name: 'x-suf', suffix_match: 's' }]);
    // gRPC clients never needed the regex engine named.
    expect((split.match as ProtoJson).safe_regex).toEqual({ regex: '/split/.*' });
  });

  test('Envoy 1.15 (App Mesh image v1.15): the same, and every RegexMatcher names the RE2 engine', () => {
    const [single, split] = routesOf(render(), ENVOY_1_15);
    expect(weighted(single).total_weight).toEqual({ value: 1 });
    expect(headers(single)[1]).toEqual({ name: 'x-re', safe_regex_match: { google_re2: {}, regex: 'b.*' } });
    expect((split.match as ProtoJson).safe_regex).toEqual({ google_re2: {}, regex: '/split/.*' });
  });

  test('Envoy before 1.21: SAN checks in the untyped list (it ignores the typed one, checking nothing); others untouched', () => {
    const spec = parseMeshSpec(fs.readFileSync(path.join(__dirname, 'fixtures', 'example-mtls.json'), 'utf8'));
    const config = translateNode({ spec, nodeId: 'mesh/bank/virtualNode/payments' });
    const validation = (cluster: ProtoJson) => (((cluster.transport_socket as ProtoJson).typed_config as ProtoJson).common_tls_context as ProtoJson)
      .validation_context as ProtoJson;
    const before = validation(named(config.envoy.clusters, 'cds_egress_bank_ledger_http_8443'));
    const old = configForClient(config, ENVOY_1_15);
    const after = validation(named(old.clusters, 'cds_egress_bank_ledger_http_8443'));
    expect(before.match_typed_subject_alt_names).toEqual([{ san_type: 'DNS', matcher: { exact: 'ledger.bank.local' } }]);
    expect(after).toEqual({ trusted_ca: before.trusted_ca, match_subject_alt_names: [{ exact: 'ledger.bank.local' }] });
    // A cluster without TLS is passed through as the same object; so is everything for Envoy 1.21.
    const plain = config.envoy.clusters.find(c => !c.transport_socket)!;
    expect(old.clusters.find(c => c.name === plain.name)).toBe(plain);
    expect(configForClient(config, choicesOfKey('envoy+total-weight+regex-engine')).clusters).toBe(config.envoy.clusters);
  });

  test('current clients get the rendering unchanged, as the same objects', () => {
    const config = render();
    expect(configForClient(config, CURRENT_PROXYLESS)).toBe(config.proxyless);
    expect(configForClient(config, choicesOfKey('envoy'))).toBe(config.envoy);
    const [single] = routesOf(config, CURRENT_PROXYLESS);
    expect(weighted(single).total_weight).toBeUndefined();
    expect(headers(single)[0]).toEqual({ name: 'x-exact', string_match: { exact: 'a' } });
  });

  test('an older spelling is made once per resource and choices, and leaves the rendering untouched', () => {
    const config = render();
    const before = JSON.stringify(config);
    const first = configForClient(config, CCORE_1_51);
    const again = configForClient(config, { ...CCORE_1_51 });
    expect(again.listeners).toEqual(first.listeners);
    first.listeners.forEach((listener, i) => expect(again.listeners[i]).toBe(listener));
    // Clusters and assignments are not rewritten at all.
    expect(first.clusters).toBe(config.proxyless.clusters);
    expect(JSON.stringify(config)).toBe(before);
  });
});
