/**
 * The real program on the spec synthesized from examples/canary (the App Mesh canary
 * walkthrough, written as for aws-cdk-lib/aws-appmesh), with proxyless gRPC clients as
 * serviceA: the 75/25 split, then a re-synthesized 10/90 spec reaching the running client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { EchoBackend, WhoAmIReply } from './echo-backend';
import { buildCanaryApp, CanaryWeights } from '../../../examples/canary/app';
import { buildMeshSpecs } from '../../../src/private/spec-builder';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { waitFor } from '../support/wait';
import { ControlPlaneProcess } from './support/control-plane-process';
import { RemoteClients } from './support/remote-clients';
import { expectBinomial as expectSplit } from '../support/binomial';

jest.setTimeout(120_000);

/** The canonical spec JSON `cdk synth` writes for the canary example with these weights. */
function synthesizeCanary(weights: CanaryWeights): string {
  const app = new App();
  const stack = buildCanaryApp(app, weights);
  const docs = buildMeshSpecs(stack);
  expect(docs.map((d) => d.mesh.meshName)).toEqual(['apps']);
  return toCanonicalJson(docs[0]);
}

describe('the canary example, served by the program', () => {
  const attempts = new Map<string, number>();
  const serviceB = new EchoBackend('serviceB', attempts);
  const serviceBv2 = new EchoBackend('serviceBv2', attempts);
  const driver = new RemoteClients();
  let dir: string;
  let cp: ControlPlaneProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-canary-'));
    const [p1, p2] = await Promise.all([serviceB.start(), serviceBv2.start()]);
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify({
      serviceB: [{ address: '127.0.0.1', port: p1 }],
      serviceBv2: [{ address: '127.0.0.1', port: p2 }],
    }));
    fs.writeFileSync(path.join(dir, 'apps.mesh.json'), synthesizeCanary({ serviceB: 75, serviceBv2: 25 }));
    cp = new ControlPlaneProcess([
      '--spec', path.join(dir, 'apps.mesh.json'), '--endpoints', `static:${path.join(dir, 'endpoints.json')}`,
      '--insecure-plaintext', '--bind', '127.0.0.1', '--xds-port', '0', '--admin-port', '0',
    ]);
    await Promise.all([cp.start(), driver.start()]);
  });

  afterAll(async () => {
    await driver.stop();
    await cp?.kill();
    await Promise.all([serviceB.stop(), serviceBv2.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('75/25 split, then a new synthesized spec (10/90) reaches the running client', async () => {
    const client = await driver.open('serviceA', 'Echo', 'serviceb.apps.local', cp.xdsPort, 'mesh/apps/virtualNode/serviceA');
    const versionsOf = async (n: number) => (await client.calls('WhoAmI', {}, {}, n)).map((o) => {
      if (o.error) throw new Error(`RPC failed: ${o.error.code} ${o.error.details}`);
      return (o.reply as unknown as WhoAmIReply).version;
    });
    expectSplit((await versionsOf(400)).filter((v) => v === 'serviceB').length, 400, 0.75);

    const next = synthesizeCanary({ serviceB: 10, serviceBv2: 90 });
    const tmp = path.join(dir, '.apps.mesh.json.tmp');
    fs.writeFileSync(tmp, next);
    fs.renameSync(tmp, path.join(dir, 'apps.mesh.json'));
    await cp.waitForLog((l) => l.msg === 'spec applied' && l.affectedNodes === 1);
    // Converged when a window of calls fits 10/90 and no longer 75/25.
    await waitFor(async () => (await versionsOf(40)).filter((v) => v === 'serviceB').length <= 12, 'the 10/90 split', 20_000, 50);
    expectSplit((await versionsOf(400)).filter((v) => v === 'serviceB').length, 400, 0.1);
    expect(driver.uncaught).toEqual([]);
  });
});
