import * as fc from 'fast-check';
import { protoRoot } from '../../src/xds/protos';

/**
 * Wire bytes of ADS requests for fuzzing the server's request decoder: valid DiscoveryRequest and
 * DeltaDiscoveryRequest messages encoded by protobufjs, then mutated as bytes (flipped, cut,
 * spliced, duplicated, joined with another message), and plain random bytes.
 */

export const SOTW_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
export const DELTA_REQUEST = 'envoy.service.discovery.v3.DeltaDiscoveryRequest';

/** Any string, lone surrogates included (protobufjs writes them as bytes that are not UTF-8). */
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('', 'type.googleapis.com/envoy.config.cluster.v3.Cluster'));

/** google.protobuf.Struct in protobufjs' object form (its bundled types keep camelCase). */
const struct: fc.Arbitrary<object> = fc.letrec<{ struct: object; value: object }>(tie => ({
  struct: fc.record({ fields: fc.dictionary(text, tie('value'), { maxKeys: 3 }) }),
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: text }),
    fc.record({ numberValue: fc.double({ noNaN: true }) }),
    fc.record({ boolValue: fc.boolean() }),
    fc.constant({ nullValue: 'NULL_VALUE' }),
    fc.record({ structValue: tie('struct') }),
    fc.record({ listValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
  ),
})).struct;

const node = fc.record({
  id: text,
  cluster: text,
  metadata: struct,
  locality: fc.record({ region: text, zone: text, sub_zone: text }, { requiredKeys: [] }),
  user_agent_name: text,
  user_agent_version: text,
  client_features: fc.array(text, { maxLength: 3 }),
}, { requiredKeys: [] });

const errorDetail = fc.record({ code: fc.integer(), message: text }, { requiredKeys: [] });

const sotwRequest = fc.record({
  version_info: text,
  node,
  resource_names: fc.array(text, { maxLength: 4 }),
  type_url: text,
  response_nonce: text,
  error_detail: errorDetail,
}, { requiredKeys: [] });

const deltaRequest = fc.record({
  node,
  type_url: text,
  resource_names_subscribe: fc.array(text, { maxLength: 4 }),
  resource_names_unsubscribe: fc.array(text, { maxLength: 4 }),
  initial_resource_versions: fc.dictionary(text, text, { maxKeys: 3 }),
  response_nonce: text,
  error_detail: errorDetail,
}, { requiredKeys: [] });

function encoded(messageName: string, object: object): Buffer {
  const type = protoRoot().lookupType(messageName);
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** A byte-level change; positions are taken modulo the length when applied. */
type ByteMutation =
  | { readonly kind: 'set'; readonly at: number; readonly byte: number }
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'remove'; readonly at: number; readonly length: number }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number }
  | { readonly kind: 'append'; readonly bytes: Buffer };

function byteMutation(message: fc.Arbitrary<Buffer>): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.nat(255), fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 10, 18, 26, 34, 42)) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
    // A second message after the first: the wire format merges them (the last of a field wins, lists add up).
    fc.record({ kind: fc.constant('append' as const), bytes: message }),
  );
}

function applyBytes(bytes: Buffer, list: readonly ByteMutation[]): Buffer {
  let out = bytes;
  for (const m of list) {
    const at = m.kind === 'append' ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'set':
        if (out.length > 0) {
          out = Buffer.from(out);
          out[at % out.length] = m.byte;
        }
        break;
      case 'cut':
        out = out.subarray(0, at);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
        break;
      case 'remove':
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.length)]);
        break;
      case 'repeat':
        out = Buffer.concat([out.subarray(0, at + m.length), out.subarray(at)]);
        break;
      case 'append':
        out = Buffer.concat([out, m.bytes]);
        break;
    }
  }
  return out;
}

/** Request bytes for `messageName`: valid, valid then mutated, or random. */
export function requestBytes(messageName: typeof SOTW_REQUEST | typeof DELTA_REQUEST): fc.Arbitrary<Buffer> {
  const valid = (messageName === SOTW_REQUEST ? sotwRequest : deltaRequest).map(object => encoded(messageName, object));
  return fc.oneof(
    valid,
    fc.tuple(valid, fc.array(byteMutation(valid), { minLength: 1, maxLength: 4 })).map(([bytes, list]) => applyBytes(bytes, list)),
    fc.uint8Array({ maxLength: 64 }).map(bytes => Buffer.from(bytes)),
  );
}
