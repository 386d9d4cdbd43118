import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the stand-in answered. */
export interface AppConfigRequest {
  readonly operation: 'StartConfigurationSession' | 'GetLatestConfiguration';
  readonly body?: Record<string, unknown>;
  readonly token?: string;
  readonly status: number;
}

/** The configuration deployed to the environment. */
export interface DeployedConfiguration {
  readonly content: Buffer;
  readonly versionLabel?: string;
  readonly contentType?: string;
  /** Announce the whole length but send only the first bytes and never end: a client that waits for the body hangs. */
  readonly stallBody?: boolean;
}

interface Session {
  /** Content last returned on this session (an unchanged one is answered with an empty body). */
  sent?: Buffer;
  pollSeconds: number;
}

/**
 * A loopback stand-in of the AppConfig data plane's REST API (restJson1), as the real service
 * answers: POST /configurationsessions → 201 {"InitialConfigurationToken"}; GET
 * /configuration?configuration_token=… → 200 with the configuration as the body (empty when the
 * session already has it) and the Next-Poll-Configuration-Token, Next-Poll-Interval-In-Seconds,
 * Content-Type and Version-Label headers. A token works once; a used or expired one is a 400
 * BadRequestException naming the problem. Reached by the real SDK through
 * AWS_ENDPOINT_URL_APPCONFIGDATA or the client's `endpoint`.
 */
export class AppConfigStandIn {
  readonly requests: AppConfigRequest[] = [];
  deployed: DeployedConfiguration | undefined;
  /** Next-Poll-Interval-In-Seconds of every answer (the real service's is at least 15). */
  pollSeconds = 15;
  /** Answers to give before any other, once each (throttling, say). */
  readonly failNext: Array<{ status: number; type: string; message: string }> = [];
  private readonly tokens = new Map<string, Session>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  constructor(readonly application: string, readonly environment: string, readonly profile: string) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Every outstanding token expires (as after 24 h). */
  expireTokens(): void {
    this.tokens.clear();
  }

  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'POST' && url.pathname === '/configurationsessions') {
        this.startSession(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'), res);
      } else if (req.method === 'GET' && url.pathname === '/configuration') {
        this.latest(url.searchParams.get('configuration_token') ?? '', res);
      } else {
        this.error(res, 404, 'ResourceNotFoundException', `no route ${req.method} ${url.pathname}`);
      }
    });
  }

  private startSession(body: Record<string, unknown>, res: http.ServerResponse): void {
    const failure = this.failNext.shift();
    if (failure) return this.record(res, { operation: 'StartConfigurationSession', body, status: failure.status }, () => this.error(res, failure.status, failure.type, failure.message));
    if (body.ApplicationIdentifier !== this.application || body.EnvironmentIdentifier !== this.environment
      || body.ConfigurationProfileIdentifier !== this.profile) {
      return this.record(res, { operation: 'StartConfigurationSession', body, status: 404 },
        () => this.error(res, 404, 'ResourceNotFoundException', 'Requested resource not found', { ResourceType: 'ConfigurationProfile' }));
    }
    const required = body.RequiredMinimumPollIntervalInSeconds;
    if (required !== undefined && (typeof required !== 'number' || required < 15 || required > 86_400)) {
      return this.record(res, { operation: 'StartConfigurationSession', body, status: 400 },
        () => this.error(res, 400, 'BadRequestException', 'RequiredMinimumPollIntervalInSeconds must be between 15 and 86400'));
    }
    const token = this.newToken({ pollSeconds: typeof required === 'number' ? required : this.pollSeconds });
    this.record(res, { operation: 'StartConfigurationSession', body, status: 201 }, () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify({ InitialConfigurationToken: token }));
    });
  }

  private latest(token: string, res: http.ServerResponse): void {
    const failure = this.failNext.shift();
    if (failure) return this.record(res, { operation: 'GetLatestConfiguration', token, status: failure.status }, () => this.error(res, failure.status, failure.type, failure.message));
    const session = this.tokens.get(token);
    if (session === undefined) {
      return this.record(res, { operation: 'GetLatestConfiguration', token, status: 400 }, () => this.error(res, 400, 'BadRequestException', 'Token is expired or invalid',
        { Reason: 'InvalidParameters', Details: { InvalidParameters: { ConfigurationToken: { Problem: 'Expired' } } } }));
    }
    this.tokens.delete(token);
    const deployed = this.deployed;
    if (deployed === undefined) {
      return this.record(res, { operation: 'GetLatestConfiguration', token, status: 404 },
        () => this.error(res, 404, 'ResourceNotFoundException', 'Deployed configuration not found', { ResourceType: 'Configuration' }));
    }
    const unchanged = session.sent !== undefined && session.sent.equals(deployed.content);
    const next = this.newToken({ sent: deployed.content, pollSeconds: session.pollSeconds });
    this.record(res, { operation: 'GetLatestConfiguration', token, status: 200 }, () => {
      res.writeHead(200, {
        'content-type': deployed.contentType ?? 'application/json',
        'next-poll-configuration-token': next,
        'next-poll-interval-in-seconds': String(Math.max(session.pollSeconds, this.pollSeconds)),
        ...(unchanged || deployed.versionLabel === undefined ? {} : { 'version-label': deployed.versionLabel }),
        'content-length': unchanged ? 0 : deployed.content.length,
        'x-amzn-requestid': randomUUID(),
      });
      if (deployed.stallBody === true && !unchanged) res.write(deployed.content.subarray(0, 100));
      else res.end(unchanged ? undefined : deployed.content);
    });
  }

  private newToken(session: Session): string {
    const token = `AYADe${randomUUID().replace(/-/g, '')}`;
    this.tokens.set(token, session);
    return token;
  }

  private record(_res: http.ServerResponse, request: AppConfigRequest, answer: () => void): void {
    this.requests.push(request);
    answer();
  }

  private error(res: http.ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify({ Message: message, ...extra }));
  }
}
