/**
 * One lightweight proxy: its own gRPC channel (so its own HTTP/2 connection, as real proxies
 * connect) holding one SotW ADS stream, and ACKing every response at once. It subscribes either
 * like Envoy — wildcard clusters and listeners, then the endpoints those clusters name and the
 * routes those listeners name — or like a proxyless gRPC client — the listeners of the services
 * it calls by name, then the clusters their inline routes name, then those clusters' endpoints.
 * It records when it became synced and when it sent each ACK.
 */
import * as grpc from '@grpc/grpc-js';
import { Reader } from 'protobufjs';
import { decodeAnyResource, decodeMinimalResponse, encodeDiscoveryRequest, fieldOf, MinimalResponse, wireTypeOf } from './discovery-wire';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../lib-runtime/src/xds/type-urls';

const ADS_PATH = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** How the client subscribes, and which view of its node the control plane serves it. */
export type ClientStyle = 'envoy' | 'grpc';

interface TypeState {
  names: string[];
  nonce: string;
  ackedVersion: string;
  /** Names received so far (routes and endpoints arrive only where they changed). */
  held: Set<string>;
  received: boolean;
}

/** What a client did since the orchestrator armed it for a push. */
export interface PushRecord {
  responses: number;
  lastAckAt: bigint;
  lastBytes: number;
  types: string[];
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** Name (field 1) of a RouteConfiguration or ClusterLoadAssignment inside an Any. */
function innerName(any: Uint8Array): string {
  const outer = Reader.create(any);
  while (outer.pos < outer.len) {
    const tag = outer.uint32();
    if (fieldOf(tag) !== 2) {
      outer.skipType(wireTypeOf(tag));
      continue;
    }
    const inner = Reader.create(outer.bytes());
    while (inner.pos < inner.len) {
      const t = inner.uint32();
      if (fieldOf(t) === 1) return inner.string();
      inner.skipType(wireTypeOf(t));
    }
  }
  return '';
}

export class AdsLoadClient {
  private client?: grpc.Client;
  private call?: grpc.ClientDuplexStream<Buffer, MinimalResponse>;
  private readonly types = new Map<string, TypeState>();
  startedAt = 0n;
  syncedAt = 0n;
  ended?: string;
  /** Bytes received from connect() until synced (the full state of this proxy). */
  syncBytes = 0;
  armed = false;
  /** Streams re-opened after failing (connection refused or reset under a storm). */
  retries = 0;
  private closing = false;
  private retryTimer?: NodeJS.Timeout;
  push: PushRecord = { responses: 0, lastAckAt: 0n, lastBytes: 0, types: [] };
  private onSynced?: () => void;

  constructor(
    readonly index: number,
    readonly nodeId: string,
    private readonly target: string,
    readonly style: ClientStyle = 'envoy',
    /** For gRPC clients: the services it calls (its listener names). */
    services: readonly string[] = [],
  ) {
    if (style === 'grpc') this.state(LISTENER_TYPE_URL).names = [...services].sort();
  }

  /** Open the channel and the stream and subscribe; `onSynced` runs once the first full state is ACKed. */
  connect(onSynced: () => void): void {
    this.onSynced = onSynced;
    this.syncedAt = 0n;
    this.syncBytes = 0;
    this.retries = 0;
    this.closing = false;
    this.startedAt = process.hrtime.bigint();
    this.client = new grpc.Client(this.target, grpc.credentials.createInsecure(), {
      // A channel of its own, not shared with the other simulated proxies: one HTTP/2 connection each.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.bench_proxy_index': this.index,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    this.openStream();
  }

  /** Drop the stream and the connection (the client keeps what it holds, like Envoy). */
  close(): void {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.call?.cancel();
    this.client?.close();
    this.call = undefined;
    this.client = undefined;
    this.forgetStreamState();
  }

  private forgetStreamState(): void {
    for (const state of this.types.values()) {
      state.nonce = '';
      state.held.clear();
      state.received = false;
    }
  }

  private openStream(): void {
    this.ended = undefined;
    const call = this.client!.makeBidiStreamRequest(ADS_PATH, (b: Buffer) => b, decodeMinimalResponse);
    this.call = call;
    call.on('data', (response: MinimalResponse) => this.handle(response));
    call.on('status', (status: grpc.StatusObject) => {
      this.ended = `${status.code}: ${status.details}`;
      if (this.closing || this.call !== call) return;
      // Like Envoy: a failed or ended stream is retried with a jittered backoff.
      this.retries++;
      this.forgetStreamState();
      const backoff = Math.min(1000, 50 * 2 ** Math.min(this.retries, 5)) * (0.5 + Math.random());
      this.retryTimer = setTimeout(() => {
        if (!this.closing) this.openStream();
      }, backoff);
    });
    call.on('error', () => { /* status carries it */ });
    const node = {
      id: this.nodeId, cluster: this.nodeId, user_agent_name: this.style === 'grpc' ? 'gRPC Node Pure JS' : 'envoy', locality: {},
    };
    // Like a client after a restart of the control plane: present what it holds, with empty nonces;
    // the node goes with the first request only.
    let withNode = true;
    const first = (typeUrl: string): void => {
      const state = this.state(typeUrl);
      this.send({ typeUrl, names: state.names, versionInfo: state.ackedVersion, node: withNode ? node : undefined });
      withNode = false;
    };
    if (this.style === 'envoy') {
      first(CLUSTER_TYPE_URL);
      first(LISTENER_TYPE_URL);
    } else {
      first(LISTENER_TYPE_URL);
      if (this.state(CLUSTER_TYPE_URL).names.length > 0) first(CLUSTER_TYPE_URL);
    }
    for (const typeUrl of [ENDPOINT_TYPE_URL, ROUTE_TYPE_URL]) {
      if (this.state(typeUrl).names.length > 0) first(typeUrl);
    }
  }

  arm(): void {
    this.armed = true;
    this.push = { responses: 0, lastAckAt: 0n, lastBytes: 0, types: [] };
  }

  /** The resource names this stream asks for, by type (empty: all of them). */
  subscriptions(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [typeUrl, state] of this.types) out[typeUrl] = state.names;
    return out;
  }

  ackedVersions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [typeUrl, state] of this.types) out[typeUrl] = state.ackedVersion;
    return out;
  }

  get synced(): boolean {
    const cds = this.types.get(CLUSTER_TYPE_URL);
    const lds = this.types.get(LISTENER_TYPE_URL);
    if (!cds?.received || !lds?.received) return false;
    for (const typeUrl of [ENDPOINT_TYPE_URL, ROUTE_TYPE_URL]) {
      const state = this.types.get(typeUrl);
      if (state && !state.names.every((n) => state.held.has(n))) return false;
    }
    return true;
  }

  private state(typeUrl: string): TypeState {
    let state = this.types.get(typeUrl);
    if (!state) {
      state = { names: [], nonce: '', ackedVersion: '', held: new Set(), received: false };
      this.types.set(typeUrl, state);
    }
    return state;
  }

  private send(request: Parameters<typeof encodeDiscoveryRequest>[0]): void {
    this.call?.write(encodeDiscoveryRequest(request));
  }

  private handle(response: MinimalResponse): void {
    const typeUrl = response.typeUrl;
    const state = this.state(typeUrl);
    state.received = true;
    if (this.syncedAt === 0n) this.syncBytes += response.bytes;
    state.nonce = response.nonce;
    state.ackedVersion = response.versionInfo;
    let follow: { typeUrl: string; names: string[] } | undefined;
    if (typeUrl === CLUSTER_TYPE_URL) {
      const eds = response.resources
        .map((any) => decodeAnyResource(typeUrl, any))
        .filter((c) => c.type === 'EDS')
        .map((c) => (c.eds_cluster_config?.service_name as string | undefined) || (c.name as string))
        .sort();
      follow = { typeUrl: ENDPOINT_TYPE_URL, names: eds };
    } else if (typeUrl === LISTENER_TYPE_URL && this.style === 'grpc') {
      const clusters = new Set<string>();
      for (const any of response.resources) {
        const hcm = decodeAnyResource(typeUrl, any).api_listener?.api_listener;
        for (const host of hcm?.route_config?.virtual_hosts ?? []) {
          for (const route of host.routes ?? []) {
            if (route.route?.cluster) clusters.add(route.route.cluster);
            for (const weighted of route.route?.weighted_clusters?.clusters ?? []) clusters.add(weighted.name);
          }
        }
      }
      follow = { typeUrl: CLUSTER_TYPE_URL, names: [...clusters].sort() };
    } else if (typeUrl === LISTENER_TYPE_URL) {
      const routes = new Set<string>();
      for (const any of response.resources) {
        const listener = decodeAnyResource(typeUrl, any);
        for (const chain of listener.filter_chains ?? []) {
          for (const filter of chain.filters ?? []) {
            const config = filter.typed_config;
            if (config?.['@type'] === HCM && config.rds?.route_config_name) routes.add(config.rds.route_config_name);
          }
        }
      }
      follow = { typeUrl: ROUTE_TYPE_URL, names: [...routes].sort() };
    } else {
      for (const any of response.resources) state.held.add(innerName(any));
    }
    // ACK: the same names, the version and nonce just received.
    this.send({ typeUrl, names: state.names, versionInfo: response.versionInfo, nonce: response.nonce });
    const ackAt = process.hrtime.bigint();
    if (follow) {
      const next = this.state(follow.typeUrl);
      if (!sameNames(next.names, follow.names)) {
        next.names = follow.names;
        for (const held of [...next.held]) if (!follow.names.includes(held)) next.held.delete(held);
        this.send({ typeUrl: follow.typeUrl, names: next.names, versionInfo: next.ackedVersion, nonce: next.nonce });
      }
    }
    if (this.armed) {
      this.push.responses++;
      this.push.lastAckAt = ackAt;
      this.push.lastBytes = response.bytes;
      this.push.types.push(typeUrl);
    }
    if (this.syncedAt === 0n && this.synced) {
      this.syncedAt = ackAt;
      this.onSynced?.();
    }
  }
}
