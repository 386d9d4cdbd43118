/**
 * The CA root in Secrets Manager, with the SDK mocked at the client: the mock answers as the
 * service does (version ids from ClientRequestToken, AWSCURRENT/AWSPREVIOUS staging, an existing
 * version refused with ResourceExistsException unless the value is the same, the real exception
 * classes and messages).
 */
import { X509Certificate } from 'crypto';
import {
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  type GetSecretValueCommandOutput,
  InvalidRequestException,
  PutSecretValueCommand,
  type PutSecretValueCommandInput,
  type PutSecretValueCommandOutput,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { MeshCa } from '../../src/identity/ca';
import { CaStoreConflictError } from '../../src/identity/ca-store';
import { SecretsManagerCaStore, versionIdOf } from '../../src/identity/secrets-manager-ca-store';

const TD = 'mesh.example';
const ACCOUNT_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:';
const CA_SECRET = `${ACCOUNT_ARN}ShopControlPlaneCaRoot-Ab12Cd`;
const BUNDLE_SECRET = `${ACCOUNT_ARN}ShopControlPlaneTrustBundle-Ef34Gh`;

const metadata = (status: number) => ({ httpStatusCode: status, requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', attempts: 1, totalRetryDelay: 0 });

interface Version {
  readonly value: string;
  readonly stages: Set<string>;
}

/** Secrets Manager's versioning, enough of it for GetSecretValue and PutSecretValue. */
class FakeSecretsManager {
  /** Secret ARN → version id → version; a secret created without a value has no versions. */
  readonly secrets = new Map<string, Map<string, Version>>();
  readonly markedForDeletion = new Set<string>();
  /** The next this-many GetSecretValue calls are answered in pairs: two replicas read before either writes. */
  readsToPair = 0;
  private heldRead?: () => void;

  create(arn: string): void {
    this.secrets.set(arn, new Map());
  }

  current(arn: string): string | undefined {
    return [...this.secrets.get(arn)!.values()].find((v) => v.stages.has('AWSCURRENT'))?.value;
  }

  async get(input: GetSecretValueCommandInput): Promise<GetSecretValueCommandOutput> {
    if (this.readsToPair > 0) {
      await new Promise<void>((resolve) => {
        const partner = this.heldRead;
        if (partner === undefined) {
          this.heldRead = resolve;
          return;
        }
        this.heldRead = undefined;
        this.readsToPair -= 2;
        partner();
        resolve();
      });
    }
    const versions = this.versionsOf(input.SecretId!);
    const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
    const entry = [...versions.entries()]
      .find(([id, v]) => (input.VersionId === undefined || id === input.VersionId) && (stage === undefined || v.stages.has(stage)));
    if (entry === undefined) {
      throw new ResourceNotFoundException({
        $metadata: metadata(400),
        message: input.VersionId === undefined
          ? `Secrets Manager can't find the specified secret value for staging label: ${stage}`
          : `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
      });
    }
    const [versionId, version] = entry;
    return {
      $metadata: metadata(200),
      ARN: input.SecretId,
      Name: input.SecretId!.split(':').pop()!.replace(/-\w{6}$/, ''),
      VersionId: versionId,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: new Date('2026-11-22T03:00:00Z'),
    };
  }

  async put(input: PutSecretValueCommandInput): Promise<PutSecretValueCommandOutput> {
    const versions = this.versionsOf(input.SecretId!);
    const versionId = input.ClientRequestToken!;
    const existing = versions.get(versionId);
    if (existing !== undefined) {
      // The same value again is ignored (idempotent retry); another value cannot replace a version.
      if (existing.value !== input.SecretString) {
        throw new ResourceExistsException({ $metadata: metadata(400), message: 'A resource with the ID you requested already exists.' });
      }
    } else {
      for (const v of versions.values()) {
        v.stages.delete('AWSPREVIOUS');
        if (v.stages.delete('AWSCURRENT')) v.stages.add('AWSPREVIOUS');
      }
      versions.set(versionId, { value: input.SecretString!, stages: new Set(['AWSCURRENT']) });
    }
    return { $metadata: metadata(200), ARN: input.SecretId, Name: 'n', VersionId: versionId, VersionStages: [...versions.get(versionId)!.stages] };
  }

  private versionsOf(secretId: string): Map<string, Version> {
    const versions = this.secrets.get(secretId);
    if (versions === undefined) {
      throw new ResourceNotFoundException({ $metadata: metadata(400), message: 'Secrets Manager can\'t find the specified secret.' });
    }
    if (this.markedForDeletion.has(secretId)) {
      throw new InvalidRequestException({
        $metadata: metadata(400),
        message: 'You can\'t perform this operation on the secret because it was marked for deletion.',
      });
    }
    return versions;
  }
}

const sm = mockClient(SecretsManagerClient);
let fake: FakeSecretsManager;
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const store = (bundle = true) =>
  new SecretsManagerCaStore({ secretId: CA_SECRET, client, ...(bundle ? { trustBundleSecretId: BUNDLE_SECRET } : {}) });

beforeEach(() => {
  sm.reset();
  fake = new FakeSecretsManager();
  fake.create(CA_SECRET);
  fake.create(BUNDLE_SECRET);
  sm.on(GetSecretValueCommand).callsFake((input) => fake.get(input));
  sm.on(PutSecretValueCommand).callsFake((input) => fake.put(input));
});
afterAll(() => sm.restore());

const puts = (secretId: string) => sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input).filter((i) => i.SecretId === secretId);
const fingerprints = (bundle: string) => bundle.split(/(?<=-----END CERTIFICATE-----\n)/).filter(Boolean).map((pem) => new X509Certificate(pem).fingerprint256);

test('the first start stores a root in the empty secret as generation 0; the next start loads it; the bundle secret gets the certificate only', async () => {
  const first = await MeshCa.open({ store: store(), trustDomain: TD });
  expect(puts(CA_SECRET).map((p) => p.ClientRequestToken)).toEqual([versionIdOf('ca', 0)]);
  expect(JSON.parse(fake.current(CA_SECRET)!)).toMatchObject({ format: 'open-app-mesh-ca/v1', generation: 0 });

  const second = await MeshCa.open({ store: store(), trustDomain: TD });
  expect(second.rootCertificatePem).toBe(first.rootCertificatePem);
  expect(puts(CA_SECRET)).toHaveLength(1);

  const bundle = fake.current(BUNDLE_SECRET)!;
  expect(bundle).toBe(first.trustBundlePem());
  expect(bundle).not.toContain('PRIVATE KEY');
  // Both starts published generation 0's bundle under one version id: the second was a no-op.
  expect(new Set(puts(BUNDLE_SECRET).map((p) => p.ClientRequestToken))).toEqual(new Set([versionIdOf('bundle', 0)]));
  expect(fake.secrets.get(BUNDLE_SECRET)!.size).toBe(1);
});

test('two replicas starting at once on the empty secret end with one root', async () => {
  // Their first reads (MeshCa.open) and second reads (createIfAbsent) both see the empty secret.
  fake.readsToPair = 4;
  const [a, b] = await Promise.all([MeshCa.open({ store: store(), trustDomain: TD }), MeshCa.open({ store: store(), trustDomain: TD })]);
  expect(a.rootCertificatePem).toBe(b.rootCertificatePem);
  // Both wrote generation 0 (the race happened); the service kept the first, refused the second.
  expect(puts(CA_SECRET).map((p) => p.ClientRequestToken)).toEqual([versionIdOf('ca', 0), versionIdOf('ca', 0)]);
  expect(fake.secrets.get(CA_SECRET)!.size).toBe(1);
  expect(JSON.parse(fake.current(CA_SECRET)!).active.certificatePem).toBe(a.rootCertificatePem);
  expect(fake.current(BUNDLE_SECRET)).toBe(a.trustBundlePem());
});

test('rotation writes the next generation; a second rotation from the same generation is a conflict; the bundle holds both roots', async () => {
  const a = await MeshCa.open({ store: store(), trustDomain: TD });
  const b = await MeshCa.open({ store: store(), trustDomain: TD });
  const oldRoot = a.rootCertificatePem;
  await a.rotateRoot();
  expect(JSON.parse(fake.current(CA_SECRET)!).generation).toBe(1);

  await expect(b.rotateRoot()).rejects.toThrow(CaStoreConflictError);
  await expect(b.rotateRoot()).rejects.toThrow(`CA store Secrets Manager secret ${CA_SECRET}: stored generation is 1, so generation 1 cannot replace it`);
  expect(fake.secrets.get(CA_SECRET)!.size).toBe(2);
  await b.reload();
  expect(b.rootCertificatePem).toBe(a.rootCertificatePem);

  const bundle = fake.current(BUNDLE_SECRET)!;
  expect(fingerprints(bundle)).toEqual([a.rootCertificatePem, oldRoot].map((pem) => new X509Certificate(pem).fingerprint256));
});

test('a save whose generation version already exists is a conflict even when the current one looks right', async () => {
  const s = store(false);
  const ca = await MeshCa.open({ store: s, trustDomain: TD });
  const material = JSON.parse(fake.current(CA_SECRET)!);
  // Generation 1 was written by someone, then generation 0 made current again by hand.
  fake.secrets.get(CA_SECRET)!.set(versionIdOf('ca', 1), { value: JSON.stringify({ ...material, generation: 1 }), stages: new Set() });
  await expect(ca.rotateRoot()).rejects.toThrow(CaStoreConflictError);
  expect(JSON.parse(fake.current(CA_SECRET)!).generation).toBe(0);
});

test('creation disabled and an empty secret: an error naming the secret', async () => {
  await expect(MeshCa.open({ store: store(), trustDomain: TD, createIfMissing: false }))
    .rejects.toThrow(`mesh CA: no CA material in Secrets Manager secret ${CA_SECRET}, and creating a root is disabled`);
  expect(puts(CA_SECRET)).toHaveLength(0);
});

describe('refusals name the secret and never carry the key', () => {
  const messageOf = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (err) {
      expect((err as Error).message).not.toContain('PRIVATE KEY');
      return (err as Error).message;
    }
    throw new Error('expected a rejection');
  };

  test('a secret that does not exist', async () => {
    fake.secrets.delete(CA_SECRET);
    expect(await messageOf(MeshCa.open({ store: store(), trustDomain: TD })))
      .toBe(`CA store Secrets Manager secret ${CA_SECRET}: the secret does not exist (create it without a value; the ControlPlane construct does)`);
  });

  test('a secret marked for deletion', async () => {
    fake.markedForDeletion.add(CA_SECRET);
    expect(await messageOf(store().load())).toBe(`CA store Secrets Manager secret ${CA_SECRET}: GetSecretValue failed: `
      + 'InvalidRequestException: You can\'t perform this operation on the secret because it was marked for deletion.');
  });

  test('a secret holding something else (a generated password, binary data)', async () => {
    await fake.put({ SecretId: CA_SECRET, ClientRequestToken: 'cfn-generated-0000000000000000000000', SecretString: 'x7#Qp!vL2m' });
    expect(await messageOf(MeshCa.open({ store: store(), trustDomain: TD }))).toMatch(new RegExp(`^CA store Secrets Manager secret ${CA_SECRET}: not JSON`));
    sm.on(GetSecretValueCommand).resolves({ $metadata: metadata(200), ARN: CA_SECRET, SecretBinary: new Uint8Array([1, 2]) });
    expect(await messageOf(store().load())).toBe(`CA store Secrets Manager secret ${CA_SECRET}: the secret holds binary data, not CA material (JSON)`);
  });

  test('no permission to publish the trust bundle: start fails naming the bundle secret', async () => {
    const denied = new SecretsManagerServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: metadata(400),
      message: `User: arn:aws:sts::111122223333:assumed-role/cp/task is not authorized to perform: secretsmanager:PutSecretValue on resource: ${BUNDLE_SECRET}`,
    });
    sm.on(PutSecretValueCommand, { SecretId: BUNDLE_SECRET }).rejects(denied);
    expect(await messageOf(MeshCa.open({ store: store(), trustDomain: TD })))
      .toBe(`trust bundle secret ${BUNDLE_SECRET}: PutSecretValue failed: AccessDeniedException: ${denied.message}`);
    // The root itself was stored: the next start (with the permission fixed) loads it.
    expect(JSON.parse(fake.current(CA_SECRET)!).generation).toBe(0);
  });
});
