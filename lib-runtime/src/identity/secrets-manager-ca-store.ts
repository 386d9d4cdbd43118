/**
 * The mesh CA's root in an AWS Secrets Manager secret, shared by the control plane's replicas on
 * ECS. The secret must exist (the ControlPlane construct creates it without a value); the first
 * replica to start stores the root in it.
 *
 * Compare-and-set: each generation of CA material is written as the secret version whose id (the
 * ClientRequestToken) is derived from the generation number. Secrets Manager refuses a second
 * version with the same id and another value (ResourceExistsException), so of two replicas writing
 * generation N only one wins, and the loser reads the winner's material. This holds as long as the
 * versions of past generations exist: Secrets Manager removes unlabelled versions only beyond 100
 * versions, far more than root rotations ever make.
 *
 * With `trustBundleSecretId`, every read or write also publishes the roots' certificates (public,
 * no key) to that second secret, for workloads to trust the control plane without trust on first
 * use (the agent's `--ca-bundle`). That version's id is derived from the generation too, so a
 * replica publishing an older generation late is ignored rather than rolling the bundle back.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CaStoreConflictError, parseCaMaterial, storedCertificatesPem, type CaMaterial, type CaStore } from './ca-store';

export interface SecretsManagerCaStoreOptions {
  /** ARN (or name) of the secret holding the CA material: key included, readable by the control plane only. */
  readonly secretId: string;
  /** ARN (or name) of the secret the trust bundle is published to. Default: not published. */
  readonly trustBundleSecretId?: string;
  readonly client: SecretsManagerClient;
}

export class SecretsManagerCaStore implements CaStore {
  readonly description: string;

  constructor(private readonly options: SecretsManagerCaStoreOptions) {
    this.description = `Secrets Manager secret ${options.secretId}`;
  }

  async load(): Promise<CaMaterial | undefined> {
    const material = await this.readVersion();
    if (material) await this.publishTrustBundle(material);
    return material;
  }

  async createIfAbsent(material: CaMaterial): Promise<CaMaterial> {
    // A root already stored wins even if the version of its generation 0 is long gone.
    const stored = await this.readVersion();
    if (stored) {
      await this.publishTrustBundle(stored);
      return stored;
    }
    if (!(await this.putVersion(material))) {
      const winner = await this.readVersion();
      if (!winner) throw new Error(`CA store ${this.description}: another replica stored a root, but it cannot be read back`);
      await this.publishTrustBundle(winner);
      return winner;
    }
    await this.publishTrustBundle(material);
    return material;
  }

  async save(material: CaMaterial): Promise<void> {
    const stored = await this.readVersion();
    if (stored?.generation !== material.generation - 1 || !(await this.putVersion(material))) {
      throw new CaStoreConflictError(this.description, (await this.readVersion())?.generation, material.generation);
    }
    await this.publishTrustBundle(material);
  }

  /** The current version's material; undefined while the secret has no value. */
  private async readVersion(): Promise<CaMaterial | undefined> {
    let text: string | undefined;
    try {
      text = (await this.options.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId }))).SecretString;
    } catch (err) {
      // Also what a secret created without a value answers: no version has the stage AWSCURRENT.
      if (err instanceof ResourceNotFoundException) return undefined;
      throw this.failure('GetSecretValue', err);
    }
    if (text === undefined) throw new Error(`CA store ${this.description}: the secret holds binary data, not CA material (JSON)`);
    return parseCaMaterial(text, this.description);
  }

  /** Writes `material` as its generation's version; false when that version exists with other content. */
  private async putVersion(material: CaMaterial): Promise<boolean> {
    try {
      await this.options.client.send(new PutSecretValueCommand({
        SecretId: this.options.secretId,
        ClientRequestToken: versionIdOf('ca', material.generation),
        SecretString: JSON.stringify(material),
      }));
      return true;
    } catch (err) {
      if (err instanceof ResourceExistsException) return false;
      if (err instanceof ResourceNotFoundException) {
        throw new Error(`CA store ${this.description}: the secret does not exist (create it without a value; the ControlPlane construct does)`);
      }
      throw this.failure('PutSecretValue', err);
    }
  }

  private async publishTrustBundle(material: CaMaterial): Promise<void> {
    const secretId = this.options.trustBundleSecretId;
    if (secretId === undefined) return;
    const bundle = storedCertificatesPem(material);
    try {
      await this.options.client.send(new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: versionIdOf('bundle', material.generation),
        SecretString: bundle,
      }));
    } catch (err) {
      // This generation's bundle is already published (by another replica, or by this one earlier).
      if (err instanceof ResourceExistsException) return;
      throw new Error(`trust bundle secret ${secretId}: PutSecretValue failed: ${describe(err)}`);
    }
  }

  private failure(operation: string, err: unknown): Error {
    return new Error(`CA store ${this.description}: ${operation} failed: ${describe(err)}`);
  }
}

/** A version id for generation `n` of `what`: 32 to 64 characters, as ClientRequestToken requires. */
export function versionIdOf(what: 'ca' | 'bundle', generation: number): string {
  return `open-app-mesh-${what}-generation-${String(generation).padStart(16, '0')}`;
}

/** The SDK error's name and message; never the request (it carries the key). */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
