/**
 * The wire side of a lightweight ADS client: requests are encoded with the project's protobufjs
 * types; responses are read with a minimal decoder that only extracts version, type URL, nonce
 * and the raw Any entries, as a cheap client would before deciding what to do. Full decoding of
 * resources happens only where a real client must look inside (listeners for their route
 * names, clusters for their EDS names), never on the push path of routes and endpoints.
 */
import { Reader, Writer } from 'protobufjs';
import { decodeResource, messageType } from '../../lib-runtime/src/xds/protos';

export interface DiscoveryRequestFields {
  readonly typeUrl: string;
  readonly names: readonly string[];
  readonly versionInfo?: string;
  readonly nonce?: string;
  readonly node?: Record<string, unknown>;
}

/** The header of a DiscoveryResponse and its resources as undecoded Any messages. */
export interface MinimalResponse {
  readonly versionInfo: string;
  readonly typeUrl: string;
  readonly nonce: string;
  readonly resources: readonly Uint8Array[];
  readonly bytes: number;
}

/**
 * DiscoveryRequest: version_info 1, node 2, resource_names 3, type_url 4, response_nonce 5.
 * ACKs (no node) are framed by hand, as cheaply as a client can; the node goes through protobufjs.
 */
export function encodeDiscoveryRequest(request: DiscoveryRequestFields): Buffer {
  if (!request.node) {
    const w = Writer.create();
    if (request.versionInfo) w.uint32(10).string(request.versionInfo);
    for (const name of request.names) w.uint32(26).string(name);
    w.uint32(34).string(request.typeUrl);
    if (request.nonce) w.uint32(42).string(request.nonce);
    const bytes = w.finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const type = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  const bytes = type.encode(type.fromObject({
    version_info: request.versionInfo ?? '',
    type_url: request.typeUrl,
    resource_names: [...request.names],
    response_nonce: request.nonce ?? '',
    ...(request.node ? { node: request.node } : {}),
  })).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Field number and wire type of a protobuf tag (tag = field * 8 + wire type). */
export function fieldOf(tag: number): number {
  return Math.floor(tag / 8);
}
export function wireTypeOf(tag: number): number {
  return tag % 8;
}

/** DiscoveryResponse fields: version_info 1, resources 2, type_url 4, nonce 5 (others skipped). */
export function decodeMinimalResponse(bytes: Buffer): MinimalResponse {
  const reader = Reader.create(bytes);
  let versionInfo = '';
  let typeUrl = '';
  let nonce = '';
  const resources: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (fieldOf(tag)) {
      case 1: versionInfo = reader.string(); break;
      case 2: resources.push(reader.bytes()); break;
      case 4: typeUrl = reader.string(); break;
      case 5: nonce = reader.string(); break;
      default: reader.skipType(wireTypeOf(tag));
    }
  }
  return { versionInfo, typeUrl, nonce, resources, bytes: bytes.length };
}

/** The value (field 2) of a google.protobuf.Any. */
function anyValue(any: Uint8Array): Uint8Array {
  const reader = Reader.create(any);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (fieldOf(tag) === 2) return reader.bytes();
    reader.skipType(wireTypeOf(tag));
  }
  return new Uint8Array();
}

/** Fully decode one resource of a response (proto-loader style object, nested Any expanded). */
export function decodeAnyResource(typeUrl: string, any: Uint8Array): Record<string, any> {
  return decodeResource(typeUrl, anyValue(any));
}
