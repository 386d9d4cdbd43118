/**
 * The authentication hook with mutual TLS: it sees the client certificate of the stream and the
 * node id the client claims, and refuses a node whose certificate names someone else.
 * Certificates are made for the test with the openssl CLI (skipped where it is missing).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { AdsTestClient, namesIn, sotwRequest } from './ads-test-client';
import { edsCluster } from './fixtures';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { XdsServer } from '../../src/xds/xds-server';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Pki { ca: Buffer; serverKey: Buffer; serverCert: Buffer; clientKey: Buffer; clientCert: Buffer }

/** A CA, a server certificate for 127.0.0.1 and a client certificate with CN=node-a. */
function makePki(dir: string): Pki {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=xds-test-ca');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  fs.writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['server', '127.0.0.1'], ['client', 'node-a']]) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  }
  const read = (f: string): Buffer => fs.readFileSync(path.join(dir, f));
  return { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

const maybe = hasOpenssl() ? test : test.skip;

maybe('the hook sees the TLS client certificate and refuses a node id the certificate does not name', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-tls-'));
  const pki = makePki(dir);
  const seen: Array<{ nodeId: string; cn: unknown; security: unknown }> = [];
  const server = new XdsServer({
    pushDebounceMs: 0,
    authorize: ({ nodeId, authContext }) => {
      const cn = authContext.sslPeerCertificate?.subject?.CN;
      seen.push({ nodeId, cn, security: authContext.transportSecurityType });
      return cn === nodeId ? true : { allowed: false, message: `certificate ${String(cn)} may not act as ${nodeId}` };
    },
  });
  const port = await server.listen('127.0.0.1:0', grpc.ServerCredentials.createSsl(pki.ca, [{ cert_chain: pki.serverCert, private_key: pki.serverKey }], true));
  server.setResources('node-a', CLUSTER_TYPE_URL, [edsCluster('c1')]);
  const client = new AdsTestClient(port, undefined, grpc.credentials.createSsl(pki.ca, pki.clientKey, pki.clientCert));
  try {
    const honest = client.sotw();
    honest.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'node-a', locality: {} } }));
    expect(namesIn(await honest.next())).toEqual(['c1']);

    const impostor = client.sotw();
    impostor.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: 'node-b', locality: {} } }));
    const status = await impostor.status();
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toBe('certificate node-a may not act as node-b');
    expect(seen).toEqual([
      { nodeId: 'node-a', cn: 'node-a', security: 'ssl' },
      { nodeId: 'node-b', cn: 'node-a', security: 'ssl' },
    ]);
  } finally {
    client.close();
    await server.shutdown(500);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
