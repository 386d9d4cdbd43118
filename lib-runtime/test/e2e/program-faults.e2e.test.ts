/**
 * The real control-plane program (child process) under faults: specs that used to kill it, a
 * spec file that is gone while its directory is busy, and SIGTERM with streams open.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ControlPlaneProcess } from './support/control-plane-process';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { waitFor } from '../support/wait';
import { AdsTestClient, sotwRequest, TestStream } from '../xds/ads-test-client';

jest.setTimeout(120_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'canary-spec.json');
const NODE_ID = 'mesh/apps/virtualNode/serviceA';

describe('the control-plane program under faults', () => {
  let dir: string;
  let specFile: string;
  const programs: ControlPlaneProcess[] = [];
  const clients: AdsTestClient[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-program-faults-'));
    specFile = path.join(dir, 'apps.mesh.json');
    fs.writeFileSync(path.join(dir, 'endpoints.json'), '{}');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const p of programs.splice(0)) await p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function program(...extra: string[]): Promise<ControlPlaneProcess> {
    const p = new ControlPlaneProcess([
      '--spec', specFile, '--endpoints', `static:${path.join(dir, 'endpoints.json')}`, '--insecure-plaintext', '--bind', '127.0.0.1',
      '--xds-port', '0', '--admin-port', '0', '--log-level', 'debug', ...extra,
    ]);
    programs.push(p);
    await p.start(60_000);
    return p;
  }

  function writeSpec(content: string | Buffer): void {
    const tmp = path.join(dir, `.spec.${process.hrtime.bigint()}.tmp`);
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, specFile);
  }

  async function metric(p: ControlPlaneProcess, name: string): Promise<number> {
    const text = (await p.admin('/metrics')).body;
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? NaN : Number(line.split(' ')[1]);
  }

  function openStream(port: number): TestStream {
    const client = new AdsTestClient(port);
    clients.push(client);
    const s = client.sotw();
    s.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE_ID, user_agent_name: 'envoy' } }));
    return s;
  }

  test('a mesh without spec, written while it runs or there at start, does not end it', async () => {
    const doc = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    writeSpec(JSON.stringify(doc));
    const running = await program();
    delete doc.mesh.spec;
    const from = running.logs.length;
    writeSpec(JSON.stringify(doc));
    // Applied (a mesh without spec is valid App Mesh input) or rejected: either way it stays up.
    await running.waitForLog((l) => l.msg === 'spec applied' || l.level === 'error', 10_000, from);
    expect((await running.admin('/healthz')).status).toBe(200);
    expect(running.exitCode).toBeNull();

    const restarted = await program();
    expect((await restarted.admin('/healthz')).status).toBe(200);
    expect(restarted.exitCode).toBeNull();
  });

  test('started on a spec it rejects, it stays up, not ready, and /readyz says why', async () => {
    const good = fs.readFileSync(FIXTURE);
    const at = good.indexOf('serviceb.apps.local') + 'serviceb.apps.local'.length;
    writeSpec(Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]));
    const p = await program();
    const ready = await p.admin('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).reasons[0]).toContain(`was rejected: spec is not valid UTF-8: bad byte (0xFF) at byte offset ${at}`);
    expect(p.logs.find((l) => l.level === 'error')!.msg).toBe('spec rejected; no spec is being served yet');

    writeSpec(good);
    await waitFor(async () => (await p.admin('/readyz')).status === 200, 'ready once a good spec is written');
  });

  test('a missing spec file in a busy directory is logged and counted once, not once per event', async () => {
    writeSpec(fs.readFileSync(FIXTURE));
    const p = await program();
    fs.rmSync(specFile);
    await p.waitForLog((l) => l.msg === 'spec rejected; still serving the last good spec');
    // Ship the program's log into the spec's directory as it comes, as a log agent next to it might:
    // each line is an event in the watched directory.
    const shipped = path.join(dir, 'control-plane.log');
    let written = 0;
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      for (; written < p.logs.length; written++) fs.appendFileSync(shipped, JSON.stringify(p.logs[written]) + '\n');
      fs.appendFileSync(shipped, '{"msg":"another service"}\n');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Besides the start-up warning --insecure-plaintext gives.
    const problems = p.logs.filter((l) => (l.level === 'error' || l.level === 'warn') && !l.msg.includes('--insecure-plaintext'));
    expect(problems).toHaveLength(1);
    expect(await metric(p, 'oam_spec_rejections_total')).toBe(1);
    expect((await p.admin('/readyz')).status).toBe(200);
  });

  test('SIGTERM: not ready at once, new streams refused, open streams ended spread over --drain-timeout, exit 0', async () => {
    writeSpec(fs.readFileSync(FIXTURE));
    const p = await program('--drain-timeout', '2');
    const streams = Array.from({ length: 8 }, () => openStream(p.xdsPort));
    for (const s of streams) await s.next();
    const endedAt: number[] = [];
    for (const s of streams) void s.status(30_000).then(() => endedAt.push(Date.now()));

    const exited = p.signal('SIGTERM');
    await waitFor(async () => (await p.admin('/readyz')).status === 503, 'readiness 503');
    expect(JSON.parse((await p.admin('/readyz')).body).reasons).toContain('shutting down');
    const late = openStream(p.xdsPort);
    expect((await late.status()).code).not.toBe(grpc.status.OK);

    await exited;
    expect(p.exitCode).toBe(0);
    expect(endedAt).toHaveLength(8);
    // Stream i of 8 ends at i/8 of the window: the first at once, the last after 1.75 s.
    expect(Math.max(...endedAt) - Math.min(...endedAt)).toBeGreaterThanOrEqual(1_000);
  });
});
