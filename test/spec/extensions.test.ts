import {
  gateway, gatewayMesh, gatewayRoute, httpGatewayRouteSpec, httpRouteSpec, issueLines, listeningNode, meshDoc, route, routedMesh, router,
} from './fixtures';
import { parseMeshSpec, requiredSpecVersion, RouteExtensions, SPEC_VERSION, SPEC_VERSION_EXTENSIONS, toCanonicalJson } from '../../src/spec';
import { GATEWAY_ROUTE_EXTENSION_RULES } from '../../src/spec/rules/extension-gateway-route-rules';
import { ROUTE_EXTENSION_RULES } from '../../src/spec/rules/extension-route-rules';
import { VIRTUAL_GATEWAY_EXTENSION_RULES } from '../../src/spec/rules/extension-virtual-gateway-rules';
import { VIRTUAL_NODE_EXTENSION_RULES } from '../../src/spec/rules/extension-virtual-node-rules';
import { specVersionIssue } from '../../src/spec/spec-version';
import { validateMeshSpec } from '../../src/spec/validate';

/** A v2 document with route `r/main` (to node `a`) carrying `extensions`, and node `shadow` (http 9090). */
function routeWith(extensions: unknown, version = SPEC_VERSION_EXTENSIONS) {
  return routedMesh({
    specVersion: version,
    virtualNodes: [listeningNode('a'), listeningNode('shadow', ['http', 9090])],
    routes: [{ ...route('r', 'main', httpRouteSpec('a')), extensions: extensions as RouteExtensions }],
  });
}

/** Issues whose rule is an extension one or whose path is in an extensions section. */
function extensionIssues(doc: unknown): string[] {
  return issueLines(doc).filter(line => line.includes('.extensions'));
}

const FAULT = { abort: { httpStatus: 503, percentage: 25 }, delay: { fixedDelay: { unit: 'ms', value: 200 }, percentage: 50 } };

describe('versions', () => {
  test('a document with extensions needs v2; the builder helper says which', () => {
    const doc = routeWith({ faultInjection: FAULT });
    expect(requiredSpecVersion(doc)).toBe(SPEC_VERSION_EXTENSIONS);
    expect(requiredSpecVersion(routedMesh())).toBe(SPEC_VERSION);
    expect(issueLines(doc)).toEqual([]);
    expect(issueLines(routeWith({ faultInjection: FAULT }, SPEC_VERSION))).toEqual([
      'routes["r/main"].extensions: a document with extensions declares specVersion "open-app-mesh/v2"; '
      + 'this one declares "open-app-mesh/v1", which readers take as App Mesh resources only',
    ]);
  });

  test('a v1 document without extensions reads as before, and canonical JSON has no extensions key', () => {
    const json = toCanonicalJson(routedMesh());
    expect(json).not.toContain('extensions');
    expect(parseMeshSpec(json).specVersion).toBe(SPEC_VERSION);
  });

  test('a v2 document round-trips through canonical JSON with sorted keys', () => {
    const json = toCanonicalJson(routeWith({ headerRules: { requestHeadersToRemove: ['x-debug'] }, faultInjection: FAULT }));
    const parsed = parseMeshSpec(json);
    expect(parsed.routes[0].extensions?.faultInjection?.abort?.httpStatus).toBe(503);
    const extensionsText = json.slice(json.indexOf('"extensions"'));
    expect(extensionsText.indexOf('"faultInjection"')).toBeLessThan(extensionsText.indexOf('"headerRules"'));
  });

  test('a control plane that knows only v1 (every release before extensions) refuses a v2 document, saying why', () => {
    const issue = specVersionIssue(SPEC_VERSION_EXTENSIONS, [SPEC_VERSION]);
    expect(issue?.message).toBe('unknown spec version: this reader understands "open-app-mesh/v1", the document has "open-app-mesh/v2"; '
      + 'it was written for a newer control plane (one that knows its extensions): upgrade the control plane rather than drop the policies it carries');
    expect(specVersionIssue(SPEC_VERSION, [SPEC_VERSION])).toBeUndefined();
  });

  test('this reader refuses a version newer than it knows', () => {
    expect(() => parseMeshSpec(JSON.stringify({ ...routeWith({}), specVersion: 'open-app-mesh/v3' })))
      .toThrow(/the document has "open-app-mesh\/v3"; it was written for a newer control plane/);
  });
});

describe('extension structure', () => {
  test('unknown policy fields and kinds without extensions are refused', () => {
    const [unknown, ...more] = extensionIssues(routeWith({ notAPolicy: {} }));
    expect(more).toEqual([]);
    // The list of fields grows with each policy; these are this file's.
    expect(unknown).toMatch(/^routes\["r\/main"\]\.extensions\.notAPolicy: unknown field \(RouteExtensions has .*faultInjection, requestMirrors, headerRules.*\)$/);
    const doc = { ...routedMesh({ specVersion: SPEC_VERSION_EXTENSIONS }), virtualRouters: [{ ...router('r', ['http', 8080]), extensions: {} }] };
    expect(issueLines(doc)).toEqual(['virtualRouters["r"].extensions: unknown field (a virtual router has meshName, virtualRouterName, spec)']);
  });

  test('percentages out of range name the field', () => {
    expect(extensionIssues(routeWith({ faultInjection: { abort: { httpStatus: 503, percentage: 150 } } }))).toEqual([
      'routes["r/main"].extensions.faultInjection.abort.percentage: 150 is above the maximum 100 (FaultAbort.percentage, 0–100)',
    ]);
    expect(extensionIssues(routeWith({ requestMirrors: [{ virtualNode: 'shadow', percentage: -1 }] }))).toEqual([
      'routes["r/main"].extensions.requestMirrors[0].percentage: -1 is below the minimum 0 (RequestMirrorPolicy.percentage, 0–100)',
    ]);
  });

  test('fault statuses are bounded', () => {
    expect(extensionIssues(routeWith({ faultInjection: { abort: { grpcStatus: 0, percentage: 5 } } }))).toEqual([
      'routes["r/main"].extensions.faultInjection.abort.grpcStatus: 0 is below the minimum 1 (FaultAbort.grpcStatus, 1–16)',
    ]);
  });

  test('extensions nested past the depth limit are refused before any walk', () => {
    let deep: unknown = {};
    for (let i = 0; i < 70; i++) deep = { x: deep };
    expect(validateMeshSpec(routeWith(deep))[0].message).toMatch(/nested deeper than 64 levels/);
  });
});

describe('extension rules', () => {
  test('fault injection needs a delay or an abort, and an abort exactly one status', () => {
    expect(extensionIssues(routeWith({ faultInjection: { headerPresent: 'x-fault' } }))).toEqual([
      'routes["r/main"].extensions.faultInjection: fault injection needs a delay, an abort or both; headerPresent alone injects nothing',
    ]);
    expect(extensionIssues(routeWith({ faultInjection: { abort: { httpStatus: 503, grpcStatus: 14, percentage: 5 } } }))).toEqual([
      'routes["r/main"].extensions.faultInjection.abort: a fault abort needs exactly one of httpStatus, grpcStatus; httpStatus and grpcStatus are set',
    ]);
    expect(extensionIssues(routeWith({ faultInjection: { delay: { fixedDelay: { value: 3 }, percentage: 5 } } }))).toEqual([
      'routes["r/main"].extensions.faultInjection.delay.fixedDelay: a duration needs both unit and value; unit is missing',
    ]);
  });

  test('a mirror target that does not exist, or a port it does not listen on, is an error', () => {
    expect(extensionIssues(routeWith({ requestMirrors: [{ virtualNode: 'ghost', percentage: 10 }] }))).toEqual([
      'routes["r/main"].extensions.requestMirrors[0].virtualNode: mirror target virtual node "ghost" does not exist in mesh "demo"',
    ]);
    expect(extensionIssues(routeWith({ requestMirrors: [{ virtualNode: 'shadow', port: 8080, percentage: 10 }] }))).toEqual([
      'routes["r/main"].extensions.requestMirrors[0].port: port 8080 is not a listener of virtual node "shadow" (listener ports: 9090)',
    ]);
    expect(extensionIssues(routeWith({ requestMirrors: [{ virtualNode: 'shadow', percentage: 10 }] }))).toEqual([]);
  });

  test('header rules refuse pseudo-headers, host, and names Envoy does not accept', () => {
    const rules = {
      requestHeadersToAdd: [
        { name: ':authority', value: 'x', action: 'SET' },
        { name: 'host', value: 'x', action: 'SET' },
        { name: 'X-Upper', value: 'x', action: 'SET' },
        { name: 'x-ok', value: 'a', action: 'SET' },
        { name: 'x-ok', value: 'b', action: 'SET' },
      ],
      responseHeadersToRemove: [':status'],
      responseHeadersToAdd: [{ name: 'x-gone', value: '1', action: 'APPEND' }],
    };
    expect(extensionIssues(routeWith({ headerRules: { ...rules, responseHeadersToRemove: [':status', 'x-gone'] } }))).toEqual([
      'routes["r/main"].extensions.headerRules.requestHeadersToAdd[0].name: ":authority" is a pseudo-header; Envoy refuses to write headers starting with ":"',
      'routes["r/main"].extensions.headerRules.requestHeadersToAdd[1].name: Envoy refuses to write "host" with header rules; rewrite the host with the route\'s action instead',
      'routes["r/main"].extensions.headerRules.requestHeadersToAdd[2].name: "X-Upper" is not a header name Envoy accepts here: use lower-case letters, digits and !#$%&\'*+.^_`|~-',
      'routes["r/main"].extensions.headerRules.requestHeadersToAdd[4].name: "x-ok" is written again (also requestHeadersToAdd[3]); only APPEND rules may repeat a name',
      'routes["r/main"].extensions.headerRules.responseHeadersToAdd[0].name: "x-gone" is both added and in responseHeadersToRemove; say one',
      'routes["r/main"].extensions.headerRules.responseHeadersToRemove[0]: ":status" is a pseudo-header; Envoy refuses to remove headers starting with ":"',
    ]);
  });

  test('a header value with a line break is refused', () => {
    expect(extensionIssues(routeWith({ headerRules: { responseHeadersToAdd: [{ name: 'x-a', value: 'a\r\nset-cookie: b', action: 'SET' }] } }))).toEqual([
      'routes["r/main"].extensions.headerRules.responseHeadersToAdd[0].value: a header value must not contain CR, LF or NUL (Envoy refuses it)',
    ]);
  });

  test('policies on a TCP route are refused', () => {
    const doc = meshDoc({
      specVersion: SPEC_VERSION_EXTENSIONS,
      virtualNodes: [listeningNode('a', ['tcp', 7000])],
      virtualRouters: [router('r', ['tcp', 7000])],
      routes: [{ ...route('r', 't', { tcpRoute: { action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } } }), extensions: { faultInjection: FAULT } as RouteExtensions }],
    });
    expect(extensionIssues(doc)).toEqual(['routes["r/t"].extensions: faultInjection act on HTTP requests; a TCP route carries none']);
  });

  test('gateway routes carry fault injection and header rules, checked the same way', () => {
    const doc = gatewayMesh({
      specVersion: SPEC_VERSION_EXTENSIONS,
      virtualGateways: [gateway('gw')],
      gatewayRoutes: [{
        ...gatewayRoute('gw', 'g', httpGatewayRouteSpec('svc')),
        extensions: { faultInjection: { abort: { httpStatus: 503, percentage: 101 } }, headerRules: { requestHeadersToRemove: ['host'] } },
      }],
    });
    expect(issueLines(doc)).toEqual([
      'gatewayRoutes["gw/g"].extensions.faultInjection.abort.percentage: 101 is above the maximum 100 (FaultAbort.percentage, 0–100)',
    ]);
    const rulesOnly = { ...doc, gatewayRoutes: [{ ...doc.gatewayRoutes[0], extensions: { headerRules: { requestHeadersToRemove: ['host'] } } }] };
    expect(issueLines(rulesOnly)).toEqual([
      'gatewayRoutes["gw/g"].extensions.headerRules.requestHeadersToRemove[0]: Envoy refuses to remove "host" with header rules; rewrite the host with the route\'s action instead',
    ]);
  });
});

describe('docs/policies.md', () => {
  test('documents every extension rule id', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('fs') as typeof import('fs');
    const doc = fs.readFileSync(`${__dirname}/../../docs/policies.md`, 'utf8');
    const ids = [ROUTE_EXTENSION_RULES, GATEWAY_ROUTE_EXTENSION_RULES, VIRTUAL_NODE_EXTENSION_RULES, VIRTUAL_GATEWAY_EXTENSION_RULES]
      .flatMap(rules => rules.map(rule => rule.id));
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect(ids.filter(id => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});
