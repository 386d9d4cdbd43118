/**
 * The real program with --ca-acm-pca-arn: on first start the SDK asks a loopback stand-in of ACM
 * Private CA (the service's JSON protocol, through AWS_ENDPOINT_URL_ACM_PCA) to certify the mesh
 * CA's key, the store keeps the subordinate with the Private CA's root, and the program serves
 * xDS with a server certificate that chains to that root. Access denied stops the start (exit 1)
 * naming the flag.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { ControlPlaneProcess } from './support/control-plane-process';
import { PCA_ARN, PcaStandIn, serviceError } from '../identity/acm-pca-stand-in';
import { awsStandInEnvironment } from '../support/aws-stand-in-env';
import { canaryProgram } from '../support/canary-program';

jest.setTimeout(60_000);

let pca: PcaStandIn;
let endpoint: string;
let dir: string;
const processes: ControlPlaneProcess[] = [];

beforeEach(async () => {
  pca = await PcaStandIn.start();
  pca.pollsBeforeReady = 1;
  endpoint = await pca.serveHttp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-program-pca-'));
});
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill();
  await pca.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function program(): ControlPlaneProcess {
  return canaryProgram(['--ca-dir', path.join(dir, 'ca'), '--ca-acm-pca-arn', PCA_ARN, '--tls-names', '127.0.0.1'],
    awsStandInEnvironment('AWS_ENDPOINT_URL_ACM_PCA', endpoint), processes);
}

test('the first start has the Private CA certify the signing CA; the xDS server certificate chains to the Private CA\'s root', async () => {
  const p = program();
  await p.start();
  expect(pca.issueRequests).toHaveLength(1);
  expect(pca.issueRequests[0]).toMatchObject({
    TemplateArn: 'arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1',
    SigningAlgorithm: 'SHA256WITHECDSA',
    Validity: { Type: 'DAYS', Value: 365 },
  });
  const stored = JSON.parse(fs.readFileSync(path.join(dir, 'ca', 'ca.json'), 'utf8'));
  expect(stored.anchors).toEqual([pca.rootPem]);
  const subordinate = new X509Certificate(stored.active.certificatePem);
  expect(subordinate.verify(new X509Certificate(pca.rootPem).publicKey)).toBe(true);

  // A TLS client that trusts only the Private CA's root and the subordinate (the published bundle) accepts the server.
  const xdsPort = p.xdsPort;
  const peer = await new Promise<X509Certificate>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: xdsPort, ca: [stored.active.certificatePem, pca.rootPem], ALPNProtocols: ['h2'] }, () => {
      resolve(new X509Certificate(socket.getPeerX509Certificate()!.raw));
      socket.destroy();
    });
    socket.on('error', reject);
  });
  expect(peer.verify(subordinate.publicKey)).toBe(true);
});

test('access denied stops the start with exit 1, naming --ca-acm-pca-arn', async () => {
  pca.issueFailures.push(serviceError('AccessDeniedException', 'User is not authorized to perform: acm-pca:IssueCertificate'));
  const p = program();
  expect(await p.run()).toBe(1);
  expect(JSON.stringify(p.logs)).toMatch(/--ca-acm-pca-arn arn:aws:acm-pca:[^ ]+: IssueCertificate failed: AccessDeniedException/);
  expect(fs.existsSync(path.join(dir, 'ca', 'ca.json'))).toBe(false);
});
