import * as fs from 'fs';
import * as path from 'path';
import { consistencyProblems, encodingProblems } from './envoy-checks';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { choicesOfKey, compileMesh, configForClient, EnvoyConfig, listNodeIds, translateNode, TYPE_URLS } from '../../src/translate';
import { formatViolation, validationRuleViolations } from '../../src/xds/validation-rules';

/**
 * What older clients receive (client-dialect.ts): for every fixture, node and older set of
 * choices, the rewritten view still encodes with Envoy's protos (so the older field names exist
 * there), keeps Envoy's validation rules (the older fields have their own) and stays consistent; and for examples/routing's `web`, the full views are golden files,
 * so a change of what those clients get is a visible diff. `UPDATE_GOLDEN=1` rewrites them.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const GOLDEN = path.join(__dirname, 'golden-clients');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The keys of the clients of docs/compatibility.md that need older spellings. */
const OLDER = [
  'envoy+total-weight+legacy-header-match+regex-engine+legacy-san-match', // Envoy 1.15–1.19 (App Mesh images v1.15–v1.19)
  'envoy+total-weight+regex-engine+legacy-san-match', // Envoy 1.20
  'envoy+total-weight+regex-engine', // Envoy 1.21–1.22
  'envoy+total-weight', // Envoy 1.23
  'proxyless+total-weight+legacy-header-match', // gRPC C-core 1.51–1.52, grpc-go before 1.54, grpc-java before 1.53
  'proxyless+legacy-header-match', // gRPC C-core 1.53–1.55, grpc-go 1.54–1.55
  'proxyless+total-weight', // grpc-js-xds 1.9–1.14.0
];

const fixtures = fs.readdirSync(FIXTURES).filter(f => f.endsWith('.json')).sort();

/** Rule violations of the resources the older spellings rewrite. */
function ruleProblems(view: EnvoyConfig): string[] {
  return [
    ...view.routes.flatMap(r => validationRuleViolations(TYPE_URLS.routeConfiguration, r)),
    ...view.listeners.flatMap(l => validationRuleViolations(TYPE_URLS.listener, l)),
    ...view.clusters.flatMap(c => validationRuleViolations(TYPE_URLS.cluster, c)),
  ].map(formatViolation);
}

describe.each(fixtures)('fixture %s for older clients', (file) => {
  const mesh = compileMesh(parseMeshSpec(fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
  test.each(listNodeIds(mesh))('%s encodes, keeps the validation rules and is consistent in every older spelling', (nodeId) => {
    const config = translateNode({ mesh, nodeId });
    for (const key of OLDER) {
      const view = configForClient(config, choicesOfKey(key));
      expect({ key, problems: [...encodingProblems(view), ...consistencyProblems(view), ...ruleProblems(view)] }).toEqual({ key, problems: [] });
    }
  });
});

test.each([
  ['envoy-1.15', 'envoy+total-weight+legacy-header-match+regex-engine+legacy-san-match'],
  ['grpc-c-core-1.51', 'proxyless+total-weight+legacy-header-match'],
])('examples/routing web as %s receives it matches its golden file', (client, key) => {
  const spec = parseMeshSpec(fs.readFileSync(path.join(FIXTURES, 'example-routing.json'), 'utf8'));
  const view = configForClient(translateNode({ spec, nodeId: 'mesh/store/virtualNode/web' }), choicesOfKey(key));
  const json = `${JSON.stringify(view, null, 2)}\n`;
  const goldenFile = path.join(GOLDEN, `example-routing-web.${client}.json`);
  if (UPDATE) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(goldenFile, json);
  }
  expect(json).toEqual(fs.readFileSync(goldenFile, 'utf8'));
});
