/**
 * The dashboard in a real browser (headless Debian Chromium driven by puppeteer-core) against a
 * real ControlPlane in process on the demo's mesh, with a real grpc-js-xds client as serviceA:
 * the page loads under its CSP, the graph shows the mesh's nodes, a weight change and a rejected
 * spec appear without a reload, and a NACK from a raw ADS client shows its message. The page is
 * saved as test-reports/dashboard.png (the CI artifact).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium } from './support/chromium';
import { demoSpec, nackFirstListeners } from './support/dashboard-mesh';
import { dashboardOnlyState, FakeDashboardSource } from './support/fake-dashboard-source';
import { AdminServer } from '../../src/admin/admin-server';
import type { ControlPlane } from '../../src/control-plane';
import { JsonBackend } from '../cross-client/json-backend';
import { registerXds } from '../e2e/support/xds-client';
import { replaceSpec, startFileControlPlane, stopFileControlPlane } from '../support/file-control-plane';
import { xdsBootstrap } from '../support/xds-bootstrap';
import type { AdsTestClient } from '../xds/ads-test-client';

jest.setTimeout(60_000);

const SCREENSHOT = path.join(__dirname, '..', '..', '..', 'test-reports', 'dashboard.png');
const WHO = '/demo.WhoAmI/Who';
const json = {
  serialize: (value: object): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): any => JSON.parse(bytes.toString() || '{}'),
};

function who(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(WHO, json.serialize, json.deserialize, {}, { deadline: Date.now() + 15_000 },
      (err: grpc.ServiceError | null, value?: { backend: string }) => (err ? reject(err) : resolve(value!.backend)));
  });
}

/** The text of every element matching `selector`, joined. */
function textOf(page: Page, selector: string): Promise<string> {
  return page.$$eval(selector, (nodes) => nodes.map((n) => n.textContent ?? '').join('\n'));
}

describe('the dashboard in headless Chromium', () => {
  let dir: string;
  let cp: ControlPlane;
  let browser: Browser;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  /** Service B's two versions, each answering with its name. */
  const backends = [new JsonBackend('serviceB', [WHO], new Map()), new JsonBackend('serviceBv2', [WHO], new Map())];
  const clients: { close(): void }[] = [];
  /** Console errors and CSP violations the page reported. */
  const pageErrors: string[] = [];

  const publish = (content: string) => replaceSpec(dir, content);

  beforeAll(async () => {
    // The browser first: without it the test fails here, saying what is missing.
    ({ browser, close: closeBrowser } = await launchChromium());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-dashboard-browser-'));
    const [v1, v2] = backends;
    await Promise.all(backends.map((b) => b.start()));
    cp = await startFileControlPlane(dir, {
      spec: demoSpec(75),
      endpoints: { serviceB: [{ address: '127.0.0.1', port: v1.port }], serviceBv2: [{ address: '127.0.0.1', port: v2.port }] },
    });
  });

  afterAll(async () => {
    await closeBrowser?.();
    if (dir) await stopFileControlPlane(cp, dir, clients);
    for (const backend of backends) backend.stop();
  });

  test('shows the mesh, its proxies, a weight change, a rejected spec and a NACK, live', async () => {
    // serviceA as in the demo: a proxyless grpc-js-xds channel configured by the control plane only.
    registerXds();
    const serviceA = new grpc.Client('xds:///serviceb.apps.local', grpc.credentials.createInsecure(), {
      'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config': xdsBootstrap(cp.ports.xds, 'mesh/apps/virtualNode/serviceA'),
    });
    clients.push(serviceA);
    expect(['serviceB', 'serviceBv2']).toContain(await who(serviceA));

    page = await browser.newPage();
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('response', (res) => { if (res.status() >= 400) pageErrors.push(`${res.status()} ${res.url()}`); });
    await page.setViewport({ width: 1400, height: 900 });
    const response = await page.goto(`http://127.0.0.1:${cp.ports.admin}/dashboard`, { waitUntil: 'domcontentloaded' });
    expect(page.url()).toBe(`http://127.0.0.1:${cp.ports.admin}/dashboard/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    // The graph: the demo mesh's nodes, drawn by the control plane's SVG writer.
    await page.waitForSelector('#graph svg g.node.virtualNode[data-id="virtualNode:serviceBv2"]', { timeout: 20_000 });
    const boxes = await page.$$eval('#graph svg g.node', (gs) => gs.map((g) => g.getAttribute('data-id')));
    expect(boxes).toEqual(expect.arrayContaining([
      'virtualNode:serviceA', 'virtualNode:serviceB', 'virtualNode:serviceBv2', 'virtualService:serviceb.apps.local', 'virtualRouter:serviceB',
    ]));
    expect(await textOf(page, '#graph svg g.edge-label')).toContain('75%');

    // serviceA's grpc-js-xds stream, every type ACKed, and its badge on the graph.
    await page.waitForSelector('tr.proxy-row[data-node="mesh/apps/virtualNode/serviceA"][data-state="acked"]', { timeout: 20_000 });
    const row = await textOf(page, 'tr.proxy-row[data-node="mesh/apps/virtualNode/serviceA"]');
    // The proxyless view carries its routes inside the Listener (no RDS).
    for (const type of ['Listener', 'Cluster', 'ClusterLoadAssignment']) expect(row).toContain(type);
    expect(row).toContain('gRPC Node');
    expect(await textOf(page, '#graph g.node[data-id="virtualNode:serviceA"] text.oam-badge')).toBe('1 proxy');
    await page.waitForSelector('#latency svg rect.bar');
    expect(await textOf(page, '#live')).toBe('live');

    // A weight change, made by writing a new spec: shown without reloading the page.
    // (The page's code is given as strings: this project's TypeScript has no DOM types.)
    await page.evaluate('window.sameDocument = true');
    const firstVersion = await textOf(page, '#spec-version');
    publish(demoSpec(10));
    await page.waitForFunction(`document.getElementById('spec-version').textContent !== ${JSON.stringify(firstVersion)}
      && document.getElementById('graph').textContent.includes('90%')`, { timeout: 20_000 });
    expect(await textOf(page, '#graph svg g.edge-label')).toContain('10%');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    await page.waitForFunction('document.querySelectorAll(\'tr.history-row[data-outcome="applied"]\').length === 2', { timeout: 20_000 });
    expect(await who(serviceA)).toMatch(/^serviceB/);

    // A spec the control plane rejects: listed with its error; the served version stays.
    const servedVersion = await textOf(page, '#spec-version');
    publish(demoSpec(10).replace('"virtualNode": "serviceBv2"', '"virtualNode": "serviceC"'));
    await page.waitForSelector('tr.history-row[data-outcome="rejected"] .errors li', { timeout: 20_000 });
    expect(await textOf(page, 'tr.history-row[data-outcome="rejected"] .errors')).toContain('serviceC');
    expect(await textOf(page, '#spec-version')).toBe(servedVersion);

    // A NACK: a proxy of serviceBv2 rejects its listeners; its message shows on its row, in the list, on the graph.
    const message = 'listener rejected by the dashboard test: unsupported filter';
    const nack = await nackFirstListeners(cp.ports.xds, 'mesh/apps/virtualNode/serviceBv2', message);
    clients.push(nack.client as AdsTestClient);
    await page.waitForSelector('tr.proxy-row[data-node="mesh/apps/virtualNode/serviceBv2"][data-state="nacked"] .nack-message', { timeout: 20_000 });
    expect(await textOf(page, 'tr.proxy-row[data-node="mesh/apps/virtualNode/serviceBv2"] .nack-message')).toContain(message);
    expect(await textOf(page, '#nacks .nack-message')).toContain(message);
    expect(await textOf(page, '#graph g.node[data-id="virtualNode:serviceBv2"] text.oam-badge')).toBe('1 proxy · NACK');
    expect(await page.evaluate('window.sameDocument')).toBe(true);

    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
    expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    // Nothing the CSP blocked, no script error.
    expect(pageErrors).toEqual([]);
  });

  test('behind an admin token: the sign-in form trades the token for a cookie the page cannot read', async () => {
    const token = 'dashboard-browser-test-token';
    const admin = new AdminServer(dashboardOnlyState(new FakeDashboardSource()), undefined, token);
    const port = await admin.listen(0, '127.0.0.1');
    const signIn = await browser.newPage();
    try {
      const first = await signIn.goto(`http://127.0.0.1:${port}/dashboard/`, { waitUntil: 'domcontentloaded' });
      expect(first?.status()).toBe(401);
      await signIn.type('#token', 'not the token');
      await Promise.all([signIn.waitForNavigation(), signIn.click('button[type=submit]')]);
      expect(await signIn.$('#token')).not.toBeNull();

      await signIn.type('#token', token);
      await Promise.all([signIn.waitForNavigation(), signIn.click('button[type=submit]')]);
      expect(signIn.url()).toBe(`http://127.0.0.1:${port}/dashboard/`);
      await signIn.waitForSelector('#graph svg g.node[data-id="virtualNode:serviceA"]', { timeout: 20_000 });
      expect(await signIn.evaluate('document.cookie')).toBe('');
      expect(await textOf(signIn, '#live')).toBe('live');
    } finally {
      await signIn.close();
      await admin.close();
    }
  });
});
