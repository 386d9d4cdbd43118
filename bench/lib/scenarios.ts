/**
 * The measurements. Each scenario starts its own processes and stops them: the system under
 * test (control plane or floor server) and the load generator never share a process.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateMesh, GeneratedMesh, nodeIdOf, SHARED_SERVICE, staticEndpoints } from './mesh-generator';
import { Distribution, distribution, median, msBetween } from './stats';
import { benchEnv, REGISTER_TS, runningFromSource, Worker } from './worker-ipc';
import { CONTROL_PLANE_NODE_FLAGS } from '../../lib-runtime/src/node-flags';
import { LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../lib-runtime/src/xds/type-urls';

/** BENCH_CPU_PROF=<dir>: write a CPU profile of each system under test there (node --cpu-prof). */
const PROFILE = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
/** The system under test and the floor run with the flags the control plane ships with (node-flags.ts). */
const GC = ['--expose-gc', ...CONTROL_PLANE_NODE_FLAGS, ...PROFILE];
const LOADGEN = ['--max-old-space-size=4096', ...PROFILE];

export interface MeshFiles {
  readonly mesh: GeneratedMesh;
  readonly dir: string;
  readonly specFile: string;
  readonly endpointsFile: string;
}

export function writeMesh(virtualNodes: number): MeshFiles {
  const mesh = generateMesh({ virtualNodes });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `oam-bench-${virtualNodes}-`));
  const specFile = path.join(dir, 'bench.mesh.json');
  const endpointsFile = path.join(dir, 'endpoints.json');
  fs.writeFileSync(specFile, mesh.json);
  fs.writeFileSync(endpointsFile, JSON.stringify(staticEndpoints(mesh)));
  return { mesh, dir, specFile, endpointsFile };
}

export interface PushRound {
  readonly latency: Distribution;
  readonly parseMs: number;
  readonly applyMs: number;
  /** From handing the spec over to the xDS server writing the first group of the push. */
  readonly toFlushMs: number;
  readonly flushMs: number;
  readonly responsesPerStream: number;
  readonly responseBytes: number;
  readonly encodedBytes: number;
  readonly encodedResources: number;
  readonly anyBytes: number;
  readonly anys: number;
  /** Streams whose ACKed route version equals the server's current one (must be all). */
  readonly streamsOnNewVersion: number;
  /** Streams whose ACKed route version changed in this push (must be all). */
  readonly streamsChanged: number;
  /** CPU time the control plane used from handing over the spec to the last ACK (and the quiet wait after it). */
  readonly cpuMs: number;
}

/** Which clients a fleet has: all Envoy, or blocks of Envoy and proxyless gRPC clients (about half each). */
export type FleetMix = 'envoy' | 'half-grpc';

export interface FleetResult {
  readonly virtualNodes: number;
  readonly streams: number;
  readonly mix: FleetMix;
  readonly grpcStreams: number;
  readonly distinctNodes: number;
  readonly initialSyncMs: number;
  /** Streams that failed and were retried (connection refused or reset) while connecting. */
  readonly initialRetries: number;
  readonly syncBytesPerStream: number;
  readonly idleRss: number;
  readonly connectedRss: number;
  readonly rssPerStream: number;
  readonly rounds: readonly PushRound[];
  readonly push: Distribution;
  /** From the first write of each push (the xDS server's first flush) to each stream's ACK: the part the floor does. */
  readonly fanout: Distribution;
  readonly reconnectMs: number;
  readonly reconnectRetries: number;
  readonly reconnectStreamsSynced: number;
  /** CPU time the control plane used during the reconnect storm. */
  readonly reconnectCpuMs: number;
}

interface EncodeStats { resources: number; resourceBytes: number; anys: number; anyBytes: number }

/** Push latency, memory, encode cost and reconnect storm for N streams on one mesh. */
export async function fleetScenario(
  files: MeshFiles, streams: number, rounds: number, log: (s: string) => void, mix: FleetMix = 'envoy',
): Promise<FleetResult> {
  const server = new Worker('control-plane-server', [], GC);
  const loadgen = new Worker('load-generator', [], LOADGEN);
  try {
    const ports = await server.call<{ xds: number }>('start', { specFile: files.specFile, endpointsFile: files.endpointsFile });
    const idle = await server.call<{ rss: number }>('memory');
    const nodes = files.mesh.appNodes;
    const nodeIds = Array.from({ length: streams }, (_, i) => nodeIdOf(nodes[i % nodes.length]));
    // Every node appears once per block of A streams; in a mixed fleet odd blocks are gRPC clients.
    const styles = nodeIds.map((_, i) => (mix === 'half-grpc' && Math.floor(i / nodes.length) % 2 === 1 ? 'grpc' : 'envoy'));
    const backends = new Map(files.mesh.doc.virtualNodes.map((n) => [n.virtualNodeName,
      (n.spec.backends ?? []).flatMap((b) => (b.virtualService ? [b.virtualService.virtualServiceName] : []))]));
    const services = nodeIds.map((_, i) => backends.get(nodes[i % nodes.length]) ?? []);
    const viewOf = (i: number): string => `${styles[i] === 'grpc' ? 'proxyless' : 'envoy'}|${nodeIds[i]}`;
    // The type that carries the routes: RDS for Envoy, the listeners (inline routes) for gRPC clients.
    const routeTypeOf = (i: number): string => (styles[i] === 'grpc' ? LISTENER_TYPE_URL : ROUTE_TYPE_URL);
    const connect = await loadgen.call<{ startedAt: string; syncedAt: string; retries: number }>('connect', {
      target: `127.0.0.1:${ports.xds}`, nodeIds, styles, services, timeoutMs: 60_000 + streams * 30,
    });
    const initialSyncMs = msBetween(connect.startedAt, connect.syncedAt);
    log(`    ${streams} streams synced in ${initialSyncMs.toFixed(0)} ms (${connect.retries} stream retries)`);
    const connected = await server.call<{ rss: number }>('memory');
    let before = await loadgen.call<Array<{ acked: Record<string, string>; syncBytes: number }>>('versions');
    const syncBytesPerStream = median(before.map((b) => b.syncBytes));
    const results: PushRound[] = [];
    const latencies: number[] = [];
    const fanouts: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // A fleet-wide canary step: the shared service every node calls shifts traffic.
      const v2 = 20 + 10 * round;
      const next = generateMesh({ virtualNodes: files.mesh.doc.virtualNodes.length }, { [SHARED_SERVICE]: { v1: 100 - v2, v2 } });
      const encBefore = await server.call<EncodeStats>('encodeStats');
      await server.call('takeFlushes');
      await loadgen.call('arm');
      const cpuBefore = await server.call<number>('cpu');
      const set = await server.call<{ t0: string; parseMs: number; applyMs: number }>('setSpec', { json: next.json });
      const records = await loadgen.call<Array<{ responses: number; lastAckAt: string; lastBytes: number }>>('awaitPush', {
        timeoutMs: 30_000 + streams * 10, quietMs: 300,
      });
      const cpuAfter = await server.call<number>('cpu');
      const encAfter = await server.call<EncodeStats>('encodeStats');
      const flushes = await server.call<Array<{ startedAt: string; durationMs: number }>>('takeFlushes');
      const after = await loadgen.call<Array<{ nodeId: string; acked: Record<string, string>; names: Record<string, string[]> }>>('versions');
      const expected = await server.call<Array<string | undefined>>('expectedVersions', {
        streams: after.map((a, i) => ({ group: viewOf(i), typeUrl: routeTypeOf(i), names: a.names[routeTypeOf(i)] ?? [] })),
      });
      const stream = records.map((r) => msBetween(set.t0, r.lastAckAt));
      latencies.push(...stream);
      if (flushes.length > 0) fanouts.push(...records.map((r) => msBetween(flushes[0].startedAt, r.lastAckAt)));
      results.push({
        latency: distribution(stream),
        parseMs: set.parseMs,
        applyMs: set.applyMs,
        toFlushMs: flushes.length > 0 ? msBetween(set.t0, flushes[0].startedAt) : NaN,
        flushMs: flushes.reduce((s, f) => s + f.durationMs, 0),
        responsesPerStream: median(records.map((r) => r.responses)),
        responseBytes: Math.round(records.reduce((sum, r) => sum + r.lastBytes, 0) / records.length),
        encodedBytes: encAfter.resourceBytes - encBefore.resourceBytes,
        encodedResources: encAfter.resources - encBefore.resources,
        anyBytes: encAfter.anyBytes - encBefore.anyBytes,
        anys: encAfter.anys - encBefore.anys,
        streamsOnNewVersion: after.filter((a, i) => a.acked[routeTypeOf(i)] === expected[i]).length,
        streamsChanged: after.filter((a, i) => a.acked[routeTypeOf(i)] !== before[i].acked[routeTypeOf(i)]).length,
        cpuMs: cpuAfter - cpuBefore,
      });
      before = after.map((a) => ({ ...a, syncBytes: 0 }));
      const r = results[results.length - 1];
      if (round === 0 && r.streamsOnNewVersion !== streams) log(`    first stream not on the new version: ${JSON.stringify(after.find((a, i) => a.acked[routeTypeOf(i)] !== expected[i]))}`);
      log(`    push ${round + 1}: p50 ${r.latency.p50.toFixed(0)} p99 ${r.latency.p99.toFixed(0)} max ${r.latency.max.toFixed(0)} ms; `
        + `parse ${r.parseMs.toFixed(0)} apply ${r.applyMs.toFixed(0)} →flush ${r.toFlushMs.toFixed(0)} flush ${r.flushMs.toFixed(0)} ms; `
        + `${r.streamsOnNewVersion}/${streams} on new version; encoded ${r.encodedBytes} B; CPU ${r.cpuMs.toFixed(0)} ms`);
    }
    const reconnectCpuBefore = await server.call<number>('cpu');
    const reconnect = await loadgen.call<{ startedAt: string; syncedAt: string; retries: number }>('reconnect', { timeoutMs: 60_000 + streams * 30 });
    const reconnectCpuMs = await server.call<number>('cpu') - reconnectCpuBefore;
    const reconnectMs = msBetween(reconnect.startedAt, reconnect.syncedAt);
    const afterReconnect = await loadgen.call<Array<{ ended: string | null }>>('versions');
    log(`    reconnect storm: ${streams} streams converged in ${reconnectMs.toFixed(0)} ms (${reconnect.retries} stream retries); CPU ${reconnectCpuMs.toFixed(0)} ms`);
    return {
      virtualNodes: files.mesh.doc.virtualNodes.length,
      streams,
      mix,
      grpcStreams: styles.filter((s) => s === 'grpc').length,
      distinctNodes: new Set(nodeIds).size,
      initialSyncMs,
      initialRetries: connect.retries,
      syncBytesPerStream,
      idleRss: idle.rss,
      connectedRss: connected.rss,
      rssPerStream: (connected.rss - idle.rss) / streams,
      rounds: results,
      push: distribution(latencies),
      fanout: distribution(fanouts),
      reconnectMs,
      reconnectRetries: reconnect.retries,
      reconnectStreamsSynced: afterReconnect.filter((a) => a.ended === null).length,
      reconnectCpuMs,
    };
  } finally {
    await loadgen.call('closeAll').catch(() => undefined);
    await loadgen.stop();
    await server.call('stop').catch(() => undefined);
    await server.stop();
  }
}

export interface FloorResult {
  readonly streams: number;
  readonly payloadBytes: number;
  readonly greetingBytes: number;
  readonly connectMs: number;
  readonly idleRss: number;
  readonly connectedRss: number;
  readonly rssPerStream: number;
  readonly push: Distribution;
  /** CPU time the floor server used to connect and greet the N streams, and per push (median). */
  readonly connectCpuMs: number;
  readonly pushCpuMs: number;
}

/** The floor: a bare grpc-js server writing one pre-encoded payload to N streams (one connection each). */
export async function floorScenario(streams: number, payloadBytes: number, greetingBytes: number, rounds: number): Promise<FloorResult> {
  const server = new Worker('floor-server', [], GC);
  const loadgen = new Worker('load-generator', [], LOADGEN);
  try {
    const port = await server.call<number>('listen');
    const idle = await server.call<{ rss: number }>('memory');
    await server.call('greet', { bytes: greetingBytes });
    const connectCpuBefore = await server.call<number>('cpu');
    const connect = await loadgen.call<{ startedAt: string; doneAt: string }>('floorConnect', {
      target: `127.0.0.1:${port}`, streams, greeted: true, timeoutMs: 60_000 + streams * 30,
    });
    const connectCpuMs = await server.call<number>('cpu') - connectCpuBefore;
    await server.call('greet', { bytes: 0 });
    const connected = await server.call<{ rss: number }>('memory');
    const latencies: number[] = [];
    const pushCpu: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const cpuBefore = await server.call<number>('cpu');
      const pushed = await server.call<{ startedAt: string; streams: number }>('push', { bytes: payloadBytes });
      const received = await loadgen.call<string[]>('floorAwait', { count: round + 2, timeoutMs: 30_000 + streams * 10 });
      latencies.push(...received.map((t) => msBetween(pushed.startedAt, t)));
      // The same quiet wait as the control plane's push (awaitPush's quietMs), inside the measured span.
      await new Promise((resolve) => setTimeout(resolve, 300));
      pushCpu.push(await server.call<number>('cpu') - cpuBefore);
    }
    return {
      streams,
      payloadBytes,
      greetingBytes,
      connectMs: msBetween(connect.startedAt, connect.doneAt),
      idleRss: idle.rss,
      connectedRss: connected.rss,
      rssPerStream: (connected.rss - idle.rss) / streams,
      push: distribution(latencies),
      connectCpuMs,
      pushCpuMs: median(pushCpu),
    };
  } finally {
    await loadgen.call('floorClose').catch(() => undefined);
    await loadgen.stop();
    await server.stop();
  }
}

export interface TranslateResult {
  readonly virtualNodes: number;
  readonly nodeIds: number;
  readonly full: { compileMs: number; renderMs: number; totalMs: number };
  readonly oneService: { compileMs: number; affectedMs: number; renderMs: number; totalMs: number; affected: number };
  readonly sharedService: { compileMs: number; affectedMs: number; renderMs: number; totalMs: number; affected: number };
  readonly nodeConfigBytes: { envoy: number; proxyless: number };
}

export async function translateScenario(virtualNodes: number, repetitions: number): Promise<TranslateResult> {
  const worker = new Worker('translate-worker');
  try {
    return await worker.call<TranslateResult>('translate', { virtualNodes, repetitions });
  } finally {
    await worker.stop();
  }
}

export interface SynthRun { constructMs: number; synthMs: number; resources: number; files: string[] }
export interface SynthResult {
  readonly virtualNodes: number;
  readonly awsCdkLib: { medianMs: number; runs: SynthRun[] };
  readonly openAppMesh: { medianMs: number; runs: SynthRun[] };
  readonly ratio: number;
}

/** Construct + synth time of the same app with each library, each in a fresh process; median of the repetitions. */
export async function synthScenario(virtualNodes: number, repetitions: number): Promise<SynthResult> {
  const one = async (library: string) => {
    const worker = new Worker('synth-worker');
    try {
      const runs = await worker.call<SynthRun[]>('synth', { library, virtualNodes, repetitions });
      return { medianMs: median(runs.map((r) => r.constructMs + r.synthMs)), runs };
    } finally {
      await worker.stop();
    }
  };
  const awsCdkLib = await one('aws-cdk-lib');
  const openAppMesh = await one('open-app-mesh');
  return { virtualNodes, awsCdkLib, openAppMesh, ratio: openAppMesh.medianMs / awsCdkLib.medianMs };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function httpStatus(port: number, pathName: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathName, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** The control-plane program's entry: compiled next to the bench, or its TypeScript source. */
function programArgs(): string[] {
  const main = path.join(__dirname, '..', '..', 'lib-runtime', 'src', runningFromSource() ? 'main.ts' : 'main.js');
  return runningFromSource() ? ['-r', REGISTER_TS, main] : [main];
}

export interface ColdStartResult {
  readonly virtualNodes: number;
  readonly runs: number[];
  readonly medianMs: number;
  readonly fromSource: boolean;
}

/** Process start (spawn) to /readyz answering 200, for the real program with the spec file. */
export async function coldStartScenario(files: MeshFiles, repetitions: number): Promise<ColdStartResult> {
  const runs: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const [xdsPort, adminPort] = [await freePort(), await freePort()];
    const started = process.hrtime.bigint();
    const child: ChildProcess = spawn(process.execPath, [
      ...CONTROL_PLANE_NODE_FLAGS, ...programArgs(), '--spec', files.specFile, '--endpoints', `static:${files.endpointsFile}`,
      '--xds-port', String(xdsPort), '--admin-port', String(adminPort), '--bind', '127.0.0.1',
      // Plaintext, like the in-process scenarios and the floor they are compared with (with TLS a
      // cold start would also time loading the CA and issuing a server certificate).
      '--insecure-plaintext',
    ], { env: benchEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`control plane exited (${child.exitCode}) before /readyz: ${stderr}`);
        if (Date.now() > deadline) throw new Error('no /readyz 200 within 120 s');
        if (await httpStatus(adminPort, '/readyz') === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      runs.push(msBetween(started, process.hrtime.bigint()));
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
  return { virtualNodes: files.mesh.doc.virtualNodes.length, runs, medianMs: median(runs), fromSource: runningFromSource() };
}
