/**
 * The control plane under test, in its own process: the real ControlPlane class (xDS server,
 * translation, static endpoint discovery, admin server) fed by a PushedSpecSource. Around it,
 * only instruments: bytes encoded (counted by wrapping the xDS encoder functions), the times the
 * xDS server flushes a push, and RSS after a forced GC.
 */
import * as fs from 'node:fs';
import { ControlPlane } from '../../lib-runtime/src/control-plane';
import { StaticFileDiscovery } from '../../lib-runtime/src/discovery/static-file';
import { Logger } from '../../lib-runtime/src/log';
import * as protos from '../../lib-runtime/src/xds/protos';
import { versionOfSet } from '../../lib-runtime/src/xds/resource-cache';
import { isFullStateType } from '../../lib-runtime/src/xds/type-urls';
import { cpuMs } from '../lib/process-cpu';
import { fillYoungGeneration, settledRss } from '../lib/process-memory';
import { PushedSpecSource } from '../lib/pushed-spec-source';
import { serveCommands } from '../lib/worker-ipc';

/** Bytes the xDS layer encoded: resources (each handed-in resource, to hash it) and Any wrappers (changed ones). */
const encoded = { resources: 0, resourceBytes: 0, anys: 0, anyBytes: 0 };
const mutableProtos = protos as unknown as Record<string, unknown>;
const encodeResource = protos.encodeResource;
const encodeAny = protos.encodeAny;
mutableProtos.encodeResource = (typeUrl: string, resource: object): Uint8Array => {
  const bytes = encodeResource(typeUrl, resource);
  encoded.resources++;
  encoded.resourceBytes += bytes.length;
  return bytes;
};
mutableProtos.encodeAny = (typeUrl: string, bytes: Uint8Array): Uint8Array => {
  const any = encodeAny(typeUrl, bytes);
  encoded.anys++;
  encoded.anyBytes += any.length;
  return any;
};

let controlPlane: ControlPlane | undefined;
let source: PushedSpecSource | undefined;
const flushes: Array<{ startedAt: string; durationMs: number }> = [];

serveCommands({
  async start(args: { specFile: string; endpointsFile: string; logLevel?: 'info' | 'warn' }) {
    source = new PushedSpecSource(fs.readFileSync(args.specFile, 'utf8'));
    // The program's default log level is info (one line per stream opened and closed); stdout goes nowhere.
    const log = new Logger(args.logLevel ?? 'info', { service: 'bench-control-plane' });
    controlPlane = new ControlPlane({
      spec: source,
      discovery: new StaticFileDiscovery(args.endpointsFile, log.child({ component: 'discovery' })),
      xdsAddress: '127.0.0.1:0',
      adminHost: '127.0.0.1',
      adminPort: 0,
      log: log.child({ component: 'control-plane' }),
    });
    const xds = controlPlane.xds;
    const flush = xds.flush.bind(xds);
    xds.flush = () => {
      const startedAt = process.hrtime.bigint();
      const t = performance.now();
      flush();
      flushes.push({ startedAt: String(startedAt), durationMs: performance.now() - t });
    };
    const ports = await controlPlane.start();
    fillYoungGeneration();
    return ports;
  },

  /** Deliver a new spec now; returns the monotonic time it was handed over and the synchronous phases. */
  setSpec(args: { json: string }) {
    const t0 = process.hrtime.bigint();
    const phases = source!.deliver(args.json);
    return { t0: String(t0), ...phases };
  },

  takeFlushes() {
    return flushes.splice(0);
  },

  encodeStats() {
    return { ...encoded, ...controlPlane!.xds.stats() };
  },

  async memory() {
    return settledRss();
  },

  /** CPU time this process has used, in ms (user + system). */
  cpu() {
    return cpuMs();
  },

  /**
   * The version each stream should hold of a type: the group's version, or for a full-state type
   * asked for by name (a gRPC client's listeners), the version of the subset it asked for, which
   * is what the server sends it (the view may hold more, such as server Listeners).
   */
  expectedVersions(args: { streams: Array<{ group: string; typeUrl: string; names: string[] }> }) {
    const xds = controlPlane!.xds;
    return args.streams.map(({ group, typeUrl, names }) => {
      const snapshot = xds.contentOf(group)?.get(typeUrl);
      if (!snapshot || names.length === 0 || !isFullStateType(typeUrl)) return snapshot?.version;
      const subset = names.flatMap((name) => snapshot.resources.get(name) ?? []);
      return subset.length === snapshot.resources.size ? snapshot.version : versionOfSet(subset);
    });
  },

  async stop() {
    await controlPlane?.stop();
    return null;
  },
});
