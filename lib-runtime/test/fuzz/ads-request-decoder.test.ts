import { isDeepStrictEqual } from 'util';
import * as fc from 'fast-check';
import { DELTA_REQUEST, requestBytes, SOTW_REQUEST } from './discovery-request-bytes';
import { fuzz, jestTimeout } from './fuzz-run';
import { adsServiceDefinition, decodeAckLikeRequest, OBJECT_OPTIONS, protoRoot } from '../../src/xds/protos';

/**
 * The server's ADS request decoders against protobufjs: for random and mutated request bytes the
 * server's deserializer (for SotW: the hand-written ACK decoder, falling back to protobufjs) gives
 * exactly what protobufjs' decode gives, and fails exactly when protobufjs fails, always with the
 * same kind of error. The hand-written decoder alone, when it answers, answers the same.
 */

type Outcome = { readonly value: unknown } | { readonly error: unknown };

function outcome(decode: () => unknown): Outcome {
  try {
    return { value: decode() };
  } catch (error) {
    return { error };
  }
}

function show(o: Outcome): string {
  return 'error' in o ? `throws ${String(o.error)}` : `returns ${JSON.stringify(o.value)}`;
}

/**
 * The server's deserializer: protobufjs' result when protobufjs decodes the bytes; when it does
 * not, a plain Error saying the message is malformed (grpc-js answers the stream with a status).
 */
function agreeAsServer(actual: Outcome, expected: Outcome, bytes: Buffer): void {
  const same = 'error' in expected
    ? 'error' in actual && actual.error instanceof Error && actual.error.constructor === Error && actual.error.message.startsWith('malformed ')
    : 'value' in actual && isDeepStrictEqual(actual.value, expected.value);
  if (!same) throw new Error(`the server deserializer ${show(actual)}, protobufjs ${show(expected)}, for bytes ${bytes.toString('hex')}`);
}

/** The hand-written decoder alone: no answer (undefined), or protobufjs' answer, or failing where protobufjs fails. */
function agreeAsAckDecoder(actual: Outcome, expected: Outcome, bytes: Buffer): void {
  if ('value' in actual && actual.value === undefined) return;
  const same = 'error' in expected ? 'error' in actual : 'value' in actual && isDeepStrictEqual(actual.value, expected.value);
  if (!same) throw new Error(`decodeAckLikeRequest ${show(actual)}, protobufjs ${show(expected)}, for bytes ${bytes.toString('hex')}`);
}

function reference(messageName: string, bytes: Buffer): Outcome {
  const type = protoRoot().lookupType(messageName);
  return outcome(() => type.toObject(type.decode(bytes), OBJECT_OPTIONS));
}

const ads = adsServiceDefinition();
const BUDGET_MS = 10_000;

function checkSotw(bytes: Buffer): void {
  const expected = reference(SOTW_REQUEST, bytes);
  agreeAsServer(outcome(() => ads.StreamAggregatedResources.requestDeserialize(bytes)), expected, bytes);
  agreeAsAckDecoder(outcome(() => decodeAckLikeRequest(bytes)), expected, bytes);
}

function checkDelta(bytes: Buffer): void {
  agreeAsServer(outcome(() => ads.DeltaAggregatedResources.requestDeserialize(bytes)), reference(DELTA_REQUEST, bytes), bytes);
}

test('SotW DiscoveryRequest bytes: the server decodes them as protobufjs does, and fails where it fails', async () => {
  await fuzz('DiscoveryRequest decoder', fc.asyncProperty(requestBytes(SOTW_REQUEST), async bytes => checkSotw(bytes)),
    { runs: 3000, budgetMs: BUDGET_MS });
}, jestTimeout(BUDGET_MS));

test('DeltaDiscoveryRequest bytes: the server decodes them as protobufjs does, and fails where it fails', async () => {
  await fuzz('DeltaDiscoveryRequest decoder', fc.asyncProperty(requestBytes(DELTA_REQUEST), async bytes => checkDelta(bytes)),
    { runs: 3000, budgetMs: BUDGET_MS });
}, jestTimeout(BUDGET_MS));

// Found by the fuzzer: protobufjs throws a TypeError for a node whose metadata Struct has an entry
// without a value: node { metadata { fields { key: "a" } } }, the node being field 2 of a
// DiscoveryRequest and field 1 of a DeltaDiscoveryRequest.
const NODE_WITH_ENTRY_WITHOUT_VALUE = [0x07, 0x1a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x61];

test('found by the fuzzer: a metadata entry without a value is a malformed request, in both protocols', () => {
  const sotw = Buffer.from([0x12, ...NODE_WITH_ENTRY_WITHOUT_VALUE]);
  expect(reference(SOTW_REQUEST, sotw)).toEqual({ error: expect.any(TypeError) });
  expect(() => checkSotw(sotw)).not.toThrow();
  const delta = Buffer.from([0x0a, ...NODE_WITH_ENTRY_WITHOUT_VALUE]);
  expect(reference(DELTA_REQUEST, delta)).toEqual({ error: expect.any(TypeError) });
  expect(() => checkDelta(delta)).not.toThrow();
});

// Found by the fuzzer: two nodes, the first one malformed (protobufjs decodes both and fails on it).
test('found by the fuzzer: a request with a malformed node and then a good one fails, as in protobufjs', () => {
  const bytes = Buffer.from('121312001100000000000000002a04f0908080320412023020', 'hex');
  expect(reference(SOTW_REQUEST, bytes)).toEqual({ error: expect.any(Error) });
  expect(() => checkSotw(bytes)).not.toThrow();
});

// A node's last string that claims more bytes than the node has: protobufjs reads no further than
// the node's end (node { id: "" }, then response_nonce "a"), as decoding the node on its own does.
test('a node whose last string runs past its end decodes as protobufjs decodes it', () => {
  const bytes = Buffer.from([0x12, 0x02, 0x0a, 0x05, 0x2a, 0x01, 0x61]);
  expect(reference(SOTW_REQUEST, bytes)).toEqual({ value: { node: { id: '' }, response_nonce: 'a' } });
  expect(() => checkSotw(bytes)).not.toThrow();
});
