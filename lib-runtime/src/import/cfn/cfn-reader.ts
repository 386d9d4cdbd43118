import * as path from 'path';
import { IntrinsicResolver, NO_VALUE, ResourceLookup, ValueLocation } from './cfn-intrinsics';
import { parseCfnYaml } from './cfn-yaml';
import type { SchemaRootName } from '../../../../src/spec/schema-check';
import { toApiShape } from '../api-shape';
import { formatAppMeshArn, namesFromArns, parseAppMeshArn } from '../appmesh-arn';
import { ImportError } from '../import-error';
import { ImportedResource, ResourceKind } from '../imported-resource';
import { countIgnored, Placeholder, ReadResult } from '../read-result';

/**
 * Reads a CloudFormation template (YAML with short-form tags, or JSON): every `AWS::AppMesh::*`
 * resource becomes a mesh resource in App Mesh API shape, with intrinsics evaluated (see
 * cfn-intrinsics.ts). Other resources are counted and otherwise ignored; the values App Mesh
 * resources take from them come from the template when it holds them literally, else from a named
 * placeholder the report lists.
 */

export interface CfnReadOptions {
  /** `--param K=V`: parameter values (and pseudo parameters such as `AWS::Region`). */
  readonly params?: Readonly<Record<string, string>>;
  /** `--import-value K=V`: other stacks' exports. */
  readonly importValues?: Readonly<Record<string, string>>;
}

interface AppMeshType {
  readonly kind: ResourceKind;
  /** The property naming the resource itself. */
  readonly nameProperty: string;
  /** The property naming the parent router or gateway. */
  readonly parentProperty?: string;
  readonly root: SchemaRootName;
}

const APPMESH_TYPES: Record<string, AppMeshType> = {
  'AWS::AppMesh::Mesh': { kind: 'mesh', nameProperty: 'MeshName', root: 'MeshSpec' },
  'AWS::AppMesh::VirtualNode': { kind: 'virtualNode', nameProperty: 'VirtualNodeName', root: 'VirtualNodeSpec' },
  'AWS::AppMesh::VirtualService': { kind: 'virtualService', nameProperty: 'VirtualServiceName', root: 'VirtualServiceSpec' },
  'AWS::AppMesh::VirtualRouter': { kind: 'virtualRouter', nameProperty: 'VirtualRouterName', root: 'VirtualRouterSpec' },
  'AWS::AppMesh::Route': { kind: 'route', nameProperty: 'RouteName', parentProperty: 'VirtualRouterName', root: 'RouteSpec' },
  'AWS::AppMesh::VirtualGateway': { kind: 'virtualGateway', nameProperty: 'VirtualGatewayName', root: 'VirtualGatewaySpec' },
  'AWS::AppMesh::GatewayRoute': { kind: 'gatewayRoute', nameProperty: 'GatewayRouteName', parentProperty: 'VirtualGatewayName', root: 'GatewayRouteSpec' },
};

/** Name attributes (`Fn::GetAtt X.VirtualNodeName`) answered from the resource's names. */
const NAME_ATTRIBUTES = new Set(['MeshName', 'VirtualNodeName', 'VirtualServiceName', 'VirtualRouterName', 'RouteName', 'VirtualGatewayName', 'GatewayRouteName']);

/** Parses a template's text: JSON when it starts with `{`, else YAML with the short forms. */
export function parseCfnTemplate(file: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parseCfnYaml(text);
  } catch (error) {
    throw new ImportError({ file }, `not a readable CloudFormation template: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ImportError({ file }, 'not a CloudFormation template: expected a mapping with a Resources section');
  }
  return parsed as Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
}

/** Reads one template. Throws `ImportError` naming the file, the logical id and the field. */
export function readCfnTemplate(file: string, text: string, options: CfnReadOptions = {}): ReadResult {
  return new CfnTemplateReader(file, parseCfnTemplate(file, text), options).read();
}

class CfnTemplateReader implements ResourceLookup {
  private readonly resources: Record<string, unknown>;
  private readonly resolver: IntrinsicResolver;
  private readonly notes = new Map<string, string[]>();
  private readonly placeholders: Placeholder[] = [];
  private readonly names = new Map<string, { meshName?: string; name: string; parentName?: string }>();
  private readonly resolvingNames = new Set<string>();
  private readonly pseudo: Record<string, unknown>;
  private readonly params: Readonly<Record<string, string>>;

  constructor(private readonly file: string, template: Record<string, unknown>, options: CfnReadOptions) {
    if (typeof template.Resources !== 'object' || template.Resources === null || Array.isArray(template.Resources)) {
      throw new ImportError({ file, field: 'Resources' }, 'not a CloudFormation template: the Resources section is missing');
    }
    this.resources = template.Resources as Record<string, unknown>;
    const params = options.params ?? {};
    this.params = params;
    this.pseudo = {
      'AWS::Region': 'us-east-1',
      'AWS::AccountId': '123456789012',
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': path.basename(file).replace(/\.(ya?ml|json|template)$/i, ''),
      'AWS::NotificationARNs': [],
    };
    this.pseudo['AWS::StackId'] = `arn:aws:cloudformation:${params['AWS::Region'] ?? 'us-east-1'}:${params['AWS::AccountId'] ?? '123456789012'}:stack/${params['AWS::StackName'] ?? this.pseudo['AWS::StackName']}/00000000-0000-0000-0000-000000000000`;
    this.resolver = new IntrinsicResolver({
      file,
      parameters: record(template.Parameters),
      conditions: record(template.Conditions),
      mappings: record(template.Mappings),
      paramOverrides: params,
      importValues: options.importValues ?? {},
      pseudoDefaults: this.pseudo,
      onPseudoDefault: (name, value, at) => this.note(at.resource,
        `${name} taken as ${JSON.stringify(value)}, the importer's default (pass --param ${name}=VALUE for the deployed value)`),
    }, this);
  }

  private note(logicalId: string, text: string): void {
    const list = this.notes.get(logicalId) ?? [];
    if (!list.includes(text)) list.push(text);
    this.notes.set(logicalId, list);
  }

  private fail(at: { resource?: string; field?: string }, problem: string): never {
    throw new ImportError({ file: this.file, resource: at.resource, field: at.field }, problem);
  }

  private typeOf(logicalId: string): string {
    return String(record(this.resources[logicalId]).Type ?? '');
  }

  public has(logicalId: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.resources, logicalId);
  }

  public ref(logicalId: string, at: ValueLocation): unknown {
    const type = APPMESH_TYPES[this.typeOf(logicalId)];
    // Ref of an App Mesh resource is its ARN.
    if (type !== undefined) return this.arnOf(logicalId, type, at);
    return this.placeholder(`${logicalId}.Ref`, `Ref ${logicalId} (${this.typeOf(logicalId)}), known only once deployed`, at);
  }

  public getAtt(logicalId: string, attribute: string, at: ValueLocation): unknown {
    const type = APPMESH_TYPES[this.typeOf(logicalId)];
    if (type === undefined) return this.foreignAttribute(logicalId, attribute, at);
    const names = this.namesOf(logicalId, at);
    switch (attribute) {
      case 'Arn':
        return this.arnOf(logicalId, type, at);
      case 'MeshName':
        return names.meshName ?? this.fail(at, `Fn::GetAtt ${logicalId}.MeshName: ${logicalId} has no MeshName`);
      case 'MeshOwner': case 'ResourceOwner': {
        const owner = this.resolver.resolve(record(record(this.resources[logicalId]).Properties).MeshOwner, at);
        return typeof owner === 'string' ? owner : this.resolver.resolve({ Ref: 'AWS::AccountId' }, at);
      }
      case 'Uid':
        return this.placeholder(`${logicalId}.Uid`, `Fn::GetAtt ${logicalId}.Uid, assigned by App Mesh when it was created`, at);
      default:
        if (NAME_ATTRIBUTES.has(attribute)) {
          if (attribute === type.nameProperty) return names.name;
          if (attribute === type.parentProperty) return names.parentName;
        }
        return this.fail(at, `Fn::GetAtt ${logicalId}.${attribute}: ${this.typeOf(logicalId)} has no attribute "${attribute}"`);
    }
  }

  /** An attribute of a resource that is not App Mesh's: its property of that name if literal, else a placeholder. */
  private foreignAttribute(logicalId: string, attribute: string, at: ValueLocation): unknown {
    const properties = record(record(this.resources[logicalId]).Properties);
    if (attribute in properties) {
      const value = this.resolver.resolve(properties[attribute], { resource: logicalId, field: `Properties.${attribute}` });
      if (typeof value === 'string' || typeof value === 'number') {
        this.note(at.resource, `Fn::GetAtt ${logicalId}.${attribute} taken from ${logicalId}'s ${attribute} property (${this.typeOf(logicalId)})`);
        return value;
      }
    }
    return this.placeholder(`${logicalId}.${attribute}`, `Fn::GetAtt ${logicalId}.${attribute} (${this.typeOf(logicalId)}), known only once deployed`, at);
  }

  private placeholder(name: string, meaning: string, at: ValueLocation): string {
    // Hostname-shaped, so it is accepted wherever a name or hostname goes, and plainly not real.
    const value = `unresolved.${name.replace(/[^A-Za-z0-9.-]/g, '-')}.invalid`;
    // The field that holds the value, without the intrinsic that asked for it.
    const field = at.field.replace(/\.(Fn::|Ref\b).*$/, '');
    this.placeholders.push({ value, meaning, file: this.file, where: `${at.resource} ${field}` });
    this.note(at.resource, `${field} holds the placeholder ${value}: ${meaning}`);
    return value;
  }

  private arnOf(logicalId: string, type: AppMeshType, at: ValueLocation): string {
    const names = this.namesOf(logicalId, at);
    // Without a note on the defaults: the spec holds names, and the name is read back from the ARN.
    const pseudo = (name: string) => String(this.params[name] ?? this.pseudo[name]);
    return formatAppMeshArn({
      partition: pseudo('AWS::Partition'),
      region: pseudo('AWS::Region'),
      account: pseudo('AWS::AccountId'),
      meshName: names.meshName ?? names.name,
      kind: type.kind,
      name: names.name,
      parentName: names.parentName,
    });
  }

  /** The names of an App Mesh resource: its name properties, evaluated once. */
  private namesOf(logicalId: string, at: ValueLocation): { meshName?: string; name: string; parentName?: string } {
    const known = this.names.get(logicalId);
    if (known !== undefined) return known;
    if (this.resolvingNames.has(logicalId)) {
      return this.fail(at, `the names of ${logicalId} refer back to ${logicalId} (a reference cycle)`);
    }
    this.resolvingNames.add(logicalId);
    try {
      const type = APPMESH_TYPES[this.typeOf(logicalId)];
      const properties = record(record(this.resources[logicalId]).Properties);
      const nameOf = (property: string): string | undefined => {
        if (!(property in properties)) return undefined;
        const value = this.resolver.resolve(properties[property], { resource: logicalId, field: `Properties.${property}` });
        if (value === NO_VALUE) return undefined;
        if (typeof value !== 'string') return this.fail({ resource: logicalId, field: `Properties.${property}` }, `must be a name (a string), got ${JSON.stringify(value)}`);
        const arn = parseAppMeshArn(value);
        if (arn === undefined) return value;
        this.note(logicalId, `Properties.${property} is an ARN (${value}); its name "${arn.name}" is used`);
        return arn.name;
      };
      let name = nameOf(type.nameProperty);
      const meshName = type.kind === 'mesh' ? name : nameOf('MeshName');
      if (name === undefined) {
        // CloudFormation generates a name when none is given; the logical id stands for it.
        name = logicalId;
        this.note(logicalId, `no ${type.nameProperty}: CloudFormation generated one at deploy time; the logical id "${logicalId}" is used`);
      }
      const names = { meshName: type.kind === 'mesh' ? name : meshName, name, parentName: type.parentProperty === undefined ? undefined : nameOf(type.parentProperty) };
      this.names.set(logicalId, names);
      return names;
    } finally {
      this.resolvingNames.delete(logicalId);
    }
  }

  public read(): ReadResult {
    const ignored: Record<string, number> = {};
    const resources: ImportedResource[] = [];
    const meshIds = Object.keys(this.resources).filter((id) => APPMESH_TYPES[this.typeOf(id)] !== undefined);
    for (const id of Object.keys(this.resources)) {
      const type = this.typeOf(id);
      if (type.startsWith('AWS::AppMesh::') && APPMESH_TYPES[type] === undefined) {
        this.fail({ resource: id, field: 'Type' }, `unknown App Mesh resource type "${type}"`);
      }
      if (APPMESH_TYPES[type] === undefined) countIgnored(ignored, type === '' ? '(no Type)' : type);
    }
    if (meshIds.length === 0) {
      const others = Object.values(ignored).reduce((a, b) => a + b, 0);
      throw new ImportError({ file: this.file }, `no App Mesh resources (AWS::AppMesh::*) in the template (${others} other resources)`);
    }
    for (const id of meshIds) {
      const resource = this.readResource(id);
      if (resource !== undefined) resources.push(resource);
    }
    return { file: this.file, format: 'cfn', resources, ignored, placeholders: this.placeholders };
  }

  private readResource(logicalId: string): ImportedResource | undefined {
    const definition = record(this.resources[logicalId]);
    const type = APPMESH_TYPES[String(definition.Type)];
    const dropped: string[] = [];
    if (typeof definition.Condition === 'string' && !this.resolver.condition(definition.Condition, { resource: logicalId, field: 'Condition' })) {
      // CloudFormation would not create it; the report says so.
      return this.droppedByCondition(logicalId, type, definition.Condition);
    }
    const allowed = new Set(['MeshName', 'MeshOwner', 'Spec', 'Tags', type.nameProperty, ...(type.parentProperty ? [type.parentProperty] : [])]);
    const rawProperties = record(definition.Properties);
    for (const key of Object.keys(rawProperties)) {
      if (!allowed.has(key)) this.fail({ resource: logicalId, field: `Properties.${key}` }, `${definition.Type} has no property "${key}" (it takes ${[...allowed].join(', ')})`);
    }
    const names = this.namesOf(logicalId, { resource: logicalId, field: 'Properties' });
    if (type.kind !== 'mesh' && names.meshName === undefined) {
      this.fail({ resource: logicalId, field: 'Properties.MeshName' }, `${definition.Type} needs MeshName`);
    }
    if (type.parentProperty !== undefined && names.parentName === undefined) {
      this.fail({ resource: logicalId, field: `Properties.${type.parentProperty}` }, `${definition.Type} needs ${type.parentProperty}`);
    }
    const rawSpec = rawProperties.Spec;
    if (rawSpec === undefined && type.kind !== 'mesh') this.fail({ resource: logicalId, field: 'Properties.Spec' }, `${definition.Type} needs Spec`);
    const resolvedSpec = rawSpec === undefined ? {} : this.resolver.resolve(rawSpec, { resource: logicalId, field: 'Properties.Spec' });
    const problems: string[] = [];
    const spec = toApiShape(resolvedSpec === NO_VALUE ? {} : resolvedSpec, type.root, 'Properties.Spec', {
      unknownFields: 'error',
      onError: (field, message) => problems.push(`${field}: ${message}`),
    });
    if (problems.length > 0) this.fail({ resource: logicalId }, problems.join('; '));
    namesFromArns(spec, 'Properties.Spec', (field, arn, name) => this.note(logicalId, `${field} is an ARN (${arn}); its name "${name}" is used`));
    if (rawProperties.Tags !== undefined) {
      const count = Array.isArray(rawProperties.Tags) ? rawProperties.Tags.length : 0;
      dropped.push(`Tags (${count}): tags belong to the AWS resource, not the mesh spec; tag the CDK stack instead`);
    }
    const owner = rawProperties.MeshOwner === undefined ? undefined : this.resolver.resolve(rawProperties.MeshOwner, { resource: logicalId, field: 'Properties.MeshOwner' });
    return {
      kind: type.kind,
      meshName: names.meshName,
      name: names.name,
      parentName: names.parentName,
      spec,
      meshOwner: typeof owner === 'string' ? owner : undefined,
      source: { file: this.file, origin: logicalId },
      assumptions: this.notes.get(logicalId) ?? [],
      dropped,
    };
  }

  private droppedByCondition(logicalId: string, type: AppMeshType, condition: string): ImportedResource {
    let name = logicalId;
    try {
      name = this.namesOf(logicalId, { resource: logicalId, field: 'Properties' }).name;
    } catch {
      // Names that cannot be evaluated do not matter for a resource that is not created.
    }
    return {
      kind: type.kind,
      name,
      spec: {},
      source: { file: this.file, origin: logicalId },
      assumptions: [],
      dropped: [],
      excluded: `its Condition "${condition}" is false, so CloudFormation would not create it`,
    };
  }
}
