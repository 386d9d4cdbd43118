/**
 * Where the mesh CA's root lives between runs, shared by every replica of the control plane.
 * The file store is here; Secrets Manager (ECS, secrets-manager-ca-store.ts) and a Kubernetes
 * Secret (EKS, kubernetes-secret-ca-store.ts) implement the same interface: `createIfAbsent` maps
 * to a create that fails when the name exists (CreateSecret; a Secret create answered 409), `save`
 * to a write conditioned on the generation read (a version id; a resourceVersion).
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs/promises';
import * as path from 'path';

/** What the store holds: plain JSON, PEM inside. The private key of retired roots is not kept. */
export interface CaMaterial {
  readonly format: 'open-app-mesh-ca/v1';
  /** Counts saves; a save must carry the stored generation + 1, so two rotations cannot both win. */
  readonly generation: number;
  /** The root new certificates are signed with. */
  readonly active: {
    readonly certificatePem: string;
    /** PKCS#8 PEM. */
    readonly privateKeyPem: string;
  };
  /** Roots replaced by a rotation, still trusted until every leaf they signed has expired. */
  readonly retired: ReadonlyArray<{
    readonly certificatePem: string;
    /** ISO 8601; after it the root leaves the trust bundle. */
    readonly trustedUntil: string;
  }>;
  /**
   * Certificates above the active CA when it is not a root of its own (an ACM Private CA's
   * certificate and chain, PEM): always in the trust bundle, so leaves chain to a self-signed root.
   */
  readonly anchors?: readonly string[];
  /**
   * The next signing CA, made by a rotation that does not sign at once: in the trust bundle from
   * the start, signing from `activatesAt` on (when every workload has renewed and trusts it).
   * Material without it loads as before.
   */
  readonly pending?: {
    readonly certificatePem: string;
    /** PKCS#8 PEM. */
    readonly privateKeyPem: string;
    /** ISO 8601. */
    readonly activatesAt: string;
    /** As `anchors`, for the next CA. */
    readonly anchors?: readonly string[];
  };
}

/** Every certificate the material holds (never a key), as one PEM bundle: what the stores publish for agents. */
export function storedCertificatesPem(material: CaMaterial): string {
  const pending = material.pending ? [material.pending.certificatePem, ...material.pending.anchors ?? []] : [];
  return [material.active.certificatePem, ...material.retired.map((r) => r.certificatePem), ...material.anchors ?? [], ...pending]
    .map((pem) => pem.trim() + '\n').join('');
}

export interface CaStore {
  /** A human-readable location for error messages (a path, a secret ARN). */
  readonly description: string;
  /** The stored material, or undefined when none has been stored yet. */
  load(): Promise<CaMaterial | undefined>;
  /**
   * Stores `material` only if nothing is stored, and returns what is stored afterwards: ours, or
   * the one another replica stored first (which every replica must then use).
   */
  createIfAbsent(material: CaMaterial): Promise<CaMaterial>;
  /** Replaces the stored material; throws `CaStoreConflictError` unless the stored generation is `material.generation - 1`. */
  save(material: CaMaterial): Promise<void>;
}

/** Another writer saved first; reload and decide again. */
export class CaStoreConflictError extends Error {
  constructor(description: string, stored: number | undefined, attempted: number) {
    super(`CA store ${description}: stored generation is ${stored ?? 'none'}, so generation ${attempted} cannot replace it`
      + ' (another replica saved first; reload)');
    this.name = 'CaStoreConflictError';
  }
}

/** Refuses stored content that is not CA material, naming where it came from. */
export function parseCaMaterial(text: string, description: string): CaMaterial {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`CA store ${description}: not JSON (${(err as Error).message})`);
  }
  const m = data as Partial<CaMaterial> | null;
  const isPem = (v: unknown): v is string => typeof v === 'string' && v.includes('-----BEGIN ');
  if (!m || typeof m !== 'object' || m.format !== 'open-app-mesh-ca/v1') {
    throw new Error(`CA store ${description}: format is not "open-app-mesh-ca/v1"`);
  }
  if (!Number.isSafeInteger(m.generation) || (m.generation as number) < 0) {
    throw new Error(`CA store ${description}: generation must be a non-negative integer`);
  }
  if (!m.active || !isPem(m.active.certificatePem) || !isPem(m.active.privateKeyPem)) {
    throw new Error(`CA store ${description}: active.certificatePem and active.privateKeyPem must be PEM`);
  }
  if (!Array.isArray(m.retired) || !m.retired.every((r) => r && isPem(r.certificatePem) && !Number.isNaN(Date.parse(r.trustedUntil)))) {
    throw new Error(`CA store ${description}: retired must be a list of { certificatePem, trustedUntil }`);
  }
  if (m.anchors !== undefined && (!Array.isArray(m.anchors) || !m.anchors.every(isPem))) {
    throw new Error(`CA store ${description}: anchors must be a list of PEM certificates`);
  }
  const p = m.pending;
  if (p !== undefined && (!p || !isPem(p.certificatePem) || !isPem(p.privateKeyPem) || typeof p.activatesAt !== 'string'
    || Number.isNaN(Date.parse(p.activatesAt)) || (p.anchors !== undefined && (!Array.isArray(p.anchors) || !p.anchors.every(isPem))))) {
    throw new Error(`CA store ${description}: pending must be { certificatePem, privateKeyPem, activatesAt[, anchors] }`);
  }
  return m as CaMaterial;
}

const FILE_NAME = 'ca.json';

/**
 * One JSON file, `ca.json`, in a directory (made 0700); the file is 0600 and always written
 * whole: to a temporary file, then linked (create) or renamed (replace) into place, so a reader
 * never sees half a file. For replicas sharing a file system; the generation check of `save` is
 * not atomic across processes here (read, then rename), the network stores' conditional writes are.
 */
export class FileCaStore implements CaStore {
  readonly description: string;
  private readonly file: string;

  constructor(private readonly directory: string) {
    this.file = path.join(directory, FILE_NAME);
    this.description = this.file;
  }

  async load(): Promise<CaMaterial | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseCaMaterial(text, this.description);
  }

  async createIfAbsent(material: CaMaterial): Promise<CaMaterial> {
    const temp = await this.writeTemp(material);
    try {
      await fs.link(temp, this.file);
      return material;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stored = await this.load();
      if (!stored) throw new Error(`CA store ${this.description}: exists but could not be read`);
      return stored;
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async save(material: CaMaterial): Promise<void> {
    const stored = await this.load();
    if (stored?.generation !== material.generation - 1) {
      throw new CaStoreConflictError(this.description, stored?.generation, material.generation);
    }
    const temp = await this.writeTemp(material);
    try {
      await fs.rename(temp, this.file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  private async writeTemp(material: CaMaterial): Promise<string> {
    await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    const temp = path.join(this.directory, `.${FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(material, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }
}
