/**
 * Route configurations are encoded from their virtual hosts, each host once per object: the bytes
 * must be exactly what encoding the whole object gives, problems must still be reported with
 * their full path, and equal content must still be found as one cached resource.
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodeResource, messageType, ResourceEncodingError } from '../../src/xds/protos';
import { ResourceCache } from '../../src/xds/resource-cache';
import { ROUTE_TYPE_URL } from '../../src/xds/type-urls';

const GOLDEN = path.join(__dirname, '..', 'translate', 'golden');
const ROUTE_CONFIGURATION = messageType('envoy.config.route.v3.RouteConfiguration');
const VIRTUAL_HOST = messageType('envoy.config.route.v3.VirtualHost');

/** Encoded as one object, by protobufjs alone. */
function wholeBytes(resource: object): Uint8Array {
  return ROUTE_CONFIGURATION.encode(ROUTE_CONFIGURATION.fromObject(resource)).finish();
}

function goldenRouteConfigurations(): object[] {
  const out: object[] = [];
  for (const fixture of fs.readdirSync(GOLDEN)) {
    for (const file of fs.readdirSync(path.join(GOLDEN, fixture))) {
      const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN, fixture, file), 'utf8')) as Record<string, { routes?: object[] }>;
      for (const view of ['envoy', 'proxyless']) out.push(...golden[view]?.routes ?? []);
    }
  }
  return out;
}

function host(name: string, cluster = `${name}-cluster`): Record<string, unknown> {
  return { name, domains: [name], routes: [{ match: { prefix: '/' }, route: { cluster } }] };
}

test('every golden route configuration encodes to the bytes of the whole object', () => {
  const routes = goldenRouteConfigurations();
  expect(routes.length).toBeGreaterThan(50);
  for (const resource of routes) expect(Buffer.from(encodeResource(ROUTE_TYPE_URL, resource))).toEqual(Buffer.from(wholeBytes(resource)));
});

test('fields numbered on both sides of virtual_hosts keep their place, and @type is allowed', () => {
  const resource = {
    '@type': ROUTE_TYPE_URL,
    'name': 'rds',
    'virtual_hosts': [host('a'), host('b')],
    'internal_only_headers': ['x-internal'],
    'response_headers_to_add': [{ header: { key: 'x-mesh', value: '1' } }],
    'validate_clusters': { value: false },
    'request_headers_to_remove': ['x-drop'],
  };
  expect(Buffer.from(encodeResource(ROUTE_TYPE_URL, resource))).toEqual(Buffer.from(wholeBytes(resource)));
});

test('a problem in a shared host is reported with its full path, in every resource that holds it', () => {
  const bad = { ...host('b'), domainz: ['b'] };
  for (const name of ['one', 'two']) {
    const resource = { name, virtual_hosts: [host('a'), bad] };
    expect(() => encodeResource(ROUTE_TYPE_URL, resource)).toThrow(ResourceEncodingError);
    expect(() => encodeResource(ROUTE_TYPE_URL, resource)).toThrow(/RouteConfiguration\.virtual_hosts\[1\]\.domainz: envoy\.config\.route\.v3\.VirtualHost has no field domainz/);
  }
  expect(() => encodeResource(ROUTE_TYPE_URL, { name: 'three', virtual_hosts: [host('a')], validate_clusterz: true })).toThrow(/has no field validate_clusterz/);
  expect(() => encodeResource(ROUTE_TYPE_URL, { name: 'four', virtual_hosts: [host('a')], constructor: 1 })).toThrow(/has no field constructor/);
});

test('a host object held by many route configurations is encoded once', () => {
  const shared = host('shared');
  const encode = jest.spyOn(VIRTUAL_HOST, 'encode');
  try {
    for (let i = 0; i < 5; i++) encodeResource(ROUTE_TYPE_URL, { name: `rds-${i}`, virtual_hosts: [shared, host(`own-${i}`)] });
    const sharedEncodes = encode.mock.calls.filter(([message]) => (message as { name?: string }).name === 'shared').length;
    expect(sharedEncodes).toBe(1);
    expect(encode.mock.calls.length).toBe(6);
  } finally {
    encode.mockRestore();
  }
});

test('equal content with other host objects is one cached resource, and a changed host is a new one', () => {
  const cache = new ResourceCache();
  const install = (group: string, resource: object) => cache.install(group, cache.prepare(group, ROUTE_TYPE_URL, [resource])!);
  install('g1', { name: 'rds', virtual_hosts: [host('a'), host('b')] });
  install('g2', { name: 'rds', virtual_hosts: [host('a'), host('b')] });
  expect(cache.storedResources).toBe(1);
  expect(cache.stats.resourceEncodes).toBe(1);
  expect(cache.get('g2', ROUTE_TYPE_URL)!.version).toBe(cache.get('g1', ROUTE_TYPE_URL)!.version);
  install('g3', { name: 'rds', virtual_hosts: [host('a'), host('b', 'moved')] });
  expect(cache.storedResources).toBe(2);
  expect(cache.get('g3', ROUTE_TYPE_URL)!.version).not.toBe(cache.get('g1', ROUTE_TYPE_URL)!.version);
});
