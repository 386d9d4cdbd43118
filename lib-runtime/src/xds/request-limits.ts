/**
 * The checks of XdsLimits that concern one request. The node of a first request is measured on
 * the wire, before it is decoded: its size, and the nesting of its metadata without recursion (a
 * deeply nested Struct would otherwise exhaust the decoder's stack).
 */
import * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import type { XdsProtocol } from './events';
import { limitClause, type XdsLimits } from './limits';

/** A request that exceeds a limit: the status the stream ends with. */
export interface LimitRefusal {
  readonly cause: keyof XdsLimits;
  readonly code: grpc.status;
  readonly message: string;
}

/** Field number of `node` in DiscoveryRequest (SotW) and DeltaDiscoveryRequest. */
const NODE_FIELD: Readonly<Record<XdsProtocol, number>> = { sotw: 2, delta: 1 };
const NODE_METADATA_FIELD = 3;
const LENGTH_DELIMITED = 2;

/** A wire tag's field number and wire type (tags are unsigned). */
const fieldOf = (tag: number): number => Math.floor(tag / 8);
const wireTypeOf = (tag: number): number => tag % 8;

/** The contents of every length-delimited occurrence of `field` in a message (views, not copies). */
function occurrences(bytes: Uint8Array, field: number): Uint8Array[] {
  const reader = protobuf.Reader.create(bytes);
  const found: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (fieldOf(tag) === field && wireTypeOf(tag) === LENGTH_DELIMITED) {
      const length = reader.uint32();
      const start = reader.pos;
      reader.skip(length);
      found.push(bytes.subarray(start, start + length));
    } else {
      reader.skipType(wireTypeOf(tag));
    }
  }
  return found;
}

/** The messages of google.protobuf.Struct and what each of their length-delimited fields holds. */
enum Shape { Struct, Entry, Value, List }
const CHILD_SHAPES: ReadonlyArray<Readonly<Record<number, Shape>>> = [
  /* Struct */ { 1: Shape.Entry }, // map<string, Value> fields
  /* Entry */ { 2: Shape.Value }, // the map entry's value
  /* Value */ { 5: Shape.Struct, 6: Shape.List }, // struct_value, list_value
  /* List */ { 1: Shape.Value }, // repeated Value values
];

/** Whether an encoded Struct nests Structs and lists more than `max` levels deep (itself being level 1). */
function nestsDeeperThan(struct: Uint8Array, max: number): boolean {
  const reader = protobuf.Reader.create(struct);
  const open: Array<{ shape: Shape; end: number }> = [{ shape: Shape.Struct, end: struct.length }];
  let depth = 1;
  if (depth > max) return true;
  while (open.length > 0) {
    const top = open[open.length - 1];
    if (reader.pos >= top.end) {
      open.pop();
      if (top.shape === Shape.Struct || top.shape === Shape.List) depth--;
      continue;
    }
    const tag = reader.uint32();
    const child = wireTypeOf(tag) === LENGTH_DELIMITED ? CHILD_SHAPES[top.shape][fieldOf(tag)] : undefined;
    if (child === undefined) {
      reader.skipType(wireTypeOf(tag));
      continue;
    }
    const end = reader.uint32() + reader.pos;
    if (end > top.end) throw new RangeError('a field runs past the end of its message');
    open.push({ shape: child, end });
    if ((child === Shape.Struct || child === Shape.List) && ++depth > max) return true;
  }
  return false;
}

/**
 * The node of a stream's first request against maxNodeBytes and maxMetadataDepth, read from the
 * encoded request. Throws on bytes that are not a well-formed message.
 */
export function checkFirstRequestNode(bytes: Uint8Array, protocol: XdsProtocol, limits: XdsLimits): LimitRefusal | undefined {
  const nodes = occurrences(bytes, NODE_FIELD[protocol]);
  const size = nodes.reduce((sum, node) => sum + node.length, 0);
  if (size > limits.maxNodeBytes) {
    return {
      cause: 'maxNodeBytes',
      code: grpc.status.INVALID_ARGUMENT,
      message: `node is ${size} bytes; ${limitClause(limits, 'maxNodeBytes')}`,
    };
  }
  for (const node of nodes) {
    for (const metadata of occurrences(node, NODE_METADATA_FIELD)) {
      if (nestsDeeperThan(metadata, limits.maxMetadataDepth)) {
        return {
          cause: 'maxMetadataDepth',
          code: grpc.status.INVALID_ARGUMENT,
          message: `node.metadata is nested more than ${limits.maxMetadataDepth} levels deep; ${limitClause(limits, 'maxMetadataDepth')}`,
        };
      }
    }
  }
  return undefined;
}

export function checkNodeId(id: string, limits: XdsLimits): LimitRefusal | undefined {
  if (id.length <= limits.maxNodeIdLength) return undefined;
  return {
    cause: 'maxNodeIdLength',
    code: grpc.status.INVALID_ARGUMENT,
    message: `node id is ${id.length} characters; ${limitClause(limits, 'maxNodeIdLength')}`,
  };
}

function lengthOf(list: unknown): number {
  return Array.isArray(list) ? list.length : 0;
}

/** resource_names (SotW), or subscribe + unsubscribe + initial_resource_versions (delta) of a decoded request. */
export function checkNameCount(request: Record<string, unknown>, protocol: XdsProtocol, limits: XdsLimits): LimitRefusal | undefined {
  const initial = request.initial_resource_versions;
  const count = protocol === 'sotw'
    ? lengthOf(request.resource_names)
    : lengthOf(request.resource_names_subscribe) + lengthOf(request.resource_names_unsubscribe)
      + (typeof initial === 'object' && initial !== null ? Object.keys(initial).length : 0);
  if (count <= limits.maxResourceNamesPerRequest) return undefined;
  return {
    cause: 'maxResourceNamesPerRequest',
    code: grpc.status.INVALID_ARGUMENT,
    message: `the request names ${count} resources; ${limitClause(limits, 'maxResourceNamesPerRequest')}`,
  };
}
