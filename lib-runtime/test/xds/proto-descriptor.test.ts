import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { ENVOY_PROTOS_DESCRIPTOR_JSON } from '../../src/xds/envoy-protos.generated';
import { descriptorOf, descriptorSource, ProtoDescriptor, rootFromDescriptor } from '../../src/xds/proto-descriptor';
import { loadProtoFiles, OBJECT_OPTIONS, protoRoot } from '../../src/xds/protos';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL, SECRET_TYPE_URL } from '../../src/xds/type-urls';

/**
 * The server loads the Envoy protos from a generated JSON descriptor instead of parsing the
 * .proto files; these tests hold the two to the same content and the same bytes on the wire.
 */
const GENERATED = path.join(__dirname, '..', '..', 'src', 'xds', 'envoy-protos.generated.ts');
const GOLDEN = path.join(__dirname, '..', 'translate', 'golden');

const fromFiles = loadProtoFiles();
const fromDescriptor = (): protobuf.Root => rootFromDescriptor(JSON.parse(ENVOY_PROTOS_DESCRIPTOR_JSON) as ProtoDescriptor);

function typesOf(namespace: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested);
    if (nested instanceof protobuf.Namespace) typesOf(nested, out);
  }
  return out;
}

/** What encoding and decoding read of a field. */
function fieldShape(field: protobuf.Field): object {
  field.resolve();
  return {
    json: field.toJSON(),
    repeated: field.repeated,
    map: field.map,
    packed: field.packed,
    long: field.long,
    oneof: field.partOf?.name,
    resolvedType: field.resolvedType?.fullName,
    typeDefault: field.typeDefault,
    parsedOptions: field.parsedOptions,
  };
}

/** Every resource of every golden render (both views), with its type URL. */
function goldenResources(): Array<{ typeUrl: string; resource: object }> {
  const out: Array<{ typeUrl: string; resource: object }> = [];
  const byKind: Record<string, string> = {
    listeners: LISTENER_TYPE_URL, routes: ROUTE_TYPE_URL, clusters: CLUSTER_TYPE_URL, endpoints: ENDPOINT_TYPE_URL, secrets: SECRET_TYPE_URL,
  };
  for (const fixture of fs.readdirSync(GOLDEN)) {
    for (const file of fs.readdirSync(path.join(GOLDEN, fixture))) {
      const golden = JSON.parse(fs.readFileSync(path.join(GOLDEN, fixture, file), 'utf8')) as Record<string, Record<string, object[]>>;
      for (const view of ['envoy', 'proxyless']) {
        for (const [kind, typeUrl] of Object.entries(byKind)) {
          for (const resource of golden[view]?.[kind] ?? []) out.push({ typeUrl, resource });
        }
      }
    }
  }
  return out;
}

function encodeWith(root: protobuf.Root, typeUrl: string, resource: object): Buffer {
  const type = root.lookupType(typeUrl.split('/')[1]);
  return Buffer.from(type.encode(type.fromObject(resource)).finish());
}

describe('the generated proto descriptor', () => {
  test('is what the .proto files give (run node build-tools/gen-xds-protos.js when this fails)', () => {
    expect(JSON.parse(ENVOY_PROTOS_DESCRIPTOR_JSON)).toEqual(descriptorOf(fromFiles));
    expect(fs.readFileSync(GENERATED, 'utf8')).toBe(descriptorSource(descriptorOf(fromFiles)));
  });

  test('describes every message with the same fields, packing and validation annotations', () => {
    const root = fromDescriptor();
    const types = typesOf(fromFiles);
    expect(types.length).toBeGreaterThan(400);
    let packedFields = 0;
    let annotated = 0;
    for (const type of types) {
      const other = root.lookupType(type.fullName);
      expect({ name: type.fullName, parsedOptions: other.parsedOptions, oneofs: Object.keys(other.oneofs ?? {}) })
        .toEqual({ name: type.fullName, parsedOptions: type.parsedOptions, oneofs: Object.keys(type.oneofs ?? {}) });
      for (const oneof of type.oneofsArray) expect(other.oneofs[oneof.name].parsedOptions).toEqual(oneof.parsedOptions);
      // Extension fields (`.udpa.annotations.file_status` on FileOptions) join in load order; encoding sorts by number.
      expect(Object.keys(other.fields).sort()).toEqual(Object.keys(type.fields).sort());
      for (const field of type.fieldsArray) {
        expect({ field: `${type.fullName}.${field.name}`, ...fieldShape(other.fields[field.name]) })
          .toEqual({ field: `${type.fullName}.${field.name}`, ...fieldShape(field) });
        if (field.repeated && field.packed) packedFields++;
        if (field.parsedOptions) annotated++;
      }
    }
    // The checks above would pass vacuously if neither root had packed fields or annotations.
    expect(packedFields).toBeGreaterThan(10);
    expect(annotated).toBeGreaterThan(100);
  });

  test('encodes and decodes every golden resource to the same bytes and objects as the .proto files', () => {
    const root = fromDescriptor();
    const resources = goldenResources();
    expect(resources.length).toBeGreaterThan(400);
    for (const { typeUrl, resource } of resources) {
      const bytes = encodeWith(fromFiles, typeUrl, resource);
      expect(encodeWith(root, typeUrl, resource)).toEqual(bytes);
      const type = (r: protobuf.Root) => r.lookupType(typeUrl.split('/')[1]);
      const decoded = type(root).toObject(type(root).decode(bytes), OBJECT_OPTIONS);
      expect(decoded).toEqual(type(fromFiles).toObject(type(fromFiles).decode(bytes), OBJECT_OPTIONS));
    }
  });

  test('packs a repeated scalar as proto3 does (field features resolved without resolving the messages)', () => {
    const policy = { retry_on: '5xx', retriable_status_codes: [500, 503] };
    const packed = encodeWith(fromDescriptor(), 'type.googleapis.com/envoy.config.route.v3.RetryPolicy', policy);
    // retriable_status_codes = 7, length-delimited (tag 0x3a), 4 bytes: f4 03 f7 03
    expect(packed.toString('hex')).toContain('3a04f403f703');
  });

  test('the server root is the descriptor root', () => {
    expect(protoRoot().lookupType('envoy.config.cluster.v3.Cluster').fields.name.id).toBe(1);
    expect(protoRoot()).not.toBe(fromFiles);
  });
});
