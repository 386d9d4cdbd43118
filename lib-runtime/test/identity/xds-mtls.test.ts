/**
 * xDS over mutual TLS with node identity, on loopback with real handshakes: a client holding the
 * mesh CA's certificate for serviceA gets serviceA's configuration (short id or ARN); a client
 * without a certificate, with one of another CA, or with an expired one never gets a stream; and
 * serviceA's certificate asking for serviceB's node id is refused with PERMISSION_DENIED before
 * anything of serviceB's is sent.
 */
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { SERVICE_A, SERVICE_B, TRUST_DOMAIN, TrustedControlPlane } from './trusted-control-plane';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { CLUSTER_TYPE_URL, LISTENER_TYPE_URL } from '../../src/xds/type-urls';
import { namesIn, sotwRequest } from '../xds/ads-test-client';

const DAY = 24 * 3600_000;
const SERVICE_A_ID = 'mesh/apps/virtualNode/serviceA';

let mesh: TrustedControlPlane;

beforeAll(async () => {
  mesh = new TrustedControlPlane();
  await mesh.start();
});
afterAll(() => mesh.stop());

test('serviceA\'s certificate gets serviceA\'s configuration, by short node id and by ARN', async () => {
  const identity = await mesh.leaf(SERVICE_A);
  for (const id of [SERVICE_A_ID, 'arn:aws:appmesh:eu-west-1:111122223333:mesh/apps/virtualNode/serviceA']) {
    const stream = mesh.client(identity).sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id, user_agent_name: 'envoy' } }));
    const clusters = namesIn(await stream.next());
    expect(clusters.length).toBeGreaterThan(0);
    expect(clusters.some((name) => name.includes('serviceB'))).toBe(true);
  }
});

test('serviceA\'s certificate asking for serviceB\'s node id: PERMISSION_DENIED with the reason, nothing sent, counted', async () => {
  const before = await mesh.cp.metrics.refusedStreams.get({ reason: 'identityMismatch' });
  const stream = mesh.client(await mesh.leaf(SERVICE_A)).sotw();
  stream.send(sotwRequest(LISTENER_TYPE_URL, [], { node: { id: 'mesh/apps/virtualNode/serviceB-v1', user_agent_name: 'envoy' } }));
  const status = await stream.status();
  expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
  expect(status.details).toContain(`spiffe://${TRUST_DOMAIN}/mesh/apps/virtualNode/serviceA`);
  expect(stream.pending).toBe(0);
  expect(await mesh.cp.metrics.refusedStreams.get({ reason: 'identityMismatch' })).toBe(before + 1);
  // Nothing of serviceB was even rendered for it.
  expect(mesh.cp.xds.status().versions).not.toHaveProperty(['envoy|mesh/apps/virtualNode/serviceB-v1']);
});

test('serviceB\'s own certificate gets serviceB\'s configuration', async () => {
  const stream = mesh.client(await mesh.leaf(SERVICE_B)).sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'mesh/apps/virtualNode/serviceB-v1', user_agent_name: 'envoy' } }));
  expect((await stream.next()).resources.length).toBeGreaterThan(0);
});

/** A stream the handshake refuses: it ends UNAVAILABLE with no response and never reaches authorize. */
async function refusedInHandshake(identity: Parameters<TrustedControlPlane['client']>[0]): Promise<void> {
  const opened = await mesh.cp.metrics.streamsOpened.get();
  const stream = mesh.client(identity).sotw();
  stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: SERVICE_A_ID, user_agent_name: 'envoy' } }));
  expect((await stream.status()).code).toBe(grpc.status.UNAVAILABLE);
  expect(stream.pending).toBe(0);
  expect(await mesh.cp.metrics.streamsOpened.get()).toBe(opened);
}

test('a client without a certificate is refused', async () => {
  await refusedInHandshake(undefined);
});

test('a client with serviceA\'s certificate from another CA (same trust domain) is refused', async () => {
  const other = await MeshCa.open({ store: new FileCaStore(path.join(mesh.dir, 'other-ca')), trustDomain: TRUST_DOMAIN });
  await refusedInHandshake(await mesh.leaf(SERVICE_A, other));
});

test('a client with an expired certificate of the mesh CA is refused', async () => {
  const past = await MeshCa.open({ store: new FileCaStore(path.join(mesh.dir, 'ca')), trustDomain: TRUST_DOMAIN, now: () => new Date(Date.now() - 3 * DAY) });
  await refusedInHandshake(await mesh.leaf(SERVICE_A, past));
});
