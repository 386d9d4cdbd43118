/**
 * The mesh CA: one EC P-256 root per trust domain, shared by the replicas through a `CaStore`,
 * that signs short-lived X.509-SVIDs for workloads and the control plane's own xDS server
 * certificate, and hands out the trust bundle (every root still trusted).
 *
 *   const ca = await MeshCa.open({ store: new FileCaStore(dir), trustDomain: 'mesh.example' });
 *   const svid = await ca.issueWorkloadCertificate({ workload, csrPem });   // workload: who the caller authenticated
 *   const bundle = ca.trustBundlePem();
 *
 * Rotation, in two phases so that no workload ever meets a peer whose root it does not trust:
 * `prepareRootRotation()` saves a next root as pending: in the bundle at once, signing nothing. Once
 * it has been in the bundle for the longest leaf lifetime + clock skew, every workload has renewed
 * since and trusts it, and it signs from then on, on every replica by itself (the time is saved
 * with it, so no second write). The old root stays in the bundle until every leaf it can have
 * signed has expired. `rotateRoot()` switches at once, for a leaked key. Every replica that
 * `reload()`s sees the same phases.
 */
import { createPrivateKey, createPublicKey, randomBytes, X509Certificate as NodeX509Certificate, type webcrypto as nodeWebcrypto } from 'crypto';
import { materialAt, RotationPendingError, succeed, withoutExpired, type SigningCaMaterial } from './ca-rotation';
import type { CaMaterial, CaStore } from './ca-store';
import { checkCsr, checkPublicKey, type CheckedPublicKey } from './csr';
import { spiffeIdFor, validateTrustDomain, type WorkloadRef } from './spiffe';
import { webcrypto, x509 } from './x509-library';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface MeshCaOptions {
  readonly store: CaStore;
  readonly trustDomain: string;
  /**
   * When the store is empty: create a root (default), or fail — for replicas that must use a root
   * made elsewhere, where a fresh one would split the mesh.
   */
  readonly createIfMissing?: boolean;
  /** Longest lifetime of any certificate issued, and the default one. Default 24 h. */
  readonly maxLeafLifetimeMs?: number;
  /** Lifetime of a new root. Default 10 years. */
  readonly rootLifetimeMs?: number;
  /** How far notBefore is set back, for clocks that run behind. Default 5 min. */
  readonly clockSkewMs?: number;
  /** The clock; tests set it to issue certificates in the past. */
  readonly now?: () => Date;
  /** Where a new signing CA comes from (an ACM Private CA). Default: a self-signed root made here. */
  readonly signingCaSource?: SigningCaSource;
}

/** Makes the CA that signs leaves when it is not a root of our own, e.g. one an ACM Private CA certifies. */
export interface SigningCaSource {
  /** A new EC P-256 CA key and its certificate, with the certificates above it up to a self-signed root. */
  newSigningCa(): Promise<{ readonly certificatePem: string; readonly privateKeyPem: string; readonly anchors: readonly string[] }>;
}

/** A certificate the CA issued. */
export interface IssuedCertificate {
  /** The leaf alone; the root is in the trust bundle, not in the chain. */
  readonly certificatePem: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The bundle at the time of issue, for the holder to verify peers with. */
  readonly trustBundlePem: string;
}

export interface WorkloadCertificateRequest {
  /** Who the certificate names: decided by the caller from the authenticated identity, never from the CSR. */
  readonly workload: WorkloadRef;
  /** A PKCS#10 CSR in PEM (the proof the requester holds the key); or give `publicKey`. */
  readonly csrPem?: string;
  /** A bare public key (SPKI DER, PEM or KeyObject), for callers that already prove possession. */
  readonly publicKey?: Parameters<typeof checkPublicKey>[0];
  /** At most the CA's maximum, which is also the default. */
  readonly lifetimeMs?: number;
}

export interface ServerCertificateRequest {
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly lifetimeMs?: number;
}

/** A server certificate with the key the CA made for it. */
export interface IssuedServerCertificate extends IssuedCertificate {
  /** PKCS#8 PEM; never log it. */
  readonly privateKeyPem: string;
}

interface Signer {
  readonly certificate: x509.X509Certificate;
  readonly signingKey: nodeWebcrypto.CryptoKey;
}

/** The next root of a prepared rotation, until it signs. */
export interface PendingRoot {
  readonly certificatePem: string;
  readonly activatesAt: Date;
}

export class MeshCa {
  /** Loads the root from the store, or creates one there if none exists (and creation is allowed). */
  static async open(options: MeshCaOptions): Promise<MeshCa> {
    const ca = new MeshCa(options);
    let material = await options.store.load();
    if (!material) {
      if (options.createIfMissing === false) {
        throw new Error(`mesh CA: no CA material in ${options.store.description}, and creating a root is disabled`);
      }
      const first = await ca.newSigningCa();
      material = await options.store.createIfAbsent({
        format: 'open-app-mesh-ca/v1',
        generation: 0,
        active: { certificatePem: first.certificatePem, privateKeyPem: first.privateKeyPem },
        retired: [],
        ...(first.anchors ? { anchors: [...first.anchors] } : {}),
      });
    }
    await ca.adopt(material);
    return ca;
  }

  readonly trustDomain: string;
  private readonly store: CaStore;
  private readonly maxLeafLifetimeMs: number;
  private readonly rootLifetimeMs: number;
  private readonly clockSkewMs: number;
  private readonly now: () => Date;
  private readonly signingCaSource?: SigningCaSource;
  /** As stored; `current()` is what it means now. */
  private material!: CaMaterial;
  /** The active and the pending CA's keys, by certificate PEM. */
  private signers!: Map<string, Signer>;

  private constructor(options: MeshCaOptions) {
    this.trustDomain = validateTrustDomain(options.trustDomain);
    this.store = options.store;
    this.maxLeafLifetimeMs = positive(options.maxLeafLifetimeMs ?? DAY, 'maxLeafLifetimeMs');
    this.rootLifetimeMs = positive(options.rootLifetimeMs ?? 3650 * DAY, 'rootLifetimeMs');
    this.clockSkewMs = options.clockSkewMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
    this.signingCaSource = options.signingCaSource;
    if (this.rootLifetimeMs <= this.maxLeafLifetimeMs) throw new Error('mesh CA: rootLifetimeMs must be longer than maxLeafLifetimeMs');
  }

  /** The stored generation this CA has loaded (counts rotations). */
  get generation(): number {
    return this.material.generation;
  }

  /** The certificate (PEM) of the root that signs now. */
  get rootCertificatePem(): string {
    return this.current().active.certificatePem;
  }

  /** The next root of a prepared rotation and when it starts signing; undefined once it signs, or with none. */
  get pendingRoot(): PendingRoot | undefined {
    const pending = this.current().pending;
    return pending && { certificatePem: pending.certificatePem, activatesAt: new Date(pending.activatesAt) };
  }

  /** The stored material as it stands now (a pending root whose time has come is the active one). Holds keys: never print it. */
  materialNow(): CaMaterial {
    return this.current();
  }

  /**
   * PEM of every trusted root: the one that signs first, then a pending one, retired ones not yet
   * past their time, and the certificates above a CA that is not a root.
   */
  trustBundlePem(): string {
    const now = this.now().getTime();
    const material = this.current();
    const retired = material.retired.filter((r) => Date.parse(r.trustedUntil) > now).map((r) => r.certificatePem);
    const pending = material.pending ? [material.pending.certificatePem, ...material.pending.anchors ?? []] : [];
    const all = [material.active.certificatePem, ...pending, ...retired, ...material.anchors ?? []].map((pem) => pem.trim() + '\n');
    return [...new Set(all)].join('');
  }

  /** An X.509-SVID for `workload`: its SPIFFE ID as the one URI SAN, client and server use. */
  async issueWorkloadCertificate(request: WorkloadCertificateRequest): Promise<IssuedCertificate> {
    if ((request.csrPem === undefined) === (request.publicKey === undefined)) {
      throw new Error('mesh CA: give exactly one of csrPem and publicKey');
    }
    const key = request.csrPem !== undefined ? await checkCsr(request.csrPem) : checkPublicKey(request.publicKey!);
    const uri = spiffeIdFor(this.trustDomain, request.workload);
    // eslint-disable-next-line no-bitwise -- key usages are bit flags
    const usages = x509.KeyUsageFlags.digitalSignature | (key.keyType === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0);
    return this.issue(key, request.lifetimeMs, [
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }], true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    ]);
  }

  /** The control plane's own TLS server certificate (for xDS), with a fresh EC P-256 key. */
  async issueServerCertificate(request: ServerCertificateRequest): Promise<IssuedServerCertificate> {
    const names = [
      ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    if (names.length === 0) throw new Error('mesh CA: a server certificate needs at least one DNS name or IP address');
    const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as nodeWebcrypto.CryptoKeyPair;
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const issued = await this.issue({ spki, keyType: 'ec' }, request.lifetimeMs, [
      new x509.SubjectAlternativeNameExtension(names, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ]);
    return { ...issued, privateKeyPem: toPem(pkcs8, 'PRIVATE KEY') };
  }

  /**
   * Phase 1 of a rotation: saves a new root as pending, in the bundle at once; it starts signing,
   * on every replica by itself, after the longest leaf lifetime + clock skew (returned), when every
   * workload has renewed since and trusts it. Refused while another is pending. Run it on one
   * replica; the others `reload()`.
   */
  async prepareRootRotation(): Promise<Date> {
    const now = this.now().getTime();
    const current = this.current();
    if (current.pending) throw new RotationPendingError(current.pending.activatesAt);
    const next = await this.newSigningCa();
    const activatesAt = new Date(now + this.retireAfterMs()).toISOString();
    await this.save({ ...withoutExpired(current, now), generation: current.generation + 1, pending: { ...next, activatesAt } });
    return new Date(activatesAt);
  }

  /**
   * Replaces the signing root at once (for a leaked key), keeping the old in the bundle until every
   * leaf it signed has expired; a pending root that does not sign yet is dropped. Workloads that
   * have not renewed since trust only the old root and refuse peers with new leaves until they do.
   */
  async rotateRoot(): Promise<void> {
    const now = this.now().getTime();
    const current = this.current();
    const trustedUntil = new Date(now + this.retireAfterMs()).toISOString();
    const next = succeed(withoutExpired(current, now), await this.newSigningCa(), trustedUntil);
    await this.save({ ...next, generation: current.generation + 1 });
  }

  /** Picks up what another replica saved (a rotation). */
  async reload(): Promise<void> {
    const material = await this.store.load();
    if (!material) throw new Error(`mesh CA: CA material in ${this.store.description} has disappeared; keeping the loaded root`);
    if (material.generation > this.material.generation) await this.adopt(material);
  }

  private async issue(key: CheckedPublicKey, lifetimeMs: number | undefined, extensions: x509.Extension[]): Promise<IssuedCertificate> {
    const lifetime = positive(lifetimeMs ?? this.maxLeafLifetimeMs, 'lifetimeMs');
    if (lifetime > this.maxLeafLifetimeMs) {
      throw new Error(`mesh CA: lifetimeMs ${lifetime} is longer than the maximum ${this.maxLeafLifetimeMs}`);
    }
    const now = this.now().getTime();
    const signer = this.signers.get(this.current().active.certificatePem)!;
    const notBefore = new Date(now - this.clockSkewMs);
    const notAfter = new Date(Math.min(now + lifetime, signer.certificate.notAfter.getTime()));
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: '',
      issuer: signer.certificate.subjectName,
      notBefore,
      notAfter,
      publicKey: key.spki,
      signingKey: signer.signingKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...extensions,
        await x509.SubjectKeyIdentifierExtension.create(key.spki),
        await x509.AuthorityKeyIdentifierExtension.create(signer.certificate.publicKey),
      ],
    });
    return {
      certificatePem: certificate.toString('pem') + '\n',
      serialNumber: certificate.serialNumber,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      trustBundlePem: this.trustBundlePem(),
    };
  }

  /** How long a root that stops signing stays trusted: its last leaf's lifetime, plus skew. Also how long a pending root waits. */
  private retireAfterMs(): number {
    return this.maxLeafLifetimeMs + this.clockSkewMs;
  }

  private current(): CaMaterial {
    return materialAt(this.material, this.now().getTime(), this.retireAfterMs());
  }

  private async save(material: CaMaterial): Promise<void> {
    await this.store.save(material);
    await this.adopt(material);
  }

  private async newSigningCa(): Promise<SigningCaMaterial> {
    if (this.signingCaSource) return this.signingCaSource.newSigningCa();
    const now = this.now().getTime();
    const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as nodeWebcrypto.CryptoKeyPair;
    const serialNumber = randomSerial();
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber,
      // Each root gets its own name, so chain building never confuses an old root with a new one.
      name: [{ CN: [`open-app-mesh root ${serialNumber.slice(2, 18)}`] }, { O: [this.trustDomain] }],
      notBefore: new Date(now - this.clockSkewMs),
      notAfter: new Date(now + this.rootLifetimeMs),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        // eslint-disable-next-line no-bitwise -- key usages are bit flags
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return { certificatePem: root.toString('pem') + '\n', privateKeyPem: toPem(pkcs8, 'PRIVATE KEY') };
  }

  /** Checks stored material before using it (the active and a pending CA: a CA, its key, P-256); bad material changes nothing. */
  private async adopt(material: CaMaterial): Promise<void> {
    const signers = new Map<string, Signer>();
    signers.set(material.active.certificatePem, await this.signerOf(material.active, 'active'));
    if (material.pending) signers.set(material.pending.certificatePem, await this.signerOf(material.pending, 'pending'));
    this.material = material;
    this.signers = signers;
  }

  private async signerOf(ca: { certificatePem: string; privateKeyPem: string }, field: 'active' | 'pending'): Promise<Signer> {
    const where = `mesh CA: CA material in ${this.store.description}`;
    let certificate: x509.X509Certificate;
    let nodeCertificate: NodeX509Certificate;
    try {
      certificate = new x509.X509Certificate(ca.certificatePem);
      nodeCertificate = new NodeX509Certificate(ca.certificatePem);
    } catch (err) {
      throw new Error(`${where}: ${field}.certificatePem is not a certificate (${(err as Error).message})`);
    }
    if (!nodeCertificate.ca) throw new Error(`${where}: the ${field} root is not a CA certificate`);
    let privateKey;
    try {
      privateKey = createPrivateKey(ca.privateKeyPem);
    } catch (err) {
      throw new Error(`${where}: ${field}.privateKeyPem is not a private key (${(err as Error).message})`);
    }
    if (privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${where}: the ${field} root key must be EC P-256`);
    const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    if (!derived.equals(Buffer.from(certificate.publicKey.rawData))) {
      throw new Error(`${where}: ${field}.privateKeyPem does not belong to ${field}.certificatePem`);
    }
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    return { certificate, signingKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign']) };
  }
}

/** 128 random bits behind a 0x01 byte: positive, no leading zero (DER INTEGER), 17 of the 20 octets allowed. */
function randomSerial(): string {
  return '01' + randomBytes(16).toString('hex');
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`mesh CA: ${name} must be a positive number of milliseconds`);
  return value;
}
