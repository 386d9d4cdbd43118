/**
 * The real program with its CA root in Secrets Manager (what the ECS ControlPlane construct passes):
 * the first replica stores a root in the empty secret and publishes the roots' certificates, and
 * only them, to the bundle secret; a second replica loads the same root. The AWS SDK talks to a
 * loopback stand-in of the service's JSON protocol (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
import { X509Certificate } from 'node:crypto';
import type { ControlPlaneProcess } from './support/control-plane-process';
import { SecretsManagerStandIn } from '../identity/secrets-manager-stand-in';
import { awsStandInEnvironment } from '../support/aws-stand-in-env';
import { canaryProgram } from '../support/canary-program';

jest.setTimeout(60_000);

let secretsManager: SecretsManagerStandIn;
let endpoint: string;
const processes: ControlPlaneProcess[] = [];

beforeEach(async () => {
  secretsManager = new SecretsManagerStandIn();
  endpoint = await secretsManager.start();
});
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill();
  await secretsManager.stop();
});

function replica(caSecret: string, bundleSecret: string): ControlPlaneProcess {
  return canaryProgram(['--ca-secret-arn', caSecret, '--ca-bundle-secret-arn', bundleSecret],
    awsStandInEnvironment('AWS_ENDPOINT_URL_SECRETS_MANAGER', endpoint), processes);
}

test('the first replica stores the root in the empty secret and publishes only certificates; the next one loads the same root', async () => {
  const caSecret = secretsManager.createSecret('oam-ca');
  const bundleSecret = secretsManager.createSecret('oam-ca-bundle');

  await replica(caSecret, bundleSecret).start();
  const stored = JSON.parse(secretsManager.current(caSecret)!);
  const root = new X509Certificate(stored.active.certificatePem);
  expect(root.ca).toBe(true);
  const bundle = secretsManager.current(bundleSecret)!;
  expect(bundle).not.toContain('PRIVATE KEY');
  expect(new X509Certificate(bundle).fingerprint256).toBe(root.fingerprint256);

  await replica(caSecret, bundleSecret).start();
  expect(secretsManager.current(caSecret)).toBe(JSON.stringify(stored));
  expect(secretsManager.versionCount(caSecret)).toBe(1);
  expect(secretsManager.versionCount(bundleSecret)).toBe(1);
  expect(new Set(secretsManager.calls.map((c) => c.operation))).toEqual(new Set(['GetSecretValue', 'PutSecretValue']));
});

test('a secret that does not exist is a start-up error naming --ca-secret-arn (exit 1)', async () => {
  const missing = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:nothing-AbCdEf';
  const p = replica(missing, secretsManager.createSecret('oam-ca-bundle'));
  const code = await p.run();
  expect(code).toBe(1);
  expect(JSON.stringify(p.logs)).toContain(`--ca-secret-arn ${missing}`);
});
