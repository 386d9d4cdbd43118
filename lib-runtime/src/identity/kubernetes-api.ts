/**
 * The few Kubernetes API calls the control plane makes from inside its pod: HTTPS to the API
 * server named by KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, verified against the
 * service account's ca.crt, authenticated with its token. The token is read again for every
 * request: the kubelet rewrites the projected file well before it expires.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';

/** Where the kubelet mounts the pod's service-account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** An answer larger than this is refused (a Secret or ConfigMap holds at most 1 MiB). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface KubernetesApiOptions {
  /** Default: the environment's KUBERNETES_SERVICE_HOST. */
  readonly host?: string;
  /** Default: the environment's KUBERNETES_SERVICE_PORT, else 443. */
  readonly port?: number;
  /** Default: `<service account dir>/token`. */
  readonly tokenFile?: string;
  /** Roots the API server's certificate must chain to. Default: `<service account dir>/ca.crt`. */
  readonly caFile?: string;
  /** The pod's own namespace. Default: `<service account dir>/namespace`. */
  readonly namespaceFile?: string;
  /** Per request. Default 10 s. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** A refusal by the API server, with the `reason` of its Status object (NotFound, AlreadyExists, Conflict, Forbidden...). */
export class KubernetesApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(`${status} ${reason}: ${message}`);
    this.name = 'KubernetesApiError';
  }
}

export class KubernetesApi {
  /** The pod's own namespace, when its file could be read. */
  readonly namespace?: string;
  private readonly host: string;
  private readonly port: number;
  private readonly tokenFile: string;
  private readonly caFile: string;
  private readonly timeoutMs: number;

  /** Throws when not in a pod (no KUBERNETES_SERVICE_HOST) and no host is given. */
  constructor(options: KubernetesApiOptions = {}) {
    const env = options.env ?? process.env;
    const host = options.host ?? env.KUBERNETES_SERVICE_HOST;
    if (!host) throw new Error('not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set');
    const port = options.port ?? Number(env.KUBERNETES_SERVICE_PORT ?? 443);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`KUBERNETES_SERVICE_PORT is not a port: "${env.KUBERNETES_SERVICE_PORT}"`);
    this.host = host;
    this.port = port;
    this.tokenFile = options.tokenFile ?? path.join(SERVICE_ACCOUNT_DIR, 'token');
    this.caFile = options.caFile ?? path.join(SERVICE_ACCOUNT_DIR, 'ca.crt');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    try {
      this.namespace = fs.readFileSync(options.namespaceFile ?? path.join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim() || undefined;
    } catch {
      this.namespace = undefined;
    }
  }

  get(apiPath: string): Promise<any> {
    return this.request('GET', apiPath);
  }

  create(apiPath: string, body: object): Promise<any> {
    return this.request('POST', apiPath, body);
  }

  /** PUT: with `metadata.resourceVersion` in `body`, refused with 409 Conflict when the object changed since. */
  replace(apiPath: string, body: object): Promise<any> {
    return this.request('PUT', apiPath, body);
  }

  private async request(method: string, apiPath: string, body?: object): Promise<any> {
    const [token, ca] = await Promise.all([
      readCredential(this.tokenFile, 'service-account token'),
      readCredential(this.caFile, 'API server CA'),
    ]);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request({
        method,
        host: this.host,
        port: this.port,
        path: apiPath,
        ca,
        timeout: this.timeoutMs,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`the answer exceeds ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    }).catch((error: Error) => {
      throw new Error(`Kubernetes API ${method} ${apiPath} at ${this.host}:${this.port}: ${error.message}`);
    });
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300 && parsed !== undefined) return parsed;
    // Errors come as a Status object: { kind: "Status", reason, message, code }.
    const reason = typeof parsed?.reason === 'string' && parsed.reason ? parsed.reason : 'Unknown';
    const message = typeof parsed?.message === 'string' ? parsed.message : text.slice(0, 200);
    throw new KubernetesApiError(status, reason, `${method} ${apiPath}: ${message}`);
  }
}

async function readCredential(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = (await fs.promises.readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!text) throw new Error(`${what} ${file}: empty`);
  return text;
}
