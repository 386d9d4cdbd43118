/**
 * How the agent proves its workload's identity at each exchange: a fresh credential every time,
 * because both kinds expire (a SigV4 signature after 15 minutes, a projected token when the
 * kubelet rotates it).
 */
import { promises as fs } from 'fs';
import type { AwsCredentials } from '../identity/aws-iam-request';
import { signedGetCallerIdentityRequest } from '../identity/aws-iam-request';
import type { IdentityCredential } from '../identity/exchange-protocol';

export type CredentialSource = () => Promise<IdentityCredential>;

// A projected service-account token is about 1 KiB; anything far larger is not one.
const MAX_TOKEN_BYTES = 16 * 1024;

/** EKS: the projected service-account token in `tokenFile`, re-read at each exchange. */
export function kubernetesTokenCredential(tokenFile: string): CredentialSource {
  return async () => {
    let token: string;
    try {
      const handle = await fs.open(tokenFile, 'r');
      try {
        const { size } = await handle.stat();
        if (size > MAX_TOKEN_BYTES) throw new Error(`larger than ${MAX_TOKEN_BYTES} bytes`);
        token = (await handle.readFile('utf8')).trim();
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw new Error(`--token-file ${tokenFile}: ${(err as Error).message}`);
    }
    if (token === '') throw new Error(`--token-file ${tokenFile} is empty`);
    return { type: 'kubernetes', token };
  };
}

export interface AwsIamCredentialOptions {
  readonly region: string;
  /** The control plane's id, signed into the request (--server-id). */
  readonly serverId: string;
  /** An STS stand-in's origin instead of AWS STS (--sts-endpoint). */
  readonly stsEndpoint?: string;
  /** Where credentials come from; default the AWS SDK's chain (env, ECS task role, ...). */
  readonly credentials?: () => Promise<AwsCredentials>;
}

/** ECS: a GetCallerIdentity request signed with the task role's credentials, for the control plane to execute. */
export function awsIamCredential(options: AwsIamCredentialOptions): CredentialSource {
  let provider = options.credentials;
  return async () => {
    provider ??= loadDefaultCredentialChain();
    let credentials: AwsCredentials;
    try {
      credentials = await provider();
    } catch (err) {
      throw new Error(`--identity aws-iam: no AWS credentials (${(err as Error).message})`);
    }
    const request = signedGetCallerIdentityRequest({
      credentials,
      region: options.region,
      serverId: options.serverId,
      ...(options.stsEndpoint !== undefined ? { endpoint: options.stsEndpoint } : {}),
    });
    return { type: 'aws-iam', request };
  };
}

/**
 * Loaded on first use: the SDK's chain costs a noticeable part of a cold start, and the
 * Kubernetes path never needs it. It memoizes and refreshes temporary credentials itself.
 */
function loadDefaultCredentialChain(): () => Promise<AwsCredentials> {
  // Comes with the S3 and Cloud Map clients (see the report to declare it directly).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaultProvider } = require('@aws-sdk/credential-provider-node') as typeof import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}
