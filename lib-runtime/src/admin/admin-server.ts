import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Dashboard, isDashboardPath } from './dashboard/dashboard';
import { DashboardAccess } from './dashboard/dashboard-access';
import type { DashboardSource } from './dashboard/dashboard-source';
import type { EventStreamLimits } from './dashboard/event-stream';
import { toCanonicalJson } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { Logger, SILENT_LOGGER } from '../log';

/** What the admin server reads; it changes nothing. */
export interface AdminState {
  /** What the live dashboard (/dashboard/) reads; without it there is no dashboard. */
  readonly dashboard?: DashboardSource;
  /** Readiness: the spec is loaded and translated. `reasons` says what is missing. */
  readiness(): { ready: boolean; reasons: string[] };
  /** Prometheus text (prom-client renders it asynchronously). */
  metrics(): string | Promise<string>;
  /** The rendered configuration for a node id, or undefined when the node id is not in the spec. */
  configDump(nodeId: string, view: string | undefined): unknown;
  /** Node ids the spec defines (listed by /config_dump without a node). */
  knownNodes(): string[];
  /** Every connected stream: node id, per-type versions sent and ACKed, last NACK. */
  clients(): unknown;
  /** The spec served now and its version, or undefined while none is (read by /spec). */
  servedSpec?(): { doc: MeshSpecDocument; version: string } | undefined;
}

/**
 * The admin HTTP server: /healthz, /readyz, /metrics, /config_dump?node=…, /clients, /spec and
 * the live dashboard under /dashboard/. Read-only GET endpoints; bind it to a private address,
 * or give a bearer token that every path but /healthz (the liveness probe) then requires (a
 * browser trades it once for a dashboard session cookie: see dashboard/dashboard-access.ts).
 */
export class AdminServer {
  /** The dashboard, when the state has one. */
  readonly dashboard: Dashboard | undefined;
  private server: http.Server | undefined;
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    private readonly state: AdminState,
    private readonly log: Logger = SILENT_LOGGER,
    bearerToken?: string,
    dashboardLimits?: EventStreamLimits,
  ) {
    this.tokenDigest = bearerToken === undefined ? undefined : digest(bearerToken);
    if (state.dashboard) {
      const access = new DashboardAccess((req) => this.authorized(req), bearerToken);
      this.dashboard = new Dashboard(state.dashboard, access, log.child({ component: 'dashboard' }), dashboardLimits);
    }
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  async listen(port: number, host: string): Promise<number> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dashboard?.close();
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    if (this.dashboard && isDashboardPath(url.pathname)) {
      // Its own access rules (a browser cannot send the bearer header) and its one sign-in POST.
      try {
        this.dashboard.handle(req, res, url);
      } catch (error) {
        this.fail(res, url, error);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    if (url.pathname !== '/healthz' && !this.authorized(req)) {
      send(res, 401, 'text/plain', 'unauthorized: send Authorization: Bearer <the token in --admin-token-file>\n', { 'www-authenticate': 'Bearer' });
      return;
    }
    try {
      switch (url.pathname) {
        case '/healthz':
          send(res, 200, 'text/plain', 'ok\n');
          return;
        case '/readyz': {
          const { ready, reasons } = this.state.readiness();
          sendJson(res, ready ? 200 : 503, { ready, reasons });
          return;
        }
        case '/metrics':
          void Promise.resolve()
            .then(() => this.state.metrics())
            .then((text) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text))
            .catch((error: unknown) => this.fail(res, url, error));
          return;
        case '/config_dump': {
          const node = url.searchParams.get('node');
          if (!node) {
            sendJson(res, 400, { error: 'missing ?node=<node id>', nodes: this.state.knownNodes() });
            return;
          }
          const view = url.searchParams.get('view') ?? undefined;
          if (view !== undefined && view !== 'envoy' && view !== 'proxyless') {
            sendJson(res, 400, { error: 'view must be envoy or proxyless' });
            return;
          }
          const dump = this.state.configDump(node, view);
          if (dump === undefined) sendJson(res, 404, { error: `node ${node} is not in the spec`, nodes: this.state.knownNodes() });
          else sendJson(res, 200, dump);
          return;
        }
        case '/clients':
          sendJson(res, 200, this.state.clients());
          return;
        case '/spec': {
          // The document itself, so `curl …/spec > served.mesh.json` is a spec file (open-app-mesh diff).
          const served = this.state.servedSpec?.();
          if (!served) sendJson(res, 503, { error: 'no spec is being served', reasons: this.state.readiness().reasons });
          else send(res, 200, 'application/json', toCanonicalJson(served.doc), { 'x-open-app-mesh-spec-version': served.version });
          return;
        }
        default:
          send(res, 404, 'text/plain', `not found: try /healthz /readyz /metrics /config_dump?node=… /clients /spec${this.dashboard ? ' /dashboard/' : ''}\n`);
      }
    } catch (error) {
      this.fail(res, url, error);
    }
  }

  private authorized(req: http.IncomingMessage): boolean {
    if (!this.tokenDigest) return true;
    const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    // Digests have one length, so the comparison takes the same time whatever was sent.
    return presented !== undefined && timingSafeEqual(digest(presented), this.tokenDigest);
  }

  private fail(res: http.ServerResponse, url: URL, error: unknown): void {
    this.log.error('admin request failed', { path: url.pathname, error });
    if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    else res.destroy();
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value, null, 2) + '\n');
}
