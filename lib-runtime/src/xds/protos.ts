/**
 * The Envoy v3 protos, loaded once from the pinned @grpc/grpc-js-xds package (its deps/ folder),
 * never fetched from the network.
 *
 * The server loads them from a JSON descriptor made from those files by
 * `build-tools/gen-xds-protos.js` (`envoy-protos.generated.ts`, see proto-descriptor.ts): parsing
 * the .proto text took ≈ 0.2 s of every start. `loadProtoFiles` is the parse the descriptor is
 * made from; a test keeps the two equal.
 *
 * Every file goes into ONE protobufjs Root in one loadSync call: an Any is packed only when its
 * message lives in the same Root (docs/xds-rules.md, "One proto Root"), so ADS, the five resource types
 * and every message packed into an Any by the translator are loaded together. We load with
 * protobufjs directly (the same loader and options @grpc/proto-loader uses, keepCase) because the
 * server needs the Root itself: to encode each resource once and frame responses from cached
 * bytes, and to check resource objects for misspelled fields.
 *
 * Objects follow the proto-loader conventions of the project: snake_case field names, enums as
 * strings, Durations as {seconds, nanos}, Any as {'@type': 'type.googleapis.com/<Name>', ...fields}.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as grpc from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import * as descriptorJson from 'protobufjs/google/protobuf/descriptor.json';
import { ENVOY_PROTOS_DESCRIPTOR_JSON } from './envoy-protos.generated';
import { ProtoDescriptor, rootFromDescriptor } from './proto-descriptor';
import { ElementMemo, splitResource, SplitResource } from './shared-elements';
import { messageNameOf, shortTypeName } from './type-urls';

/** The .proto files loaded, relative to the include directories. */
export const PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/core/v3/health_check.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/raw_buffer/v3/raw_buffer.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/health_check/v3/health_check.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/retry/host/previous_hosts/v3/previous_hosts.proto',
  'envoy/extensions/load_balancing_policies/round_robin/v3/round_robin.proto',
  'envoy/extensions/load_balancing_policies/ring_hash/v3/ring_hash.proto',
  'envoy/extensions/load_balancing_policies/wrr_locality/v3/wrr_locality.proto',
  'envoy/extensions/load_balancing_policies/pick_first/v3/pick_first.proto',
];

/** How decoded messages are turned into objects (the proto-loader settings of the project). */
export const OBJECT_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  oneofs: true,
  json: true,
};

const ANY_PREFIX = 'type.googleapis.com/';

/** The include directories inside the pinned grpc-js-xds package. */
export function protoIncludeDirs(): string[] {
  const packageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(packageDir, 'deps', dir));
}

/**
 * The Root parsed from the .proto files: what the descriptor is generated from and checked
 * against. Resolves every reference, so a missing import fails here.
 */
export function loadProtoFiles(): protobuf.Root {
  registerDescriptorProto();
  const includeDirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync([...PROTO_FILES], { keepCase: true });
  root.resolveAll();
  return root;
}

/**
 * protobufjs bundles descriptor.proto as JSON but does not register it; the validate and udpa
 * annotation protos import it (and so do tests that load further protos next to the root).
 */
function registerDescriptorProto(): void {
  const descriptorNested = (descriptorJson as unknown as { nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } } })
    .nested.google.nested.protobuf.nested;
  protobuf.common('descriptor', descriptorNested as Record<string, protobuf.INamespace>);
}

let cachedRoot: protobuf.Root | undefined;

/** The shared Root, made from the generated descriptor on first use and kept for the life of the process. */
export function protoRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  registerDescriptorProto();
  cachedRoot = rootFromDescriptor(JSON.parse(ENVOY_PROTOS_DESCRIPTOR_JSON) as ProtoDescriptor);
  return cachedRoot;
}

const typeCache = new Map<string, protobuf.Type>();

/** The message type of a full message name (`envoy.config.cluster.v3.Cluster`). */
export function messageType(fullName: string): protobuf.Type {
  let type = typeCache.get(fullName);
  if (!type) {
    try {
      type = protoRoot().lookupType(fullName);
    } catch {
      throw new Error(`protobuf message ${fullName} is not loaded (see PROTO_FILES in xds/protos.ts)`);
    }
    typeCache.set(fullName, type);
  }
  return type;
}

/** The message type a type URL names. */
export function messageTypeOfUrl(typeUrl: string): protobuf.Type {
  if (!typeUrl.startsWith(ANY_PREFIX)) throw new Error(`type URL ${typeUrl} must start with ${ANY_PREFIX}`);
  return messageType(messageNameOf(typeUrl));
}

/**
 * Problems with a resource object: field names its message does not have (protobufjs would
 * silently drop them), unknown enum names, Any values whose type is missing, lacks the
 * type.googleapis.com/ prefix or is not loaded, and values of the wrong shape. Empty when fine.
 */
export function checkResourceObject(typeUrl: string, resource: object): string[] {
  const problems: string[] = [];
  const type = messageTypeOfUrl(typeUrl);
  const record = resource as Record<string, unknown>;
  if (record['@type'] !== undefined && record['@type'] !== typeUrl) {
    problems.push(`@type: ${String(record['@type'])} does not match ${typeUrl}`);
  }
  checkMessage(type, resource, new CheckPath(shortTypeName(typeUrl)), problems, true, 0);
  return problems;
}

const MAX_DEPTH = 64;

const enum Step { Field, Index, MapKey, AnyType }

/**
 * Where the check is inside the object (`Cluster.load_assignment.endpoints[0]…`), kept as a stack
 * of steps and written out only for a problem: the check visits every field of every resource
 * that changed, and building the text of each path was most of what it allocated.
 */
class CheckPath {
  private readonly steps: Step[] = [];
  private readonly parts: Array<string | number> = [];

  constructor(private readonly root: string) {}

  push(step: Step, part: string | number): void {
    this.steps.push(step);
    this.parts.push(part);
  }

  pop(): void {
    this.steps.pop();
    this.parts.pop();
  }

  toString(): string {
    let text = this.root;
    for (let i = 0; i < this.steps.length; i++) {
      const part = this.parts[i];
      switch (this.steps[i]) {
        case Step.Field: text += `.${part}`; break;
        case Step.Index: text += `[${part}]`; break;
        case Step.MapKey: text += `[${JSON.stringify(part)}]`; break;
        case Step.AnyType: text += `<${shortTypeName(String(part))}>`; break;
      }
    }
    return text;
  }
}

let anyType: protobuf.Type | undefined;

/**
 * Whether a message type is google.protobuf.Any. Compared by identity (one Root): protobufjs'
 * `fullName` getter rebuilds the dotted name from the parents on every call, which showed up in
 * the profile of a push since checkMessage asks it for every nested message.
 */
function isAnyType(type: protobuf.Type): boolean {
  anyType ??= messageType('google.protobuf.Any');
  return type === anyType;
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function checkMessage(type: protobuf.Type, value: unknown, where: CheckPath, problems: string[], allowAtType: boolean, depth: number): void {
  if (depth > MAX_DEPTH) {
    problems.push(`${where}: nested too deeply`);
    return;
  }
  if (isAnyType(type)) {
    checkAny(value, where, problems, depth);
    return;
  }
  if (!isPlainObject(value)) {
    problems.push(`${where}: expected an object for ${type.fullName.slice(1)}, got ${describe(value)}`);
    return;
  }
  // for…in with an own-property test visits what Object.entries would, in the same order,
  // without building an array per object and per field.
  for (const key in value) {
    if (!hasOwn(value, key)) continue;
    if (key === '@type' && allowAtType) continue;
    const fieldValue = value[key];
    // Own properties only: a key such as `constructor` must not find Object.prototype's.
    const field = hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (!field) {
      const oneof = type.oneofs !== undefined && hasOwn(type.oneofs, key) ? type.oneofs[key] : undefined;
      where.push(Step.Field, key);
      if (oneof) {
        // proto-loader's `oneofs: true` adds the name of the set member under the oneof's name.
        if (typeof fieldValue !== 'string' || !oneof.oneof.includes(fieldValue)) {
          problems.push(`${where}: oneof ${key} has no member ${describe(fieldValue)}`);
        }
      } else {
        problems.push(`${where}: ${type.fullName.slice(1)} has no field ${key}${suggest(key, Object.keys(type.fields))}`);
      }
      where.pop();
      continue;
    }
    if (fieldValue === undefined || fieldValue === null) continue;
    where.push(Step.Field, key);
    if (field.map) {
      if (!isPlainObject(fieldValue)) {
        problems.push(`${where}: expected an object (map), got ${describe(fieldValue)}`);
      } else {
        for (const mapKey in fieldValue) {
          if (!hasOwn(fieldValue, mapKey)) continue;
          where.push(Step.MapKey, mapKey);
          checkSingle(field, fieldValue[mapKey], where, problems, depth);
          where.pop();
        }
      }
    } else if (field.repeated) {
      if (!Array.isArray(fieldValue)) {
        problems.push(`${where}: expected a list, got ${describe(fieldValue)}`);
      } else {
        for (let index = 0; index < fieldValue.length; index++) {
          where.push(Step.Index, index);
          checkSingle(field, fieldValue[index], where, problems, depth);
          where.pop();
        }
      }
    } else {
      checkSingle(field, fieldValue, where, problems, depth);
    }
    where.pop();
  }
}

function checkSingle(field: protobuf.Field, value: unknown, where: CheckPath, problems: string[], depth: number): void {
  const resolved = field.resolve().resolvedType;
  if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, value, where, problems, false, depth + 1);
    return;
  }
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string') {
      if (!hasOwn(resolved.values, value)) problems.push(`${where}: ${resolved.fullName.slice(1)} has no value ${value}`);
    } else if (typeof value !== 'number') {
      problems.push(`${where}: expected an enum name, got ${describe(value)}`);
    }
    return;
  }
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') problems.push(`${where}: expected a string, got ${describe(value)}`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') problems.push(`${where}: expected a boolean, got ${describe(value)}`);
      return;
    case 'bytes':
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) problems.push(`${where}: expected bytes, got ${describe(value)}`);
      return;
    default: {
      const numeric = typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value)) || typeof value === 'bigint';
      if (!numeric) problems.push(`${where}: expected a number (${field.type}), got ${describe(value)}`);
    }
  }
}

function checkAny(value: unknown, where: CheckPath, problems: string[], depth: number): void {
  if (!isPlainObject(value)) {
    problems.push(`${where}: expected an Any object, got ${describe(value)}`);
    return;
  }
  const atType = value['@type'];
  if (atType === undefined) {
    if (typeof value.type_url === 'string' && value.value !== undefined) return;
    problems.push(`${where}: Any without @type`);
    return;
  }
  if (typeof atType !== 'string' || !atType.startsWith(ANY_PREFIX)) {
    problems.push(`${where}: @type ${describe(atType)} must start with ${ANY_PREFIX}`);
    return;
  }
  let inner: protobuf.Type;
  try {
    inner = messageTypeOfUrl(atType);
  } catch {
    problems.push(`${where}: @type ${atType} is not a loaded message (add its .proto to PROTO_FILES)`);
    return;
  }
  where.push(Step.AnyType, atType);
  checkMessage(inner, value, where, problems, true, depth + 1);
  where.pop();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}

/** " (did you mean x?)" for a near miss, to make typos obvious. */
function suggest(key: string, candidates: string[]): string {
  const wanted = key.toLowerCase().replace(/[_-]/g, '');
  const match = candidates.find((c) => c.toLowerCase().replace(/[_-]/g, '') === wanted);
  return match ? ` (did you mean ${match}?)` : '';
}

/** Thrown when a resource object does not fit its message; lists every problem. */
export class ResourceEncodingError extends Error {
  constructor(readonly typeUrl: string, readonly resourceName: string | undefined, readonly problems: string[]) {
    super(`invalid ${shortTypeName(typeUrl)}${resourceName ? ` "${resourceName}"` : ''}: ${problems.join('; ')}`);
    this.name = 'ResourceEncodingError';
  }
}

/**
 * Encode a resource object as its message (not wrapped in Any). Checks the object first and
 * throws a ResourceEncodingError naming every misspelled field, bad enum or unloaded Any type.
 */
export function encodeResource(typeUrl: string, resource: object): Uint8Array {
  const type = messageTypeOfUrl(typeUrl);
  const split = splitResource(typeUrl, resource, () => type);
  // Any problem is reported by the whole-object path below, with its full path.
  const spliced = split && encodeSplit(typeUrl, type, split);
  if (spliced) return spliced;
  const problems = checkResourceObject(typeUrl, resource);
  const name = (resource as { name?: unknown; cluster_name?: unknown }).name ?? (resource as { cluster_name?: unknown }).cluster_name;
  if (problems.length > 0) throw new ResourceEncodingError(typeUrl, typeof name === 'string' ? name : undefined, problems);
  try {
    return type.encode(type.fromObject(resource)).finish();
  } catch (err) {
    throw new ResourceEncodingError(typeUrl, typeof name === 'string' ? name : undefined, [(err as Error).message]);
  }
}

/** Whether each shared element passed the check, and its bytes (see shared-elements.ts). */
const elementChecked = new ElementMemo<boolean>();
const elementBytes = new ElementMemo<Uint8Array>();

/** The bytes of a split resource, or undefined when it has a problem (or encoding throws). */
function encodeSplit(typeUrl: string, type: protobuf.Type, split: SplitResource): Uint8Array | undefined {
  const elementType = split.field.resolve().resolvedType;
  if (!(elementType instanceof protobuf.Type)) return undefined;
  const fine = (element: object): boolean => elementChecked.get(element, () => {
    const problems: string[] = [];
    // As the whole-object check visits it: one level down, no '@type' allowed.
    checkMessage(elementType, element, new CheckPath(shortTypeName(typeUrl)), problems, false, 1);
    return problems.length === 0;
  });
  if (!split.elements.every(fine)) return undefined;
  if (checkResourceObject(typeUrl, { ...split.before, ...split.after }).length > 0) return undefined;
  try {
    const writer = type.encode(type.fromObject(split.before));
    // Each element as the field would write it: its tag (wire type 2, length-delimited), length and bytes.
    const tag = split.field.id * 8 + 2;
    for (const element of split.elements) {
      writer.uint32(tag).bytes(elementBytes.get(element, () => elementType.encode(elementType.fromObject(element)).finish()));
    }
    return type.encode(type.fromObject(split.after), writer).finish();
  } catch {
    return undefined;
  }
}

/** Decode a resource message into a proto-loader style object (Any fields expanded with @type). */
export function decodeResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageTypeOfUrl(typeUrl);
  return type.toObject(type.decode(bytes), OBJECT_OPTIONS);
}

/**
 * Any bytes are kept for as long as their resource version is served, so they get slabs of their
 * own. Node's Buffer pool (what protobufjs' Writer.finish() allocates from) would put each Any in
 * an 8 KiB slab shared with short-lived buffers (the resource bytes encoded just before it,
 * response frames, gRPC messages), and one live Any keeps the whole slab: on the 200-node bench
 * mesh with 1,000 streams, 898 Anys (494 KB) kept 293 pool slabs (2.4 MB) alive; in slabs of
 * their own they take 34 × 16 KiB. A buffer of its own per Any would cost about 400 B of
 * allocator and ArrayBuffer overhead each (Anys are mostly 200 B to 3 KiB), so only large ones
 * get one.
 */
const ANY_SLAB_BYTES = 16 * 1024;
/** Anys larger than this get an exact buffer of their own. */
const ANY_OWN_BUFFER_BYTES = ANY_SLAB_BYTES / 4;
let anySlab: Buffer | undefined;
let anySlabUsed = 0;

function allocateAny(length: number): Buffer {
  if (length > ANY_OWN_BUFFER_BYTES) return Buffer.allocUnsafeSlow(length);
  if (!anySlab || anySlabUsed + length > anySlab.length) {
    anySlab = Buffer.allocUnsafeSlow(ANY_SLAB_BYTES);
    anySlabUsed = 0;
  }
  const out = anySlab.subarray(anySlabUsed, anySlabUsed + length);
  anySlabUsed += length;
  return out;
}

function varintLength(value: number): number {
  let length = 1;
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) length++;
  return length;
}

/** A non-negative integer as a protobuf varint at `at`; returns the position after it. */
function writeVarint(out: Buffer, at: number, value: number): number {
  let pos = at;
  let v = value;
  while (v >= 128) {
    out[pos++] = (v % 128) + 128;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

/**
 * Wrap encoded resource bytes in a google.protobuf.Any (type_url = 1, value = 2): the same bytes
 * protobufjs' Writer produces, in an Any slab.
 */
export function encodeAny(typeUrl: string, resourceBytes: Uint8Array): Uint8Array {
  const urlLength = Buffer.byteLength(typeUrl, 'utf8');
  const valueLength = resourceBytes.length;
  const out = allocateAny(1 + varintLength(urlLength) + urlLength + 1 + varintLength(valueLength) + valueLength);
  let pos = 0;
  out[pos++] = 10; // field 1, length-delimited
  pos = writeVarint(out, pos, urlLength);
  pos += out.write(typeUrl, pos, 'utf8');
  out[pos++] = 18; // field 2, length-delimited
  pos = writeVarint(out, pos, valueLength);
  out.set(resourceBytes, pos);
  return out;
}

const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** Serialize a message for the wire: Buffers pass through untouched (pre-framed responses). */
function serializerFor(messageName: string): (value: object) => Buffer {
  return (value: object): Buffer => {
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    const type = messageType(messageName);
    const bytes = type.encode(type.fromObject(value)).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/** Decode a message into a proto-loader style object (OBJECT_OPTIONS), as protobufjs does. */
export function decodeMessageObject(messageName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(messageName);
  return type.toObject(type.decode(bytes), OBJECT_OPTIONS);
}

const SOTW_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
const NODE = 'envoy.config.core.v3.Node';

/** One-byte wire tags (length-delimited) of the DiscoveryRequest fields an ACK carries. */
const VERSION_INFO_TAG = 10; // field 1
const NODE_TAG = 18; // field 2
const RESOURCE_NAMES_TAG = 26; // field 3
const TYPE_URL_TAG = 34; // field 4
const RESPONSE_NONCE_TAG = 42; // field 5

/**
 * A DiscoveryRequest that holds only version_info, node, resource_names, type_url and
 * response_nonce (every request but a NACK), decoded straight into the object
 * decodeMessageObject would return: same fields, same order, same values. Undefined for anything
 * else (an error_detail, resource locators, an unknown field, an unusual encoding, a truncated
 * message), which then takes the general path.
 *
 * Every ACK of every stream passes here; protobufjs would build a message instance (with empty
 * arrays for each repeated field) and then a second object from it. The node goes to protobufjs
 * as before. (Decoding it only when read, since a stream reads the node of its first request
 * only, was tried: with Envoy-sized nodes it left the process 15 to 20 KiB per stream larger in
 * malloc'd memory, measured, cause not found.)
 */
export function decodeAckLikeRequest(bytes: Uint8Array): Record<string, unknown> | undefined {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let versionInfo: string | undefined;
  let node: Buffer | undefined;
  let resourceNames: string[] | undefined;
  let typeUrl: string | undefined;
  let nonce: string | undefined;
  let pos = 0;
  const end = buffer.length;
  while (pos < end) {
    const tag = buffer[pos++];
    if (tag !== VERSION_INFO_TAG && tag !== NODE_TAG && tag !== RESOURCE_NAMES_TAG && tag !== TYPE_URL_TAG && tag !== RESPONSE_NONCE_TAG) {
      return undefined;
    }
    // The length: a varint of at most 4 bytes here (a message is far below 256 MiB).
    let length = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 4 || pos >= end) return undefined;
      const b = buffer[pos++];
      length += (b % 128) * scale;
      if (b < 128) break;
      scale *= 128;
    }
    if (length > end - pos) return undefined;
    if (tag === NODE_TAG) {
      // protobufjs decodes every node (the last one wins) and fails on a bad one: the general path does that.
      if (node !== undefined) return undefined;
      node = buffer.subarray(pos, pos + length);
      pos += length;
      continue;
    }
    const value = buffer.toString('utf8', pos, pos + length);
    pos += length;
    if (tag === VERSION_INFO_TAG) versionInfo = value;
    else if (tag === RESOURCE_NAMES_TAG) (resourceNames ??= []).push(value);
    else if (tag === TYPE_URL_TAG) typeUrl = value;
    else nonce = value;
  }
  const out: Record<string, unknown> = {};
  if (versionInfo !== undefined) out.version_info = versionInfo;
  if (node !== undefined) out.node = decodeMessageObject(NODE, node);
  if (resourceNames !== undefined) out.resource_names = resourceNames;
  if (typeUrl !== undefined) out.type_url = typeUrl;
  if (nonce !== undefined) out.response_nonce = nonce;
  return out;
}

function deserializerFor(messageName: string): (bytes: Buffer) => Record<string, unknown> {
  const decode = messageName === SOTW_REQUEST
    ? (bytes: Buffer) => decodeAckLikeRequest(bytes) ?? decodeMessageObject(messageName, bytes)
    : (bytes: Buffer) => decodeMessageObject(messageName, bytes);
  return (bytes: Buffer) => {
    try {
      return decode(bytes);
    } catch (err) {
      // One kind of error for malformed bytes: besides its RangeErrors, protobufjs throws a
      // TypeError for some (a Struct entry without its value, in a node's metadata).
      throw new Error(`malformed ${messageName}: ${(err as Error).message}`, { cause: err });
    }
  };
}

/**
 * The gRPC definition of the Aggregated Discovery Service for @grpc/grpc-js, usable by servers
 * and clients alike. Messages are proto-loader style objects; a Buffer handed to write() is sent
 * as is, which lets the server frame a response once from cached resource bytes.
 */
export function adsServiceDefinition(): grpc.ServiceDefinition {
  protoRoot();
  const method = (name: string, request: string, response: string): grpc.MethodDefinition<object, object> => ({
    path: `/${ADS_SERVICE}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: serializerFor(request),
    requestDeserialize: deserializerFor(request),
    responseSerialize: serializerFor(response),
    responseDeserialize: deserializerFor(response),
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  });
  return {
    StreamAggregatedResources: method('StreamAggregatedResources',
      'envoy.service.discovery.v3.DiscoveryRequest', 'envoy.service.discovery.v3.DiscoveryResponse'),
    DeltaAggregatedResources: method('DeltaAggregatedResources',
      'envoy.service.discovery.v3.DeltaDiscoveryRequest', 'envoy.service.discovery.v3.DeltaDiscoveryResponse'),
  };
}
