import { editable, exampleSpec } from './example-assemblies';
import { toCanonicalJson } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { diffInputs, MeshDiff } from '../../src/diff/mesh-diff';
import { NodeResourceChange } from '../../src/diff/node-changes';
import { readSpec, SpecInput } from '../../src/diff/spec-inputs';
import { routedMesh } from '../translate/spec-builder';

/**
 * Routing edge cases on the routing and gateway examples (and a two-port router): each edit goes
 * through the validator as text, both sides are rendered by the translation, and the test reads
 * the traffic effect in words and the Envoy fields that carry it.
 */

jest.setTimeout(60_000);

const ROUTING = exampleSpec('routing');
const GATEWAY = exampleSpec('gateway');

function input(label: string, doc: MeshSpecDocument): SpecInput {
  return { label, specs: [readSpec(toCanonicalJson(doc), label)] };
}

/** The one mesh's diff after `edit` changed a copy of `doc`. */
function diffAfter(doc: MeshSpecDocument, edit: (copy: any) => void): MeshDiff {
  const copy = editable(doc);
  edit(copy);
  const result = diffInputs(input('old', doc), input('new', copy));
  expect(result.changed).toBe(true);
  return result.meshes[0];
}

function route(doc: any, router: string, name: string): any {
  return doc.routes.find((r: any) => r.virtualRouterName === router && r.routeName === name).spec;
}

function gatewayRoute(doc: any, gateway: string, name: string): any {
  return doc.gatewayRoutes.find((r: any) => r.virtualGatewayName === gateway && r.gatewayRouteName === name).spec;
}

function texts(mesh: MeshDiff): string[] {
  return mesh.traffic.map(t => t.text);
}

/** `view type name: path before → after` for every changed field of one node. */
function nodeFields(mesh: MeshDiff, nodeId: string): string[] {
  const node = mesh.nodes.find(n => n.nodeId === nodeId);
  if (!node) return [];
  return node.resources.flatMap((r: NodeResourceChange) => r.fields.length === 0
    ? [`${r.view} ${r.type} ${r.name} ${r.change}`]
    : r.fields.map(f => `${r.view} ${r.type} ${r.name}${f.path}: ${f.change} ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`));
}

describe('routing edge cases on the routing example', () => {
  test('a priority change reorders the virtual host\'s routes (first match wins)', () => {
    const mesh = diffAfter(ROUTING, d => { route(d, 'catalog', 'beta-query').priority = 5; });
    expect(texts(mesh)).toEqual([
      'route catalog/beta-query (catalog.store.local): priority 30 → 5',
      'router catalog (catalog.store.local) tries its routes in a new order (first match wins): ' +
        'admin, beta-header, beta-query, default → beta-query, admin, beta-header, default',
    ]);
    expect(mesh.resources.map(r => r.fields.map(f => `${f.path}: ${f.before} → ${f.after}`))).toEqual([
      ['routes["catalog/beta-query"].spec.priority: 30 → 5'],
    ]);
    // Only the caller of catalog.store.local changes; its Envoy route table is reordered, nothing else.
    expect(mesh.nodes.map(n => n.nodeId)).toEqual(['mesh/store/virtualNode/web']);
    const [reorder] = mesh.nodes[0].resources;
    expect(reorder).toMatchObject({ view: 'envoy', type: 'route', name: 'rds_egress_http_8080', change: 'changed' });
    expect(reorder.fields).toEqual([{
      path: '.virtual_hosts[name="catalog.store.local"].routes',
      change: 'reordered',
      before: ['name="admin"', 'name="beta-header"', 'name="beta-query"', 'name="default"'],
      after: ['name="beta-query"', 'name="admin"', 'name="beta-header"', 'name="default"'],
    }]);
  });

  test('a regex change is a match change and the route\'s safe_regex', () => {
    const mesh = diffAfter(ROUTING, d => { route(d, 'catalog', 'beta-query').httpRoute.match.path.regex = '/items/[0-9]{1,6}'; });
    expect(texts(mesh)).toEqual([
      'route catalog/beta-query (catalog.store.local): match http: path ~ /items/[0-9]+, method GET, query version = 2 → ' +
        'http: path ~ /items/[0-9]{1,6}, method GET, query version = 2',
    ]);
    expect(nodeFields(mesh, 'mesh/store/virtualNode/web')).toEqual([
      'envoy route rds_egress_http_8080.virtual_hosts[name="catalog.store.local"].routes[name="beta-query"].match.safe_regex.regex: ' +
        'changed "/items/[0-9]+" → "/items/[0-9]{1,6}"',
    ]);
  });

  test('an inverted header match: "not header", and invert_match in both views', () => {
    const mesh = diffAfter(ROUTING, d => { route(d, 'catalog', 'beta-header').httpRoute.match.headers[0].invert = true; });
    expect(texts(mesh)).toEqual([
      'route catalog/beta-header (catalog.store.local): match http: prefix /, header x-beta = true → http: prefix /, not header x-beta = true',
    ]);
    expect(nodeFields(mesh, 'mesh/store/virtualNode/web')).toEqual([
      'envoy route rds_egress_http_8080.virtual_hosts[name="catalog.store.local"].routes[name="beta-header"].match.headers[name="x-beta"].invert_match: added undefined → true',
      'proxyless listener catalog.store.local.api_listener.api_listener.route_config.virtual_hosts[name="catalog.store.local"]' +
        '.routes[name="beta-header"].match.headers[name="x-beta"].invert_match: added undefined → true',
    ]);
  });

  test('a new route with a header match, tried before the others', () => {
    const mesh = diffAfter(ROUTING, d => {
      d.routes.push({
        meshName: 'store',
        virtualRouterName: 'catalog',
        routeName: 'canary-users',
        spec: {
          priority: 1,
          httpRoute: {
            match: { prefix: '/', headers: [{ name: 'x-user-group', match: { exact: 'canary' } }] },
            action: { weightedTargets: [{ virtualNode: 'catalog-v1', weight: 3 }, { virtualNode: 'catalog-v2', weight: 1 }] },
          },
        },
      });
    });
    expect(texts(mesh)).toEqual([
      'new route catalog/canary-users (catalog.store.local), tried 1st of 5: new match: http: prefix /, header x-user-group = canary → catalog-v1 75 %, catalog-v2 25 %',
    ]);
    expect(mesh.resources.map(r => `${r.change} ${r.path}`)).toEqual(['added routes["catalog/canary-users"]']);
    const web = nodeFields(mesh, 'mesh/store/virtualNode/web');
    expect(web).toContain('envoy route rds_egress_http_8080.virtual_hosts[name="catalog.store.local"].routes[name="canary-users"]: added undefined → ' +
      JSON.stringify(mesh.nodes[0].resources[0].fields[0].after));
    expect(web.some(line => line.includes('.routes: reordered'))).toBe(false);
  });

  test('a removed route, and a weight change whose weights do not add up to 100', () => {
    const mesh = diffAfter(ROUTING, d => {
      d.routes = d.routes.filter((r: any) => r.routeName !== 'admin');
      route(d, 'catalog', 'default').httpRoute.action.weightedTargets.push({ virtualNode: 'catalog-v2', weight: 1 });
    });
    expect(texts(mesh)).toEqual([
      'route catalog/admin removed (catalog.store.local): what it matched (http: prefix /admin/, header authorization ^= Bearer ) now goes to the next route that matches, if any',
      'route catalog/default (catalog.store.local): catalog-v1 1 → 1, catalog-v2 (new) → 1 (shares catalog-v1 100 % → catalog-v1 50 %, catalog-v2 50 %)',
    ]);
  });

  test('a gRPC weight shift on ratings', () => {
    const mesh = diffAfter(ROUTING, d => {
      const targets = route(d, 'ratings', 'ratings-read').grpcRoute.action.weightedTargets;
      targets[0].weight = 50;
      targets[1].weight = 50;
    });
    expect(texts(mesh)).toEqual(['route ratings/ratings-read (ratings.store.local): ratings-v1 90 → 50, ratings-v2 10 → 50']);
  });
});

test('a port match moves the route to the other port\'s route table', () => {
  const twoPorts = (port: number) => routedMesh(
    { a: { httpRoute: { match: { prefix: '/', port }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } } },
    { routers: { r: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }, { portMapping: { port: 9090, protocol: 'http' } }] } } },
  );
  const result = diffInputs(input('old', twoPorts(8080)), input('new', twoPorts(9090)));
  const mesh = result.meshes[0];
  expect(texts(mesh)).toEqual(['route r/a (svc): match http: prefix /, port 8080 → http: prefix /, port 9090']);
  const envoy = mesh.nodes.find(n => n.nodeId === 'mesh/m/virtualNode/client')!.resources.filter(r => r.view === 'envoy');
  expect(envoy.map(r => `${r.type} ${r.name} ${r.fields.map(f => `${f.change} ${f.path}`).join('; ')}`)).toEqual([
    'route rds_egress_http_8080 removed .virtual_hosts[name="svc"].routes[name="a"]',
    'route rds_egress_http_9090 added .virtual_hosts[name="svc"].routes[name="a"]',
  ]);
});

describe('gateway routes on the gateway example', () => {
  test('rewrites: a prefix value and a kept host, in words and in the gateway\'s Envoy routes', () => {
    const mesh = diffAfter(GATEWAY, d => {
      gatewayRoute(d, 'ingress-gw', 'shop').httpRoute.action.rewrite = { prefix: { value: '/api/' }, hostname: { defaultTargetHostname: 'DISABLED' } };
    });
    expect(texts(mesh)).toEqual(['gateway route ingress-gw/shop: rewrite prefix to "/" → prefix to "/api/", host kept']);
    expect(mesh.nodes.map(n => n.nodeId)).toEqual(['mesh/edge/virtualGateway/ingress-gw']);
    const fields = nodeFields(mesh, 'mesh/edge/virtualGateway/ingress-gw');
    expect(fields).toContain('envoy route rds_ingress_http_8080.virtual_hosts[name="self_redirect"].routes[name="shop"].route.prefix_rewrite: changed "/" → "/api/"');
    expect(fields).toContain('envoy route rds_ingress_http_8080.virtual_hosts[name="self_redirect"].routes[name="shop"].route.host_rewrite_literal: removed "shop.edge.local" → undefined');
  });

  test('App Mesh\'s default rewrite turned off, a new target, and a priority that reorders', () => {
    const mesh = diffAfter(GATEWAY, d => {
      const shop = gatewayRoute(d, 'ingress-gw', 'shop');
      shop.httpRoute.action.rewrite = { prefix: { defaultPrefix: 'DISABLED' } };
      shop.priority = 1;
      gatewayRoute(d, 'ingress-gw', 'docs-host').httpRoute.action.target.virtualService.virtualServiceName = 'shop.edge.local';
    });
    expect(texts(mesh)).toEqual([
      // In the new evaluation order: shop is tried first now.
      'gateway route ingress-gw/shop: rewrite prefix to "/" → prefix kept',
      'gateway route ingress-gw/shop: priority 30 → 1',
      'gateway route ingress-gw/docs-host: target docs.edge.local → shop.edge.local',
      'gateway ingress-gw tries its routes in a new order (first match wins): docs-host, shop-preview, shop, search → shop, docs-host, shop-preview, search',
    ]);
  });
});

test('a virtual service moved from its router to a node', () => {
  const mesh = diffAfter(GATEWAY, d => {
    const shop = d.virtualServices.find((s: any) => s.virtualServiceName === 'shop.edge.local');
    shop.spec.provider = { virtualNode: { virtualNodeName: 'shop-blue' } };
  });
  expect(texts(mesh)).toContain('service shop.edge.local: provider virtual router shop → virtual node shop-blue');
});

test('a new backend, and the mesh\'s egress filter opened', () => {
  const mesh = diffAfter(exampleSpec('canary'), d => {
    d.mesh.spec.egressFilter = { type: 'ALLOW_ALL' };
    d.virtualNodes.find((n: any) => n.virtualNodeName === 'serviceB').spec.backends = [{ virtualService: { virtualServiceName: 'serviceb.apps.local' } }];
  });
  expect(texts(mesh)).toEqual([
    'virtual node serviceB: new backends serviceb.apps.local',
    'mesh apps: egress filter DROP_ALL → ALLOW_ALL: nodes may now reach any destination, not only their backends',
  ]);
  expect(mesh.resources.map(r => `${r.change} ${r.path}`)).toEqual(['changed mesh', 'changed virtualNodes["serviceB"]']);
});
