/**
 * The mesh CA's root in a Kubernetes Secret, shared by the control plane's replicas on EKS (or
 * any cluster). The Secret holds the material as JSON under the key `ca.json`.
 *
 * Compare-and-set through the API server's optimistic concurrency: a first root is stored by a
 * create (another replica's create first: 409 AlreadyExists) or, when the Secret exists without
 * the key (the EKS manifests create it empty, so the control plane needs no right to create
 * Secrets), by a replace carrying the resourceVersion just read (another replica's write first:
 * 409 Conflict). Either way the loser reads the winner's root. A rotation is a replace carrying
 * the resourceVersion of the generation it started from, so of two rotations only one lands.
 *
 * With `trustBundleConfigMap`, every read or write also publishes the roots' certificates (no
 * key) to that ConfigMap under `ca.pem`, which the agents mount as their `--ca-bundle`. The
 * generation published is kept in an annotation, so a replica publishing an older generation
 * late leaves the newer bundle alone.
 */
import { CaStoreConflictError, parseCaMaterial, storedCertificatesPem, type CaMaterial, type CaStore } from './ca-store';
import { KubernetesApiError, type KubernetesApi } from './kubernetes-api';

/** Key of the CA material in the Secret's data. */
export const CA_SECRET_KEY = 'ca.json';
/** Key of the trust bundle (PEM) in the ConfigMap's data. */
export const TRUST_BUNDLE_KEY = 'ca.pem';
/** Annotation of the ConfigMap: the CA generation its bundle comes from. */
export const TRUST_BUNDLE_GENERATION_ANNOTATION = 'open-app-mesh/ca-generation';

/** Writes retried when another writer got in between (each retry reads again). */
const ATTEMPTS = 3;

export interface KubernetesObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface KubernetesSecretCaStoreOptions {
  /** The Secret holding the CA material, key included: readable by the control plane only. */
  readonly secret: KubernetesObjectRef;
  /** The ConfigMap the trust bundle is published to. Default: not published. */
  readonly trustBundleConfigMap?: KubernetesObjectRef;
  readonly api: KubernetesApi;
}

interface StoredSecret {
  /** The object as read; written back with its resourceVersion. */
  readonly object: any;
  readonly material?: CaMaterial;
}

export class KubernetesSecretCaStore implements CaStore {
  readonly description: string;

  constructor(private readonly options: KubernetesSecretCaStoreOptions) {
    this.description = `Kubernetes Secret ${options.secret.namespace}/${options.secret.name}`;
  }

  async load(): Promise<CaMaterial | undefined> {
    const material = (await this.readSecret())?.material;
    if (material) await this.publishTrustBundle(material);
    return material;
  }

  async createIfAbsent(material: CaMaterial): Promise<CaMaterial> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.readSecret();
      if (current?.material) {
        await this.publishTrustBundle(current.material);
        return current.material;
      }
      const written = current ? await this.replaceSecret(current.object, material) : await this.createSecret(material);
      if (written) {
        await this.publishTrustBundle(material);
        return material;
      }
    }
    throw new Error(`CA store ${this.description}: changed by someone else at each of ${ATTEMPTS} attempts to store a root`);
  }

  async save(material: CaMaterial): Promise<void> {
    const current = await this.readSecret();
    if (current?.material?.generation !== material.generation - 1 || !(await this.replaceSecret(current.object, material))) {
      throw new CaStoreConflictError(this.description, (await this.readSecret())?.material?.generation, material.generation);
    }
    await this.publishTrustBundle(material);
  }

  /** The Secret and the material in it; undefined when there is no Secret, no material when it lacks the key. */
  private async readSecret(): Promise<StoredSecret | undefined> {
    let object: any;
    try {
      object = await this.options.api.get(objectPath('secrets', this.options.secret));
    } catch (error) {
      if (error instanceof KubernetesApiError && error.reason === 'NotFound') return undefined;
      throw this.failure(error);
    }
    const encoded = object?.data?.[CA_SECRET_KEY];
    if (encoded === undefined) return { object };
    if (typeof encoded !== 'string') throw new Error(`CA store ${this.description}: data.${CA_SECRET_KEY} is not base64 text`);
    return { object, material: parseCaMaterial(Buffer.from(encoded, 'base64').toString('utf8'), this.description) };
  }

  /** False when another writer created the Secret first. */
  private async createSecret(material: CaMaterial): Promise<boolean> {
    const { namespace, name } = this.options.secret;
    try {
      await this.options.api.create(collectionPath('secrets', namespace), {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace },
        type: 'Opaque',
        data: { [CA_SECRET_KEY]: encode(material) },
      });
      return true;
    } catch (error) {
      if (error instanceof KubernetesApiError && error.reason === 'AlreadyExists') return false;
      throw this.failure(error);
    }
  }

  /** False when the Secret changed since `object` was read (its resourceVersion is sent along). */
  private async replaceSecret(object: any, material: CaMaterial): Promise<boolean> {
    try {
      await this.options.api.replace(objectPath('secrets', this.options.secret), {
        ...object,
        data: { ...object.data, [CA_SECRET_KEY]: encode(material) },
      });
      return true;
    } catch (error) {
      if (error instanceof KubernetesApiError && error.reason === 'Conflict') return false;
      throw this.failure(error);
    }
  }

  private async publishTrustBundle(material: CaMaterial): Promise<void> {
    const ref = this.options.trustBundleConfigMap;
    if (ref === undefined) return;
    // As the Secrets Manager store publishes it: every root, retired ones and an ACM Private CA's chain included.
    const bundle = storedCertificatesPem(material);
    const where = `trust bundle ConfigMap ${ref.namespace}/${ref.name}`;
    const generation = String(material.generation);
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const current = await this.options.api.get(objectPath('configmaps', ref)).catch((error) => {
          if (error instanceof KubernetesApiError && error.reason === 'NotFound') return undefined;
          throw error;
        });
        const published = Number(current?.metadata?.annotations?.[TRUST_BUNDLE_GENERATION_ANNOTATION] ?? -1);
        const upToDate = published === material.generation && current?.data?.[TRUST_BUNDLE_KEY] === bundle;
        if (current && (published > material.generation || upToDate)) return;
        const annotations = { ...current?.metadata?.annotations, [TRUST_BUNDLE_GENERATION_ANNOTATION]: generation };
        const object = current
          ? { ...current, metadata: { ...current.metadata, annotations }, data: { ...current.data, [TRUST_BUNDLE_KEY]: bundle } }
          : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...ref, annotations }, data: { [TRUST_BUNDLE_KEY]: bundle } };
        try {
          if (current) await this.options.api.replace(objectPath('configmaps', ref), object);
          else await this.options.api.create(collectionPath('configmaps', ref.namespace), object);
          return;
        } catch (error) {
          // Another replica wrote in between: read again and decide again.
          if (!(error instanceof KubernetesApiError && (error.reason === 'Conflict' || error.reason === 'AlreadyExists'))) throw error;
        }
      }
      throw new Error(`changed by someone else at each of ${ATTEMPTS} attempts`);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
  }

  private failure(error: unknown): Error {
    return new Error(`CA store ${this.description}: ${(error as Error).message}`);
  }
}

function encode(material: CaMaterial): string {
  return Buffer.from(JSON.stringify(material)).toString('base64');
}

function collectionPath(resource: 'secrets' | 'configmaps', namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
}

function objectPath(resource: 'secrets' | 'configmaps', ref: KubernetesObjectRef): string {
  return `${collectionPath(resource, ref.namespace)}/${encodeURIComponent(ref.name)}`;
}

/** `[<namespace>/]<name>` (a namespace label, an object name as Kubernetes allows); undefined when malformed. */
export function parseObjectRef(value: string): { readonly namespace?: string; readonly name: string } | undefined {
  const match = /^(?:([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\/)?([a-z0-9](?:[-.a-z0-9]{0,251}[a-z0-9])?)$/.exec(value);
  if (!match) return undefined;
  return { ...(match[1] !== undefined ? { namespace: match[1] } : {}), name: match[2] };
}
