/**
 * A group's content, taken with contentOf, can be installed again after the group is gone (or in
 * another group) without validating, hashing or encoding anything, and streams are served it.
 */
import { namesIn, sotwRequest } from './ads-test-client';
import { assignment, edsCluster } from './fixtures';
import { Harness } from './harness';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

function snapshot(port = 8080): Record<string, object[]> {
  return {
    [CLUSTER_TYPE_URL]: [edsCluster('a'), edsCluster('b')],
    [ENDPOINT_TYPE_URL]: [assignment('a', [port]), assignment('b', [9000])],
  };
}

test('content of a removed group is installed again with nothing encoded, at the same versions', () => {
  const server = new XdsServer();
  server.setSnapshot('g', snapshot());
  const versions = server.status().versions.g;
  const content = server.contentOf('g')!;
  server.removeGroup('g');
  expect(server.stats().storedResources).toBe(0);
  const before = server.stats();

  expect(server.setContent('g2', content)).toBe(true);
  expect(server.stats().resourceEncodes).toBe(before.resourceEncodes);
  expect(server.stats().anyEncodes).toBe(before.anyEncodes);
  expect(server.status().versions.g2).toEqual(versions);
  expect(server.stats().storedResources).toBe(4);
  // Held again: new objects of the same content are recognised by their text, not encoded.
  expect(server.setSnapshot('g3', snapshot())).toBe(true);
  expect(server.stats().resourceEncodes).toBe(before.resourceEncodes);
});

test('content replaces only the types whose version differs; the same content again changes nothing', () => {
  const server = new XdsServer();
  server.setSnapshot('g', snapshot());
  const content = server.contentOf('g')!;
  server.setSnapshot('g', snapshot(8081));
  const clusters = server.version('g', CLUSTER_TYPE_URL);

  expect(server.setContent('g', content)).toBe(true);
  expect(server.version('g', CLUSTER_TYPE_URL)).toBe(clusters);
  expect(server.version('g', ENDPOINT_TYPE_URL)).toBe(content.get(ENDPOINT_TYPE_URL)!.version);
  expect(server.setContent('g', content)).toBe(false);
});

test('content another server made is refused and the group left as it was', () => {
  const other = new XdsServer();
  other.setSnapshot('g', snapshot(7000));
  const server = new XdsServer();
  server.setSnapshot('g', snapshot());
  const versions = server.status().versions.g;
  expect(() => server.setContent('g', other.contentOf('g')!)).toThrow(/was not made by this cache/);
  expect(server.status().versions.g).toEqual(versions);
});

test('a stream of a group set from kept content receives it', async () => {
  const h = await Harness.start({ groupOf: (node) => node.id });
  try {
    h.server.setSnapshot('first', snapshot());
    const content = h.server.contentOf('first')!;
    h.server.removeGroup('first');
    h.server.setContent('second', content);
    const stream = h.client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'second', locality: {} } }));
    const response = await stream.next();
    expect(response.version_info).toBe(content.get(CLUSTER_TYPE_URL)!.version);
    expect(namesIn(response).sort()).toEqual(['a', 'b']);
  } finally {
    await h.stop();
  }
});
