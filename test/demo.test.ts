/**
 * The demo end to end, run as users run it (ts-node on the TypeScript sources, no build):
 * real synthesis, the real control-plane program, real gRPC calls through @grpc/grpc-js-xds.
 * The split is checked here from the demo's printed counts, independently of its own verdict.
 * Also unit tests of the demo's split arithmetic.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDemoArgs } from '../demo/options';
import { checkSplit, parseWeights, SwitchDetector } from '../demo/split';
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

  test('shows about 75/25, then 0/100 after the weight change, from real RPCs; exits 0 and stops everything', async () => {
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

    // The same control-plane process served both specs, and it is gone afterwards.
    const pid = Number(output.match(/control plane running: pid (\d+)/)![1]);
    expect(output).toContain(`(pid ${pid}, same process)`);
    expect(isAlive(pid)).toBe(false);
    expect(output).toMatch(/control plane drained and stopped/);

    // What it wrote: the spec the control plane watched (now the 0/100 one) and the picture.
    const spec = JSON.parse(fs.readFileSync(path.join(workDir, 'once', 'apps.mesh.json'), 'utf8'));
    const weights = spec.routes[0].spec.httpRoute.action.weightedTargets.map((t: { virtualNode: string; weight: number }) => `${t.virtualNode}=${t.weight}`);
    expect(weights.sort()).toEqual(['serviceB=0', 'serviceBv2=100']);
    const svg = parseWellFormedXml(fs.readFileSync(path.join(workDir, 'once', 'apps.mesh.svg'), 'utf8'));
    expect(svg.name).toBe('svg');
  }, 120_000);

  test('--keep-running stays up with the admin endpoints printed and exits cleanly on SIGTERM', async () => {
    const run = startDemo(['--work-dir', path.join(workDir, 'kept'), '--requests', '200', '--keep-running']);
    runs.push(run);
    await waitForOutput(run, /still running/, 100_000);
    const healthz = (await waitForOutput(run, /curl '(http:\/\/127\.0\.0\.1:\d+)\/healthz'/, 1000))[1];
    const pid = Number(run.output().match(/control plane running: pid (\d+)/)![1]);
    expect((await get(`${healthz}/healthz`)).status).toBe(200);
    expect((await get(`${healthz}/readyz`)).status).toBe(200);
    const clients = JSON.parse((await get(`${healthz}/clients`)).body) as { streams: { nodeId: string }[] };
    expect(clients.streams.map((s) => s.nodeId)).toContain('mesh/apps/virtualNode/serviceA');
    expect(run.output()).toMatch(/xDS 127\.0\.0\.1:\d+/);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(isAlive(pid)).toBe(false);
  }, 120_000);
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
  });
});
