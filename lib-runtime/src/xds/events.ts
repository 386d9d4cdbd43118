/**
 * What the xDS server tells the layer above: hooks for metrics and logs, the authentication
 * hook, and the status shape of the /clients view. Plain data only.
 */
import type { Metadata, ServerDuplexStream } from '@grpc/grpc-js';
import type { XdsLimits } from './limits';

/** TLS details of a call (grpc-js does not export the AuthContext type by name). */
export type XdsAuthContext = ReturnType<ServerDuplexStream<unknown, unknown>['getAuthContext']>;

/** The Envoy `config.core.v3.Node` of a client as decoded (snake_case keys). */
export interface XdsNode {
  readonly id: string;
  readonly cluster?: string;
  readonly [field: string]: unknown;
}

export type XdsProtocol = 'sotw' | 'delta';

/** A stream as hooks and status see it. */
export interface XdsStreamInfo {
  /** Unique for the life of the process. */
  readonly streamId: number;
  readonly protocol: XdsProtocol;
  /** host:port of the remote end. */
  readonly peer: string;
  readonly nodeId: string;
  readonly node: XdsNode;
  /** The group whose resources the stream receives (options.groupOf). */
  readonly group: string;
  /** Date.now() when the stream was accepted. */
  readonly openedAt: number;
}

/** How the server read a request. */
export type XdsRequestKind =
  /** first request of a type on the stream, or a request before any response of that type */
  | 'initial'
  /** acknowledges the latest response of its type */
  | 'ack'
  /** rejects the latest response of its type (error_detail set) */
  | 'nack'
  /** echoes an older nonce: SotW ignores it, delta keeps its subscription changes */
  | 'stale'
  /** a type the server does not serve: ignored, the stream stays up */
  | 'unknown-type';

export interface XdsRequestEvent {
  readonly typeUrl: string;
  readonly kind: XdsRequestKind;
  readonly versionInfo: string;
  readonly nonce: string;
  /** SotW: resource_names. Delta: resource_names_subscribe. */
  readonly resourceNames: readonly string[];
  /** Delta only: resource_names_unsubscribe. */
  readonly unsubscribed?: readonly string[];
}

export interface XdsResponseEvent {
  readonly typeUrl: string;
  /** version_info (SotW) or system_version_info (delta). */
  readonly version: string;
  readonly nonce: string;
  readonly resourceNames: readonly string[];
  /** Delta only. */
  readonly removedResources?: readonly string[];
  /** Size of the framed message. */
  readonly bytes: number;
}

export interface XdsAckEvent {
  readonly typeUrl: string;
  readonly version: string;
  readonly nonce: string;
  /** From sending the response to receiving its ACK. */
  readonly latencyMs: number;
}

/** A rejected response, as recorded for the /clients view and the NACK hook. */
export interface XdsNackRecord {
  readonly nodeId: string;
  readonly group: string;
  readonly streamId: number;
  readonly typeUrl: string;
  /** The version the client rejected (the version of the response the nonce names). */
  readonly rejectedVersion: string;
  /** The version the client still runs (version_info of the NACK; '' when it has none). */
  readonly acceptedVersion: string;
  readonly nonce: string;
  /** error_detail.message as sent by the client. */
  readonly message: string;
  /** error_detail.code. */
  readonly code: number;
  /** Date.now() when the NACK arrived. */
  readonly at: number;
  /** From sending the response to receiving the NACK. */
  readonly latencyMs: number;
}

export interface XdsCloseEvent {
  /** gRPC status code the stream ended with, when the server ended it. */
  readonly code?: number;
  readonly reason: string;
}

/** A push: resources of one or more groups changed and the affected streams were served. */
export interface XdsPushEvent {
  readonly groups: readonly string[];
  /** Streams that were looked at. */
  readonly streams: number;
  /** Responses written during the push (ordered follow-ups are sent later, as ACKs arrive). */
  readonly responses: number;
  /** Time spent planning and writing, in ms. */
  readonly durationMs: number;
}

/**
 * Why the server refused a stream on its own (the authorize hook's refusals are the hook's to
 * count): a limit it exceeded, a drain in progress, too many requests before it was authorized,
 * or a first request that could not be read.
 */
export type XdsRefusalCause = keyof XdsLimits | 'draining' | 'requestsBeforeAuthorization' | 'malformedRequest';

export interface XdsRefusalEvent {
  readonly cause: XdsRefusalCause;
  /** The gRPC status code the stream was ended with. */
  readonly code: number;
  /** The status message the client received. */
  readonly message: string;
  readonly protocol: XdsProtocol;
  readonly peer: string;
  /** The node id when it was read (first 128 characters and the length when longer). */
  readonly nodeId?: string;
  /** Set when the stream had been served: onStreamClose follows for it. */
  readonly streamId?: number;
}

/**
 * Observability hooks; each is optional and called synchronously. An exception thrown by a hook
 * is caught and ignored so that metrics can never break a stream.
 */
export interface XdsServerHooks {
  onStreamOpen?(stream: XdsStreamInfo): void;
  onStreamClose?(stream: XdsStreamInfo, event: XdsCloseEvent): void;
  onRequest?(stream: XdsStreamInfo, event: XdsRequestEvent): void;
  onResponse?(stream: XdsStreamInfo, event: XdsResponseEvent): void;
  onAck?(stream: XdsStreamInfo, event: XdsAckEvent): void;
  onNack?(stream: XdsStreamInfo, nack: XdsNackRecord): void;
  onPush?(event: XdsPushEvent): void;
  onRefused?(event: XdsRefusalEvent): void;
}

/** What the authentication hook sees before a stream is served. */
export interface XdsAuthRequest {
  readonly protocol: XdsProtocol;
  readonly peer: string;
  /** TLS details when the server uses TLS credentials (sslPeerCertificate holds the client cert). */
  readonly authContext: XdsAuthContext;
  /** Request metadata (for example a bearer token). */
  readonly metadata: Metadata;
  /** The node id the client claims in its first request. */
  readonly nodeId: string;
  readonly node: XdsNode;
}

/** true / false, or an object with a message the client receives when refused. */
export type XdsAuthDecision = boolean | { readonly allowed: boolean; readonly message?: string };

export type XdsAuthorizer = (request: XdsAuthRequest) => XdsAuthDecision | Promise<XdsAuthDecision>;

/** Per stream and type, for the /clients view. */
export interface XdsTypeStatus {
  readonly typeUrl: string;
  readonly wildcard: boolean;
  /** Explicitly subscribed names (without '*'). */
  readonly resourceNames: readonly string[];
  /** Last version sent, if any. */
  readonly sentVersion?: string;
  readonly sentNonce?: string;
  /** Last version the client acknowledged. */
  readonly ackedVersion?: string;
  /** A response of this type waits for its ACK or NACK. */
  readonly awaitingAck: boolean;
  readonly lastNack?: XdsNackRecord;
  /** How many resources of this type the client holds according to the server. */
  readonly resourceCount: number;
}

export interface XdsStreamStatus extends XdsStreamInfo {
  readonly types: readonly XdsTypeStatus[];
}

export interface XdsServerStatus {
  readonly streams: readonly XdsStreamStatus[];
  /** The most recent NACKs, newest last. */
  readonly recentNacks: readonly XdsNackRecord[];
  /** Per group and type: the current version. */
  readonly versions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}
