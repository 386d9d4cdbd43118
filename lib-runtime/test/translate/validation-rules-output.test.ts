/**
 * Envoy's own validation rules (xds/validation-rules) over everything the project generates:
 * every committed translation golden file, every node of every fixture rendered again with
 * discovered endpoints (the example-* fixtures are the examples' specs: test/examples.test.ts
 * keeps them equal to what each example synthesizes), the benchmark mesh, and the Envoy
 * bootstrap the constructs render. Zero violations expected. A rule this checker does not
 * implement would show up as a violation, and the first test makes sure none occurs in the
 * messages we emit.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { generateMesh, nodeIdOf, staticEndpoints } from '../../../bench/lib/mesh-generator';
import { EnvoyBootstrap } from '../../../src/platform/envoy-bootstrap';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { compileMesh, DiscoveredEndpoints, EnvoyConfig, listNodeIds, TRANSLATION_TYPE_URLS, translateNode, TYPE_URLS } from '../../src/translate';
import { decodeResource, encodeResource, messageTypeOfUrl, protoIncludeDirs, protoRoot } from '../../src/xds/protos';
import { fieldRules, formatViolation, messageRuleViolations, unimplementedRules, validationRuleViolations } from '../../src/xds/validation-rules';

const FIXTURES = path.join(__dirname, 'fixtures');
const GOLDEN = path.join(__dirname, 'golden');

const RESOURCE_LISTS: ReadonlyArray<[keyof EnvoyConfig, string]> = [
  ['listeners', TYPE_URLS.listener],
  ['routes', TYPE_URLS.routeConfiguration],
  ['clusters', TYPE_URLS.cluster],
  ['endpoints', TYPE_URLS.clusterLoadAssignment],
  ['secrets', TYPE_URLS.secret],
];

/**
 * Every violation in both views of a rendered node, prefixed with where it came from. Each
 * resource is checked as rendered and as a client receives it (encoded, then decoded), so what
 * the check passes is what goes on the wire.
 */
function configViolations(source: string, config: { envoy: EnvoyConfig; proxyless: EnvoyConfig }): string[] {
  const lines: string[] = [];
  for (const view of ['envoy', 'proxyless'] as const) {
    for (const [list, typeUrl] of RESOURCE_LISTS) {
      for (const resource of config[view][list]) {
        const received = decodeResource(typeUrl, encodeResource(typeUrl, resource));
        for (const [form, object] of [['rendered', resource], ['received', received]] as const) {
          for (const violation of validationRuleViolations(typeUrl, object)) lines.push(`${source} (${view}, ${form}): ${formatViolation(violation)}`);
        }
      }
    }
  }
  return lines;
}

function resourceCount(config: { envoy: EnvoyConfig; proxyless: EnvoyConfig }): number {
  return RESOURCE_LISTS.reduce((sum, [list]) => sum + config.envoy[list].length + config.proxyless[list].length, 0);
}

const goldenFiles = fs.readdirSync(GOLDEN).flatMap((dir) => fs.readdirSync(path.join(GOLDEN, dir)).map((file) => path.join(dir, file))).sort();
const fixtures = fs.readdirSync(FIXTURES).filter((file) => file.endsWith('.json')).sort();

/** Every type URL packed anywhere in the golden files. */
function packedTypeUrls(): Set<string> {
  const urls = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      const typeUrl = (value as Record<string, unknown>)['@type'];
      if (typeof typeUrl === 'string') urls.add(typeUrl);
      Object.values(value).forEach(visit);
    }
  };
  for (const file of goldenFiles) visit(JSON.parse(fs.readFileSync(path.join(GOLDEN, file), 'utf8')));
  return urls;
}

test('every validation rule in the messages we emit is one the checker implements', () => {
  protoRoot();
  const seen = new Set<protobuf.Type>();
  const gaps: string[] = [];
  const visit = (type: protobuf.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    for (const field of type.fieldsArray) {
      for (const gap of unimplementedRules(fieldRules(field))) gaps.push(`${type.fullName.slice(1)}.${field.name}: ${gap}`);
      const resolved = field.resolve().resolvedType;
      if (resolved instanceof protobuf.Type) visit(resolved);
    }
  };
  const roots = new Set([...Object.values(TYPE_URLS), ...TRANSLATION_TYPE_URLS, ...packedTypeUrls()]);
  for (const typeUrl of roots) visit(messageTypeOfUrl(typeUrl));
  expect(seen.size).toBeGreaterThan(100);
  expect(gaps).toEqual([]);
});

describe('golden files', () => {
  test('there are golden files of every fixture', () => {
    expect(new Set(goldenFiles.map((file) => path.dirname(file)))).toEqual(new Set(fixtures.map((file) => path.basename(file, '.json'))));
  });

  test('the check reads the golden files: a virtual host emptied of domains is caught, rendered and received', () => {
    const file = goldenFiles.find((f) => f.startsWith('example-routing/'))!;
    const config = JSON.parse(fs.readFileSync(path.join(GOLDEN, file), 'utf8'));
    const routes = config.envoy.routes[0];
    routes.virtual_hosts[0].domains = [];
    const where = `RouteConfiguration ${JSON.stringify(routes.name)}.virtual_hosts[0].domains: repeated.min_items 1 (has 0)`;
    expect(configViolations(file, config)).toEqual([`${file} (envoy, rendered): ${where}`, `${file} (envoy, received): ${where}`]);
  });

  test.each(goldenFiles)('%s breaks no rule', (file) => {
    const config = JSON.parse(fs.readFileSync(path.join(GOLDEN, file), 'utf8'));
    expect(resourceCount(config)).toBeGreaterThan(0);
    expect(configViolations(file, config)).toEqual([]);
  });
});

/** Two instances of every virtual node, in two zones, one of them unhealthy. */
function endpointsOf(nodeNames: readonly string[]): DiscoveredEndpoints {
  const endpoints: Record<string, DiscoveredEndpoints[string]> = {};
  nodeNames.forEach((name, i) => {
    endpoints[name] = [
      { address: `10.1.${i % 250}.1`, port: 8080, zone: 'zone-a' },
      { address: `10.1.${i % 250}.2`, port: 8080, zone: 'zone-b', healthy: false },
    ];
  });
  return endpoints;
}

describe.each(fixtures)('fixture %s rendered with endpoints', (file) => {
  test('every node breaks no rule', () => {
    const spec = parseMeshSpec(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
    const mesh = compileMesh(spec);
    const endpoints = endpointsOf(spec.virtualNodes.map((node) => node.virtualNodeName));
    const nodeIds = listNodeIds(mesh);
    expect(nodeIds.length).toBeGreaterThan(0);
    for (const nodeId of nodeIds) {
      const config = translateNode({ mesh, nodeId, endpoints });
      expect(configViolations(nodeId, config)).toEqual([]);
    }
  });
});

test('the benchmark mesh (40 nodes, with static endpoints) breaks no rule', () => {
  const generated = generateMesh({ virtualNodes: 40 });
  const mesh = compileMesh(generated.doc);
  const endpoints = staticEndpoints(generated);
  const nodeIds = generated.doc.virtualNodes.map((node) => nodeIdOf(node.virtualNodeName));
  expect(nodeIds).toHaveLength(40);
  let resources = 0;
  for (const nodeId of nodeIds) {
    const config = translateNode({ mesh, nodeId, endpoints });
    resources += resourceCount(config);
    expect(configViolations(nodeId, config)).toEqual([]);
  }
  expect(resources).toBeGreaterThan(400);
});

describe('the Envoy bootstrap', () => {
  let bootstrapRoot: protobuf.Root;

  beforeAll(() => {
    protoRoot(); // registers descriptor.proto, which the annotation protos import
    const includeDirs = protoIncludeDirs();
    bootstrapRoot = new protobuf.Root();
    bootstrapRoot.resolvePath = (_origin, target) => {
      if (path.isAbsolute(target)) return target;
      return includeDirs.map((dir) => path.join(dir, target)).find((candidate) => fs.existsSync(candidate)) ?? target;
    };
    // The bootstrap and what it packs into Any fields (not imported by bootstrap.proto).
    bootstrapRoot.loadSync([
      'envoy/config/bootstrap/v3/bootstrap.proto',
      'envoy/extensions/access_loggers/file/v3/file.proto',
      'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
    ], { keepCase: true });
    bootstrapRoot.resolveAll();
  });

  function bootstrapViolations(bootstrap: object): string[] {
    const typeOfUrl = (typeUrl: string): protobuf.Type => bootstrapRoot.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    return messageRuleViolations(typeOfUrl('envoy.config.bootstrap.v3.Bootstrap'), bootstrap, 'Bootstrap', typeOfUrl).map(formatViolation);
  }

  const nodeId = 'mesh/store/virtualNode/web';

  test('reaching the control plane over TCP breaks no rule', () => {
    expect(bootstrapViolations(EnvoyBootstrap.render({ nodeId, controlPlaneHost: 'xds.store.local', controlPlanePort: 18000 }))).toEqual([]);
  });

  test('through the agent\'s sockets breaks no rule', () => {
    const bootstrap = EnvoyBootstrap.render({
      nodeId, controlPlaneHost: 'unused', controlPlanePort: 1, xdsSocketPath: '/run/oam/xds.sock', sdsSocketPath: '/run/oam/sds.sock',
    });
    expect(bootstrapViolations(bootstrap)).toEqual([]);
  });

  test('the check reads the bootstrap: a zero connect timeout is caught', () => {
    const bootstrap = EnvoyBootstrap.render({ nodeId, controlPlaneHost: 'xds.store.local', controlPlanePort: 18000 });
    bootstrap.static_resources.clusters[0].connect_timeout = '0s';
    expect(bootstrapViolations(bootstrap)).toEqual(['Bootstrap.static_resources.clusters[0].connect_timeout: duration.gt 0s (got 0s)']);
  });
});
