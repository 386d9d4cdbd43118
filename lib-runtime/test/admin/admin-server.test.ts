import * as http from 'node:http';
import { AdminServer, AdminState } from '../../src/admin/admin-server';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('AdminServer', () => {
  let ready = false;
  let metrics: AdminState['metrics'] = () => 'oam_up 1\n';
  const dumps: Record<string, unknown> = { 'mesh/apps/virtualNode/serviceA': { envoy: { listeners: [] }, proxyless: { listeners: [] } } };
  const state: AdminState = {
    readiness: () => (ready ? { ready: true, reasons: [] } : { ready: false, reasons: ['no spec loaded yet'] }),
    metrics: () => metrics(),
    configDump: (node, view) => {
      const d = dumps[node] as Record<string, unknown> | undefined;
      return d && view ? d[view] : d;
    },
    knownNodes: () => Object.keys(dumps),
    clients: () => ({ streams: [{ nodeId: 'mesh/apps/virtualNode/serviceA' }] }),
  };
  const server = new AdminServer(state);
  let port = 0;

  beforeAll(async () => { port = await server.listen(0, '127.0.0.1'); });
  afterAll(async () => { await server.close(); });

  test('/healthz is always ok; /readyz follows readiness', async () => {
    expect(await get(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const notReady = await get(port, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ ready: false, reasons: ['no spec loaded yet'] });
    ready = true;
    expect((await get(port, '/readyz')).status).toBe(200);
  });

  test('/metrics serves the Prometheus text type', async () => {
    const res = await get(port, '/metrics');
    expect(res).toMatchObject({ status: 200, body: 'oam_up 1\n' });
    expect(res.type).toContain('text/plain; version=0.0.4');
  });

  test('/metrics waits for asynchronous metrics; a failed render is a 500 and the server goes on', async () => {
    metrics = () => Promise.resolve('oam_async 1\n');
    expect(await get(port, '/metrics')).toMatchObject({ status: 200, body: 'oam_async 1\n' });
    metrics = () => Promise.reject(new Error('collect failed'));
    expect(await get(port, '/metrics')).toMatchObject({ status: 500, body: 'internal error\n' });
    metrics = () => { throw new Error('render failed'); };
    expect((await get(port, '/metrics')).status).toBe(500);
    metrics = () => 'oam_up 1\n';
    expect(await get(port, '/metrics')).toMatchObject({ status: 200, body: 'oam_up 1\n' });
  });

  test('/config_dump needs a known node and an optional view', async () => {
    const ok = await get(port, '/config_dump?node=' + encodeURIComponent('mesh/apps/virtualNode/serviceA'));
    expect(JSON.parse(ok.body)).toEqual(dumps['mesh/apps/virtualNode/serviceA']);
    const view = await get(port, '/config_dump?view=proxyless&node=mesh/apps/virtualNode/serviceA');
    expect(JSON.parse(view.body)).toEqual({ listeners: [] });
    expect((await get(port, '/config_dump?node=mesh/apps/virtualNode/nope')).status).toBe(404);
    const missing = await get(port, '/config_dump');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).nodes).toEqual(['mesh/apps/virtualNode/serviceA']);
    expect((await get(port, '/config_dump?node=x&view=other')).status).toBe(400);
  });

  test('/clients, unknown paths and methods', async () => {
    expect(JSON.parse((await get(port, '/clients')).body)).toEqual({ streams: [{ nodeId: 'mesh/apps/virtualNode/serviceA' }] });
    expect((await get(port, '/nope')).status).toBe(404);
    expect((await get(port, '/healthz', 'POST')).status).toBe(405);
    expect(await get(port, '/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });
});
