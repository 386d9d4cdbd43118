/**
 * The control plane's own TLS identity, shared by the xDS server (mutual TLS) and the certificate
 * exchange (server-authenticated TLS): a server certificate issued by the mesh CA and renewed at
 * half its lifetime, or one read from files; and the roots client certificates must chain to
 * (the mesh's trust bundle, re-read from the CA store so a root rotation reaches it, plus any
 * extra roots given). Both servers follow changes without a restart and without dropping
 * connections: grpc-js through its certificate-provider interface, https through setSecureContext.
 */
import { X509Certificate, createPrivateKey } from 'crypto';
import { isIP } from 'net';
import type { experimental } from '@grpc/grpc-js';
import * as grpc from '@grpc/grpc-js';
import type { MeshCa } from './ca';
import type { Logger } from '../log';

type CertificateProvider = experimental.CertificateProvider;
type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** What a TLS server needs; `keyPem` is never logged or served. */
export interface ServerTlsMaterial {
  readonly certificatePem: string;
  readonly keyPem: string;
  /** Roots a client certificate must chain to. */
  readonly clientCaPem: string;
}

export interface ServerTlsOptions {
  readonly ca: MeshCa;
  /** DNS names and IP addresses of an issued certificate (--tls-names). */
  readonly names: readonly string[];
  /** A certificate and key from files (--tls-cert/--tls-key) instead of one the CA issues. */
  readonly files?: { readonly certificatePem: string; readonly keyPem: string };
  /** More roots for client certificates (--client-ca). */
  readonly extraClientCaPem?: string;
  readonly log: Logger;
  /** Lifetime of an issued server certificate; default the CA's maximum. */
  readonly lifetimeMs?: number;
  /** How often the trust bundle is re-read from the CA store. Default 5 min. */
  readonly refreshIntervalMs?: number;
}

const RETRY_MS = 60_000;

export class ServerTls implements CertificateProvider {
  /** Issues (or checks) the certificate; throws with the flag to fix when it cannot. */
  static async start(options: ServerTlsOptions): Promise<ServerTls> {
    const tls = new ServerTls(options);
    await tls.refresh();
    return tls;
  }

  private material!: ServerTlsMaterial;
  /** When the issued certificate is due for renewal (never for one from files). */
  private renewAt: number;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();
  private readonly changeListeners = new Set<(material: ServerTlsMaterial) => void>();

  private constructor(private readonly options: ServerTlsOptions) {
    if (options.files) checkKeyPair(options.files.certificatePem, options.files.keyPem);
    this.renewAt = options.files ? Infinity : 0;
  }

  get current(): ServerTlsMaterial {
    return this.material;
  }

  /** gRPC server credentials that require a client certificate and follow every renewal. */
  grpcCredentials(): grpc.ServerCredentials {
    // One object is both providers: grpc-js 1.14's factory passes its two provider arguments to
    // the constructor in the other order.
    return grpc.experimental.createCertificateProviderServerCredentials(this, this, true);
  }

  onChange(listener: (material: ServerTlsMaterial) => void): void {
    this.changeListeners.add(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    // Later, as grpc-js's own providers do: the server registers its watcher after this returns.
    process.nextTick(() => listener({ caCertificate: Buffer.from(this.material.clientCaPem) }));
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    process.nextTick(() => listener(this.identityUpdate()));
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  private identityUpdate() {
    return { certificate: Buffer.from(this.material.certificatePem), privateKey: Buffer.from(this.material.keyPem) };
  }

  /** Re-reads the trust bundle and renews the certificate when due; on failure keeps what it has and retries. */
  private async refresh(): Promise<void> {
    const first = this.material === undefined;
    let next: ServerTlsMaterial;
    try {
      if (!first) await this.options.ca.reload();
      let { certificatePem, keyPem } = this.options.files ?? this.material ?? { certificatePem: '', keyPem: '' };
      if (!this.options.files && Date.now() >= this.renewAt) {
        const issued = await this.issue();
        certificatePem = issued.certificatePem;
        keyPem = issued.privateKeyPem;
      }
      const extra = this.options.extraClientCaPem ? this.options.extraClientCaPem.trim() + '\n' : '';
      next = { certificatePem, keyPem, clientCaPem: this.options.ca.trustBundlePem() + extra };
    } catch (error) {
      if (first) throw error;
      this.options.log.error('server certificate or trust bundle could not be renewed; keeping the current ones', { error, retryInMs: RETRY_MS });
      this.schedule(RETRY_MS);
      return;
    }
    const changed = first || next.certificatePem !== this.material.certificatePem || next.clientCaPem !== this.material.clientCaPem;
    this.material = next;
    if (changed && !first) this.publish();
    this.schedule(Math.min(this.options.refreshIntervalMs ?? 5 * 60_000, Math.max(0, this.renewAt - Date.now())));
  }

  private async issue() {
    const dnsNames: string[] = [];
    const ipAddresses: string[] = [];
    for (const name of this.options.names) (isIP(name) ? ipAddresses : dnsNames).push(name);
    const issued = await this.options.ca.issueServerCertificate({
      dnsNames, ipAddresses, ...(this.options.lifetimeMs ? { lifetimeMs: this.options.lifetimeMs } : {}),
    });
    const start = issued.notBefore.getTime();
    this.renewAt = start + (issued.notAfter.getTime() - start) / 2;
    this.options.log.info('server certificate issued by the mesh CA', {
      names: this.options.names, serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString(),
    });
    return issued;
  }

  private publish(): void {
    const identity = this.identityUpdate();
    const ca = { caCertificate: Buffer.from(this.material.clientCaPem) };
    for (const listener of this.caListeners) listener(ca);
    for (const listener of this.identityListeners) listener(identity);
    for (const listener of this.changeListeners) listener(this.material);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
    this.timer.unref();
  }
}

/** A certificate and key from files must parse and belong together; the error names the flags. */
function checkKeyPair(certificatePem: string, keyPem: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (error) {
    throw new Error(`--tls-cert: not a PEM certificate (${(error as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    // Not the key's text: only that it did not parse.
    throw new Error(`--tls-key: not a PEM private key (${(error as Error).message.split('\n')[0]})`);
  }
  if (!certificate.checkPrivateKey(key)) throw new Error('--tls-key does not belong to the certificate in --tls-cert');
}
