/**
 * A Secrets Manager stand-in on loopback for the real program: the JSON 1.1 protocol's
 * GetSecretValue and PutSecretValue as the service answers them, for secrets created without a
 * value (what the ECS ControlPlane construct makes). A ClientRequestToken is the version id: the
 * same token with the same content is an idempotent retry, with other content
 * ResourceExistsException; a secret without a current version answers ResourceNotFoundException.
 * The program reaches it through the SDK's AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Version { readonly id: string; readonly secretString: string; readonly created: number }

export class SecretsManagerStandIn {
  readonly calls: Array<{ readonly operation: string; readonly secretId: string }> = [];
  private readonly secrets = new Map<string, { versions: Version[]; current?: string }>();
  private server?: http.Server;

  /** Creates a secret without a value; returns its ARN. */
  createSecret(name: string): string {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(arn, { versions: [] });
    return arn;
  }

  /** The secret's current value, if any. */
  current(arn: string): string | undefined {
    const secret = this.secrets.get(arn);
    return secret?.versions.find((v) => v.id === secret.current)?.secretString;
  }

  versionCount(arn: string): number {
    return this.secrets.get(arn)?.versions.length ?? 0;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
        const [status, answer] = this.handle(operation, JSON.parse(body || '{}'));
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(operation: string, input: { SecretId?: string; ClientRequestToken?: string; SecretString?: string }): [number, object] {
    const secretId = input.SecretId ?? '';
    this.calls.push({ operation, secretId });
    const secret = this.secrets.get(secretId);
    const error = (type: string, message: string): [number, object] => [400, { __type: type, message }];
    if (!secret) return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const name = secretId.split(':')[6];
    if (operation === 'GetSecretValue') {
      const version = secret.versions.find((v) => v.id === secret.current);
      if (!version) return error('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
      return [200, { ARN: secretId, Name: name, VersionId: version.id, SecretString: version.secretString, VersionStages: ['AWSCURRENT'], CreatedDate: version.created / 1000 }];
    }
    if (operation === 'PutSecretValue') {
      const token = input.ClientRequestToken ?? '';
      const existing = secret.versions.find((v) => v.id === token);
      if (existing && existing.secretString !== input.SecretString) {
        return error('ResourceExistsException', 'A resource with the ID you requested already exists.');
      }
      if (!existing) secret.versions.push({ id: token, secretString: input.SecretString ?? '', created: Date.now() });
      secret.current = token;
      return [200, { ARN: secretId, Name: name, VersionId: token, VersionStages: ['AWSCURRENT'] }];
    }
    return error('InvalidAction', `the stand-in does not serve ${operation}`);
  }
}
