/**
 * The agent against a control plane that fails or answers badly, and the Kubernetes identity:
 * it keeps running and retrying, keeps the last good certificate, reads the token file again at
 * each renewal. Real HTTPS on loopback; only outputs to files, to keep each agent small.
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExchangeStandIn } from './exchange-stand-in';
import { Agent } from '../../src/agent/agent';
import { kubernetesTokenCredential } from '../../src/agent/identity-credential';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { Logger } from '../../src/log';
import { waitFor } from '../support/wait';

const NODE = 'mesh/shop/virtualNode/cart';

jest.setTimeout(20_000);

let dir: string;
let ca: MeshCa;
let exchange: ExchangeStandIn;
const running: Agent[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-renewal-'));
  ca = await MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain: 'mesh.example', maxLeafLifetimeMs: 60_000, clockSkewMs: 1000 });
  fs.writeFileSync(path.join(dir, 'anchors.pem'), ca.trustBundlePem());
  exchange = new ExchangeStandIn({ ca, serverId: 'cp', allowed: { 'token-1': NODE, 'token-2': NODE }, lifetimeMs: 2000 });
  await exchange.start();
});

afterEach(async () => {
  exchange.override = undefined;
  await Promise.all(running.splice(0).map((agent) => agent.stop()));
});

afterAll(async () => {
  await exchange?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startAgent(name: string, lines: string[] = []): Promise<{ agent: Agent; healthPort: number; tokenFile: string }> {
  const tokenFile = path.join(dir, `${name}.token`);
  fs.writeFileSync(tokenFile, 'token-1\n');
  const agent = new Agent({
    nodeId: NODE,
    controlPlaneUrl: exchange.url,
    caBundleFile: path.join(dir, 'anchors.pem'),
    credential: kubernetesTokenCredential(tokenFile),
    outDir: path.join(dir, name),
    healthPort: 0,
    log: new Logger('debug', {}, (line) => lines.push(line)),
    initialRetryMs: 20,
    maxRetryMs: 100,
  });
  running.push(agent);
  const { healthPort } = await agent.start();
  return { agent, healthPort: healthPort!, tokenFile };
}

const ready = async (port: number): Promise<[number, string]> => {
  const response = await fetch(`http://127.0.0.1:${port}/ready`);
  return [response.status, await response.text()];
};

test('Kubernetes identity: the token file is read again at each renewal', async () => {
  const { agent, tokenFile } = await startAgent('kubernetes');
  await waitFor(() => agent.certificate !== undefined, 'the first certificate');
  const first = agent.certificate!.certificatePem;
  fs.writeFileSync(tokenFile, 'token-2\n');
  await waitFor(() => agent.certificate!.certificatePem !== first, 'a renewal', 3000);
  const tokens = exchange.requests.map((r) => (r.credential.type === 'kubernetes' ? r.credential.token : ''));
  expect(tokens.slice(-2)).toEqual(['token-1', 'token-2']);
});

test('an unavailable control plane: not ready and retrying, then certified once it answers', async () => {
  exchange.override = { status: 503, body: { error: 'CA not available' } };
  const lines: string[] = [];
  const seen = exchange.requests.length;
  const { agent, healthPort } = await startAgent('unavailable', lines);
  await waitFor(() => exchange.requests.length >= seen + 3, 'three attempts');
  expect(await ready(healthPort)).toEqual([503, 'no certificate yet\n']);
  expect(lines.some((line) => line.includes('HTTP 503: CA not available'))).toBe(true);

  exchange.override = undefined;
  await waitFor(() => agent.certificate !== undefined, 'a certificate after the control plane recovers');
  expect(await ready(healthPort)).toEqual([200, 'ready\n']);
});

test('a bad answer is refused and the last good certificate kept, on file too', async () => {
  const lines: string[] = [];
  const { agent } = await startAgent('bad-answer', lines);
  await waitFor(() => agent.certificate !== undefined, 'the first certificate');
  const good = agent.certificate!;
  // A well-formed certificate of the mesh CA, but for a key the agent does not hold.
  const stolen = await ca.issueServerCertificate({ ipAddresses: ['127.0.0.1'] });
  exchange.override = {
    status: 200,
    body: {
      certificateChain: stolen.certificatePem,
      trustBundle: ca.trustBundlePem(),
      spiffeId: `spiffe://mesh.example/${NODE}`,
      notBefore: stolen.notBefore.toISOString(),
      notAfter: stolen.notAfter.toISOString(),
    },
  };
  await waitFor(() => lines.some((line) => line.includes('the certificate is not for the agent\'s key')), 'the refusal', 3000);
  expect(agent.certificate).toBe(good);
  const onFile = fs.readFileSync(path.join(dir, 'bad-answer', 'cert.pem'), 'utf8');
  expect(new X509Certificate(onFile).serialNumber).toBe(new X509Certificate(good.certificatePem).serialNumber);
});
