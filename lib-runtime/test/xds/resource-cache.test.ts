/**
 * Unchanged resources are recognised before encoding: a snapshot whose objects are new but equal
 * costs no encoding and keeps every version; only changed resources are checked and encoded.
 */
import { assignment, edsCluster, routeConfig } from './fixtures';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

const NAMES = ['a', 'b', 'c'];

/** A fresh set of objects each call: equal content, never the same objects. */
function snapshot(port = 8080): Record<string, object[]> {
  return {
    [CLUSTER_TYPE_URL]: NAMES.map((name) => edsCluster(name)),
    [ENDPOINT_TYPE_URL]: NAMES.map((name, i) => assignment(name, [i === 0 ? port : 9000 + i])),
    [ROUTE_TYPE_URL]: [routeConfig('routes', '*', NAMES.map((name) => ({ name, weight: 1 })))],
  };
}

function versions(server: XdsServer): Record<string, string> {
  return server.status().versions.g;
}

test('equal but new objects encode nothing and keep every version', () => {
  const server = new XdsServer();
  expect(server.setSnapshot('g', snapshot())).toBe(true);
  const before = { stats: server.stats(), versions: versions(server) };
  expect(before.stats.resourceEncodes).toBe(7);

  expect(server.setSnapshot('g', snapshot())).toBe(false);
  expect(server.stats().resourceEncodes).toBe(before.stats.resourceEncodes);
  expect(server.stats().anyEncodes).toBe(before.stats.anyEncodes);
  expect(versions(server)).toEqual(before.versions);
});

test('only the changed resource is encoded, and only its type gets a new version', () => {
  const server = new XdsServer();
  server.setSnapshot('g', snapshot());
  const before = { stats: server.stats(), versions: versions(server) };

  expect(server.setSnapshot('g', snapshot(8081))).toBe(true);
  expect(server.stats().resourceEncodes - before.stats.resourceEncodes).toBe(1);
  expect(server.stats().anyEncodes - before.stats.anyEncodes).toBe(1);
  const after = versions(server);
  expect(after.ClusterLoadAssignment).not.toBe(before.versions.ClusterLoadAssignment);
  expect({ ...after, ClusterLoadAssignment: undefined }).toEqual({ ...before.versions, ClusterLoadAssignment: undefined });
});

test('the same content written with another key order is encoded once, keeps its version, then is recognised', () => {
  const server = new XdsServer();
  server.setResources('g', CLUSTER_TYPE_URL, [edsCluster('a')]);
  const version = server.version('g', CLUSTER_TYPE_URL);
  const reordered = Object.fromEntries(Object.entries(edsCluster('a')).reverse());
  const encodes = server.stats().resourceEncodes;

  // different JSON text, same protobuf bytes: encoded to find that out, no new version or Any
  expect(server.setResources('g', CLUSTER_TYPE_URL, [reordered])).toBe(false);
  expect(server.stats().resourceEncodes - encodes).toBe(1);
  expect(server.version('g', CLUSTER_TYPE_URL)).toBe(version);
  // that text is remembered: setting it again costs nothing
  expect(server.setResources('g', CLUSTER_TYPE_URL, [{ ...reordered }])).toBe(false);
  expect(server.stats().resourceEncodes - encodes).toBe(1);
});

test('a changed resource is still checked: a misspelled field is refused and the cache kept', () => {
  const server = new XdsServer();
  server.setResources('g', CLUSTER_TYPE_URL, [edsCluster('a')]);
  const version = server.version('g', CLUSTER_TYPE_URL);
  expect(() => server.setResources('g', CLUSTER_TYPE_URL, [edsCluster('a', { lb_polcy: 'RANDOM' })])).toThrow(/Cluster has no field lb_polcy/);
  expect(server.version('g', CLUSTER_TYPE_URL)).toBe(version);
});

test('equal content in many groups is encoded once and stored once, until no group holds it', () => {
  const server = new XdsServer();
  server.setSnapshot('g1', snapshot());
  const encodes = server.stats().resourceEncodes;
  // another group, new objects of the same content: found by their text, bytes shared
  expect(server.setSnapshot('g2', snapshot())).toBe(true);
  expect(server.stats().resourceEncodes).toBe(encodes);
  expect(server.status().versions.g2).toEqual(server.status().versions.g1);
  expect(server.stats().storedResources).toBe(7);

  // one group changes one resource: the new version is stored beside the one g2 still holds
  server.setSnapshot('g1', snapshot(8081));
  expect(server.stats().storedResources).toBe(8);
  server.removeGroup('g2');
  expect(server.stats().storedResources).toBe(7);
  server.removeGroup('g1');
  expect(server.stats().storedResources).toBe(0);
  // nothing is remembered once no group holds it: the same content is encoded anew
  server.setSnapshot('g3', snapshot());
  expect(server.stats().resourceEncodes - encodes).toBe(1 + 7);
});

test('an object handed in again, in any group, is recognised by identity', () => {
  const server = new XdsServer();
  const shared = snapshot();
  server.setSnapshot('g1', shared);
  const encodes = server.stats().resourceEncodes;
  const jsonText = jest.spyOn(JSON, 'stringify');
  try {
    expect(server.setSnapshot('g2', shared)).toBe(true);
    expect(jsonText).not.toHaveBeenCalled();
  } finally {
    jsonText.mockRestore();
  }
  expect(server.stats().resourceEncodes).toBe(encodes);
  expect(server.status().versions.g2).toEqual(server.status().versions.g1);
});
