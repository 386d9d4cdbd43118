import type * as http from 'node:http';
import { DashboardAccess } from './dashboard-access';
import type { DashboardSource } from './dashboard-source';
import { DEFAULT_EVENT_STREAM_LIMITS, EventStreamHub, EventStreamLimits } from './event-stream';
import { DASHBOARD_HTML, FAVICON_SVG, SIGN_IN_HTML } from './page-html';
import { DASHBOARD_JS } from './page-script';
import { DASHBOARD_CSS } from './page-style';
import { buildSnapshot } from './snapshot';
import { buildMeshGraph } from '../../graph/mesh-graph';
import { renderSvg } from '../../graph/svg';
import { Logger, SILENT_LOGGER } from '../../log';

/** Everything the page loads comes from here; nothing inline, no other origin, no framing. */
export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it a browser sends `Origin: null` on the sign-in post, which the origin check refuses.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** A sign-in form posts a token and nothing else. */
const MAX_FORM_BYTES = 4096;

/** Whether a request path belongs to the dashboard. */
export function isDashboardPath(pathname: string): boolean {
  return pathname === '/dashboard' || pathname.startsWith('/dashboard/');
}

/**
 * The live dashboard under /dashboard/: the page, its script and stylesheet, the snapshot
 * (`state`), the mesh picture (`graph.svg`) and the event stream (`events`). Read-only; the one
 * POST is the sign-in form that trades the admin token for a session cookie.
 */
export class Dashboard {
  private readonly events: EventStreamHub;
  private graph: { version: string; svg: string } | undefined;

  constructor(
    private readonly source: DashboardSource,
    private readonly access: DashboardAccess,
    private readonly log: Logger = SILENT_LOGGER,
    limits: EventStreamLimits = DEFAULT_EVENT_STREAM_LIMITS,
  ) {
    this.events = new EventStreamHub(
      async () => JSON.stringify(await buildSnapshot(this.source)),
      (listener) => this.source.onChange(listener),
      limits,
      (error) => this.log.error('dashboard update failed', { error }),
    );
  }

  /** Open event streams (for tests and the bound). */
  get eventClients(): number {
    return this.events.clientCount;
  }

  close(): void {
    this.events.close();
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const method = req.method ?? 'GET';
    const route = url.pathname.slice('/dashboard'.length);
    if (route === '/session') {
      if (method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed: the sign-in form posts here\n', { allow: 'POST' });
      return this.signIn(req, res);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    // The script, stylesheet and icon hold no data; the sign-in page needs them before any session.
    if (route === '/dashboard.js') return send(res, 200, 'text/javascript; charset=utf-8', DASHBOARD_JS);
    if (route === '/dashboard.css') return send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
    if (route === '/favicon.svg') return send(res, 200, 'image/svg+xml', FAVICON_SVG);

    const token = url.searchParams.get('token');
    if (token !== null && (route === '' || route === '/')) return this.exchange(req, res, token);
    if (route === '') return send(res, 308, 'text/plain', 'moved to /dashboard/\n', { location: 'dashboard/' });

    if (!this.access.allows(req)) return this.refuse(res, route === '/');
    switch (route) {
      case '/':
        return send(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML);
      case '/state':
        void buildSnapshot(this.source)
          .then((snapshot) => send(res, 200, 'application/json', JSON.stringify(snapshot)))
          .catch((error: unknown) => this.fail(res, error));
        return;
      case '/graph.svg': {
        const svg = this.graphSvg();
        if (svg === undefined) return send(res, 404, 'text/plain', 'no spec is being served\n');
        return send(res, 200, 'image/svg+xml; charset=utf-8', svg);
      }
      case '/events':
        return this.events.accept(req, res);
      default:
        return send(res, 404, 'text/plain', 'not found: the dashboard is /dashboard/\n');
    }
  }

  /** The picture of the served spec, drawn once per version. */
  private graphSvg(): string | undefined {
    const served = this.source.servedSpec();
    if (!served) return undefined;
    if (this.graph?.version !== served.version) this.graph = { version: served.version, svg: renderSvg(buildMeshGraph(served.doc)) };
    return this.graph.svg;
  }

  private refuse(res: http.ServerResponse, page: boolean): void {
    if (!this.access.tokenRequired) {
      return send(res, 403, 'text/plain', 'forbidden: without an admin token the dashboard answers only under an IP address or localhost '
        + '(so a web page cannot reach it through DNS rebinding); open it as http://127.0.0.1:<admin port>/dashboard/ or set --admin-token-file\n');
    }
    if (page) return send(res, 401, 'text/html; charset=utf-8', SIGN_IN_HTML);
    send(res, 401, 'text/plain', 'unauthorized: open /dashboard/ and sign in with the admin token, or send Authorization: Bearer <token>\n',
      { 'www-authenticate': 'Bearer' });
  }

  /** `?token=`: a session cookie for a valid token, then the page without the token in its address. */
  private exchange(req: http.IncomingMessage, res: http.ServerResponse, token: string): void {
    if (!this.access.tokenRequired) return send(res, 303, 'text/plain', 'no admin token is configured\n', { location: redirectTarget(req) });
    if (!this.access.tokenMatches(token)) return send(res, 401, 'text/html; charset=utf-8', SIGN_IN_HTML);
    send(res, 303, 'text/plain', 'signed in\n', { 'location': redirectTarget(req), 'set-cookie': this.access.sessionCookie(forwardedHttps(req)) });
  }

  private signIn(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!sameOrigin(req)) return send(res, 403, 'text/plain', 'forbidden: the sign-in form must be posted from the dashboard itself\n');
    readForm(req, MAX_FORM_BYTES).then((form) => {
      const token = form?.get('token');
      if (!this.access.tokenRequired) return send(res, 303, 'text/plain', 'no admin token is configured\n', { location: './' });
      if (token === undefined || token === null || !this.access.tokenMatches(token)) {
        return send(res, 401, 'text/html; charset=utf-8', SIGN_IN_HTML);
      }
      send(res, 303, 'text/plain', 'signed in\n', { 'location': './', 'set-cookie': this.access.sessionCookie(forwardedHttps(req)) });
    }, (error: unknown) => this.fail(res, error));
  }

  private fail(res: http.ServerResponse, error: unknown): void {
    this.log.error('dashboard request failed', { error });
    if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
    else res.destroy();
  }
}

/** `/dashboard?token=…` → `dashboard/`; `/dashboard/?token=…` → `./` (relative, so a path prefix of a proxy stays). */
function redirectTarget(req: http.IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://admin').pathname.endsWith('/') ? './' : 'dashboard/';
}

/** A TLS-terminating proxy in front: the cookie may then be marked Secure (it only ever narrows where it goes). */
function forwardedHttps(req: http.IncomingMessage): boolean {
  return String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase() === 'https';
}

/** A form post from another site's page carries its Origin; the browser's own sign-in carries ours or none. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** An application/x-www-form-urlencoded body of at most `limit` bytes; undefined when it is not one or too long. */
function readForm(req: http.IncomingMessage, limit: number): Promise<URLSearchParams | undefined> {
  return new Promise((resolve, reject) => {
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the answer can still be sent.
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
