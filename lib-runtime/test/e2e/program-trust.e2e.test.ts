/**
 * The real program's trust defaults: started without trust flags it creates the mesh CA, serves
 * xDS over mutual TLS to a certificate of that CA and to nothing in plaintext; the admin port
 * needs the bearer token (but /healthz), and no endpoint or log line carries a private key;
 * missing CA material with --ca-create=false is a start-up error (exit 1); --insecure-plaintext
 * says what it gives up, and is still ready.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ControlPlaneProcess } from './support/control-plane-process';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { AdsTestClient, sotwRequest } from '../xds/ads-test-client';

jest.setTimeout(60_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'canary-spec.json');
const SERVICE_A = 'mesh/apps/virtualNode/serviceA';
const TOKEN = 'a-token-of-some-length-0123456789';

let dir: string;
const processes: ControlPlaneProcess[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-trust-'));
});
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

function program(args: string[]): ControlPlaneProcess {
  // HOME: the default --ca-dir (~/.open-app-mesh/ca) lands in the test's directory.
  const p = new ControlPlaneProcess(['--spec', FIXTURE, '--endpoints', 'none', '--xds-port', '0', '--admin-port', '0', ...args], { HOME: dir });
  processes.push(p);
  return p;
}

test('with no trust flags: a CA is made (0700), xDS is mutual TLS, the admin port needs the token, no private key is shown', async () => {
  fs.writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
  const cp = program(['--exchange-port', '0', '--admin-token-file', path.join(dir, 'token')]);
  await cp.start();
  const caDir = path.join(dir, '.open-app-mesh', 'ca');
  expect((fs.statSync(caDir).mode % 0o1000).toString(8)).toBe('700');
  expect(cp.exchangePort).toBeGreaterThan(0);

  // A leaf of the CA the program made, trusted the other way round too: the server certificate chains to it.
  const ca = await MeshCa.open({ store: new FileCaStore(caDir), trustDomain: 'open-app-mesh.internal', createIfMissing: false });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leaf = await ca.issueWorkloadCertificate({ workload: { meshName: 'apps', kind: 'virtualNode', name: 'serviceA' }, publicKey });
  const tls = new AdsTestClient(cp.xdsPort, undefined, grpc.credentials.createSsl(
    Buffer.from(ca.trustBundlePem()), Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), Buffer.from(leaf.certificatePem)));
  const plaintext = new AdsTestClient(cp.xdsPort);
  try {
    const stream = tls.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: SERVICE_A, user_agent_name: 'envoy' } }));
    expect((await stream.next()).resources.length).toBeGreaterThan(0);

    const refused = plaintext.sotw();
    refused.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: SERVICE_A, user_agent_name: 'envoy' } }));
    expect((await refused.status()).code).toBe(grpc.status.UNAVAILABLE);

    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect((await cp.admin('/healthz')).status).toBe(200);
    for (const adminPath of ['/readyz', '/metrics', '/clients', `/config_dump?node=${SERVICE_A}`]) {
      expect([adminPath, (await cp.admin(adminPath)).status]).toEqual([adminPath, 401]);
      expect([adminPath, (await cp.admin(adminPath, { authorization: `Bearer ${TOKEN}x` })).status]).toEqual([adminPath, 401]);
    }
    const clients = await cp.admin('/clients', bearer);
    expect(clients.status).toBe(200);
    expect(clients.body).toContain(SERVICE_A);
    const dump = await cp.admin(`/config_dump?node=${SERVICE_A}`, bearer);
    expect(dump.status).toBe(200);
    for (const text of [clients.body, dump.body, JSON.stringify(cp.logs), cp.stderr.join('')]) expect(text).not.toContain('PRIVATE KEY');
  } finally {
    tls.close();
    plaintext.close();
  }
});

test('missing CA material with --ca-create=false: a clear start-up error and exit code 1', async () => {
  const caDir = path.join(dir, 'empty-ca');
  const cp = program(['--exchange-port', '0', '--ca-dir', caDir, '--ca-create=false']);
  expect(await cp.run()).toBe(1);
  const failure = cp.logs.find((l) => l.msg === 'control plane failed to start');
  expect(JSON.stringify(failure)).toContain(`--ca-dir ${caDir}: mesh CA: no CA material in ${path.join(caDir, 'ca.json')}, and creating a root is disabled (--ca-create=false`);
});

test('--insecure-plaintext: warns at start that any client can read any node, and is ready', async () => {
  const cp = program(['--insecure-plaintext']);
  await cp.start();
  const warning = await cp.waitForLog((l) => l.level === 'warn' && /plaintext without node identity/.test(l.msg));
  expect(warning.msg).toContain('never in production');
  expect(cp.exchangePort).toBe(0);
  expect(fs.existsSync(path.join(dir, '.open-app-mesh'))).toBe(false);
  expect((await cp.admin('/readyz')).status).toBe(200);
});
