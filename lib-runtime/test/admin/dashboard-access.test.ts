/**
 * Who may read the dashboard when the admin server has a token: a browser trades the token once
 * (?token= or the sign-in form) for an HttpOnly, SameSite=Strict session cookie scoped to
 * /dashboard; the cookie opens nothing else of admin, expires, and cannot be forged.
 */
import { EventStreamReader, request } from './support/dashboard-http';
import { dashboardOnlyState, FakeDashboardSource } from './support/fake-dashboard-source';
import { AdminServer } from '../../src/admin/admin-server';
import { DashboardAccess } from '../../src/admin/dashboard/dashboard-access';

const TOKEN = 'correct horse battery staple';
const COOKIE = /^oam_dashboard=(\d+\.[A-Za-z0-9_-]{43}); Path=\/dashboard; Max-Age=43200; HttpOnly; SameSite=Strict$/;

describe('the dashboard behind an admin token', () => {
  const server = new AdminServer(dashboardOnlyState(new FakeDashboardSource()), undefined, TOKEN);
  let port: number;
  const readers: EventStreamReader[] = [];

  const signIn = async (): Promise<string> => {
    const reply = await request(port, `/dashboard?token=${encodeURIComponent(TOKEN)}`);
    return COOKIE.exec(String(reply.headers['set-cookie']))![1];
  };

  beforeAll(async () => { port = await server.listen(0, '127.0.0.1'); });
  afterAll(async () => {
    for (const r of readers) r.close();
    await server.close();
  });

  test('without credentials: the page is the sign-in form, data is 401, the script and stylesheet are served', async () => {
    const page = await request(port, '/dashboard/');
    expect(page.status).toBe(401);
    expect(page.body).toContain('<form method="post" action="session">');
    expect(page.headers['content-security-policy']).toContain("form-action 'self'");
    for (const path of ['/dashboard/state', '/dashboard/graph.svg', '/dashboard/events']) {
      const reply = await request(port, path);
      expect([path, reply.status]).toEqual([path, 401]);
      expect(reply.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await request(port, '/dashboard/dashboard.js')).status).toBe(200);
    expect((await request(port, '/dashboard/dashboard.css')).status).toBe(200);
  });

  test('?token= sets a session cookie and redirects to the page without the token in its address', async () => {
    expect((await request(port, '/dashboard?token=wrong')).status).toBe(401);
    expect((await request(port, '/dashboard?token=wrong')).headers['set-cookie']).toBeUndefined();

    const reply = await request(port, `/dashboard?token=${encodeURIComponent(TOKEN)}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('dashboard/');
    expect(reply.headers['referrer-policy']).toBe('same-origin');
    expect(String(reply.headers['set-cookie'])).toMatch(COOKIE);
    expect((await request(port, `/dashboard/?token=${encodeURIComponent(TOKEN)}`)).headers.location).toBe('./');
    // Behind a TLS-terminating proxy the cookie is also Secure.
    const viaTls = await request(port, `/dashboard?token=${encodeURIComponent(TOKEN)}`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(String(viaTls.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  test('the cookie opens the dashboard (page, state, picture, events), whatever the Host, and nothing else of admin', async () => {
    const cookie = `oam_dashboard=${await signIn()}`;
    for (const path of ['/dashboard/', '/dashboard/state', '/dashboard/graph.svg']) {
      expect([path, (await request(port, path, { headers: { cookie } })).status]).toEqual([path, 200]);
    }
    const reader = new EventStreamReader();
    readers.push(reader);
    expect(await reader.open(port, '/dashboard/events', { cookie })).toBe(200);
    // A browser sends the cookie only to the host that set it, so the Host rule is not needed here.
    expect((await request(port, '/dashboard/state', { headers: { cookie, host: 'admin.internal:9901' } })).status).toBe(200);
    for (const path of ['/clients', '/metrics', '/spec']) {
      expect([path, (await request(port, path, { headers: { cookie } })).status]).toEqual([path, 401]);
    }
  });

  test('a bearer header works as for the rest of admin; a forged or altered cookie does not', async () => {
    expect((await request(port, '/dashboard/state', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await request(port, '/dashboard/state', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const [expiry, mac] = (await signIn()).split('.');
    const later = `oam_dashboard=${Number(expiry) + 3600}.${mac}`;
    expect((await request(port, '/dashboard/state', { headers: { cookie: later } })).status).toBe(401);
    const forged = new DashboardAccess(() => false, 'another token').sessionCookie(false).split(';')[0];
    expect((await request(port, '/dashboard/state', { headers: { cookie: forged } })).status).toBe(401);
  });

  test('the sign-in form posts the token; a wrong token, a post from another origin and an oversized body get no cookie', async () => {
    const form = (token: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}` });
    const ok = await request(port, '/dashboard/session', form(TOKEN));
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('./');
    expect(String(ok.headers['set-cookie'])).toMatch(COOKIE);

    const sameOrigin = form(TOKEN);
    expect((await request(port, '/dashboard/session', { ...sameOrigin, headers: { ...sameOrigin.headers, origin: `http://127.0.0.1:${port}` } })).status).toBe(303);
    const wrong = await request(port, '/dashboard/session', form('guess'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const crossSite = await request(port, '/dashboard/session', { ...sameOrigin, headers: { ...sameOrigin.headers, origin: 'https://attacker.example' } });
    expect(crossSite.status).toBe(403);
    expect((await request(port, '/dashboard/session', form(TOKEN + 'x'.repeat(5000)))).status).toBe(401);
    expect((await request(port, '/dashboard/session')).status).toBe(405);
  });
});

describe('a dashboard session', () => {
  test('lasts 12 hours', () => {
    let now = Date.parse('2026-12-03T08:00:00Z');
    const access = new DashboardAccess(() => false, TOKEN, () => now);
    const cookie = access.sessionCookie(false).split(';')[0];
    const req = { headers: { cookie, host: 'x' } } as any;
    expect(access.allows(req)).toBe(true);
    now += 11.9 * 3600_000;
    expect(access.allows(req)).toBe(true);
    now += 0.2 * 3600_000;
    expect(access.allows(req)).toBe(false);
  });
});
