/**
 * Responses framed by hand from cached Any bytes are byte-identical to what protobufjs encodes
 * from the equivalent message object, for SotW and delta.
 */
import { edsCluster } from './fixtures';
import { frameDeltaResponse, frameSotwResponse } from '../../src/xds/framing';
import { encodeAny, messageType } from '../../src/xds/protos';
import { type CachedResource, ResourceCache } from '../../src/xds/resource-cache';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';

function cachedClusters(): ReturnType<ResourceCache['get']> {
  const cache = new ResourceCache();
  cache.install('g', cache.prepare('g', CLUSTER_TYPE_URL, [edsCluster('a'), edsCluster('b', { lb_policy: 'RING_HASH' })])!);
  return cache.get('g', CLUSTER_TYPE_URL);
}

test('a SotW DiscoveryResponse frame equals the protobufjs encoding', () => {
  const snapshot = cachedClusters()!;
  const resources = [...snapshot.resources.values()];
  const type = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  const any = messageType('google.protobuf.Any');
  const expected = type.encode(type.fromObject({
    version_info: snapshot.version,
    resources: resources.map((r) => any.toObject(any.decode(r.any))),
    type_url: CLUSTER_TYPE_URL,
    nonce: 'n1',
    control_plane: { identifier: 'cp-1' },
  })).finish();
  const framed = frameSotwResponse({ versionInfo: snapshot.version, typeUrl: CLUSTER_TYPE_URL, nonce: 'n1', resources, controlPlaneId: 'cp-1' });
  expect(Buffer.compare(framed, Buffer.from(expected))).toBe(0);
});

test('a DeltaDiscoveryResponse frame equals the protobufjs encoding', () => {
  const snapshot = cachedClusters()!;
  const resources = [...snapshot.resources.values()];
  const type = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const any = messageType('google.protobuf.Any');
  const expected = type.encode(type.fromObject({
    system_version_info: snapshot.version,
    resources: resources.map((r) => ({ name: r.name, version: r.version, resource: any.toObject(any.decode(r.any)) })),
    type_url: CLUSTER_TYPE_URL,
    nonce: 'n2',
    removed_resources: ['gone', 'never-was'],
  })).finish();
  const framed = frameDeltaResponse({
    systemVersionInfo: snapshot.version, typeUrl: CLUSTER_TYPE_URL, nonce: 'n2', resources, removedResources: ['gone', 'never-was'],
  });
  expect(Buffer.compare(framed, Buffer.from(expected))).toBe(0);
});

test('frames with long fields (multi-byte lengths), non-ASCII names and empty strings equal the protobufjs encoding', () => {
  const any = messageType('google.protobuf.Any');
  // Any values of 0 B to 20 KB: lengths of one, two and three varint bytes, 60 KB in all.
  const resources: CachedResource[] = [0, 1, 127, 128, 300, 16383, 16384, 20000].map((length, i) => ({
    typeUrl: CLUSTER_TYPE_URL,
    name: i % 2 === 0 ? `cluster-${i}` : `clüster-✓-${i}`,
    version: i === 0 ? '' : `v${i}`,
    any: encodeAny(CLUSTER_TYPE_URL, Buffer.alloc(length, i + 1)),
  }));
  const asObject = (r: CachedResource): object => any.toObject(any.decode(r.any));
  const sotw = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  const sotwExpected = sotw.encode(sotw.fromObject({
    version_info: '', resources: resources.map(asObject), type_url: CLUSTER_TYPE_URL, nonce: 'ñ', control_plane: { identifier: 'x'.repeat(200) },
  })).finish();
  const sotwFramed = frameSotwResponse({ versionInfo: '', typeUrl: CLUSTER_TYPE_URL, nonce: 'ñ', resources, controlPlaneId: 'x'.repeat(200) });
  expect(Buffer.compare(sotwFramed, Buffer.from(sotwExpected))).toBe(0);

  const delta = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const removed = ['gone', 'ünknown', 'y'.repeat(300)];
  const deltaExpected = delta.encode(delta.fromObject({
    system_version_info: 'sv',
    resources: resources.map((r) => ({ name: r.name, version: r.version, resource: asObject(r) })),
    type_url: CLUSTER_TYPE_URL,
    nonce: '',
    removed_resources: removed,
    control_plane: { identifier: 'cp' },
  })).finish();
  const deltaFramed = frameDeltaResponse({
    systemVersionInfo: 'sv', typeUrl: CLUSTER_TYPE_URL, nonce: '', resources, removedResources: removed, controlPlaneId: 'cp',
  });
  expect(Buffer.compare(deltaFramed, Buffer.from(deltaExpected))).toBe(0);
});

test('resource versions are content hashes: same content, same version; a changed resource alone gets a new one', () => {
  const cache = new ResourceCache();
  const first = cache.prepare('g', CLUSTER_TYPE_URL, [edsCluster('a'), edsCluster('b')])!;
  cache.install('g', first);
  expect(cache.prepare('g', CLUSTER_TYPE_URL, [edsCluster('b'), edsCluster('a')])).toBeUndefined();
  const second = cache.prepare('g', CLUSTER_TYPE_URL, [edsCluster('a'), edsCluster('b', { lb_policy: 'RING_HASH' })])!;
  expect(second.version).not.toBe(first.version);
  expect(second.resources.get('a')).toBe(first.resources.get('a'));
  expect(second.resources.get('b')!.version).not.toBe(first.resources.get('b')!.version);
  expect(() => cache.prepare('g', CLUSTER_TYPE_URL, new Map([['x', edsCluster('y')]]))).toThrow(/"y" was given under the name "x"/);
});
