/**
 * A local HTTP server standing in for AWS STS's GetCallerIdentity: it checks the SigV4 signature
 * with the AWS SDK's own signer (an independent check of the project's hand-written one) and
 * answers in the real response shapes, errors included.
 */
import { createHash, createHmac } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
// An independent signer: AWS's own SigV4 implementation (a dev dependency).
import { SignatureV4 } from '@smithy/signature-v4';

export interface StandInCaller {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** The ARN GetCallerIdentity returns for this caller. */
  readonly arn: string;
  readonly userId: string;
  /** Answer ExpiredToken, as STS does for expired temporary credentials. */
  readonly tokenExpired?: boolean;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** node:crypto in the shape the SDK signer wants. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): Buffer => (typeof data === 'string' ? Buffer.from(data) : ArrayBuffer.isView(data)
  ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));

class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function callerIdentityXml(arn: string, userId: string, account: string): string {
  return `<GetCallerIdentityResponse xmlns="${NS}">
  <GetCallerIdentityResult>
    <Arn>${arn}</Arn>
    <UserId>${userId}</UserId>
    <Account>${account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>0f6a4b0e-1f2b-4c3d-9e8f-0a1b2c3d4e5f</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;
}

export function stsErrorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>7d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a</RequestId>
</ErrorResponse>
`;
}

const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export class StsStandIn {
  readonly received: ReceivedRequest[] = [];
  /** How old a signature may be before STS calls it expired. */
  signatureWindowMs = 5 * 60_000;
  private server?: http.Server;

  constructor(private readonly callers: Readonly<Record<string, StandInCaller>>) {}

  get origin(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        void this.answer(req, body).then(([status, xml]) => {
          res.writeHead(status, { 'content-type': 'text/xml' });
          res.end(xml);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, body: string): Promise<[number, string]> {
    const auth = String(req.headers.authorization ?? '');
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/sts\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(auth);
    if (!m) return [403, stsErrorXml('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.')];
    const [, accessKeyId, , region, signedHeaders, signature] = m;
    const caller = this.callers[accessKeyId];
    if (!caller) return [403, stsErrorXml('InvalidClientTokenId', 'The security token included in the request is invalid.')];
    const date = String(req.headers['x-amz-date']);
    const signedAt = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const now = Date.now();
    if (signedAt < now - this.signatureWindowMs) {
      const limit = amzDate(now - this.signatureWindowMs);
      return [403, stsErrorXml('SignatureDoesNotMatch', `Signature expired: ${date} is now earlier than ${limit} (${amzDate(now)} - 5 min.)`)];
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name] ?? '');
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey: caller.secretAccessKey, sessionToken: caller.sessionToken },
      region,
      service: 'sts',
      sha256: Sha256,
      applyChecksum: false,
    });
    const expected = await signer.sign(
      { method: req.method!, protocol: 'http:', hostname: String(req.headers.host), path: req.url!, headers, body },
      { signingDate: new Date(signedAt), unsignableHeaders: new Set(), signableHeaders: new Set(signedHeaders.split(';')) },
    );
    const expectedSignature = /Signature=([0-9a-f]+)/.exec(String(expected.headers.authorization))?.[1];
    if (expectedSignature !== signature) {
      return [403, stsErrorXml('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. '
        + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.')];
    }
    if (caller.tokenExpired) return [403, stsErrorXml('ExpiredToken', 'The security token included in the request is expired')];
    const account = caller.arn.split(':')[4];
    return [200, callerIdentityXml(caller.arn, caller.userId, account)];
  }
}
