/**
 * The control plane's certificate exchange for agent tests: an HTTPS server on loopback with a
 * certificate of the mesh CA, verifying the identity with the project's verifiers (AWS IAM
 * against the STS stand-in; Kubernetes by a token table) and issuing with MeshCa. Not a test file.
 */
import * as https from 'https';
import type { AddressInfo } from 'net';
import { AwsIamVerifier } from '../../src/identity/aws-iam';
import type { MeshCa } from '../../src/identity/ca';
import { EXCHANGE_PATH, type CertificateExchangeRequest, type CertificateExchangeResponse } from '../../src/identity/exchange-protocol';
import { spiffeIdFor, type WorkloadRef } from '../../src/identity/spiffe';

export interface ExchangeStandInOptions {
  readonly ca: MeshCa;
  readonly serverId: string;
  readonly stsOrigin?: string;
  /** Role name (aws-iam) or token (kubernetes) → the node id it may act as. */
  readonly allowed: Readonly<Record<string, string>>;
  readonly lifetimeMs: number;
}

export class ExchangeStandIn {
  readonly requests: CertificateExchangeRequest[] = [];
  /** Set to answer every request with this instead of a certificate. */
  override?: { status: number; body: unknown };
  private server?: https.Server;
  private readonly iam: AwsIamVerifier;

  constructor(private readonly options: ExchangeStandInOptions) {
    this.iam = new AwsIamVerifier({ serverId: options.serverId, ...(options.stsOrigin ? { stsEndpointOverride: options.stsOrigin } : {}) });
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    const serverCert = await this.options.ca.issueServerCertificate({ ipAddresses: ['127.0.0.1'] });
    this.server = https.createServer({ key: serverCert.privateKeyPem, cert: serverCert.certificatePem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.answer(req.url ?? '', Buffer.concat(chunks).toString()).then(([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async answer(path: string, text: string): Promise<[number, unknown]> {
    if (path !== EXCHANGE_PATH) return [404, { error: 'not found' }];
    const request = JSON.parse(text) as CertificateExchangeRequest;
    this.requests.push(request);
    if (this.override) return [this.override.status, this.override.body];
    let who: string;
    try {
      who = request.credential.type === 'aws-iam'
        ? (await this.iam.verify(request.credential.request)).roleName ?? ''
        : request.credential.token;
    } catch (err) {
      return [401, { error: (err as Error).message }];
    }
    if (this.options.allowed[who] !== request.nodeId) return [403, { error: `${who} may not act as ${request.nodeId}` }];
    const [, meshName, kind, name] = request.nodeId.split('/');
    const workload: WorkloadRef = { meshName, kind: kind as WorkloadRef['kind'], name };
    const issued = await this.options.ca.issueWorkloadCertificate({ workload, csrPem: request.csr, lifetimeMs: this.options.lifetimeMs });
    const response: CertificateExchangeResponse = {
      certificateChain: issued.certificatePem,
      trustBundle: issued.trustBundlePem,
      spiffeId: spiffeIdFor(this.options.ca.trustDomain, workload),
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
    };
    return [200, response];
  }
}
