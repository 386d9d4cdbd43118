/**
 * Checks an object against an Envoy message type as Envoy's JSON parser reads it (proto3 JSON:
 * durations as "1.5s" strings, Any with '@type', enums by name, snake_case or lowerCamel field
 * names, at most one member per oneof). There is no Envoy binary here, so this is what stands
 * between a misspelt bootstrap field and a proxy that refuses to start.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import * as descriptorJson from 'protobufjs/google/protobuf/descriptor.json';
import { formatViolation, messageRuleViolations } from '../../lib-runtime/src/xds/validation-rules';

const FILES = [
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  // Tracers and stat sinks the bootstrap may name (packed in Any, so not imported by bootstrap.proto).
  'envoy/config/trace/v3/xray.proto',
  'envoy/config/trace/v3/datadog.proto',
  'envoy/config/trace/v3/zipkin.proto',
  'envoy/config/trace/v3/opentelemetry.proto',
  'envoy/config/metrics/v3/stats.proto',
];

let root: protobuf.Root | undefined;

/** The Envoy messages the bootstrap uses, read from the protos with their annotations. */
export function envoyRoot(): protobuf.Root {
  if (root) return root;
  const descriptorNested = (descriptorJson as unknown as { nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } } })
    .nested.google.nested.protobuf.nested;
  protobuf.common('descriptor', descriptorNested as Record<string, protobuf.INamespace>);
  const packageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(packageDir, 'deps', d));
  const r = new protobuf.Root();
  r.resolvePath = (_origin: string, target: string): string => {
    if (path.isAbsolute(target)) return target;
    for (const dir of includeDirs) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  r.loadSync(FILES, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

const DURATION = /^-?\d+(\.\d{1,9})?s$/;

/** Problems of `value` read as the message `typeName`; empty when Envoy would accept it. */
export function checkEnvoyJson(typeName: string, value: unknown): string[] {
  const problems: string[] = [];
  checkMessage(envoyRoot().lookupType(typeName), value, typeName, problems);
  return problems;
}

/**
 * Problems Envoy would find in a bootstrap: its JSON read as the Bootstrap message, then the
 * protos' validation rules (protoc-gen-validate), the contents of every Any included.
 */
export function envoyBootstrapProblems(bootstrap: object): string[] {
  const typeName = 'envoy.config.bootstrap.v3.Bootstrap';
  const typeOfUrl = (typeUrl: string): protobuf.Type => envoyRoot().lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  return [
    ...checkEnvoyJson(typeName, bootstrap),
    ...messageRuleViolations(typeOfUrl(typeName), bootstrap, 'Bootstrap', typeOfUrl).map(formatViolation),
  ];
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function checkMessage(type: protobuf.Type, value: unknown, at: string, problems: string[]): void {
  switch (type.fullName) {
    case '.google.protobuf.Duration':
      if (typeof value !== 'string' || !DURATION.test(value)) problems.push(`${at}: a Duration must be a string like "1.5s", got ${JSON.stringify(value)}`);
      return;
    case '.google.protobuf.Struct':
    case '.google.protobuf.Value':
      return;
    case '.google.protobuf.UInt32Value':
    case '.google.protobuf.UInt64Value':
    case '.google.protobuf.DoubleValue':
      if (typeof value !== 'number' && typeof value !== 'string') problems.push(`${at}: expected a number`);
      return;
    case '.google.protobuf.BoolValue':
      if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean`);
      return;
    case '.google.protobuf.StringValue':
      if (typeof value !== 'string') problems.push(`${at}: expected a string`);
      return;
    case '.google.protobuf.Any': {
      const record = value as Record<string, unknown>;
      const url = record?.['@type'];
      if (typeof url !== 'string' || !url.startsWith('type.googleapis.com/')) {
        problems.push(`${at}: an Any needs '@type': 'type.googleapis.com/<message>'`);
        return;
      }
      let packed: protobuf.Type;
      try {
        packed = envoyRoot().lookupType(url.slice('type.googleapis.com/'.length));
      } catch {
        problems.push(`${at}: unknown @type ${url}`);
        return;
      }
      const { ['@type']: _type, ...rest } = record;
      checkMessage(packed, rest, `${at}<${packed.name}>`, problems);
      return;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${at}: expected an object for ${type.name}, got ${JSON.stringify(value)}`);
    return;
  }
  const byName = new Map<string, protobuf.Field>();
  for (const field of type.fieldsArray) {
    byName.set(field.name, field);
    byName.set(camel(field.name), field);
  }
  const setOneofs = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    const field = byName.get(key);
    if (field === undefined) {
      problems.push(`${at}.${key}: no such field in ${type.fullName}`);
      continue;
    }
    if (field.partOf) {
      const other = setOneofs.get(field.partOf.name);
      if (other !== undefined) problems.push(`${at}: ${other} and ${key} are both set, but belong to one oneof`);
      setOneofs.set(field.partOf.name, key);
    }
    if (field.map) {
      if (child === null || typeof child !== 'object') problems.push(`${at}.${key}: expected a map`);
      else for (const [k, v] of Object.entries(child)) checkField(field, v, `${at}.${key}.${k}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(child)) problems.push(`${at}.${key}: expected a list`);
      else child.forEach((item, i) => checkField(field, item, `${at}.${key}[${i}]`, problems));
    } else {
      checkField(field, child, `${at}.${key}`, problems);
    }
  }
}

function checkField(field: protobuf.Field, value: unknown, at: string, problems: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, value, at, problems);
  } else if (resolved instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in resolved.values)) problems.push(`${at}: ${JSON.stringify(value)} is not a value of ${resolved.name}`);
  } else if (field.type === 'string' || field.type === 'bytes') {
    if (typeof value !== 'string') problems.push(`${at}: expected a string`);
  } else if (field.type === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean`);
  } else if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+$/.test(value))) {
    problems.push(`${at}: expected a number (${field.type})`);
  }
}
