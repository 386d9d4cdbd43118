import { APPMESH_SPEC_SCHEMA } from '../../../src/spec/appmesh-schema';
import type { SchemaRootName } from '../../../src/spec/schema-check';

/**
 * Brings a spec written in another spelling into App Mesh API shape, guided by the API's schema:
 *
 * - field names are matched case-insensitively against the schema's, so CloudFormation's
 *   PascalCase with its acronyms (`AWSCloudMap`, `DNS`, `TLS`, `ACM`, `SDS`, `HTTP2`, `GRPC`,
 *   `CertificateAuthorityArns`) and the Kubernetes CRDs' `certificateAuthorityARNs` all land on the
 *   API's camelCase (`awsCloudMap`, `dns`, `tls`, …). No two fields of one API shape differ only
 *   in case, so the match is exact;
 * - numbers and booleans given as strings (CloudFormation passes parameters as strings) become
 *   numbers and booleans where the schema says integer or boolean;
 * - a field the schema does not know is an error, or, for Kubernetes, stripped as the API server's
 *   structural schema strips it.
 */

type SchemaNode = {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly items?: SchemaNode;
};

const DEFS = APPMESH_SPEC_SCHEMA.$defs as Record<string, SchemaNode>;

function deref(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.$ref !== undefined) current = DEFS[current.$ref.replace('#/$defs/', '')];
  return current;
}

/** Lower-cased field name → the API's spelling, per object shape (computed once). */
const FIELD_INDEX = new WeakMap<SchemaNode, Map<string, string>>();

function fieldIndex(node: SchemaNode): Map<string, string> {
  let index = FIELD_INDEX.get(node);
  if (index === undefined) {
    index = new Map(Object.keys(node.properties ?? {}).map((name) => [name.toLowerCase(), name]));
    FIELD_INDEX.set(node, index);
  }
  return index;
}

/** What to do with a field the schema does not know. */
export type UnknownFieldPolicy = 'error' | 'strip';

export interface ApiShapeOptions {
  readonly unknownFields: UnknownFieldPolicy;
  /** Called for each problem (`error` policy) with the source path and the message. */
  readonly onError: (path: string, message: string) => void;
  /** Called for each stripped field (`strip` policy) with its source path. */
  readonly onStripped?: (path: string) => void;
}

function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

function convert(value: unknown, node: SchemaNode, path: string, options: ApiShapeOptions): unknown {
  const shape = deref(node);
  switch (shape.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      const index = fieldIndex(shape);
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const apiName = index.get(key.toLowerCase());
        const here = childPath(path, key);
        if (apiName === undefined) {
          if (options.unknownFields === 'strip') {
            options.onStripped?.(here);
          } else {
            const known = Object.keys(shape.properties ?? {}).join(', ');
            options.onError(here, `unknown field "${key}" (this object takes: ${known})`);
          }
          continue;
        }
        if (apiName in out) {
          options.onError(here, `field "${key}" is given twice (as "${apiName}" in another spelling)`);
          continue;
        }
        out[apiName] = convert(child, shape.properties![apiName], here, options);
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.map((item, i) => convert(item, shape.items ?? {}, childPath(path, i), options)) : value;
    case 'integer':
      return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    case 'boolean':
      if (value === 'true') return true;
      if (value === 'false') return false;
      return value;
    default:
      return value;
  }
}

/** `value` (a spec of the given root shape) in API shape; see the module comment. */
export function toApiShape(value: unknown, root: SchemaRootName, basePath: string, options: ApiShapeOptions): Record<string, unknown> {
  return convert(value, DEFS[root], basePath, options) as Record<string, unknown>;
}

