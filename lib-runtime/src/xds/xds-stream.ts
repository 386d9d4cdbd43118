/**
 * What every ADS stream does, SotW or delta: read the node from the first request, ask the
 * authentication hook, validate type URLs, keep at most one response waiting for its ACK, and
 * send pending changes in make-before-break order (additions and changes: clusters, endpoints,
 * listeners, routes; then removals: listeners, routes, clusters, endpoints).
 *
 * Waiting for each ACK before the next response is what makes the order hold for real (the client
 * has applied the clusters before it sees a listener that uses them), and it coalesces bursts: a
 * slow client gets the latest state once instead of every step in between.
 */
import { createHash } from 'crypto';
import * as grpc from '@grpc/grpc-js';
import { abbreviate } from './abbreviate';
import type {
  XdsAckEvent,
  XdsAuthDecision,
  XdsAuthRequest,
  XdsCloseEvent,
  XdsNackRecord,
  XdsNode,
  XdsProtocol,
  XdsRefusalCause,
  XdsRefusalEvent,
  XdsRequestEvent,
  XdsResponseEvent,
  XdsStreamInfo,
  XdsTypeStatus,
} from './events';
import type { XdsLimits } from './limits';
import { checkFirstRequestNode, checkNameCount, checkNodeId } from './request-limits';
import type { TypeSnapshot } from './resource-cache';
import { ENDPOINT_TYPE_URL } from './type-urls';

/** A decoded DiscoveryRequest or DeltaDiscoveryRequest (proto-loader style object). */
export type DecodedRequest = Record<string, unknown>;

/** Requests arrive encoded: the node of a first request is measured before it is decoded. */
export type AdsCall = grpc.ServerDuplexStream<Buffer, Buffer>;

/**
 * Requests a stream may send before it is authorized. A client sends one per type before its
 * first response; without a bound, a stream held by a slow authorize hook could queue any number.
 */
const MAX_REQUESTS_BEFORE_AUTHORIZATION = 64;

/** Status messages longer than this are cut (they travel in an HTTP/2 trailer; see abbreviate). */
const STATUS_MESSAGE_CHARS = 1024;

/** NACK messages are kept (status(), the hook) up to this length. */
const NACK_MESSAGE_CHARS = 4096;

/** What a stream needs from the server that owns it. */
export interface StreamHost {
  readonly servedTypes: ReadonlySet<string>;
  readonly additionOrder: readonly string[];
  readonly removalOrder: readonly string[];
  readonly controlPlaneId?: string;
  /** How long listeners and routes wait for the endpoint subscription of new clusters. */
  readonly endpointHoldMs: number;
  readonly limits: XdsLimits;
  /** Frames already built during the current push, by content key; undefined outside pushes. */
  readonly sharedFrames: Map<string, SharedFrame> | undefined;
  snapshot(group: string, typeUrl: string): TypeSnapshot | undefined;
  nextNonce(): string;
  nextStreamId(): number;
  decodeRequest(protocol: XdsProtocol, bytes: Buffer): DecodedRequest;
  groupOf(node: XdsNode): string;
  authorize(request: XdsAuthRequest): XdsAuthDecision | Promise<XdsAuthDecision>;
  attach(stream: XdsStream): void;
  detach(stream: XdsStream, event: XdsCloseEvent): void;
  onRequest(stream: XdsStreamInfo, event: XdsRequestEvent): void;
  onResponse(stream: XdsStreamInfo, event: XdsResponseEvent): void;
  onAck(stream: XdsStreamInfo, event: XdsAckEvent): void;
  onNack(stream: XdsStreamInfo, nack: XdsNackRecord): void;
  onRefused(event: XdsRefusalEvent): void;
}

/** A response a stream decided to send, before framing. */
export interface PlannedResponse {
  readonly typeUrl: string;
  readonly version: string;
  readonly resourceNames: readonly string[];
  readonly removedResources?: readonly string[];
  /** The wire message with its nonce. */
  readonly frame: (nonce: string) => Buffer;
  /** Identifies the content (type, version, resources, removals): equal keys mean equal frames but for the nonce. */
  readonly contentKey: () => string;
  /** Updates the stream's view of what the client holds, as the frame is written. */
  readonly commit: (nonce: string) => void;
}

/**
 * The per-type state both protocols keep. Every field exists from the start (undefined when
 * unset), so all states of a protocol share one object shape and keep their fields in-object.
 */
export interface TypeStateBase {
  requested: boolean;
  /** The snapshot for which nothing was due; planning is skipped until it or the state changes. */
  settled: TypeSnapshot | undefined;
  wildcard: boolean;
  /** Explicitly subscribed names. SotW replaces the set on change (and may share it); delta edits it. */
  names: ReadonlySet<string>;
  lastNonce: string | undefined;
  sentVersion: string | undefined;
  sentAt: number | undefined;
  ackedVersion: string | undefined;
  lastNack: XdsNackRecord | undefined;
}

/**
 * Large parts of a node, shared by the streams that present equal ones. Envoy sends its whole
 * extensions list (hundreds of entries, the same for every Envoy of a build) in the node, and a
 * stream keeps its node for the /clients view: decoded, 300 extensions took 120 KB per stream,
 * more than all else a connection costs. Parts of at least SHARED_NODE_PART_CHARS characters of
 * JSON are looked up by a hash of that text; a shared part is frozen, and forgotten once no
 * stream holds it. Smaller parts (locality, an id) would cost more to share than they save.
 */
const SHARED_NODE_PART_CHARS = 512;
const sharedNodeParts = new Map<string, WeakRef<object>>();
const forgetNodePart = new FinalizationRegistry<string>((key) => {
  if (sharedNodeParts.get(key)?.deref() === undefined) sharedNodeParts.delete(key);
});

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const v of Object.values(value)) {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) deepFreeze(v);
  }
}

/**
 * Plain data only (objects, arrays, strings, finite numbers, booleans, null), what a decoded node
 * holds: for such values equal JSON text means equal content.
 */
function isPlainData(value: unknown, depth = 0): boolean {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (depth > 64 || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isPlainData(v, depth + 1));
}

/** The node with each large object-valued field replaced by the shared equal one, if any (else shared from now on). */
export function shareNodeParts(node: XdsNode): XdsNode {
  const record = node as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    const value = record[field];
    if (typeof value !== 'object' || value === null) continue;
    let text: string;
    try {
      text = JSON.stringify(value);
    } catch {
      continue; // cannot be compared by its text: keep it as it is
    }
    if (text.length < SHARED_NODE_PART_CHARS || !isPlainData(value)) continue;
    const key = `${field}\u0000${createHash('sha256').update(text).digest('base64')}`;
    const known = sharedNodeParts.get(key)?.deref();
    if (known) {
      record[field] = known;
    } else {
      deepFreeze(value);
      sharedNodeParts.set(key, new WeakRef(value));
      forgetNodePart.register(value, key);
    }
  }
  return node;
}

/** The served type URL equal to `typeUrl`, so that per-stream state keys on one shared string, not a decoded copy. */
function servedTypeUrl(served: ReadonlySet<string>, typeUrl: string): string | undefined {
  for (const t of served) if (t === typeUrl) return t;
  return undefined;
}

/** A framed response and its nonce, shared by the streams of a push that get the same content. */
export interface SharedFrame {
  readonly nonce: string;
  readonly bytes: Buffer;
}

interface InFlight {
  readonly typeUrl: string;
  readonly nonce: string;
}

export abstract class XdsStream {
  info?: XdsStreamInfo;
  /** host:port of the remote end; one HTTP/2 connection. */
  readonly peer: string;
  protected closed = false;
  private started = false;
  private authorizing = false;
  private readonly queued: DecodedRequest[] = [];
  private inFlight?: InFlight;
  private holdTimer?: NodeJS.Timeout;
  private readonly streamId: number;
  private readonly openedAt = Date.now();

  constructor(
    protected readonly host: StreamHost,
    protected readonly call: AdsCall,
    readonly protocol: XdsProtocol,
  ) {
    this.streamId = host.nextStreamId();
    this.peer = call.getPeer();
    call.on('data', (bytes: Buffer) => {
      // A bug here must end this stream, not escape into grpc-js and the process.
      try {
        this.onData(bytes);
      } catch (err) {
        this.fail(grpc.status.INTERNAL, `internal error: ${(err as Error).message}`);
      }
    });
    call.on('end', () => {
      this.close({ reason: 'client closed the stream' });
      call.end();
    });
    call.on('cancelled', () => this.close({ reason: 'cancelled' }));
    call.on('error', (err: Error) => this.close({ reason: `stream error: ${err.message}` }));
    call.on('close', () => this.close({ reason: 'closed' }));
  }

  get group(): string | undefined {
    return this.info?.group;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Per type status for the /clients view. */
  abstract typeStatus(): XdsTypeStatus[];

  /** The status of one type, from the state both protocols keep. */
  protected describeType(typeUrl: string, s: TypeStateBase, resourceCount: number): XdsTypeStatus {
    return {
      typeUrl,
      wildcard: s.wildcard,
      resourceNames: [...s.names],
      ...(s.sentVersion !== undefined ? { sentVersion: s.sentVersion } : {}),
      ...(s.lastNonce !== undefined ? { sentNonce: s.lastNonce } : {}),
      ...(s.ackedVersion !== undefined ? { ackedVersion: s.ackedVersion } : {}),
      awaitingAck: this.awaitingAck(typeUrl),
      ...(s.lastNack ? { lastNack: s.lastNack } : {}),
      resourceCount,
    };
  }

  /** Apply one request of a served type to the per-type state (ACK/NACK, names). */
  protected abstract applyRequest(typeUrl: string, request: DecodedRequest): void;

  /** The response that adds or changes resources of a type, if any is due. */
  protected abstract planAddition(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined;

  /** The response that removes resources of a type, if any is due. */
  protected abstract planRemoval(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined;

  /**
   * Send the next due response, if the previous one was answered. Called after each request and
   * when the group's resources change. Returns the number of responses written (0 or 1).
   */
  pump(): number {
    if (this.closed || !this.info || this.inFlight) return 0;
    const group = this.info.group;
    // Whatever comes after the endpoints (listeners, routes, secrets, removals) may have to wait.
    let afterEndpoints = false;
    for (const typeUrl of this.host.additionOrder) {
      const snapshot = this.host.snapshot(group, typeUrl);
      const planned = snapshot && this.planAddition(typeUrl, snapshot);
      if (planned) return afterEndpoints && this.holdForEndpoints() ? 0 : this.send(planned);
      if (typeUrl === ENDPOINT_TYPE_URL) afterEndpoints = true;
    }
    for (const typeUrl of this.host.removalOrder) {
      const snapshot = this.host.snapshot(group, typeUrl);
      const planned = snapshot && this.planRemoval(typeUrl, snapshot);
      if (planned) return this.holdForEndpoints() ? 0 : this.send(planned);
    }
    return 0;
  }

  /**
   * Make-before-break (X20): after new EDS clusters reach a client that uses EDS, it subscribes to
   * their endpoints right after ACKing the clusters. Listeners and routes (and removals) wait for
   * that subscription, so the endpoints go out first; but never longer than the hold time, in
   * case the client has reasons not to ask.
   */
  private holdForEndpoints(): boolean {
    const since = this.clustersAwaitingEndpointSubscription();
    if (since === undefined) return false;
    const remaining = since + this.host.endpointHoldMs - Date.now();
    if (remaining <= 0) return false;
    if (!this.holdTimer) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.pump();
      }, remaining + 1);
      this.holdTimer.unref();
    }
    return true;
  }

  /**
   * When the client holds EDS clusters whose endpoints exist but which it has not subscribed to
   * yet: the time the clusters were sent. Undefined otherwise.
   */
  protected abstract clustersAwaitingEndpointSubscription(): number | undefined;

  /** End the stream from the server side with OK (shutdown) so the client reconnects. */
  end(reason: string): void {
    if (this.closed) return;
    this.close({ code: grpc.status.OK, reason });
    try {
      this.call.end();
    } catch {
      // already gone
    }
  }

  /** End the stream with an error status. */
  protected fail(code: grpc.status, message: string): void {
    if (this.closed) return;
    const details = abbreviate(message, STATUS_MESSAGE_CHARS);
    this.close({ code, reason: details });
    this.call.emit('error', { code, details });
  }

  /** End the stream for a reason of the server's own, and report it to onRefused. */
  private refuse(cause: XdsRefusalCause, code: grpc.status, message: string, nodeId?: string): void {
    if (this.closed) return;
    this.host.onRefused({
      cause,
      code,
      message: abbreviate(message, STATUS_MESSAGE_CHARS),
      protocol: this.protocol,
      peer: this.peer,
      ...(nodeId !== undefined ? { nodeId: abbreviate(nodeId) } : {}),
      ...(this.info ? { streamId: this.streamId } : {}),
    });
    this.fail(code, message);
  }

  /** Build a NACK record and pass it to the host; returns it for the type state. */
  protected recordNack(typeUrl: string, state: TypeStateBase, request: DecodedRequest, acceptedVersion: string, nonce: string): XdsNackRecord {
    const detail = (request.error_detail ?? {}) as { message?: unknown; code?: unknown };
    const now = Date.now();
    const nack: XdsNackRecord = {
      nodeId: this.info!.nodeId,
      group: this.info!.group,
      streamId: this.streamId,
      typeUrl,
      rejectedVersion: state.sentVersion ?? '',
      acceptedVersion,
      nonce,
      message: typeof detail.message === 'string' ? abbreviate(detail.message, NACK_MESSAGE_CHARS) : '',
      code: typeof detail.code === 'number' ? detail.code : 0,
      at: now,
      latencyMs: now - (state.sentAt ?? now),
    };
    state.lastNack = nack;
    this.host.onNack(this.info!, nack);
    return nack;
  }

  /** Note an ACK of the latest response of a type. */
  protected recordAck(typeUrl: string, state: TypeStateBase, nonce: string): void {
    state.ackedVersion = state.sentVersion;
    this.host.onAck(this.info!, {
      typeUrl,
      version: state.sentVersion ?? '',
      nonce,
      latencyMs: Date.now() - (state.sentAt ?? Date.now()),
    });
  }

  /** The response with this nonce was answered: the next one may go. */
  protected answered(nonce: string): void {
    if (this.inFlight?.nonce === nonce) this.inFlight = undefined;
  }

  protected awaitingAck(typeUrl: string): boolean {
    return this.inFlight?.typeUrl === typeUrl;
  }

  private send(planned: PlannedResponse): number {
    // During a push, streams that receive the same content share one frame, nonce included: a
    // nonce must be unique within a stream, and a fresh one (never used by any stream) is.
    const shared = this.host.sharedFrames;
    const key = shared ? planned.contentKey() : undefined;
    let frame = key !== undefined ? shared!.get(key) : undefined;
    if (!frame) {
      const fresh = this.host.nextNonce();
      frame = { nonce: fresh, bytes: planned.frame(fresh) };
      if (key !== undefined) shared!.set(key, frame);
    }
    const { nonce, bytes } = frame;
    planned.commit(nonce);
    this.inFlight = { typeUrl: planned.typeUrl, nonce };
    this.call.write(bytes);
    this.host.onResponse(this.info!, {
      typeUrl: planned.typeUrl,
      version: planned.version,
      nonce,
      resourceNames: planned.resourceNames,
      ...(planned.removedResources ? { removedResources: planned.removedResources } : {}),
      bytes: bytes.length,
    });
    return 1;
  }

  private onData(bytes: Buffer): void {
    if (this.closed) return;
    const request = this.read(bytes);
    if (!request) return;
    if (this.authorizing) {
      if (this.queued.length >= MAX_REQUESTS_BEFORE_AUTHORIZATION) {
        this.refuse('requestsBeforeAuthorization', grpc.status.RESOURCE_EXHAUSTED,
          `more than ${MAX_REQUESTS_BEFORE_AUTHORIZATION} requests arrived before the stream was authorized`);
        return;
      }
      this.queued.push(request);
      return;
    }
    if (!this.info) {
      this.start(request);
      return;
    }
    this.handle(request);
  }

  /**
   * Decode a request after checking what the limits allow; undefined when the stream was ended.
   * The first request's node is measured before it is decoded, and its id checked before
   * anything keeps it.
   */
  private read(bytes: Buffer): DecodedRequest | undefined {
    const first = !this.started;
    this.started = true;
    let request: DecodedRequest;
    try {
      const refusal = first ? checkFirstRequestNode(bytes, this.protocol, this.host.limits) : undefined;
      if (refusal) {
        this.refuse(refusal.cause, refusal.code, refusal.message);
        return undefined;
      }
      request = this.host.decodeRequest(this.protocol, bytes);
    } catch (err) {
      this.refuse('malformedRequest', grpc.status.INVALID_ARGUMENT, `the request could not be decoded: ${(err as Error).message}`, this.info?.nodeId);
      return undefined;
    }
    const id = first ? (request.node as XdsNode | undefined)?.id : this.info?.nodeId;
    const refusal = (first && typeof id === 'string' ? checkNodeId(id, this.host.limits) : undefined)
      ?? checkNameCount(request, this.protocol, this.host.limits);
    if (refusal) {
      this.refuse(refusal.cause, refusal.code, refusal.message, typeof id === 'string' ? id : undefined);
      return undefined;
    }
    return request;
  }

  private start(first: DecodedRequest): void {
    const presented = first.node as XdsNode | undefined;
    if (!presented || typeof presented.id !== 'string' || presented.id === '') {
      this.fail(grpc.status.INVALID_ARGUMENT, 'the first request of a stream must carry node.id');
      return;
    }
    const node = shareNodeParts(presented);
    let group: string;
    try {
      group = this.host.groupOf(node);
    } catch (err) {
      this.fail(grpc.status.INTERNAL, `no group for node ${abbreviate(node.id)}: ${(err as Error).message}`);
      return;
    }
    const info: XdsStreamInfo = {
      streamId: this.streamId,
      protocol: this.protocol,
      peer: this.peer,
      nodeId: node.id,
      node,
      group,
      openedAt: this.openedAt,
    };
    const decide = (decision: XdsAuthDecision): void => {
      if (this.closed) return;
      const allowed = typeof decision === 'boolean' ? decision : decision.allowed;
      if (!allowed) {
        const message = typeof decision === 'object' && decision.message ? decision.message : `node ${abbreviate(node.id)} is not allowed`;
        this.fail(grpc.status.PERMISSION_DENIED, message);
        return;
      }
      this.info = info;
      this.host.attach(this);
      this.handle(first);
      while (this.queued.length > 0 && !this.closed) this.handle(this.queued.shift()!);
    };
    let decision: XdsAuthDecision | Promise<XdsAuthDecision>;
    try {
      decision = this.host.authorize({
        protocol: this.protocol,
        peer: info.peer,
        authContext: this.call.getAuthContext(),
        metadata: this.call.metadata,
        nodeId: node.id,
        node,
      });
    } catch (err) {
      this.fail(grpc.status.INTERNAL, `authorization failed: ${(err as Error).message}`);
      return;
    }
    if (decision instanceof Promise) {
      this.authorizing = true;
      decision.then(
        (d) => {
          this.authorizing = false;
          decide(d);
        },
        (err: Error) => {
          this.authorizing = false;
          this.fail(grpc.status.INTERNAL, `authorization failed: ${err.message}`);
        },
      );
    } else {
      decide(decision);
    }
  }

  private handle(request: DecodedRequest): void {
    const requested = request.type_url;
    if (typeof requested !== 'string' || requested === '') {
      this.fail(grpc.status.INVALID_ARGUMENT, 'type_url is required on an aggregated stream');
      return;
    }
    const typeUrl = servedTypeUrl(this.host.servedTypes, requested);
    if (typeUrl === undefined) {
      this.host.onRequest(this.info!, {
        typeUrl: requested,
        kind: 'unknown-type',
        versionInfo: String(request.version_info ?? ''),
        nonce: String(request.response_nonce ?? ''),
        resourceNames: (request.resource_names ?? request.resource_names_subscribe ?? []) as string[],
      });
      return;
    }
    this.applyRequest(typeUrl, request);
    this.pump();
  }

  private close(event: XdsCloseEvent): void {
    if (this.closed) return;
    this.closed = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.queued.length = 0;
    this.host.detach(this, event);
  }
}
