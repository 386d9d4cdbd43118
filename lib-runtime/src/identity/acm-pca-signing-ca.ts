/**
 * An ACM Private CA as the root of the mesh CA. The control plane makes its own EC P-256 key and
 * has the Private CA certify it as a subordinate CA of path length 0 (IssueCertificate with the
 * SubordinateCACertificate_PathLen0/V1 template, then GetCertificate once the certificate is
 * ready); that key then signs workload leaves locally, so every leaf chains to the Private CA.
 *
 * Why not a leaf per workload from the Private CA: leaves live 24 h and are renewed at half-life,
 * so every proxy would cost an IssueCertificate, billed per certificate, twice a day; the API is
 * asynchronous (issue, then poll) and rate-limited per account and region, which a fleet restarting
 * at once would hit; a Private CA has a lifetime cap on the certificates it issues; and an outage of
 * the service would stop renewals mesh-wide. One subordinate per rotation costs one call, and the
 * mesh keeps issuing while the service is away. The price: the subordinate's key lives where the
 * CA store is (as a self-made root's does), and anything else the Private CA certifies is trusted
 * by the mesh too, so give the mesh a Private CA of its own.
 */
import { randomUUID, X509Certificate, type webcrypto as nodeWebcrypto } from 'crypto';
import {
  GetCertificateAuthorityCertificateCommand,
  GetCertificateCommand,
  IssueCertificateCommand,
  type ACMPCAClient,
  type SigningAlgorithm,
} from '@aws-sdk/client-acm-pca';
import type { SigningCaSource } from './ca';
import { webcrypto, x509 } from './x509-library';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface AcmPcaSigningCaOptions {
  readonly certificateAuthorityArn: string;
  readonly client: ACMPCAClient;
  /** Put into the subordinate's subject, so it says which mesh it serves. */
  readonly trustDomain: string;
  /** Validity of each subordinate certificate, in days. Default 365; a rotation makes a new one. */
  readonly validityDays?: number;
  /** What errors name (the flag). Default `--ca-acm-pca-arn <arn>`. */
  readonly description?: string;
  /** Waits between polls and retries; tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Polls of GetCertificate while the Private CA is still signing (it usually takes seconds). */
const MAX_POLLS = 60;
const POLL_MS = 1000;
/** Attempts of a call the service throttles, with the wait doubling from 1 s. */
const MAX_THROTTLED_ATTEMPTS = 6;

export class AcmPcaSigningCa implements SigningCaSource {
  private readonly description: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AcmPcaSigningCaOptions) {
    this.description = options.description ?? `--ca-acm-pca-arn ${options.certificateAuthorityArn}`;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async newSigningCa(): Promise<{ certificatePem: string; privateKeyPem: string; anchors: string[] }> {
    const anchors = await this.authorityCertificates();
    const authority = new X509Certificate(anchors[0]);
    const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']) as nodeWebcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: [`open-app-mesh signing CA ${randomUUID().slice(0, 8)}`] }, { O: [this.options.trustDomain] }],
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    const arn = this.options.certificateAuthorityArn;
    // The same token on a retry after throttling, so one request makes one certificate.
    const idempotencyToken = randomUUID().replace(/-/g, '');
    const { CertificateArn } = await this.call('IssueCertificate', () => this.options.client.send(new IssueCertificateCommand({
      CertificateAuthorityArn: arn,
      Csr: Buffer.from(csr.toString('pem')),
      SigningAlgorithm: signingAlgorithmFor(authority, this.description),
      TemplateArn: subordinateTemplateArn(arn),
      Validity: { Type: 'DAYS', Value: this.options.validityDays ?? 365 },
      IdempotencyToken: idempotencyToken,
    })));
    if (!CertificateArn) throw new Error(`${this.description}: IssueCertificate answered without a CertificateArn`);
    const certificatePem = await this.waitForCertificate(CertificateArn);
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    this.checkSubordinate(certificatePem, authority, spki, CertificateArn);
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return { certificatePem: certificatePem.trim() + '\n', privateKeyPem: toPem(pkcs8, 'PRIVATE KEY'), anchors };
  }

  /** The Private CA's certificate and the chain above it, ending in a self-signed root. */
  private async authorityCertificates(): Promise<string[]> {
    const answer = await this.call('GetCertificateAuthorityCertificate', () => this.options.client.send(
      new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: this.options.certificateAuthorityArn })));
    const pems = [answer.Certificate ?? '', answer.CertificateChain ?? ''].join('\n').match(PEM_CERTIFICATE) ?? [];
    if (pems.length === 0) throw new Error(`${this.description}: GetCertificateAuthorityCertificate returned no certificate (is the CA active?)`);
    const certificates = pems.map((pem) => new X509Certificate(pem));
    const top = certificates[certificates.length - 1];
    if (!top.checkIssued(top) || !top.verify(top.publicKey)) {
      throw new Error(`${this.description}: the CA's certificate chain does not end in a self-signed root`);
    }
    return pems.map((pem) => pem.trim() + '\n');
  }

  private async waitForCertificate(certificateArn: string): Promise<string> {
    for (let poll = 1; ; poll++) {
      try {
        const answer = await this.options.client.send(new GetCertificateCommand({
          CertificateAuthorityArn: this.options.certificateAuthorityArn, CertificateArn: certificateArn,
        }));
        if (!answer.Certificate) throw new Error(`${this.description}: GetCertificate ${certificateArn} returned no certificate`);
        return answer.Certificate;
      } catch (err) {
        const retry = errorName(err) === 'RequestInProgressException' ? POLL_MS : errorName(err) === 'ThrottlingException' ? 2 * POLL_MS : 0;
        if (retry === 0 || poll >= MAX_POLLS) {
          const why = retry === 0 ? '' : ` (still not ready after ${MAX_POLLS} polls)`;
          throw this.failure(`GetCertificate ${certificateArn}`, err, why);
        }
        await this.sleep(retry);
      }
    }
  }

  /** One API call, retried with backoff while the service throttles it. */
  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (errorName(err) !== 'ThrottlingException' || attempt >= MAX_THROTTLED_ATTEMPTS) throw this.failure(operation, err);
        await this.sleep(1000 * 2 ** (attempt - 1));
      }
    }
  }

  /** What came back must be a CA certificate for our key, signed by the Private CA. */
  private checkSubordinate(certificatePem: string, authority: X509Certificate, spki: Buffer, certificateArn: string): void {
    const fail = (why: string): never => {
      throw new Error(`${this.description}: certificate ${certificateArn} ${why}`);
    };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch (err) {
      return fail(`is not a certificate (${(err as Error).message})`);
    }
    if (!certificate.publicKey.export({ type: 'spki', format: 'der' }).equals(spki)) fail('is not for the key this control plane made');
    if (!certificate.ca) fail('is not a CA certificate (the template must be SubordinateCACertificate_PathLen0)');
    if (!certificate.checkIssued(authority) || !certificate.verify(authority.publicKey)) fail('is not signed by the CA');
  }

  private failure(operation: string, err: unknown, why = ''): Error {
    const hint = HINTS[errorName(err) ?? ''] ?? '';
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return new Error(`${this.description}: ${operation} failed${why}: ${what}${hint}`);
  }
}

const HINTS: Readonly<Record<string, string>> = {
  AccessDeniedException: ' (the control plane\'s role needs acm-pca:IssueCertificate, acm-pca:GetCertificate and '
    + 'acm-pca:GetCertificateAuthorityCertificate on this CA)',
  ResourceNotFoundException: ' (no such CA in this account and region)',
  InvalidStateException: ' (the CA must be ACTIVE)',
  ThrottlingException: ' (still throttled after retries; try again later)',
};

/** The ARN of AWS's template for a CA certificate that may sign only leaves, in the CA's partition. */
export function subordinateTemplateArn(certificateAuthorityArn: string): string {
  const partition = certificateAuthorityArn.split(':')[1] || 'aws';
  return `arn:${partition}:acm-pca:::template/SubordinateCACertificate_PathLen0/V1`;
}

/** A signing algorithm the Private CA's own key can make. */
function signingAlgorithmFor(authority: X509Certificate, description: string): SigningAlgorithm {
  const details = authority.publicKey.asymmetricKeyDetails;
  switch (authority.publicKey.asymmetricKeyType) {
    case 'rsa':
      return 'SHA256WITHRSA';
    case 'ec':
      return details?.namedCurve === 'secp384r1' || details?.namedCurve === 'secp521r1' ? 'SHA384WITHECDSA' : 'SHA256WITHECDSA';
    default:
      throw new Error(`${description}: the CA's key type ${authority.publicKey.asymmetricKeyType} is not supported (RSA or EC)`);
  }
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
