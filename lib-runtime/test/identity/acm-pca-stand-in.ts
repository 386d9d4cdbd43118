/**
 * An ACM Private CA behind aws-sdk-client-mock, answering as the service does: IssueCertificate
 * returns a CertificateArn at once and signs later, GetCertificate answers
 * RequestInProgressException until then, and the certificates are real, signed by a test root.
 * `serveHttp()` offers the same CA to the real program over the service's JSON protocol.
 */
import { randomUUID, type webcrypto as nodeWebcrypto } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import {
  ACMPCAClient,
  ACMPCAServiceException,
  GetCertificateAuthorityCertificateCommand,
  type GetCertificateAuthorityCertificateCommandInput,
  GetCertificateCommand,
  type GetCertificateCommandInput,
  type IssueCertificateCommandInput,
  IssueCertificateCommand,
  RequestInProgressException,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm-pca';
import { mockClient } from 'aws-sdk-client-mock';
import { webcrypto, x509 } from '../../src/identity/x509-library';

export const PCA_ARN = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012';
const DAY = 24 * 3600_000;
const metadata = (status: number) => ({ httpStatusCode: status, requestId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222', attempts: 1, totalRetryDelay: 0 });

/** An error the SDK models only as the service's base exception (throttling, access denied). */
export function serviceError(name: string, message: string, status = 400): ACMPCAServiceException {
  return new ACMPCAServiceException({ name, message, $fault: 'client', $metadata: metadata(status) });
}

export class PcaStandIn {
  static async start(): Promise<PcaStandIn> {
    const pca = new PcaStandIn();
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as nodeWebcrypto.CryptoKeyPair;
    pca.rootKey = keys.privateKey;
    pca.root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01' + randomUUID().replace(/-/g, ''),
      name: 'CN=Test Private CA root, O=Example Corp',
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 3650 * DAY),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        // eslint-disable-next-line no-bitwise -- key usages are bit flags
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    pca.rootPem = pca.root.toString('pem') + '\n';
    pca.install();
    return pca;
  }

  readonly client = new ACMPCAClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
  // Every client of the class, also those the program makes. The cast: aws-sdk-client-mock is
  // typed against another @smithy/types release than this client.
  readonly mock = mockClient(ACMPCAClient as unknown as Parameters<typeof mockClient>[0]);
  readonly issueRequests: IssueCertificateCommandInput[] = [];
  /** How many GetCertificate calls of each certificate answer "in progress" first. */
  pollsBeforeReady = 2;
  /** Errors the next IssueCertificate calls throw, one per call. */
  readonly issueFailures: Error[] = [];
  /** Signs certificates for this key instead of the CSR's (a misbehaving CA). */
  substituteKey?: nodeWebcrypto.CryptoKey;
  rootPem = '';
  private root!: x509.X509Certificate;
  private rootKey!: nodeWebcrypto.CryptoKey;
  private server?: http.Server;
  private readonly issued = new Map<string, { pem?: Promise<string>; polls: number; input: IssueCertificateCommandInput }>();

  /**
   * Serves the same CA over the service's JSON protocol on loopback, for the real program (through
   * AWS_ENDPOINT_URL_ACM_PCA); returns the endpoint. Stopped by `stop()`.
   */
  async serveHttp(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => void this.answerHttp(String(req.headers['x-amz-target'] ?? ''), JSON.parse(body || '{}')).then(([status, answer]) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.mock.restore();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private install(): void {
    this.mock.on(GetCertificateAuthorityCertificateCommand as never)
      .callsFake((input: GetCertificateAuthorityCertificateCommandInput) => this.getAuthorityCertificate(input));
    this.mock.on(IssueCertificateCommand as never).callsFake((input: IssueCertificateCommandInput) => this.issueCertificate(input));
    this.mock.on(GetCertificateCommand as never).callsFake((input: GetCertificateCommandInput) => this.getCertificate(input));
  }

  private async answerHttp(target: string, input: Record<string, unknown>): Promise<[number, object]> {
    try {
      switch (target) {
        case 'ACMPrivateCA.GetCertificateAuthorityCertificate':
          return [200, withoutMetadata(await this.getAuthorityCertificate(input as unknown as GetCertificateAuthorityCertificateCommandInput))];
        case 'ACMPrivateCA.IssueCertificate':
          // The protocol carries the CSR blob as base64.
          return [200, withoutMetadata(await this.issueCertificate({ ...input, Csr: Buffer.from(String(input.Csr), 'base64') } as unknown as IssueCertificateCommandInput))];
        case 'ACMPrivateCA.GetCertificate':
          return [200, withoutMetadata(await this.getCertificate(input as unknown as GetCertificateCommandInput))];
        default:
          return [400, { __type: 'UnknownOperationException', message: `unknown operation ${target}` }];
      }
    } catch (err) {
      return [400, { __type: (err as Error).name, message: (err as Error).message }];
    }
  }

  private async getAuthorityCertificate(input: GetCertificateAuthorityCertificateCommandInput) {
    if (input.CertificateAuthorityArn !== PCA_ARN) throw this.notFound(input.CertificateAuthorityArn);
    // A root CA: its own certificate and no chain.
    return { Certificate: this.rootPem.trim(), $metadata: metadata(200) };
  }

  private async issueCertificate(input: IssueCertificateCommandInput) {
    this.issueRequests.push(input);
    const failure = this.issueFailures.shift();
    if (failure) throw failure;
    if (input.CertificateAuthorityArn !== PCA_ARN) throw this.notFound(input.CertificateAuthorityArn);
    const certificateArn = `${PCA_ARN}/certificate/${randomUUID().replace(/-/g, '')}`;
    this.issued.set(certificateArn, { polls: 0, input });
    return { CertificateArn: certificateArn, $metadata: metadata(200) };
  }

  private async getCertificate(input: GetCertificateCommandInput) {
    const entry = this.issued.get(input.CertificateArn ?? '');
    if (!entry) throw this.notFound(input.CertificateArn);
    if (entry.polls++ < this.pollsBeforeReady) {
      throw new RequestInProgressException({ message: 'The request is still being processed. Please try again later.', $metadata: metadata(400) });
    }
    entry.pem ??= this.sign(entry.input);
    return { Certificate: (await entry.pem).trim(), CertificateChain: this.rootPem.trim(), $metadata: metadata(200) };
  }

  /** What the SubordinateCACertificate_PathLen0/V1 template makes of a CSR. */
  private async sign(input: IssueCertificateCommandInput): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(input.Csr!).toString());
    const pathLenZero = input.TemplateArn?.endsWith(':template/SubordinateCACertificate_PathLen0/V1');
    const days = input.Validity?.Type === 'DAYS' ? input.Validity.Value! : 1;
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: '01' + randomUUID().replace(/-/g, ''),
      subject: csr.subjectName,
      issuer: this.root.subjectName,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + days * DAY),
      publicKey: this.substituteKey ?? await csr.publicKey.export(),
      signingKey: this.rootKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: pathLenZero ? [
        new x509.BasicConstraintsExtension(true, 0, true),
        // eslint-disable-next-line no-bitwise -- key usages are bit flags
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.root.publicKey),
      ] : [new x509.BasicConstraintsExtension(false, undefined, true)],
    });
    return certificate.toString('pem');
  }

  private notFound(arn: string | undefined): Error {
    return new ResourceNotFoundException({ message: `Could not find resource ${arn}`, $metadata: metadata(400) });
  }
}

function withoutMetadata<T extends { $metadata?: unknown }>(output: T): Omit<T, '$metadata'> {
  const { $metadata, ...rest } = output;
  return rest;
}
