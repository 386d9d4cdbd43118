/**
 * The rule kinds Envoy's messages carry rarely or not at all (string prefix and formats, the
 * signed and floating kinds, exclusive ranges, map pairs and values, Any in, bytes…), on a test
 * message annotated as Envoy's protos are. It is parsed by protobufjs into the shared Root, the
 * same path the Envoy protos take, so the checker reads these annotations as it reads Envoy's.
 */
import * as protobuf from 'protobufjs';
import { protoRoot } from '../../src/xds/protos';
import { formatViolation, messageRuleViolations } from '../../src/xds/validation-rules';

const SAMPLE_PROTO = `
syntax = "proto3";
package oam.validationtest;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Color { COLOR_UNSET = 0; RED = 1; GREEN = 2; }

message Sample {
  string prefixed = 1 [(validate.rules).string = {prefix: "/", suffix: "/", contains: "api", not_contains: "..", max_len: 8}];
  string code = 2 [(validate.rules).string = {len: 3, ignore_empty: true}];
  string utf8 = 3 [(validate.rules).string = {min_bytes: 4, len_bytes: 4, ignore_empty: true}];
  string mode = 4 [(validate.rules).string = {not_in: ["debug"], const: "fast"}];
  string header_name = 5 [(validate.rules).string = {well_known_regex: HTTP_HEADER_NAME, ignore_empty: true}];
  string header_value = 6 [(validate.rules).string.well_known_regex = HTTP_HEADER_VALUE];
  string host = 7 [(validate.rules).string = {hostname: true, ignore_empty: true}];
  string ip = 8 [(validate.rules).string = {ipv4: true, ignore_empty: true}];
  string address = 9 [(validate.rules).string = {address: true, ignore_empty: true}];
  string id = 10 [(validate.rules).string = {uuid: true, ignore_empty: true}];
  int32 small = 11 [(validate.rules).int32 = {gte: -5, lt: 5}];
  int64 big = 12 [(validate.rules).int64 = {gt: 9007199254740992}];
  sint32 outside = 13 [(validate.rules).sint32 = {lt: 0, gt: 10}];
  float ratio = 14 [(validate.rules).float = {gt: 0, lte: 1, ignore_empty: true}];
  double exact = 15 [(validate.rules).double = {in: [0.5, 2]}];
  uint64 not_seven = 16 [(validate.rules).uint64 = {not_in: [7], const: 8}];
  Color color = 17 [(validate.rules).enum = {in: [1, 2]}];
  Color only_red = 18 [(validate.rules).enum = {const: 1}];
  map<string, Limit> limits = 19 [(validate.rules).map = {min_pairs: 1, max_pairs: 2, values: {message: {required: true}}}];
  map<uint32, string> ports = 20 [(validate.rules).map = {keys: {uint32: {gte: 1024}}, values: {string: {min_len: 1}}}];
  google.protobuf.Any config = 21 [(validate.rules).any = {in: ["type.googleapis.com/google.protobuf.Duration"]}];
  google.protobuf.Any other = 22 [(validate.rules).any = {not_in: ["type.googleapis.com/google.protobuf.Duration"]}];
  bytes key = 23 [(validate.rules).bytes = {len: 4, prefix: "k", ignore_empty: true}];
  bytes addr = 24 [(validate.rules).bytes = {ipv4: true, ignore_empty: true}];
  google.protobuf.StringValue label = 25 [(validate.rules).string = {min_len: 2}];
  google.protobuf.Int64Value budget = 26 [(validate.rules).int64 = {lte: 100}];
  google.protobuf.Duration window = 27 [(validate.rules).duration = {gte: {seconds: 1}, lte: {seconds: 60}}];
  google.protobuf.Duration tick = 28 [(validate.rules).duration = {const: {nanos: 500000000}}];
  Limit unchecked = 29 [(validate.rules).message.skip = true];
  Opaque opaque = 30;
  repeated string tags = 31 [(validate.rules).repeated = {max_items: 2, ignore_empty: true}];
  repeated Limit rules = 32 [(validate.rules).repeated = {items: {message: {skip: true}}}];
  string email = 33 [(validate.rules).string = {email: true, ignore_empty: true}];
  google.protobuf.Timestamp at = 34 [(validate.rules).timestamp.required = true];
  optional string nickname = 35 [(validate.rules).string.min_len = 3];
  repeated string hosts = 36 [(validate.rules).repeated.items.string = {hostname: true}];
  bytes token = 37 [(validate.rules).bytes = {min_len: 1, max_len: 2, ignore_empty: true}];
  string peer = 38 [(validate.rules).string = {ip: true, ignore_empty: true}];
  string peer6 = 39 [(validate.rules).string = {ipv6: true, ignore_empty: true}];
  bytes magic = 40 [(validate.rules).bytes = {const: "ab", ignore_empty: true}];
  bytes framed = 41 [(validate.rules).bytes = {suffix: "z", contains: "m", pattern: "^a", min_len: 3, ignore_empty: true}];
  bytes flag = 42 [(validate.rules).bytes = {in: ["y", "n"], not_in: ["n"], ignore_empty: true}];
  bytes addr_any = 43 [(validate.rules).bytes = {ip: true, ignore_empty: true}];
  bytes addr6 = 44 [(validate.rules).bytes = {ipv6: true, ignore_empty: true}];
  map<string, string> labels = 45 [(validate.rules).map = {min_pairs: 2, ignore_empty: true}];
  google.protobuf.Duration grace = 46 [(validate.rules).duration = {lt: {seconds: 10}, in: {seconds: 1}, not_in: {seconds: 2}}];
}

message Limit {
  string name = 1 [(validate.rules).string.min_len = 1];
}

message Opaque {
  option (validate.disabled) = true;
  string name = 1 [(validate.rules).string.min_len = 1];
}
`;

/** A Sample that breaks nothing; each case changes one field. */
const VALID = {
  prefixed: '/api/',
  mode: 'fast',
  header_value: 'ok',
  small: 0,
  big: '9007199254740993',
  outside: -1,
  exact: 0.5,
  not_seven: '8',
  color: 'RED',
  only_red: 'RED',
  limits: { a: { name: 'a' } },
  at: { seconds: 0 },
};

let sample: protobuf.Type;

beforeAll(() => {
  const root = protoRoot();
  protobuf.parse(SAMPLE_PROTO, root, { keepCase: true });
  root.resolveAll();
  sample = root.lookupType('oam.validationtest.Sample');
});

function violations(changes: Record<string, unknown>): string[] {
  return messageRuleViolations(sample, { ...VALID, ...changes }, 'Sample').map(formatViolation)
    // Reported on every Sample (see the unimplemented-rule case); kept out of the others.
    .filter((line) => !line.startsWith('Sample.email:') && !line.startsWith('Sample.at:'));
}

test('the sample passes', () => {
  expect(violations({})).toEqual([]);
});

describe('string', () => {
  test('prefix, suffix, contains, not_contains, max_len', () => {
    expect(violations({ prefixed: 'v1/../x' })).toEqual([
      'Sample.prefixed: string.prefix "/" (got "v1/../x")',
      'Sample.prefixed: string.suffix "/" (got "v1/../x")',
      'Sample.prefixed: string.contains "api" (got "v1/../x")',
      'Sample.prefixed: string.not_contains ".." (got "v1/../x")',
    ]);
    expect(violations({ prefixed: '/api/long/' })).toEqual(['Sample.prefixed: string.max_len 8 (has 10)']);
  });

  test('len counts characters, min_bytes and len_bytes count UTF-8 bytes, ignore_empty skips the empty string', () => {
    expect(violations({ code: 'ééé', utf8: 'éé' })).toEqual([]);
    expect(violations({ code: 'abcd' })).toEqual(['Sample.code: string.len 3 (has 4)']);
    expect(violations({ utf8: 'aé' })).toEqual(['Sample.utf8: string.len_bytes 4 (has 3)', 'Sample.utf8: string.min_bytes 4 (has 3)']);
    expect(violations({ code: '', utf8: '' })).toEqual([]);
  });

  test('const, not_in', () => {
    expect(violations({ mode: 'debug' })).toEqual(['Sample.mode: string.const "fast" (got "debug")', 'Sample.mode: string.not_in ["debug"] (got "debug")']);
  });

  test('well_known_regex with strict left at its default (true): RFC 7230 names and values', () => {
    expect(violations({ header_name: ':authority', header_value: 'a\tb' })).toEqual([]);
    expect(violations({ header_name: 'x team' })).toEqual(['Sample.header_name: string.well_known_regex HTTP_HEADER_NAME (got "x team")']);
    // strict refuses control characters that strict: false lets through (here a bell).
    expect(violations({ header_value: 'a\u0007' })).toEqual(['Sample.header_value: string.well_known_regex HTTP_HEADER_VALUE (got "a\\u0007")']);
  });

  test('hostname, ipv4, address, uuid', () => {
    expect(violations({ host: 'orders.local', ip: '10.0.0.1', address: '::1', id: '123e4567-e89b-12d3-a456-426614174000' })).toEqual([]);
    expect(violations({ host: '-orders.local', ip: '::1', address: 'a_b', id: '123' })).toEqual([
      'Sample.host: string.hostname (got "-orders.local")',
      'Sample.ip: string.ipv4 (got "::1")',
      'Sample.address: string.address (got "a_b")',
      'Sample.id: string.uuid (got "123")',
    ]);
  });

  test('ip and ipv6', () => {
    expect(violations({ peer: '::1', peer6: 'fd00::1' })).toEqual([]);
    expect(violations({ peer: 'localhost', peer6: '10.0.0.1' })).toEqual([
      'Sample.peer: string.ip (got "localhost")',
      'Sample.peer6: string.ipv6 (got "10.0.0.1")',
    ]);
  });

  test('a proto3 optional field is checked only when set', () => {
    expect(violations({ nickname: 'al' })).toEqual(['Sample.nickname: string.min_len 3 (has 2)']);
  });

  test('a rule this checker does not implement is reported, never skipped', () => {
    expect(messageRuleViolations(sample, VALID, 'Sample').map(formatViolation)).toEqual([
      'Sample.email: string.email is not implemented by this checker',
      'Sample.at: timestamp is not implemented by this checker',
    ]);
  });
});

describe('numbers and enums', () => {
  test('int32 gte/lt', () => {
    expect(violations({ small: -6 })).toEqual(['Sample.small: int32.gte -5, lt 5 (got -6)']);
    expect(violations({ small: 5 })).toEqual(['Sample.small: int32.gte -5, lt 5 (got 5)']);
    expect(violations({ small: -5 })).toEqual([]);
  });

  test('int64 values compare exactly beyond 2^53 (decimal strings; as doubles 2^53 + 1 would equal 2^53)', () => {
    // The operand is 2^53: protobufjs reads option numbers as doubles, so larger ones would round.
    expect(violations({ big: '9007199254740992' })).toEqual(['Sample.big: int64.gt 9007199254740992 (got 9007199254740992)']);
  });

  test('an exclusive range: lt below gt means outside', () => {
    expect(violations({ outside: 11 })).toEqual([]);
    expect(violations({ outside: 5 })).toEqual(['Sample.outside: sint32.outside of gt 10, lt 0 (got 5)']);
  });

  test('float gt/lte with ignore_empty; double in', () => {
    expect(violations({ ratio: 1.5 })).toEqual(['Sample.ratio: float.gt 0, lte 1 (got 1.5)']);
    expect(violations({ ratio: 0 })).toEqual([]);
    expect(violations({ exact: 1 })).toEqual(['Sample.exact: double.in [0.5, 2] (got 1)']);
  });

  test('uint64 const and not_in', () => {
    expect(violations({ not_seven: '7' })).toEqual(['Sample.not_seven: uint64.const 8 (got 7)', 'Sample.not_seven: uint64.not_in [7] (got 7)']);
  });

  test('enum in and const compare the numbers behind the names; absent is the zero value', () => {
    expect(violations({ color: 'GREEN', only_red: 1 })).toEqual([]);
    expect(violations({ color: undefined, only_red: 'GREEN' })).toEqual([
      'Sample.color: enum.in [RED, GREEN] (got COLOR_UNSET)',
      'Sample.only_red: enum.const RED (got GREEN)',
    ]);
  });

  test('wrappers carry the rules of their scalar', () => {
    expect(violations({ label: { value: 'x' }, budget: { value: '101' } })).toEqual([
      'Sample.label: string.min_len 2 (has 1)',
      'Sample.budget: int64.lte 100 (got 101)',
    ]);
    expect(violations({ label: { value: 'xy' }, budget: { value: 100 } })).toEqual([]);
    // proto3 JSON (what a bootstrap file holds) writes a wrapper's value bare.
    expect(violations({ budget: '101' })).toEqual(['Sample.budget: int64.lte 100 (got 101)']);
  });
});

describe('maps, lists, Any, bytes, durations, skipping', () => {
  test('map min_pairs, max_pairs and values (message required)', () => {
    expect(violations({ limits: {} })).toEqual(['Sample.limits: map.min_pairs 1 (has 0)']);
    expect(violations({ limits: { a: { name: 'a' }, b: { name: 'b' }, c: null } })).toEqual([
      'Sample.limits: map.max_pairs 2 (has 3)',
      'Sample.limits["c"]: message.required',
    ]);
    // Values are messages, checked with their own rules.
    expect(violations({ limits: { a: { name: '' } } })).toEqual(['Sample.limits["a"].name: string.min_len 1 (has 0)']);
  });

  test('map keys (uint32) and values (string)', () => {
    expect(violations({ ports: { 80: 'http', 8080: '' } })).toEqual([
      'Sample.ports["80"](key): uint32.gte 1024 (got 80)',
      'Sample.ports["8080"]: string.min_len 1 (has 0)',
    ]);
  });

  test('any in and not_in', () => {
    const duration = { '@type': 'type.googleapis.com/google.protobuf.Duration', 'seconds': 1 };
    const timestamp = { '@type': 'type.googleapis.com/google.protobuf.Timestamp', 'seconds': 1 };
    expect(violations({ config: duration, other: timestamp })).toEqual([]);
    expect(violations({ config: timestamp, other: duration })).toEqual([
      'Sample.config(Timestamp): any.in ["type.googleapis.com/google.protobuf.Duration"] (got type.googleapis.com/google.protobuf.Timestamp)',
      'Sample.other(Duration): any.not_in ["type.googleapis.com/google.protobuf.Duration"] (got type.googleapis.com/google.protobuf.Duration)',
    ]);
  });

  test('bytes (base64 in proto JSON): len, prefix, ipv4, min_len/max_len', () => {
    const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');
    expect(violations({ key: b64('k123'), addr: b64('\x0a\x00\x00\x01'), token: b64('ab') })).toEqual([]);
    expect(violations({ key: b64('x12'), addr: b64('\x0a\x00\x01'), token: b64('abc') })).toEqual([
      'Sample.key: bytes.len 4 (got 3 bytes)',
      'Sample.key: bytes.prefix (got 3 bytes)',
      'Sample.addr: bytes.ipv4 (got 3 bytes)',
      'Sample.token: bytes.max_len 2 (got 3 bytes)',
    ]);
  });

  test('bytes const, suffix, contains, pattern, min_len, in, not_in, ip, ipv6', () => {
    const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');
    expect(violations({ magic: b64('ab'), framed: b64('amz'), flag: b64('y'), addr_any: b64('\x7f\x00\x00\x01'), addr6: b64('\x00'.repeat(16)) })).toEqual([]);
    expect(violations({ magic: b64('ba'), framed: b64('bz'), flag: b64('n'), addr_any: b64('\x00'.repeat(5)), addr6: b64('\x00'.repeat(4)) })).toEqual([
      'Sample.magic: bytes.const (got 2 bytes)',
      'Sample.framed: bytes.min_len 3 (got 2 bytes)',
      'Sample.framed: bytes.pattern "^a" (got 2 bytes)',
      'Sample.framed: bytes.contains (got 2 bytes)',
      'Sample.flag: bytes.not_in (got 1 bytes)',
      'Sample.addr_any: bytes.ip (got 5 bytes)',
      'Sample.addr6: bytes.ipv6 (got 4 bytes)',
    ]);
    expect(violations({ framed: b64('amy'), flag: b64('x') })).toEqual(['Sample.framed: bytes.suffix (got 3 bytes)', 'Sample.flag: bytes.in (got 1 bytes)']);
  });

  test('map ignore_empty', () => {
    expect(violations({ labels: {} })).toEqual([]);
    expect(violations({ labels: { a: 'b' } })).toEqual(['Sample.labels: map.min_pairs 2 (has 1)']);
  });

  test('duration lt, in and not_in (one operand each)', () => {
    expect(violations({ grace: { seconds: 1 } })).toEqual([]);
    expect(violations({ grace: { seconds: 2 } })).toEqual(['Sample.grace: duration.in [1s] (got 2s)', 'Sample.grace: duration.not_in [2s] (got 2s)']);
    expect(violations({ grace: { seconds: 10 } })).toEqual(['Sample.grace: duration.lt 10s (got 10s)', 'Sample.grace: duration.in [1s] (got 10s)']);
  });

  test('duration gte/lte and const', () => {
    expect(violations({ window: { seconds: 30 }, tick: { nanos: 500000000 } })).toEqual([]);
    expect(violations({ window: { nanos: 999999999 }, tick: { seconds: 2 } })).toEqual([
      'Sample.window: duration.gte 1s, lte 60s (got 0.999999999s)',
      'Sample.tick: duration.const 0.5s (got 2s)',
    ]);
    expect(violations({ window: '61s' })).toEqual(['Sample.window: duration.gte 1s, lte 60s (got 61s)']);
  });

  test('repeated max_items with ignore_empty', () => {
    expect(violations({ tags: [] })).toEqual([]);
    expect(violations({ tags: ['a', 'b', 'c'] })).toEqual(['Sample.tags: repeated.max_items 2 (has 3)']);
  });

  test('repeated items with a string format', () => {
    expect(violations({ hosts: ['a.local', 'b_local'] })).toEqual(['Sample.hosts[1]: string.hostname (got "b_local")']);
  });

  test('message.skip, items.message.skip and (validate.disabled) stop the walk; otherwise it goes on', () => {
    expect(violations({ unchecked: { name: '' }, rules: [{ name: '' }], opaque: { name: '' } })).toEqual([]);
    expect(violations({ limits: { a: {} } })).toEqual(['Sample.limits["a"].name: string.min_len 1 (has 0)']);
  });
});
