import * as path from 'path';
import { toApiShape } from './api-shape';
import { namesFromArns } from './appmesh-arn';
import { ImportError } from './import-error';
import { ImportedResource, KIND_FIELDS, ResourceKind } from './imported-resource';
import { fillVars } from './placeholder-vars';
import { ReadResult } from './read-result';
import type { SchemaRootName } from '../../../src/spec/schema-check';

/**
 * Reads what the AWS CLI took and gave for App Mesh:
 * - `create-*` / `update-*` inputs (`--cli-input-json`): `{ meshName, virtualNodeName, spec, … }`;
 *   a missing `meshName` is taken from `--mesh` by the assembly (and reported);
 * - `describe-*` outputs: `{ "virtualNode": { meshName, virtualNodeName, spec, metadata, status } }`,
 *   the most faithful export (a DELETED resource is dropped);
 * - `list-*` outputs: `{ "virtualNodes": [ { meshName, virtualNodeName, arn, … } ] }`: names only,
 *   so a listed resource that no other file describes is reported as missing its spec.
 * A file may also hold a JSON array of such objects. `${VAR}` and `$VAR` in strings come from `--var`.
 */

export interface CliReadOptions {
  /** `--var K=V`. */
  readonly vars?: Readonly<Record<string, string>>;
}

/** A resource a `list-*` output names (it carries no spec). */
export interface ListedResource {
  readonly kind: ResourceKind;
  readonly meshName?: string;
  readonly name: string;
  readonly parentName?: string;
  readonly file: string;
}

export interface CliReadResult extends ReadResult {
  readonly listed: ListedResource[];
}

const ROOTS: Record<ResourceKind, SchemaRootName> = {
  mesh: 'MeshSpec',
  virtualNode: 'VirtualNodeSpec',
  virtualService: 'VirtualServiceSpec',
  virtualRouter: 'VirtualRouterSpec',
  route: 'RouteSpec',
  virtualGateway: 'VirtualGatewaySpec',
  gatewayRoute: 'GatewayRouteSpec',
};

/** `list-*` output keys. */
const LIST_KEYS: Record<string, ResourceKind> = {
  meshes: 'mesh',
  virtualNodes: 'virtualNode',
  virtualServices: 'virtualService',
  virtualRouters: 'virtualRouter',
  routes: 'route',
  virtualGateways: 'virtualGateway',
  gatewayRoutes: 'gatewayRoute',
};

/** Fields of a create/update input besides the names and the spec; they do not reach the spec. */
const REQUEST_EXTRAS = new Set(['tags', 'clientToken', 'meshOwner']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The kind of a create/update input, from its name fields, else from the file name (`create-virtual-node.json`). */
function kindOfRequest(input: Record<string, unknown>, file: string): ResourceKind | undefined {
  if ('routeName' in input) return 'route';
  if ('gatewayRouteName' in input) return 'gatewayRoute';
  if ('virtualNodeName' in input) return 'virtualNode';
  if ('virtualServiceName' in input) return 'virtualService';
  if ('virtualGatewayName' in input) return 'virtualGateway';
  if ('virtualRouterName' in input) return 'virtualRouter';
  const base = path.basename(file).toLowerCase().replace(/[-_]/g, '');
  const byFile: [string, ResourceKind][] = [
    ['gatewayroute', 'gatewayRoute'], ['virtualgateway', 'virtualGateway'], ['virtualnode', 'virtualNode'],
    ['virtualservice', 'virtualService'], ['virtualrouter', 'virtualRouter'], ['route', 'route'], ['mesh', 'mesh'],
  ];
  const hit = byFile.find(([word]) => base.includes(word));
  if (hit !== undefined) return hit[1];
  return 'meshName' in input ? 'mesh' : undefined;
}

/** Reads one CLI JSON file. Throws `ImportError` naming the file, the entry and the field. */
export function readCliJson(file: string, text: string, options: CliReadOptions = {}): CliReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ImportError({ file }, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reader = new CliFileReader(file, options.vars ?? {});
  const items = Array.isArray(parsed) ? parsed : [parsed];
  items.forEach((item, i) => reader.readItem(item, items.length === 1 ? '' : `[${i}]`));
  if (reader.resources.length === 0 && reader.listed.length === 0) {
    throw new ImportError({ file }, 'no App Mesh resources in the file (expected create-*/update-* input, describe-* or list-* output)');
  }
  return { file, format: 'cli', resources: reader.resources, ignored: {}, placeholders: [], listed: reader.listed };
}

class CliFileReader {
  public readonly resources: ImportedResource[] = [];
  public readonly listed: ListedResource[] = [];

  constructor(private readonly file: string, private readonly vars: Readonly<Record<string, string>>) {}

  private fail(resource: string, field: string | undefined, problem: string): never {
    throw new ImportError({ file: this.file, resource: resource === '' ? undefined : resource, field }, problem);
  }

  public readItem(item: unknown, at: string): void {
    if (!isObject(item)) this.fail(at, undefined, `expected an object, got ${JSON.stringify(item)}`);
    const keys = Object.keys(item);
    const listKey = keys.find((key) => key in LIST_KEYS);
    if (listKey !== undefined) return this.readList(LIST_KEYS[listKey], item[listKey], `${at}${at === '' ? '' : '.'}${listKey}`);
    const describeKey = keys.find((key) => key in KIND_FIELDS && isObject(item[key]));
    if (describeKey !== undefined && keys.every((key) => key === describeKey)) {
      return this.readDescribed(describeKey as ResourceKind, item[describeKey] as Record<string, unknown>, `${at}${at === '' ? '' : '.'}${describeKey}`);
    }
    return this.readRequest(item, at);
  }

  private readList(kind: ResourceKind, list: unknown, at: string): void {
    if (!Array.isArray(list)) this.fail(at, undefined, `a list-* output holds a list, got ${JSON.stringify(list)}`);
    const fields = KIND_FIELDS[kind];
    list.forEach((entry, i) => {
      const ref = isObject(entry) ? entry : {};
      const name = ref[fields.nameField];
      if (typeof name !== 'string') this.fail(`${at}[${i}]`, fields.nameField, 'missing');
      this.listed.push({
        kind,
        meshName: typeof ref.meshName === 'string' ? ref.meshName : undefined,
        name,
        parentName: fields.parentField === undefined ? undefined : String(ref[fields.parentField]),
        file: this.file,
      });
    });
  }

  private readDescribed(kind: ResourceKind, data: Record<string, unknown>, at: string): void {
    const status = isObject(data.status) ? data.status.status : undefined;
    const metadata = isObject(data.metadata) ? data.metadata : {};
    const { metadata: _m, status: _s, ...request } = data;
    const resource = this.toResource(kind, request, at, 'describe output');
    if (status === 'DELETED') {
      this.resources.push({ ...resource, excluded: 'its describe output says status DELETED' });
      return;
    }
    const owner = typeof metadata.meshOwner === 'string' && metadata.meshOwner !== metadata.resourceOwner ? metadata.meshOwner : undefined;
    this.resources.push(kind === 'mesh' && owner !== undefined ? { ...resource, meshOwner: owner } : resource);
  }

  private readRequest(input: Record<string, unknown>, at: string): void {
    const kind = kindOfRequest(input, this.file);
    if (kind === undefined) {
      this.fail(at, undefined, 'cannot tell which resource this input is for: it has no name field (virtualNodeName, routeName, …) and the file name does not say (e.g. create-virtual-node.json)');
    }
    this.resources.push(this.toResource(kind, input, at, 'create/update input'));
  }

  private toResource(kind: ResourceKind, input: Record<string, unknown>, at: string, form: string): ImportedResource {
    const fields = KIND_FIELDS[kind];
    const origin = at === '' ? form : `${at} ${form}`;
    const assumptions: string[] = [];
    const dropped: string[] = [];
    const filled = this.fillVars(input, '', origin) as Record<string, unknown>;
    const allowed = new Set(['meshName', 'spec', fields.nameField, ...(fields.parentField ? [fields.parentField] : []), ...REQUEST_EXTRAS]);
    for (const key of Object.keys(filled)) {
      if (!allowed.has(key)) this.fail(origin, key, `unknown field for a ${fields.noun} (it takes ${[...allowed].join(', ')})`);
    }
    const name = kind === 'mesh' ? filled.meshName : filled[fields.nameField];
    if (kind !== 'mesh' && typeof name !== 'string') this.fail(origin, fields.nameField, `the ${fields.noun} name is missing; App Mesh needs it`);
    if (fields.parentField !== undefined && typeof filled[fields.parentField] !== 'string') {
      this.fail(origin, fields.parentField, `the ${fields.noun}'s parent is missing; App Mesh needs it`);
    }
    if (filled.meshName !== undefined && typeof filled.meshName !== 'string') this.fail(origin, 'meshName', 'must be a string');
    if (kind !== 'mesh' && filled.spec === undefined) this.fail(origin, 'spec', `a ${fields.noun} needs a spec`);
    const problems: string[] = [];
    const spec = toApiShape(filled.spec ?? {}, ROOTS[kind], 'spec', { unknownFields: 'error', onError: (field, message) => problems.push(`${field}: ${message}`) });
    if (problems.length > 0) this.fail(origin, undefined, problems.join('; '));
    namesFromArns(spec, 'spec', (field, arn, resolved) => assumptions.push(`${field} is an ARN (${arn}); its name "${resolved}" is used`));
    if (Array.isArray(filled.tags) && filled.tags.length > 0) dropped.push(`tags (${filled.tags.length}): tag the CDK stack instead`);
    return {
      kind,
      meshName: filled.meshName as string | undefined,
      name: (name as string | undefined) ?? '',
      parentName: fields.parentField === undefined ? undefined : filled[fields.parentField] as string,
      spec,
      meshOwner: kind === 'mesh' ? undefined : filled.meshOwner as string | undefined,
      source: { file: this.file, origin },
      assumptions,
      dropped,
    };
  }

  /** Every string of `value` with `$VAR`/`${VAR}` filled; a placeholder without a value is an error. */
  private fillVars(value: unknown, field: string, origin: string): unknown {
    if (typeof value === 'string') {
      // A regex's "$" anchors the end; only ${VAR} counts there.
      const bare = !field.endsWith('regex');
      return fillVars(value, this.vars, bare, ({ name }) =>
        this.fail(origin, field, `$${name} has no value; pass --var ${name}=VALUE`));
    }
    if (Array.isArray(value)) return value.map((item, i) => this.fillVars(item, `${field}[${i}]`, origin));
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, this.fillVars(child, field === '' ? key : `${field}.${key}`, origin)]));
    }
    return value;
  }
}
