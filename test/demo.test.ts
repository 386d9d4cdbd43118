/**
 * The demo end to end, run as users run it (ts-node on the TypeScript sources, no build):
 * real synthesis, the real control-plane and agent programs, real mTLS gRPC calls through
 * @grpc/grpc-js-xds. The split is checked here from the demo's printed counts, independently of
 * its own verdict; the identities and the absence of refusals from what it printed and from the
 * control plane's own metrics. Also unit tests of the demo's split arithmetic.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parseDemoArgs } from '../demo/options';
import { checkSplit, parseWeights, SwitchDetector } from '../demo/split';
import { ask, WhoAmIClient } from '../demo/whoami';
import { parseWellFormedXml } from '../lib-runtime/test/graph/xml-well-formed';

const REPO = path.resolve(__dirname, '..');
const TS_NODE = path.join(REPO, 'node_modules', '.bin', 'ts-node');

interface DemoRun {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function startDemo(args: string[]): DemoRun {
  const child = spawn(TS_NODE, ['--transpile-only', 'demo/run.ts', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(run: DemoRun, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = run.output().match(pattern);
    if (match) return match;
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`demo output never matched ${pattern}:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** The rows of every split table the demo printed: [{ v1, v2 }] with configured % and counts. */
function splitTables(output: string): { configured: [number, number]; counts: [number, number] }[] {
  const row = /^\s*(serviceB \(v1\)|serviceBv2 \(v2\))\s+([\d.]+) %\s+[\d.]+ %\s+(\d+)\s*$/gm;
  const rows = [...output.matchAll(row)].map((m) => ({ v2: m[1].startsWith('serviceBv2'), configured: Number(m[2]), count: Number(m[3]) }));
  const tables: { configured: [number, number]; counts: [number, number] }[] = [];
  for (let i = 0; i + 1 < rows.length; i += 2) {
    expect([rows[i].v2, rows[i + 1].v2]).toEqual([false, true]);
    tables.push({ configured: [rows[i].configured, rows[i + 1].configured], counts: [rows[i].count, rows[i + 1].count] });
  }
  return tables;
}

const SPIFFE = 'spiffe://open-app-mesh.internal/mesh/apps/virtualNode';

/** The SPIFFE IDs of both ends of the call the demo printed, and which version answered it. */
function printedIdentities(output: string): { client: string; server: string; answered: string } {
  return {
    client: output.match(/client identity, as the server saw it: (\S+)/)![1],
    server: output.match(/server identity, as the client saw it: (\S+)/)![1],
    answered: output.match(/through its xDS channel: (\S+) answered/)![1],
  };
}

/** The pids of every child process the demo reported: the control plane's and each agent's. */
function childPids(output: string): number[] {
  return [...output.matchAll(/(?:control plane running: pid|^\s+service\w+\s+pid) (\d+)/gm)].map((m) => Number(m[1]));
}

/** A sample of the control plane's Prometheus text (0 when the series does not exist). */
function metric(text: string, name: string): number {
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/** |k − np| ≤ 4σ for serviceB's share p; exact when p is 0 or 1. */
function expectBinomial(k: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(k - n * p)).toBeLessThanOrEqual(4 * sigma);
}

describe('npm run demo (end to end)', () => {
  let workDir: string;
  const runs: DemoRun[] = [];

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-demo-'));
  });

  afterAll(() => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('with mTLS (the default): shows about 75/25, then 0/100 after the weight change, from real RPCs; prints both identities; exits 0 and stops everything', async () => {
    const run = startDemo(['--work-dir', path.join(workDir, 'once')]);
    runs.push(run);
    const code = await run.exited;
    const output = run.output();
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('summary') });

    const tables = splitTables(output);
    expect(tables).toHaveLength(2);
    const [before, after] = tables;
    expect(before.configured).toEqual([75, 25]);
    expect(before.counts[0] + before.counts[1]).toBe(1000);
    expectBinomial(before.counts[0], 1000, 0.75);
    expect(after.configured).toEqual([0, 100]);
    expect(after.counts).toEqual([0, 1000]);

    // Both ends of a call, each read from the peer's certificate by the other end.
    const identities = printedIdentities(output);
    expect(identities.client).toBe(`${SPIFFE}/serviceA`);
    expect(['serviceB', 'serviceBv2']).toContain(identities.answered);
    expect(identities.server).toBe(`${SPIFFE}/${identities.answered}`);
    // Each workload's agent got its own node's certificate for its own service account, and
    // nothing that should have been served was refused.
    for (const [node, account] of [['serviceA', 'servicea'], ['serviceB', 'serviceb'], ['serviceBv2', 'servicebv2']]) {
      expect(output).toMatch(new RegExp(`^\\s+${node}\\s+pid \\d+, system:serviceaccount:demo:${account} → ${SPIFFE}/${node}$`, 'm'));
    }
    expect(output).toContain('control plane: 3 certificates issued, 0 exchanges refused, 0 xDS streams refused, 0 configurations rejected (NACK)');
    expect(output).not.toContain('WARNING');

    // The same control-plane process served both specs; it, the agents and the temporary CA are gone afterwards.
    const pid = Number(output.match(/control plane running: pid (\d+)/)![1]);
    expect(output).toContain(`(pid ${pid}, same process)`);
    const pids = childPids(output);
    expect(pids).toHaveLength(4);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(output).toMatch(/control plane drained and stopped, 3 agents stopped/);
    const caDir = output.match(/mesh CA in (\S+) /)![1];
    expect(fs.existsSync(path.dirname(caDir))).toBe(false);

    // What it wrote: the spec the control plane watched (now the 0/100 one) and the picture.
    const spec = JSON.parse(fs.readFileSync(path.join(workDir, 'once', 'apps.mesh.json'), 'utf8'));
    const weights = spec.routes[0].spec.httpRoute.action.weightedTargets.map((t: { virtualNode: string; weight: number }) => `${t.virtualNode}=${t.weight}`);
    expect(weights.sort()).toEqual(['serviceB=0', 'serviceBv2=100']);
    const svg = parseWellFormedXml(fs.readFileSync(path.join(workDir, 'once', 'apps.mesh.svg'), 'utf8'));
    expect(svg.name).toBe('svg');
  }, 300_000);

  test('--insecure still runs the canary in plaintext, with a warning and no identities', async () => {
    const run = startDemo(['--work-dir', path.join(workDir, 'insecure'), '--requests', '200', '--insecure']);
    runs.push(run);
    const code = await run.exited;
    const output = run.output();
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('summary') });
    expect(output).toMatch(/^WARNING: --insecure: xDS and the calls between services are plaintext/m);
    expect(output).toMatch(/xDS 127\.0\.0\.1:\d+ \(PLAINTEXT\)/);
    expect(output).toContain('no identities: the call was plaintext (--insecure)');
    expect(output).not.toContain('spiffe://');
    expect(output).toContain('control plane: 0 certificates issued, 0 exchanges refused, 0 xDS streams refused');
    const [before, after] = splitTables(output);
    expectBinomial(before.counts[0], 200, 0.75);
    expect(after.counts).toEqual([0, 200]);
    expect(childPids(output).filter(isAlive)).toEqual([]);
  }, 300_000);

  test('--keep-running stays up with the admin endpoints printed, serves only mTLS, and exits cleanly on SIGTERM', async () => {
    const run = startDemo(['--work-dir', path.join(workDir, 'kept'), '--requests', '200', '--keep-running']);
    runs.push(run);
    await waitForOutput(run, /still running/, 280_000);
    const healthz = (await waitForOutput(run, /curl '(http:\/\/127\.0\.0\.1:\d+)\/healthz'/, 1000))[1];
    const pid = Number(run.output().match(/control plane running: pid (\d+)/)![1]);
    expect((await get(`${healthz}/healthz`)).status).toBe(200);
    expect((await get(`${healthz}/readyz`)).status).toBe(200);
    const clients = JSON.parse((await get(`${healthz}/clients`)).body) as { streams: { nodeId: string }[] };
    expect(clients.streams.map((s) => s.nodeId)).toContain('mesh/apps/virtualNode/serviceA');
    // The live dashboard it printed: serviceA's proxy, and both specs applied (newest first).
    const dashboard = (await waitForOutput(run, /live dashboard: (http:\/\/127\.0\.0\.1:\d+\/dashboard\/)/, 1000))[1];
    expect((await get(dashboard)).body).toContain('<title>open-app-mesh dashboard</title>');
    const state = JSON.parse((await get(`${dashboard}state`)).body) as { nodes: { nodeId: string; proxies: unknown[] }[]; history: { outcome: string }[] };
    expect(state.nodes.find((n) => n.nodeId === 'mesh/apps/virtualNode/serviceA')?.proxies.length).toBeGreaterThan(0);
    expect(state.history.slice(0, 2).map((h) => h.outcome)).toEqual(['applied', 'applied']);
    expect(run.output()).toMatch(/xDS 127\.0\.0\.1:\d+ \(mutual TLS\)/);
    // The control plane's own count: three certificates issued, nothing refused.
    const metrics = (await get(`${healthz}/metrics`)).body;
    expect(metric(metrics, 'oam_certificates_issued_total')).toBe(3);
    expect(metric(metrics, 'oam_certificate_exchanges_refused_total')).toBe(0);
    expect(metric(metrics, 'oam_xds_streams_refused_total')).toBe(0);
    // The services require mTLS: a plaintext call to serviceB is not answered.
    const serviceB = Number(run.output().match(/serviceB \(v1\)\s+gRPC server on 127\.0\.0\.1:(\d+)/)![1]);
    const plaintext = new WhoAmIClient(`127.0.0.1:${serviceB}`, grpc.credentials.createInsecure());
    await expect(ask(plaintext, 1, 5000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    plaintext.close();

    const pids = childPids(run.output());
    expect(pids).toHaveLength(4);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
  }, 300_000);
});

describe('demo split arithmetic', () => {
  const weights = parseWeights('75/25', ['v1', 'v2']);

  test('the binomial check accepts a plausible split and rejects an implausible one', () => {
    expect(checkSplit(weights, { v1: 740, v2: 260 }).withinTolerance).toBe(true);
    expect(checkSplit(weights, { v1: 500, v2: 500 }).withinTolerance).toBe(false);
    // |740 − 750| / √(1000·0.75·0.25) = 0.73
    expect(checkSplit(weights, { v1: 740, v2: 260 }).maxAbsZ).toBeCloseTo(0.730, 3);
  });

  test('a 0 % version must get no reply, and an unknown version fails the check', () => {
    const flipped = parseWeights('0/100', ['v1', 'v2']);
    expect(checkSplit(flipped, { v2: 1000 }).withinTolerance).toBe(true);
    expect(checkSplit(flipped, { v1: 1, v2: 999 }).withinTolerance).toBe(false);
    expect(checkSplit(flipped, { v2: 999, v3: 1 }).withinTolerance).toBe(false);
    expect(checkSplit(flipped, {}).withinTolerance).toBe(false);
  });

  test('the switch detector needs strong evidence and restarts on an impossible reply', () => {
    const detector = new SwitchDetector(weights, parseWeights('0/100', ['v1', 'v2']));
    // ln(1/0.25) per v2 reply; ln(1e6) needs 10 of them.
    for (let i = 0; i < 9; i++) expect(detector.observe('v2')).toBe(false);
    expect(detector.observe('v1')).toBe(false);
    for (let i = 0; i < 9; i++) expect(detector.observe('v2')).toBe(false);
    expect(detector.observe('v2')).toBe(true);
  });

  test('a switch between similar splits needs more replies than the window holds', () => {
    const detector = new SwitchDetector(weights, parseWeights('70/30', ['v1', 'v2']), 40);
    let seen = false;
    for (let i = 0; i < 1000 && !seen; i++) seen = detector.observe(i % 10 < 3 ? 'v2' : 'v1');
    expect(seen).toBe(false);
  });

  test('weights and arguments are checked', () => {
    expect(() => parseWeights('0/0', ['a', 'b'])).toThrow(/nowhere/);
    expect(() => parseWeights('75-25', ['a', 'b'])).toThrow(/75\/25/);
    expect(() => parseWeights('150/0', ['a', 'b'])).toThrow(/0-100/);
    expect(parseDemoArgs(['--to=50/50', '--requests', '200'], '/x')).toMatchObject({ to: '50/50', requests: 200, workDir: '/x/.demo', keepRunning: false });
    expect(() => parseDemoArgs(['--requests', 'many'], '/x')).toThrow(/whole number/);
    expect(() => parseDemoArgs(['--bogus'], '/x')).toThrow(/unknown argument/);
    expect(parseDemoArgs(['--help'], '/x')).toBe('help');
    expect(parseDemoArgs([], '/x')).toMatchObject({ insecure: false });
    expect(parseDemoArgs(['--insecure'], '/x')).toMatchObject({ insecure: true });
  });
});
