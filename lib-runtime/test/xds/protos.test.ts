import { Writer } from 'protobufjs';
import {
  adsServiceDefinition,
  checkResourceObject,
  decodeAckLikeRequest,
  decodeMessageObject,
  decodeResource,
  encodeAny,
  encodeResource,
  messageType,
  messageTypeOfUrl,
  protoRoot,
  ResourceEncodingError,
} from '../../src/xds/protos';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, RESOURCE_TYPE_URLS } from '../../src/xds/type-urls';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function apiListener(): object {
  return {
    name: 'orders',
    api_listener: {
      api_listener: {
        '@type': HCM,
        'stat_prefix': 'orders',
        'rds': { route_config_name: 'orders-route', config_source: { ads: {}, resource_api_version: 'V3' } },
        'http_filters': [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
      },
    },
  };
}

describe('protos', () => {
  test('loads every served resource type into one root', () => {
    const root = protoRoot();
    expect(protoRoot()).toBe(root);
    for (const typeUrl of RESOURCE_TYPE_URLS) {
      expect(messageTypeOfUrl(typeUrl).fullName).toBe('.' + typeUrl.split('/')[1]);
    }
  });

  test('a listener with a packed HttpConnectionManager round-trips, Any included', () => {
    const bytes = encodeResource(LISTENER_TYPE_URL, apiListener());
    const decoded = decodeResource(LISTENER_TYPE_URL, bytes) as any;
    expect(decoded.name).toBe('orders');
    const hcm = decoded.api_listener.api_listener;
    expect(hcm['@type']).toBe(HCM);
    expect(hcm.rds.route_config_name).toBe('orders-route');
    expect(hcm.http_filters[0].typed_config['@type']).toBe(ROUTER);
    // the decoded object is itself acceptable input and encodes to the same bytes
    expect(Buffer.from(encodeResource(LISTENER_TYPE_URL, decoded))).toEqual(Buffer.from(bytes));
  });

  test('a misspelled field is reported with a suggestion instead of being dropped', () => {
    const cluster = { name: 'c1', type: 'EDS', edsClusterConfig: { eds_config: { ads: {} } }, lb_policy: 'ROUND_ROBIN' };
    expect(checkResourceObject(CLUSTER_TYPE_URL, cluster)).toEqual([
      'Cluster.edsClusterConfig: envoy.config.cluster.v3.Cluster has no field edsClusterConfig (did you mean eds_cluster_config?)',
    ]);
    expect(() => encodeResource(CLUSTER_TYPE_URL, cluster)).toThrow(ResourceEncodingError);
    expect(() => encodeResource(CLUSTER_TYPE_URL, cluster)).toThrow(/invalid Cluster "c1": .*edsClusterConfig/);
  });

  test('field and enum names that are Object.prototype members are unknown, not a crash', () => {
    const cluster = JSON.parse('{"name": "c", "constructor": {}, "toString": 1, "lb_policy": "constructor"}');
    expect(checkResourceObject(CLUSTER_TYPE_URL, cluster)).toEqual([
      expect.stringMatching(/^Cluster\.constructor: envoy\.config\.cluster\.v3\.Cluster has no field constructor/),
      expect.stringMatching(/^Cluster\.toString: envoy\.config\.cluster\.v3\.Cluster has no field toString/),
      'Cluster.lb_policy: envoy.config.cluster.v3.Cluster.LbPolicy has no value constructor',
    ]);
  });

  test('nested typos, bad enums and unloaded or unprefixed Any types are all reported', () => {
    const listener = apiListener() as any;
    listener.api_listener.api_listener.http_filters[0].typed_config = { '@type': 'envoy.extensions.filters.http.router.v3.Router' };
    listener.api_listener.api_listener.stat_prefx = 'x';
    const problems = checkResourceObject(LISTENER_TYPE_URL, listener);
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => /<HttpConnectionManager>\.stat_prefx: .* has no field stat_prefx/.test(p))).toBe(true);
    expect(problems.some((p) => /http_filters\[0\]\.typed_config: @type .* must start with type.googleapis.com/.test(p))).toBe(true);

    const cluster = { name: 'c', lb_policy: 'LEAST_REQUESTS', typed_extension_protocol_options: { x: { '@type': 'type.googleapis.com/no.such.Message' } } };
    const clusterProblems = checkResourceObject(CLUSTER_TYPE_URL, cluster);
    expect(clusterProblems).toEqual([
      'Cluster.lb_policy: envoy.config.cluster.v3.Cluster.LbPolicy has no value LEAST_REQUESTS',
      'Cluster.typed_extension_protocol_options["x"]: @type type.googleapis.com/no.such.Message is not a loaded message (add its .proto to PROTO_FILES)',
    ]);
  });

  test('each problem names its path: fields, list indexes, map keys and the types inside Anys', () => {
    const cluster = {
      name: 'c',
      typed_extension_protocol_options: { 'a"b': { '@type': 'type.googleapis.com/no.Such' }, 'ok': 3 },
      metadata: { filter_metadata: { k: { fields: 3 } } },
      load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { port_value: 'p' } } } }, 7] }] },
    };
    expect(checkResourceObject(CLUSTER_TYPE_URL, cluster)).toEqual([
      'Cluster.typed_extension_protocol_options["a\\"b"]: @type type.googleapis.com/no.Such is not a loaded message (add its .proto to PROTO_FILES)',
      'Cluster.typed_extension_protocol_options["ok"]: expected an Any object, got 3',
      'Cluster.metadata.filter_metadata["k"].fields: expected an object (map), got 3',
      'Cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: expected a number (uint32), got "p"',
      'Cluster.load_assignment.endpoints[0].lb_endpoints[1]: expected an object for envoy.config.endpoint.v3.LbEndpoint, got 7',
    ]);
    const listener = apiListener() as any;
    listener.api_listener.api_listener.http_filters.push({ name: 2 });
    expect(checkResourceObject(LISTENER_TYPE_URL, listener)).toEqual([
      'Listener.api_listener.api_listener<HttpConnectionManager>.http_filters[1].name: expected a string, got 2',
    ]);
  });

  test('wrong shapes are reported (Duration as string, scalar for list)', () => {
    const cluster = { name: 'c', connect_timeout: '1s', dns_lookup_family: 'V4_ONLY' };
    expect(checkResourceObject(CLUSTER_TYPE_URL, cluster)).toEqual([
      'Cluster.connect_timeout: expected an object for google.protobuf.Duration, got "1s"',
    ]);
    const cla = { cluster_name: 'c', endpoints: { lb_endpoints: [] } };
    expect(checkResourceObject(ENDPOINT_TYPE_URL, cla)).toEqual(['ClusterLoadAssignment.endpoints: expected a list, got an object']);
  });

  test('encodeAny frames type_url and value as google.protobuf.Any', () => {
    const bytes = encodeResource(CLUSTER_TYPE_URL, { name: 'c1', type: 'EDS' });
    const any = protoRoot().lookupType('google.protobuf.Any');
    const decoded = any.decode(encodeAny(CLUSTER_TYPE_URL, bytes)) as unknown as { type_url: string; value: Uint8Array };
    expect(decoded.type_url).toBe(CLUSTER_TYPE_URL);
    expect(Buffer.from(decoded.value)).toEqual(Buffer.from(bytes));
  });

  test('encodeAny writes the bytes protobufjs writes, for every length class, and each Any keeps its own bytes', () => {
    const viaWriter = (typeUrl: string, value: Uint8Array): Buffer =>
      Buffer.from(Writer.create().uint32(10).string(typeUrl).uint32(18).bytes(value).finish());
    // Lengths around the varint boundaries (127/128, 16383/16384) and the slab's own-buffer threshold.
    const lengths = [0, 1, 127, 128, 300, 4000, 4096, 4097, 16383, 16384, 70000];
    const made: Array<{ any: Uint8Array; expected: Buffer }> = [];
    for (let round = 0; round < 40; round++) {
      for (const length of lengths) {
        const value = Buffer.alloc(length, (round * 31 + length) % 251);
        const typeUrl = round % 2 === 0 ? CLUSTER_TYPE_URL : `type.googleapis.com/${'x'.repeat(130)}`;
        made.push({ any: encodeAny(typeUrl, value), expected: viaWriter(typeUrl, value) });
      }
    }
    // Checked after all were made: a later Any must not have overwritten an earlier one in a shared slab.
    for (const { any, expected } of made) expect(Buffer.from(any).equals(expected)).toBe(true);
  });

  describe('DiscoveryRequest decoding', () => {
    const REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
    const encode = (object: object): Buffer => {
      const type = messageType(REQUEST);
      return Buffer.from(type.encode(type.fromObject(object)).finish());
    };
    const deserialize = adsServiceDefinition().StreamAggregatedResources.requestDeserialize as (b: Buffer) => Record<string, unknown>;
    const ack = {
      version_info: 'v1', resource_names: ['a', 'bé', 'x'.repeat(200)], type_url: CLUSTER_TYPE_URL, response_nonce: '3f',
    };

    test('requests without error_detail or locators decode by hand to exactly what protobufjs makes', () => {
      const node = { id: 'n1', cluster: 'c', locality: { zone: 'z' }, user_agent_name: 'envoy', extensions: [{ name: 'e', category: 'k', type_urls: ['t'] }] };
      const cases: object[] = [
        ack,
        { ...ack, node },
        { node: {} },
        {},
        { type_url: ENDPOINT_TYPE_URL },
        { type_url: CLUSTER_TYPE_URL, resource_names: [], version_info: '', response_nonce: '' },
        { type_url: LISTENER_TYPE_URL, resource_names: Array.from({ length: 300 }, (_, i) => `listener-${i}-✓`), response_nonce: 'n'.repeat(20000) },
      ];
      for (const object of cases) {
        const bytes = encode(object);
        const fast = decodeAckLikeRequest(bytes);
        expect(fast).toBeDefined();
        // same fields in the same order with the same values
        expect(JSON.stringify(fast)).toBe(JSON.stringify(decodeMessageObject(REQUEST, bytes)));
        expect(JSON.stringify(deserialize(bytes))).toBe(JSON.stringify(decodeMessageObject(REQUEST, bytes)));
      }
      // A field repeated on the wire: the last value wins, as in protobufjs.
      const twice = Buffer.concat([encode({ version_info: 'old' }), encode({ version_info: 'new', type_url: CLUSTER_TYPE_URL })]);
      expect(decodeAckLikeRequest(twice)).toEqual({ version_info: 'new', type_url: CLUSTER_TYPE_URL });
      expect(JSON.stringify(decodeAckLikeRequest(twice))).toBe(JSON.stringify(decodeMessageObject(REQUEST, twice)));
    });

    test('a node that does not decode fails the request, as in protobufjs', () => {
      // wire type 7 inside the node
      const badNode = Buffer.concat([encode(ack), Buffer.from([0x12, 0x01, 0x0f])]);
      expect(() => decodeMessageObject(REQUEST, badNode)).toThrow();
      expect(() => deserialize(badNode)).toThrow();
    });

    test('anything else takes the general path: error_detail, locators, unknown fields, truncated strings', () => {
      const others: object[] = [
        { ...ack, error_detail: { code: 3, message: 'bad cluster' } },
        { ...ack, resource_locators: [{ name: 'xdstp://a/b' }] },
      ];
      for (const object of others) {
        const bytes = encode(object);
        expect(decodeAckLikeRequest(bytes)).toBeUndefined();
        expect(deserialize(bytes)).toEqual(decodeMessageObject(REQUEST, bytes));
      }
      expect(deserialize(encode({ ...others[0], node: { id: 'n2' } })).node).toEqual({ id: 'n2' });
      // an unknown field (99, a varint) and a non-minimal tag encoding
      expect(decodeAckLikeRequest(Buffer.concat([encode(ack), Buffer.from([0x98, 0x06, 0x01])]))).toBeUndefined();
      expect(decodeAckLikeRequest(Buffer.from([0x8a, 0x00, 0x01, 0x61]))).toBeUndefined();
      expect(decodeMessageObject(REQUEST, Buffer.from([0x8a, 0x00, 0x01, 0x61]))).toEqual({ version_info: 'a' });
      // truncated: the general path decides, whatever protobufjs makes of it (it cuts the string short)
      const truncated = encode(ack).subarray(0, 20);
      expect(decodeAckLikeRequest(truncated)).toBeUndefined();
      expect(deserialize(truncated)).toEqual(decodeMessageObject(REQUEST, truncated));
    });
  });
});
