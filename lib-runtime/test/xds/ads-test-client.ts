/**
 * A minimal ADS client for protocol tests: it sends exactly the requests a test writes and
 * queues every response, so each checklist rule can be exercised on the wire against the real
 * server on loopback. Not a test file itself.
 */
import * as grpc from '@grpc/grpc-js';
import { adsServiceDefinition } from '../../src/xds/protos';

export type Message = Record<string, any>;

const DEFAULT_TIMEOUT_MS = 5000;

/** One bidirectional ADS stream with a queue of received responses. */
export class TestStream {
  private readonly received: Message[] = [];
  private waiters: Array<() => void> = [];
  private ended?: { code: number; details: string };

  constructor(private readonly call: grpc.ClientDuplexStream<Message, Message>) {
    call.on('data', (message: Message) => {
      this.received.push(message);
      this.wake();
    });
    call.on('status', (status: grpc.StatusObject) => {
      this.ended = { code: status.code, details: status.details };
      this.wake();
    });
    call.on('error', () => {
      // the status event carries the outcome
    });
  }

  send(request: Message): void {
    this.call.write(request);
  }

  /** The next response (in arrival order); fails after a bounded wait or when the stream ends. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Message> {
    await this.waitUntil(() => this.received.length > 0 || this.ended !== undefined, timeoutMs, 'a response');
    if (this.received.length === 0) throw new Error(`stream ended (${this.ended!.code}: ${this.ended!.details}) while waiting for a response`);
    return this.received.shift()!;
  }

  /** Responses received and not yet taken with next(). */
  get pending(): number {
    return this.received.length;
  }

  /** The final status of the stream (waits for it). */
  async status(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ code: number; details: string }> {
    await this.waitUntil(() => this.ended !== undefined, timeoutMs, 'the end of the stream');
    return this.ended!;
  }

  get hasEnded(): boolean {
    return this.ended !== undefined;
  }

  close(): void {
    this.call.cancel();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }
}

/** A client connection (one HTTP/2 connection) to the ADS server; open SotW or delta streams on it. */
export class AdsTestClient {
  private readonly client: grpc.Client;
  private readonly streams: TestStream[] = [];
  private readonly metadata: grpc.Metadata;

  /** `target`: a port on 127.0.0.1, or a gRPC target such as unix:/path. */
  constructor(target: number | string, metadata?: Record<string, string>, credentials?: grpc.ChannelCredentials) {
    const Ctor = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    // A connection of its own: grpc-js would otherwise share one between clients of the same target.
    this.client = new Ctor(typeof target === 'number' ? `127.0.0.1:${target}` : target, credentials ?? grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    this.metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(metadata ?? {})) this.metadata.set(k, v);
  }

  sotw(): TestStream {
    return this.open('StreamAggregatedResources');
  }

  delta(): TestStream {
    return this.open('DeltaAggregatedResources');
  }

  close(): void {
    for (const s of this.streams) s.close();
    this.client.close();
  }

  private open(method: string): TestStream {
    const fn = (this.client as unknown as Record<string, (md: grpc.Metadata) => grpc.ClientDuplexStream<Message, Message>>)[method];
    const stream = new TestStream(fn.call(this.client, this.metadata));
    this.streams.push(stream);
    return stream;
  }
}

/** A SotW request; `nonce`/`version` default to '' and the node is sent only when given. */
export function sotwRequest(
  typeUrl: string, names: string[], opts: { node?: Message; nonce?: string; version?: string; error?: string } = {},
): Message {
  return {
    type_url: typeUrl,
    resource_names: names,
    version_info: opts.version ?? '',
    response_nonce: opts.nonce ?? '',
    ...(opts.node ? { node: opts.node } : {}),
    ...(opts.error !== undefined ? { error_detail: { code: 3, message: opts.error } } : {}),
  };
}

/** The ACK of a SotW response (same names, its version and nonce). */
export function ackOf(response: Message, names: string[]): Message {
  return sotwRequest(response.type_url, names, { nonce: response.nonce, version: response.version_info });
}

/** A delta request. */
export function deltaRequest(typeUrl: string, opts: {
  node?: Message; subscribe?: string[]; unsubscribe?: string[]; nonce?: string; error?: string; initial?: Record<string, string>;
} = {}): Message {
  return {
    type_url: typeUrl,
    resource_names_subscribe: opts.subscribe ?? [],
    resource_names_unsubscribe: opts.unsubscribe ?? [],
    response_nonce: opts.nonce ?? '',
    ...(opts.node ? { node: opts.node } : {}),
    ...(opts.initial ? { initial_resource_versions: opts.initial } : {}),
    ...(opts.error !== undefined ? { error_detail: { code: 3, message: opts.error } } : {}),
  };
}

/** Names of the resources in a SotW response, in order. */
export function namesIn(response: Message): string[] {
  return (response.resources ?? []).map((r: Message) => r.name ?? r.cluster_name);
}

/** Names of the resources in a delta response, in order. */
export function deltaNamesIn(response: Message): string[] {
  return (response.resources ?? []).map((r: Message) => r.name);
}
