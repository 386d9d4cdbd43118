/**
 * The xDS proxy: the local Envoy or proxyless gRPC application opens its ADS streams (SotW or
 * delta) to the agent in plaintext on loopback or a Unix socket, and the agent carries each one
 * to the control plane over mutual TLS with its own certificate. Messages pass as raw bytes in
 * both directions; only the first request of a stream is decoded, to check that it claims the
 * agent's node, so a process beside the agent cannot use the agent's identity for another node.
 *
 * Each certificate gets its own upstream channel: streams opened after a renewal use the new
 * certificate, streams already open keep their connection, and an old channel is closed when its
 * last stream ends.
 */
import * as grpc from '@grpc/grpc-js';
import { describeError, type Logger } from '../log';
import type { HeldCertificate } from './held-certificate';
import { removeStaleSocket } from './stale-socket';
import { adsServiceDefinition } from '../xds/protos';

export interface XdsProxyOptions {
  /** The only node id a downstream stream may claim (--node-id). */
  readonly nodeId: string;
  /** `unix:<path>` or a loopback `host:port` (--xds-proxy-listen). */
  readonly listen: string;
  /** The control plane's xDS `host:port` (--xds-address). */
  readonly upstream: string;
  readonly log: Logger;
}

type Protocol = 'sotw' | 'delta';
type RawCall = grpc.ServerDuplexStream<Buffer, Buffer>;

interface Upstream {
  readonly client: grpc.Client;
  streams: number;
  retired: boolean;
}

const passThrough = (bytes: Buffer): Buffer => bytes;

export class XdsProxy {
  private readonly server = new grpc.Server();
  private readonly definition = adsServiceDefinition();
  private upstream?: Upstream;

  constructor(private readonly options: XdsProxyOptions) {
    const raw = (method: grpc.MethodDefinition<object, object>): grpc.MethodDefinition<Buffer, Buffer> => ({
      ...method,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    });
    this.server.addService({
      StreamAggregatedResources: raw(this.definition.StreamAggregatedResources),
      DeltaAggregatedResources: raw(this.definition.DeltaAggregatedResources),
    }, {
      StreamAggregatedResources: (call: RawCall) => this.relay(call, 'sotw'),
      DeltaAggregatedResources: (call: RawCall) => this.relay(call, 'delta'),
    });
  }

  /** Binds the downstream listener; resolves with the port (0 for a Unix socket). */
  async start(): Promise<number> {
    const { listen } = this.options;
    if (listen.startsWith('unix:')) await removeStaleSocket(listen.slice('unix:'.length), '--xds-proxy-listen');
    return new Promise((resolve, reject) => {
      this.server.bindAsync(listen, grpc.ServerCredentials.createInsecure(), (err, port) => (err
        ? reject(new Error(`--xds-proxy-listen ${listen}: ${err.message}`)) : resolve(port)));
    });
  }

  /** New upstream streams use `held` from now on; open ones keep their connection. */
  useCertificate(held: HeldCertificate): void {
    const credentials = grpc.credentials.createSsl(
      Buffer.from(held.controlPlaneTrustPem), Buffer.from(held.privateKeyPem), Buffer.from(held.certificatePem));
    // A pool of its own, so the new channel never reuses a connection made with the old certificate.
    const client = new grpc.Client(this.options.upstream, credentials, { 'grpc.use_local_subchannel_pool': 1 });
    const previous = this.upstream;
    this.upstream = { client, streams: 0, retired: false };
    if (previous) {
      previous.retired = true;
      if (previous.streams === 0) previous.client.close();
    }
  }

  /** Waits up to `graceMs` for open streams to end, then ends them. */
  async stop(graceMs = 1000): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.upstream?.client.close();
    this.upstream = undefined;
  }

  private relay(call: RawCall, protocol: Protocol): void {
    const { log } = this.options;
    let upstreamCall: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
    let finished = false;
    const finish = (status: { code: grpc.status; details: string }): void => {
      if (finished) return;
      finished = true;
      if (status.code === grpc.status.OK) call.end();
      else call.emit('error', status);
    };

    call.on('data', (bytes: Buffer) => {
      if (finished) return;
      if (upstreamCall === undefined) {
        const refusal = this.checkFirstRequest(bytes, protocol);
        if (refusal) {
          log.warn('xDS stream refused', { protocol, peer: call.getPeer(), reason: refusal.details });
          finish(refusal);
          return;
        }
        upstreamCall = this.openUpstream(protocol, call, finish);
        if (upstreamCall === undefined) return;
      }
      if (!upstreamCall.write(bytes)) {
        call.pause();
        upstreamCall.once('drain', () => call.resume());
      }
    });
    call.on('end', () => {
      if (upstreamCall) upstreamCall.end();
      else finish({ code: grpc.status.OK, details: '' });
    });
    // The downstream went away: its upstream has nobody to serve.
    call.on('cancelled', () => {
      finished = true;
      upstreamCall?.cancel();
    });
    call.on('error', () => upstreamCall?.cancel());
  }

  /** A refusal for a first request that is unreadable or claims another node; undefined to relay it. */
  private checkFirstRequest(bytes: Buffer, protocol: Protocol): { code: grpc.status; details: string } | undefined {
    const method = protocol === 'sotw' ? this.definition.StreamAggregatedResources : this.definition.DeltaAggregatedResources;
    let nodeId: unknown;
    try {
      nodeId = (method.requestDeserialize(bytes) as { node?: { id?: unknown } }).node?.id;
    } catch (err) {
      return { code: grpc.status.INVALID_ARGUMENT, details: `the agent could not read the first request: ${(err as Error).message}` };
    }
    if (nodeId !== this.options.nodeId) {
      const claimed = typeof nodeId === 'string' && nodeId !== '' ? `node ${JSON.stringify(nodeId.slice(0, 200))}` : 'no node.id';
      return { code: grpc.status.PERMISSION_DENIED, details: `this agent serves node ${this.options.nodeId} (--node-id); the stream claims ${claimed}` };
    }
    return undefined;
  }

  private openUpstream(
    protocol: Protocol, call: RawCall, finish: (status: { code: grpc.status; details: string }) => void,
  ): grpc.ClientDuplexStream<Buffer, Buffer> | undefined {
    const upstream = this.upstream;
    if (!upstream) {
      finish({ code: grpc.status.UNAVAILABLE, details: 'the agent holds no certificate yet' });
      return undefined;
    }
    const method = protocol === 'sotw' ? this.definition.StreamAggregatedResources : this.definition.DeltaAggregatedResources;
    const upstreamCall = upstream.client.makeBidiStreamRequest(method.path, passThrough, passThrough);
    upstream.streams++;
    upstreamCall.on('data', (bytes: Buffer) => {
      if (!call.write(bytes)) {
        upstreamCall.pause();
        call.once('drain', () => upstreamCall.resume());
      }
    });
    upstreamCall.on('status', (status: grpc.StatusObject) => {
      upstream.streams--;
      if (upstream.retired && upstream.streams === 0) upstream.client.close();
      if (status.code !== grpc.status.OK && status.code !== grpc.status.CANCELLED) {
        this.options.log.warn('the control plane ended an xDS stream', { protocol, code: status.code, details: status.details });
      }
      finish({ code: status.code, details: status.details });
    });
    upstreamCall.on('error', (error) => this.options.log.debug('upstream xDS stream error', { error: describeError(error) }));
    return upstreamCall;
  }
}
