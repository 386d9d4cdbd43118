/**
 * The AWS IAM identity exchange, workload side: builds the SigV4-signed `sts:GetCallerIdentity`
 * request that the agent hands to the control plane instead of sending it. SigV4 is written out
 * here with node:crypto (the SDK's signer is not a dependency of the project); the tests check it
 * against the SDK's signer.
 */
import { createHash, createHmac } from 'crypto';
import { GET_CALLER_IDENTITY_BODY, SERVER_ID_HEADER, type SignedStsRequest } from './aws-iam';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials (an ECS task role's always are). */
  readonly sessionToken?: string;
}

export interface GetCallerIdentityRequestOptions {
  readonly credentials: AwsCredentials;
  /** The STS region, e.g. `eu-west-1`; it picks the regional endpoint and the signing scope. */
  readonly region: string;
  /** The control plane's id (its `serverId`), signed into the request so no other server can replay it. */
  readonly serverId: string;
  /** Another endpoint origin than `https://sts.<region>.amazonaws.com` (tests, STS stand-ins). */
  readonly endpoint?: string;
  readonly now?: Date;
}

const SERVICE = 'sts';

/** A signed GetCallerIdentity request, ready to be handed to the control plane. */
export function signedGetCallerIdentityRequest(options: GetCallerIdentityRequestOptions): SignedStsRequest {
  const { credentials, region } = options;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = new URL(options.endpoint ?? `https://sts.${region}.${suffix}`);
  url.pathname = '/';
  const amzDate = (options.now ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const body = GET_CALLER_IDENTITY_BODY;

  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'host': url.host,
    'x-amz-date': amzDate,
    [SERVER_ID_HEADER]: options.serverId,
  };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST',
    '/',
    '',
    ...names.map((name) => `${name}:${headers[name].trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  const scope = `${date}/${region}/${SERVICE}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, date);
  for (const part of [region, SERVICE, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');

  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { method: 'POST', url: url.toString(), headers, body };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
