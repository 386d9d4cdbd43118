/**
 * A generic xDS management server: the Aggregated Discovery Service, SotW and delta, for the v3
 * listener, route, cluster, endpoint and secret types. It knows nothing of meshes: the layer above
 * sets the resources of each group of nodes, and the server works out what every open stream must
 * receive, in which order, and when.
 *
 *   const xds = new XdsServer({ groupOf: (node) => node.cluster ?? node.id });
 *   xds.setSnapshot('frontend', { [CLUSTER_TYPE_URL]: clusters, [ENDPOINT_TYPE_URL]: endpoints, ... });
 *   const port = await xds.listen('0.0.0.0:18000');
 *
 * Resources are validated and encoded when set (a bad object throws there, nothing is served),
 * each once per content version; pushes are debounced so a burst of changes costs one push.
 */
import * as grpc from '@grpc/grpc-js';
import { DeltaStream } from './delta-stream';
import type {
  XdsAckEvent,
  XdsAuthDecision,
  XdsAuthorizer,
  XdsAuthRequest,
  XdsCloseEvent,
  XdsNackRecord,
  XdsNode,
  XdsProtocol,
  XdsRefusalCause,
  XdsRequestEvent,
  XdsResponseEvent,
  XdsServerHooks,
  XdsServerStatus,
  XdsStreamInfo,
  XdsStreamStatus,
} from './events';
import { limitClause, resolveXdsLimits, type XdsLimits } from './limits';
import { adsServiceDefinition } from './protos';
import { type EncodeStats, type GroupContent, ResourceCache, type ResourceInput, type TypeSnapshot } from './resource-cache';
import { SotwStream } from './sotw-stream';
import { REMOVAL_ORDER, RESOURCE_TYPE_URLS, shortTypeName } from './type-urls';
import { type AdsCall, type DecodedRequest, type SharedFrame, type StreamHost, XdsStream } from './xds-stream';

export interface XdsServerOptions {
  /** Which group's resources a node receives. Default: the node id (one config per node). */
  readonly groupOf?: (node: XdsNode) => string;
  /** Delay between the first change and the push, to batch bursts. Default 20 ms; 0 pushes on the next tick. */
  readonly pushDebounceMs?: number;
  readonly hooks?: XdsServerHooks;
  /** Decides whether a stream is served, seeing its peer identity and claimed node. Default: allow all. */
  readonly authorize?: XdsAuthorizer;
  /** control_plane.identifier in responses (shows up in Envoy's config dump). */
  readonly controlPlaneId?: string;
  /**
   * Make-before-break: how long listeners and routes wait for a client that uses EDS to subscribe
   * to the endpoints of clusters it just received. Default 1000 ms.
   */
  readonly endpointHoldMs?: number;
  /** How many recent NACKs status() keeps. Default 100. */
  readonly nackHistory?: number;
  /** What a peer may make the server hold; unset ones take DEFAULT_XDS_LIMITS. */
  readonly limits?: Partial<XdsLimits>;
}

/** Counters for tests and metrics. */
export interface XdsServerStats extends EncodeStats {
  readonly responses: number;
  readonly pushes: number;
  readonly openStreams: number;
  /** Streams the server holds, authorized or not yet (open streams and those awaiting their first request or authorization). */
  readonly trackedStreams: number;
  /** HTTP/2 connections with at least one tracked stream. */
  readonly trackedConnections: number;
  /** Distinct resource versions held for all groups (one that many groups hold counts once). */
  readonly storedResources: number;
}

/**
 * The connection a peer address names, for the per-connection limit: grpc-js gives "address:port"
 * for TCP, and "unknown" where it cannot tell (a Unix socket), whose streams are not counted per
 * connection.
 */
function connectionOf(peer: string): string | undefined {
  return peer === 'unknown' ? undefined : peer;
}

/** Resources of several types at once, keyed by type URL. */
export type XdsSnapshotInput = Readonly<Record<string, ResourceInput>>;

export class XdsServer {
  private readonly cache = new ResourceCache();
  private readonly hooks: XdsServerHooks;
  private readonly debounceMs: number;
  private readonly nackHistory: number;
  private readonly streams = new Set<XdsStream>();
  /** Tracked streams per connection (see connectionOf). */
  private readonly streamsByPeer = new Map<string, number>();
  private readonly limits: XdsLimits;
  private drain?: Promise<void>;
  private readonly streamsByGroup = new Map<string, Set<XdsStream>>();
  private readonly recentNacks: XdsNackRecord[] = [];
  private readonly dirtyGroups = new Set<string>();
  private pushTimer?: NodeJS.Timeout;
  private grpcServer?: grpc.Server;
  private nonceCounter = 0;
  private sharedFrames?: Map<string, SharedFrame>;
  private streamCounter = 0;
  private responses = 0;
  private pushes = 0;
  private readonly host: StreamHost;

  constructor(private readonly options: XdsServerOptions = {}) {
    this.hooks = options.hooks ?? {};
    this.debounceMs = options.pushDebounceMs ?? 20;
    this.nackHistory = options.nackHistory ?? 100;
    this.limits = resolveXdsLimits(options.limits);
    this.host = this.makeHost();
  }

  /**
   * Set all resources of one type for a group (replacing what was there). Validates and encodes
   * them first; throws (and changes nothing) on an invalid resource or a duplicate name.
   * Returns whether the content changed; a change is pushed after the debounce delay.
   */
  setResources(group: string, typeUrl: string, resources: ResourceInput): boolean {
    return this.setSnapshot(group, { [typeUrl]: resources });
  }

  /**
   * Set several types for a group at once: all are validated before any is installed, and one
   * push carries them (in make-before-break order). Types not named keep their resources.
   */
  setSnapshot(group: string, byType: XdsSnapshotInput): boolean {
    const prepared: TypeSnapshot[] = [];
    for (const [typeUrl, resources] of Object.entries(byType)) {
      if (!RESOURCE_TYPE_URLS.includes(typeUrl)) throw new Error(`the xDS server does not serve type ${typeUrl}`);
      const snapshot = this.cache.prepare(group, typeUrl, resources);
      if (snapshot) prepared.push(snapshot);
    }
    for (const snapshot of prepared) this.cache.install(group, snapshot);
    if (prepared.length > 0) this.schedulePush(group);
    return prepared.length > 0;
  }

  /**
   * A group's resources as installed (every type set for it), or undefined when it has none. The
   * content is immutable and stays valid after the group is changed or removed: setContent installs
   * it again, in this group or another, without validating or encoding anything.
   */
  contentOf(group: string): GroupContent | undefined {
    return this.cache.contentOf(group);
  }

  /**
   * Set a group's resources to content taken with contentOf from this server. Types the content
   * does not hold keep their resources. Returns whether anything changed; a change is pushed
   * after the debounce delay.
   */
  setContent(group: string, content: GroupContent): boolean {
    const changed = this.cache.installContent(group, content).length > 0;
    if (changed) this.schedulePush(group);
    return changed;
  }

  /** Forget a group's resources. Its streams keep what they have; new requests wait for resources. */
  removeGroup(group: string): boolean {
    return this.cache.deleteGroup(group);
  }

  /** Groups that have at least one open (authorized) stream. */
  connectedGroups(): string[] {
    return [...this.streamsByGroup.keys()];
  }

  /** The current version of a type for a group, or undefined when never set. */
  version(group: string, typeUrl: string): string | undefined {
    return this.cache.get(group, typeUrl)?.version;
  }

  /** Push pending changes now instead of after the debounce delay. */
  flush(): void {
    if (this.pushTimer) {
      clearTimeout(this.pushTimer);
      this.pushTimer = undefined;
    }
    if (this.dirtyGroups.size === 0) return;
    const groups = [...this.dirtyGroups];
    this.dirtyGroups.clear();
    const started = performance.now();
    let streams = 0;
    let responses = 0;
    this.sharedFrames = new Map();
    try {
      for (const group of groups) {
        for (const stream of this.streamsByGroup.get(group) ?? []) {
          streams++;
          try {
            responses += stream.pump();
          } catch (err) {
            // One broken stream must not stop the push to the others.
            stream.end(`internal error: ${(err as Error).message}`);
          }
        }
      }
    } finally {
      this.sharedFrames = undefined;
    }
    this.pushes++;
    this.callHook(() => this.hooks.onPush?.({ groups, streams, responses, durationMs: performance.now() - started }));
  }

  /** Register the ADS service on a gRPC server the caller owns (and starts and shuts down). */
  addToServer(server: grpc.Server): void {
    // Requests reach the streams encoded (see XdsStream.read).
    const definition = adsServiceDefinition();
    const raw = (method: grpc.MethodDefinition<object, object>): grpc.MethodDefinition<object, object> => ({
      ...method,
      requestDeserialize: (bytes: Buffer) => bytes,
    });
    server.addService({
      StreamAggregatedResources: raw(definition.StreamAggregatedResources),
      DeltaAggregatedResources: raw(definition.DeltaAggregatedResources),
    }, {
      StreamAggregatedResources: (call: AdsCall) => this.accept(call, 'sotw'),
      DeltaAggregatedResources: (call: AdsCall) => this.accept(call, 'delta'),
    });
  }

  /**
   * Start an own gRPC server on `address` (default 127.0.0.1:0) and resolve with the bound port.
   * Default credentials: insecure.
   */
  async listen(address = '127.0.0.1:0', credentials?: grpc.ServerCredentials, serverOptions?: grpc.ServerOptions): Promise<number> {
    if (this.grpcServer) throw new Error('the xDS server is already listening');
    const server = new grpc.Server(serverOptions);
    this.addToServer(server);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, credentials ?? grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
    this.grpcServer = server;
    return port;
  }

  /**
   * Drain and stop. New streams are refused at once (UNAVAILABLE, "server draining"); the open
   * ones are ended with OK spread over `graceMs` (stream i of N at i*graceMs/N), so their clients,
   * which keep their configuration, reconnect elsewhere a few at a time rather than all at once;
   * then the own gRPC server stops, forcibly when the window is over. Calling it again returns the
   * same drain.
   */
  shutdown(graceMs = 2000): Promise<void> {
    this.drain ??= this.drainAndStop(graceMs);
    return this.drain;
  }

  private async drainAndStop(graceMs: number): Promise<void> {
    const started = Date.now();
    const streams = [...this.streams];
    for (let i = 0; i < streams.length; i++) {
      const wait = started + (i * graceMs) / streams.length - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      streams[i].end('server draining');
    }
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushTimer = undefined;
    this.dirtyGroups.clear();
    const server = this.grpcServer;
    this.grpcServer = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, Math.max(0, started + graceMs - Date.now()));
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Per stream and type: subscriptions, versions sent and ACKed, last NACK (the /clients view). */
  status(): XdsServerStatus {
    const streams: XdsStreamStatus[] = [];
    for (const stream of this.streams) {
      if (stream.info && !stream.isClosed) streams.push({ ...stream.info, types: stream.typeStatus() });
    }
    const versions: Record<string, Record<string, string>> = {};
    for (const group of this.cache.groupNames()) {
      versions[group] = {};
      for (const typeUrl of RESOURCE_TYPE_URLS) {
        const v = this.cache.get(group, typeUrl)?.version;
        if (v !== undefined) versions[group][shortTypeName(typeUrl)] = v;
      }
    }
    return { streams, recentNacks: [...this.recentNacks], versions };
  }

  stats(): XdsServerStats {
    return {
      ...this.cache.stats,
      responses: this.responses,
      pushes: this.pushes,
      openStreams: [...this.streams].filter((s) => s.info && !s.isClosed).length,
      trackedStreams: this.streams.size,
      trackedConnections: this.streamsByPeer.size,
      storedResources: this.cache.storedResources,
    };
  }

  /** Serve a new stream, or refuse it before any state is made for it. */
  private accept(call: AdsCall, protocol: XdsProtocol): void {
    const peer = call.getPeer();
    const connection = connectionOf(peer);
    const onConnection = connection === undefined ? 0 : this.streamsByPeer.get(connection) ?? 0;
    const refuse = (cause: XdsRefusalCause, code: grpc.status, message: string): void => {
      this.callHook(() => this.hooks.onRefused?.({ cause, code, message, protocol, peer }));
      call.emit('error', { code, details: message });
    };
    if (this.drain) {
      refuse('draining', grpc.status.UNAVAILABLE, 'server draining');
    } else if (this.streams.size >= this.limits.maxStreams) {
      refuse('maxStreams', grpc.status.RESOURCE_EXHAUSTED,
        `the server holds ${this.streams.size} streams; ${limitClause(this.limits, 'maxStreams')}`);
    } else if (onConnection >= this.limits.maxStreamsPerConnection) {
      refuse('maxStreamsPerConnection', grpc.status.RESOURCE_EXHAUSTED,
        `this connection has ${onConnection} streams; ${limitClause(this.limits, 'maxStreamsPerConnection')}`);
    } else {
      this.streams.add(protocol === 'sotw' ? new SotwStream(this.host, call, protocol) : new DeltaStream(this.host, call, protocol));
      if (connection !== undefined) this.streamsByPeer.set(connection, onConnection + 1);
    }
  }

  private schedulePush(group: string): void {
    this.dirtyGroups.add(group);
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => this.flush(), this.debounceMs);
    this.pushTimer.unref();
  }

  private callHook(call: () => void): void {
    try {
      call();
    } catch {
      // Hooks observe; they must never break a stream.
    }
  }

  private makeHost(): StreamHost {
    const server = this;
    const authorize: XdsAuthorizer = this.options.authorize ?? ((): XdsAuthDecision => true);
    const groupOf = this.options.groupOf ?? ((node: XdsNode): string => node.id);
    const definition = adsServiceDefinition();
    const decoders = {
      sotw: definition.StreamAggregatedResources.requestDeserialize,
      delta: definition.DeltaAggregatedResources.requestDeserialize,
    };
    return {
      servedTypes: new Set(RESOURCE_TYPE_URLS),
      additionOrder: RESOURCE_TYPE_URLS,
      removalOrder: REMOVAL_ORDER,
      endpointHoldMs: this.options.endpointHoldMs ?? 1000,
      limits: this.limits,
      ...(this.options.controlPlaneId ? { controlPlaneId: this.options.controlPlaneId } : {}),
      snapshot: (group: string, typeUrl: string) => server.cache.get(group, typeUrl),
      nextNonce: () => (++server.nonceCounter).toString(36),
      get sharedFrames() {
        return server.sharedFrames;
      },
      nextStreamId: () => ++server.streamCounter,
      decodeRequest: (protocol: XdsProtocol, bytes: Buffer) => decoders[protocol](bytes) as DecodedRequest,
      groupOf,
      authorize: (request: XdsAuthRequest) => authorize(request),
      attach: (stream: XdsStream) => {
        const group = stream.group!;
        let set = server.streamsByGroup.get(group);
        if (!set) {
          set = new Set();
          server.streamsByGroup.set(group, set);
        }
        set.add(stream);
        server.callHook(() => server.hooks.onStreamOpen?.(stream.info!));
      },
      detach: (stream: XdsStream, event: XdsCloseEvent) => {
        const connection = connectionOf(stream.peer);
        if (server.streams.delete(stream) && connection !== undefined) {
          const left = (server.streamsByPeer.get(connection) ?? 1) - 1;
          if (left > 0) server.streamsByPeer.set(connection, left);
          else server.streamsByPeer.delete(connection);
        }
        const group = stream.group;
        if (group !== undefined) {
          const set = server.streamsByGroup.get(group);
          set?.delete(stream);
          if (set?.size === 0) server.streamsByGroup.delete(group);
        }
        if (stream.info) server.callHook(() => server.hooks.onStreamClose?.(stream.info!, event));
      },
      onRequest: (info: XdsStreamInfo, event: XdsRequestEvent) => server.callHook(() => server.hooks.onRequest?.(info, event)),
      onResponse: (info: XdsStreamInfo, event: XdsResponseEvent) => {
        server.responses++;
        server.callHook(() => server.hooks.onResponse?.(info, event));
      },
      onAck: (info: XdsStreamInfo, event: XdsAckEvent) => server.callHook(() => server.hooks.onAck?.(info, event)),
      onNack: (info: XdsStreamInfo, nack: XdsNackRecord) => {
        server.recentNacks.push(nack);
        if (server.recentNacks.length > server.nackHistory) server.recentNacks.shift();
        server.callHook(() => server.hooks.onNack?.(info, nack));
      },
      onRefused: (event) => server.callHook(() => server.hooks.onRefused?.(event)),
    };
  }
}
