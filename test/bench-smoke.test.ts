/**
 * CI smoke test of the benchmarks: runs `bench/run.ts --quick` (small fleet, every scenario) as
 * a separate process and checks that the measurements are valid — every simulated proxy ACKed
 * the server's new version in every push, the bytes encoded per push do not depend on the
 * number of streams, every figure is in the table. It asserts no times: speed is never asserted
 * by a test on a shared machine (BENCHMARKS.md has the numbers).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.join(__dirname, '..');

interface QuickResults {
  mode: string;
  problems: string[];
  fleet: Array<{
    virtualNodes: number;
    streams: number;
    grpcStreams: number;
    distinctNodes: number;
    reconnectStreamsSynced: number;
    rssPerStream: number;
    rounds: Array<{
      latency: { count: number }; streamsOnNewVersion: number; streamsChanged: number; responsesPerStream: number; encodedBytes: number;
    }>;
  }>;
  floors: Array<{ streams: number; payloadBytes: number; push: { count: number } }>;
  translate: { nodeIds: number; oneService: { affected: number }; sharedService: { affected: number } };
  synth: { awsCdkLib: { runs: Array<{ resources: number; files: string[] }> }; openAppMesh: { runs: Array<{ files: string[] }> } };
  coldStart: { runs: number[] };
}

let results: QuickResults;
let stdout: string;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-bench-smoke-'));
  const jsonFile = path.join(dir, 'results.json');
  // From the sources, as `ts-node bench/run.ts` would, through the transpile cache the bench's own
  // processes use (fleets, floors and workers start on the same sources many times).
  const run = spawnSync(process.execPath, ['-r', path.join(REPO, 'build-tools', 'register-ts.js'), path.join(REPO, 'bench', 'run.ts'), '--quick', '--json', jsonFile], {
    cwd: REPO,
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
    timeout: 280_000,
  });
  stdout = run.stdout;
  if (!fs.existsSync(jsonFile)) throw new Error(`bench --quick wrote no results (status ${run.status}):\n${run.stderr}\n${run.stdout}`);
  results = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as QuickResults;
  fs.rmSync(dir, { recursive: true, force: true });
}, 300_000);

test('the quick run finds no problem with its own measurements', () => {
  expect(results.mode).toBe('quick');
  expect(results.problems).toEqual([]);
});

test('every simulated proxy, Envoy-style and gRPC-style, ACKed the new version of every push, with one response each', () => {
  expect(results.fleet.length).toBeGreaterThanOrEqual(2);
  for (const fleet of results.fleet) {
    // The quick fleet mixes both kinds of client: RDS pushes for Envoy, LDS (inline routes) for gRPC.
    expect(fleet.grpcStreams).toBe(fleet.streams / 2);
    expect(fleet.rounds.length).toBeGreaterThan(0);
    for (const round of fleet.rounds) {
      expect(round.latency.count).toBe(fleet.streams);
      expect(round.streamsOnNewVersion).toBe(fleet.streams);
      expect(round.streamsChanged).toBe(fleet.streams);
      expect(round.responsesPerStream).toBe(1);
    }
    expect(fleet.reconnectStreamsSynced).toBe(fleet.streams);
  }
});

test('the bytes encoded per push do not grow with the number of streams', () => {
  const [small, large] = results.fleet;
  expect(large.streams).toBeGreaterThan(small.streams);
  // Both runs connect every application node of the same mesh, once and several times over.
  expect(large.distinctNodes).toBe(small.distinctNodes);
  expect(small.rounds[0].encodedBytes).toBeGreaterThan(0);
  expect(large.rounds[0].encodedBytes).toBe(small.rounds[0].encodedBytes);
});

test('the floor ran for each stream count with the payload size the control plane sent', () => {
  for (const fleet of results.fleet) {
    const floor = results.floors.find((f) => f.streams === fleet.streams);
    expect(floor).toBeDefined();
    expect(floor!.push.count).toBe(fleet.streams * fleet.rounds.length);
    expect(floor!.payloadBytes).toBeGreaterThan(0);
  }
});

test('translation, synth and cold start ran', () => {
  expect(results.translate.nodeIds).toBe(50);
  // One ordinary service's callers (two versions each of 7 neighbours) versus every application node.
  expect(results.translate.oneService.affected).toBeLessThan(results.translate.sharedService.affected);
  expect(results.translate.sharedService.affected).toBe(48);
  expect(results.synth.awsCdkLib.runs[0].resources).toBeGreaterThan(0);
  expect(results.synth.openAppMesh.runs[0].files).toContain('bench.mesh.json');
  expect(results.coldStart.runs).toHaveLength(1);
});

test('the printed table has every figure of issue 7', () => {
  for (const figure of ['1. push', '2. RSS per connected proxy', '3. full translation', '3. incremental', '3. bytes encoded per push', '4. synth', '5. reconnect storm', '6. cold start']) {
    expect(stdout).toContain(figure);
  }
});
