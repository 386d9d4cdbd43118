/**
 * examples/import-cfn, as its README walks through it: `open-app-mesh import` turns the App Mesh
 * canary kept in CloudFormation into a spec, the program serves that spec, and a proxyless gRPC
 * client as serviceA sees the template's 75/25 split; importing again with other parameter values
 * moves the running client's traffic.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { EchoBackend, WhoAmIReply } from './echo-backend';
import { buildCanaryApp } from '../../../examples/canary/app';
import { buildMeshSpecs } from '../../../src/private/spec-builder';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { runImportCommand } from '../../src/import/import-command';
import { waitFor } from '../support/wait';
import { ControlPlaneProcess } from './support/control-plane-process';
import { RemoteClients } from './support/remote-clients';
import { expectBinomial as expectSplit } from '../support/binomial';

jest.setTimeout(120_000);

const TEMPLATE = path.join(__dirname, '..', '..', '..', 'examples', 'import-cfn', 'mesh.yaml');

/** `open-app-mesh import <template> [--param …] --out <out>`; fails the test on any error. */
async function importTemplate(out: string, ...params: string[]): Promise<string> {
  let stderr = '';
  const code = await runImportCommand([TEMPLATE, ...params.flatMap((p) => ['--param', p]), '--out', out], { stdout: () => undefined, stderr: (t) => { stderr += t; } });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return path.join(out, 'apps.mesh.json');
}

describe('examples/import-cfn: an imported CloudFormation template, served', () => {
  const attempts = new Map<string, number>();
  const serviceB = new EchoBackend('serviceB', attempts);
  const serviceBv2 = new EchoBackend('serviceBv2', attempts);
  const driver = new RemoteClients();
  let dir: string;
  let specFile: string;
  let cp: ControlPlaneProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-import-cfn-'));
    specFile = await importTemplate(path.join(dir, 'migrated'));
    const [p1, p2] = await Promise.all([serviceB.start(), serviceBv2.start()]);
    fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify({
      serviceB: [{ address: '127.0.0.1', port: p1 }],
      serviceBv2: [{ address: '127.0.0.1', port: p2 }],
    }));
    cp = new ControlPlaneProcess([
      '--spec', specFile, '--endpoints', `static:${path.join(dir, 'endpoints.json')}`,
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

  test('the template imports to the spec the CDK canary example synthesizes', () => {
    const synthesized = buildMeshSpecs(buildCanaryApp(new App(), { serviceB: 75, serviceBv2: 25 }));
    expect(fs.readFileSync(specFile, 'utf8')).toBe(toCanonicalJson(synthesized[0]));
  });

  test('the served import splits 75/25; importing again with other parameters moves the running client', async () => {
    const client = await driver.open('serviceA', 'Echo', 'serviceb.apps.local', cp.xdsPort, 'mesh/apps/virtualNode/serviceA');
    const versionsOf = async (n: number) => (await client.calls('WhoAmI', {}, {}, n)).map((o) => {
      if (o.error) throw new Error(`RPC failed: ${o.error.code} ${o.error.details}`);
      return (o.reply as unknown as WhoAmIReply).version;
    });
    expectSplit((await versionsOf(400)).filter((v) => v === 'serviceB').length, 400, 0.75);

    // As a user would: import into a new directory, then move the spec over the served one.
    const next = await importTemplate(path.join(dir, 'next'), 'ServiceBWeight=10', 'ServiceBv2Weight=90');
    fs.renameSync(next, specFile);
    await cp.waitForLog((l) => l.msg === 'spec applied' && l.affectedNodes === 1);
    await waitFor(async () => (await versionsOf(40)).filter((v) => v === 'serviceB').length <= 12, 'the 10/90 split', 20_000, 50);
    expectSplit((await versionsOf(400)).filter((v) => v === 'serviceB').length, 400, 0.1);
    expect(driver.uncaught).toEqual([]);
  });
});
