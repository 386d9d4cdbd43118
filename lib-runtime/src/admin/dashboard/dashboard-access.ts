import { createHmac, timingSafeEqual } from 'node:crypto';
import type * as http from 'node:http';
import { isIP } from 'node:net';

/** The cookie that carries a dashboard session; scoped to /dashboard, never sent to the rest of admin. */
export const SESSION_COOKIE = 'oam_dashboard';
export const SESSION_PATH = '/dashboard';
/** A session lasts 12 hours, then the token has to be given again. */
const SESSION_SECONDS = 12 * 60 * 60;

/**
 * Who may read the dashboard. Without an admin token: anyone who reaches the port (bind admin to
 * loopback), but only under a Host that is an IP address or `localhost`, so a web page cannot
 * read it through DNS rebinding. With a token: a browser cannot add an Authorization header to a
 * page load or an EventSource, so the token is traded once (`?token=` or the sign-in form) for an
 * HttpOnly, SameSite=Strict session cookie: `<expiry>.<HMAC-SHA256 of the expiry keyed by the
 * token>`. Nothing is stored server-side; changing the token ends every session.
 */
export class DashboardAccess {
  constructor(
    /** Checks an `Authorization: Bearer` header the way the rest of admin does. */
    private readonly bearerValid: (req: http.IncomingMessage) => boolean,
    private readonly token: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get tokenRequired(): boolean {
    return this.token !== undefined;
  }

  /** Whether `req` may read the dashboard: a valid bearer header or session cookie, or no token configured and a literal Host. */
  allows(req: http.IncomingMessage): boolean {
    if (this.token === undefined) return hostIsLiteral(req.headers.host);
    return this.bearerValid(req) || this.sessionValid(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  /** Whether `presented` is the admin token (constant time). */
  tokenMatches(presented: string): boolean {
    if (this.token === undefined) return false;
    return equal(mac(presented, 'token-check'), mac(this.token, 'token-check'));
  }

  /** A Set-Cookie value for a new session; `secure` when the browser reached us over HTTPS (a TLS proxy). */
  sessionCookie(secure: boolean): string {
    const expiry = Math.floor(this.now() / 1000) + SESSION_SECONDS;
    const value = `${expiry}.${this.sign(expiry)}`;
    return `${SESSION_COOKIE}=${value}; Path=${SESSION_PATH}; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  private sessionValid(value: string | undefined): boolean {
    const parts = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
    if (!parts) return false;
    const expiry = Number(parts[1]);
    if (expiry * 1000 <= this.now()) return false;
    return equal(Buffer.from(parts[2], 'base64url'), Buffer.from(this.sign(expiry), 'base64url'));
  }

  private sign(expiry: number): string {
    return mac(this.token!, `open-app-mesh dashboard session until ${expiry}`).toString('base64url');
  }
}

function mac(key: string, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `127.0.0.1:9901`, `[::1]:9901`, `localhost:9901`: a Host no attacker's DNS name can stand for. */
export function hostIsLiteral(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return isIP(name) !== 0 || name.toLowerCase() === 'localhost';
}
