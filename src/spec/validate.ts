import { specDepthIssue } from './depth-limit';
import {
  GatewayRouteResource,
  MeshSpecDocument,
  RouteResource,
  SPEC_VERSION,
  SPEC_VERSION_EXTENSIONS,
  VirtualGatewayResource,
  VirtualNodeResource,
  VirtualRouterResource,
  VirtualServiceResource,
} from './document';
import { ExtensionRootName } from './extensions/extension-schema';
import { SpecIssue, SpecResourceRef } from './issue';
import { Indexed, listenerFacts, MeshIndex } from './mesh-index';
import { nameCharacterProblem } from './resource-name';
import { GATEWAY_ROUTE_EXTENSION_RULES } from './rules/extension-gateway-route-rules';
import { ROUTE_EXTENSION_RULES } from './rules/extension-route-rules';
import { VIRTUAL_GATEWAY_EXTENSION_RULES } from './rules/extension-virtual-gateway-rules';
import { VIRTUAL_NODE_EXTENSION_RULES } from './rules/extension-virtual-node-rules';
import { GATEWAY_ROUTE_RULES } from './rules/gateway-route-rules';
import { ROUTE_RULES } from './rules/route-rules';
import { RuleContext, SpecRule } from './rules/rule';
import { VIRTUAL_GATEWAY_RULES } from './rules/virtual-gateway-rules';
import { VIRTUAL_NODE_RULES } from './rules/virtual-node-rules';
import { VIRTUAL_ROUTER_RULES } from './rules/virtual-router-rules';
import { VIRTUAL_SERVICE_RULES } from './rules/virtual-service-rules';
import { checkAgainstSchema, describeValue, SchemaRootName } from './schema-check';
import { specVersionIssue } from './spec-version';

export * from './issue';

/**
 * Options of `validateMeshSpec`.
 */
export type ValidateOptions = {
  /**
   * True for values that are not known yet (CDK tokens): such values skip every check.
   * Default: every value is known.
   */
  readonly isUnresolved?: (value: unknown) => boolean;
  /**
   * Receives each warning: input App Mesh accepted although traffic does not flow as written
   * (the route concerned is not distributed). Warnings are not in the returned list, so a spec
   * with warnings only is valid. Default: warnings are dropped.
   */
  readonly onWarning?: (issue: SpecIssue) => void;
};

/** App Mesh's limit on resource names. */
const NAME_MAX_LENGTH = 255;

/** How one resource list of the document is named, checked and indexed. */
interface ResourceKind<R> {
  /** Document field holding the list. */
  readonly list: 'virtualNodes' | 'virtualServices' | 'virtualRouters' | 'routes' | 'virtualGateways' | 'gatewayRoutes';
  /** `SpecResourceRef.kind`. */
  readonly kind: string;
  /** How messages name one resource. */
  readonly noun: string;
  readonly nameField: string;
  /** Name field of the parent router or gateway (routes and gateway routes). */
  readonly parentField?: string;
  readonly parentNoun?: string;
  /** The index map of the parents (routers or gateways), indexed before this kind. */
  readonly parents?: (index: MeshIndex) => Map<string, Indexed<unknown>>;
  /** Virtual service names are hostnames; the model sets no length cap. */
  readonly nameMaxLength?: number;
  readonly root: SchemaRootName;
  /** Schema root of the kind's `extensions` section; absent for kinds that carry none. */
  readonly extensionRoot?: ExtensionRootName;
  /** App Mesh rules, then the extension rules (`rules/extension-*-rules.ts`). */
  readonly rules: readonly SpecRule<R>[];
  /** The index map the resource goes into (per parent for routes). */
  readonly registry: (index: MeshIndex, resource: R) => Map<string, Indexed<R>>;
}

function nested<R>(outer: Map<string, Map<string, Indexed<R>>>, parent: string): Map<string, Indexed<R>> {
  let inner = outer.get(parent);
  if (inner === undefined) {
    inner = new Map();
    outer.set(parent, inner);
  }
  return inner;
}

const VIRTUAL_NODES: ResourceKind<VirtualNodeResource> = {
  list: 'virtualNodes',
  kind: 'virtualNode',
  noun: 'virtual node',
  nameField: 'virtualNodeName',
  nameMaxLength: NAME_MAX_LENGTH,
  root: 'VirtualNodeSpec',
  extensionRoot: 'VirtualNodeExtensions',
  rules: [...VIRTUAL_NODE_RULES, ...VIRTUAL_NODE_EXTENSION_RULES],
  registry: index => index.virtualNodes,
};
const VIRTUAL_SERVICES: ResourceKind<VirtualServiceResource> = {
  list: 'virtualServices',
  kind: 'virtualService',
  noun: 'virtual service',
  nameField: 'virtualServiceName',
  root: 'VirtualServiceSpec',
  rules: VIRTUAL_SERVICE_RULES,
  registry: index => index.virtualServices,
};
const VIRTUAL_ROUTERS: ResourceKind<VirtualRouterResource> = {
  list: 'virtualRouters',
  kind: 'virtualRouter',
  noun: 'virtual router',
  nameField: 'virtualRouterName',
  nameMaxLength: NAME_MAX_LENGTH,
  root: 'VirtualRouterSpec',
  rules: VIRTUAL_ROUTER_RULES,
  registry: index => index.virtualRouters,
};
const ROUTES: ResourceKind<RouteResource> = {
  list: 'routes',
  kind: 'route',
  noun: 'route',
  nameField: 'routeName',
  parentField: 'virtualRouterName',
  parentNoun: 'virtual router',
  parents: index => index.virtualRouters,
  nameMaxLength: NAME_MAX_LENGTH,
  root: 'RouteSpec',
  extensionRoot: 'RouteExtensions',
  rules: [...ROUTE_RULES, ...ROUTE_EXTENSION_RULES],
  registry: (index, route) => nested(index.routes, route.virtualRouterName),
};
const VIRTUAL_GATEWAYS: ResourceKind<VirtualGatewayResource> = {
  list: 'virtualGateways',
  kind: 'virtualGateway',
  noun: 'virtual gateway',
  nameField: 'virtualGatewayName',
  nameMaxLength: NAME_MAX_LENGTH,
  root: 'VirtualGatewaySpec',
  extensionRoot: 'VirtualGatewayExtensions',
  rules: [...VIRTUAL_GATEWAY_RULES, ...VIRTUAL_GATEWAY_EXTENSION_RULES],
  registry: index => index.virtualGateways,
};
const GATEWAY_ROUTES: ResourceKind<GatewayRouteResource> = {
  list: 'gatewayRoutes',
  kind: 'gatewayRoute',
  noun: 'gateway route',
  nameField: 'gatewayRouteName',
  parentField: 'virtualGatewayName',
  parentNoun: 'virtual gateway',
  parents: index => index.virtualGateways,
  nameMaxLength: NAME_MAX_LENGTH,
  root: 'GatewayRouteSpec',
  extensionRoot: 'GatewayRouteExtensions',
  rules: [...GATEWAY_ROUTE_RULES, ...GATEWAY_ROUTE_EXTENSION_RULES],
  registry: (index, route) => nested(index.gatewayRoutes, route.virtualGatewayName),
};

/** Every resource list, in document order. */
const RESOURCE_KINDS: readonly ResourceKind<any>[] = [
  VIRTUAL_NODES, VIRTUAL_SERVICES, VIRTUAL_ROUTERS, ROUTES, VIRTUAL_GATEWAYS, GATEWAY_ROUTES,
];

const DOCUMENT_FIELDS = new Set([
  'specVersion', 'mesh', 'proxyAccess', ...RESOURCE_KINDS.map(kind => kind.list),
]);

/** One resource of the document on its way through the checks. */
interface Entry {
  readonly kind: ResourceKind<any>;
  readonly resource: any;
  readonly path: string;
  readonly ref: SpecResourceRef;
  /** Its issues, kept together so the report reads resource by resource. */
  readonly issues: SpecIssue[];
  /** Its warnings, in the same order. */
  readonly warnings: SpecIssue[];
  /** Envelope and spec passed the structural checks: the cross-field rules may run. */
  sound: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quote(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * One validation of one document. Pass 1 checks each resource's envelope and spec structure
 * and indexes it; pass 2 runs the cross-field rules with the complete index.
 */
class Validation {
  public readonly issues: SpecIssue[] = [];
  private readonly index = new MeshIndex();
  private readonly entries: Entry[] = [];
  /** Undefined when every value is known: the schema walk then skips the call per value. */
  private readonly isUnresolved: ((value: unknown) => boolean) | undefined;
  private readonly onWarning: ((issue: SpecIssue) => void) | undefined;
  /** The document's mesh name; undefined while unknown (missing, not a string, or a token). */
  private meshName: string | undefined;
  /** The document declares `open-app-mesh/v1`: an `extensions` section is then an error. */
  private extensionsRefused = false;

  constructor(private readonly doc: unknown, options: ValidateOptions) {
    this.isUnresolved = options.isUnresolved;
    this.onWarning = options.onWarning;
  }

  public run(): SpecIssue[] {
    const doc = this.doc;
    if (!isRecord(doc)) {
      this.documentIssue('(document)', `expected a mesh spec document object, got ${describeValue(doc)}`);
      return this.issues;
    }
    // First, so no walker below meets unbounded nesting; nothing else is checked after it.
    const tooDeep = specDepthIssue(doc);
    if (tooDeep !== undefined) {
      this.issues.push(tooDeep);
      return this.issues;
    }
    const versionIssue = specVersionIssue(doc.specVersion);
    if (versionIssue !== undefined) this.issues.push(versionIssue);
    this.extensionsRefused = doc.specVersion === SPEC_VERSION;
    for (const key of Object.keys(doc)) {
      if (!DOCUMENT_FIELDS.has(key) && doc[key] !== undefined) {
        this.documentIssue(key, `unknown field (a mesh spec document has ${[...DOCUMENT_FIELDS].join(', ')})`);
      }
    }
    const meshIssues: SpecIssue[] = [];
    this.checkMesh(doc.mesh, meshIssues);
    for (const kind of RESOURCE_KINDS) this.collect(kind, doc[kind.list]);
    const context = this.ruleContext();
    for (const entry of this.entries) {
      if (!entry.sound) continue;
      for (const rule of entry.kind.rules) {
        context.enter(entry, rule);
        rule.check(entry.resource, context);
      }
    }
    this.issues.push(...meshIssues);
    for (const entry of this.entries) this.issues.push(...entry.issues);
    for (const entry of this.entries) entry.warnings.forEach(warning => this.onWarning?.(warning));
    this.checkProxyAccess(doc.proxyAccess);
    return this.issues;
  }

  private known(value: unknown): boolean {
    return this.isUnresolved === undefined || !this.isUnresolved(value);
  }

  private documentIssue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  private checkMesh(mesh: unknown, issues: SpecIssue[]): void {
    if (!isRecord(mesh)) {
      this.documentIssue('mesh', `expected the mesh object { meshName, spec }, got ${describeValue(mesh)}`);
      return;
    }
    const name = mesh.meshName;
    const ref: SpecResourceRef = { kind: 'mesh', name: typeof name === 'string' ? name : '' };
    const report = (path: string, message: string) => issues.push({ path, message, resource: ref });
    if (typeof name === 'string' && name.length > 0 && this.known(name)) this.meshName = name;
    this.checkName(name, 'mesh.meshName', 'mesh name', NAME_MAX_LENGTH, report);
    this.checkEnvelopeFields(mesh, ['meshName', 'meshOwner', 'spec'], 'mesh', 'the mesh', report);
    const owner = mesh.meshOwner;
    if (owner !== undefined && this.known(owner) && (typeof owner !== 'string' || !/^[0-9]{12}$/.test(owner))) {
      report('mesh.meshOwner', `expected a 12-digit AWS account id, got ${describeValue(owner)}`);
    }
    if (mesh.spec !== undefined) checkAgainstSchema('MeshSpec', mesh.spec, 'mesh.spec', report, this.isUnresolved);
  }

  private collect(kind: ResourceKind<any>, list: unknown): void {
    if (list === undefined || (!Array.isArray(list) && !this.known(list))) {
      if (list === undefined) this.documentIssue(kind.list, 'missing required list (an empty list is written [])');
      return;
    }
    if (!Array.isArray(list)) {
      this.documentIssue(kind.list, `expected a list of ${kind.noun}s, got ${describeValue(list)}`);
      return;
    }
    list.forEach((resource, i) => this.collectOne(kind, resource, i));
  }

  private collectOne(kind: ResourceKind<any>, resource: unknown, position: number): void {
    const issues: SpecIssue[] = [];
    if (!isRecord(resource)) {
      this.issues.push({ path: `${kind.list}[${position}]`, message: `expected a ${kind.noun} object, got ${describeValue(resource)}` });
      return;
    }
    const name = resource[kind.nameField];
    const parent = kind.parentField !== undefined ? resource[kind.parentField] : undefined;
    const named = typeof name === 'string' && (kind.parentField === undefined || typeof parent === 'string');
    const registry = named ? kind.registry(this.index, resource) : undefined;
    const first = registry?.get(name as string);
    // A duplicate keeps its position in its path, so its issues stay distinguishable.
    const key = kind.parentField === undefined ? name : `${parent}/${name}`;
    const path = named && first === undefined ? `${kind.list}[${quote(key)}]` : `${kind.list}[${position}]`;
    const ref: SpecResourceRef = {
      kind: kind.kind,
      name: typeof name === 'string' ? name : `${kind.list}[${position}]`,
      ...(typeof parent === 'string' ? { parentName: parent } : {}),
    };
    const entry: Entry = { kind, resource, path, ref, issues, warnings: [], sound: true };
    const report = (at: string, message: string) => {
      entry.sound = false;
      issues.push({ path: at, message, resource: ref });
    };

    this.checkName(name, `${path}.${kind.nameField}`, `${kind.noun} name`, kind.nameMaxLength, report);
    if (kind.parentField !== undefined) {
      // The characters of an existing parent's name are reported once, at the parent.
      const parentExists = typeof parent === 'string' && kind.parents?.(this.index).has(parent) === true;
      this.checkName(parent, `${path}.${kind.parentField}`, `${kind.parentNoun} name`, NAME_MAX_LENGTH, report, !parentExists);
    }
    const meshName = resource.meshName;
    // The characters of the document's mesh name are reported once, at mesh.meshName.
    const isDocumentMesh = meshName === this.meshName;
    this.checkName(meshName, `${path}.meshName`, 'mesh name', NAME_MAX_LENGTH, report, !isDocumentMesh);
    if (typeof meshName === 'string' && meshName.length > 0 && this.known(meshName) && this.meshName !== undefined && meshName !== this.meshName) {
      report(`${path}.meshName`, `${quote(meshName)} is not the document's mesh ${quote(this.meshName)}; every resource of a document belongs to its mesh`);
    }
    const fields = [
      'meshName', kind.nameField, ...(kind.parentField !== undefined ? [kind.parentField] : []), 'spec',
      ...(kind.extensionRoot !== undefined ? ['extensions'] : []),
    ];
    this.checkEnvelopeFields(resource, fields, path, `a ${kind.noun}`, report);
    if (resource.spec === undefined) {
      report(`${path}.spec`, `missing required field (a ${kind.noun} needs a spec)`);
    } else {
      checkAgainstSchema(kind.root, resource.spec, `${path}.spec`, report, this.isUnresolved);
    }
    if (kind.extensionRoot !== undefined && resource.extensions !== undefined) {
      if (this.extensionsRefused) {
        report(`${path}.extensions`, `a document with extensions declares specVersion ${quote(SPEC_VERSION_EXTENSIONS)}; this one declares ${quote(SPEC_VERSION)}, which readers take as App Mesh resources only`);
      }
      checkAgainstSchema(kind.extensionRoot, resource.extensions, `${path}.extensions`, report, this.isUnresolved);
    }

    if (registry !== undefined && first !== undefined && this.known(name)) {
      const scope = kind.parentField === undefined
        ? `${kind.noun} names are unique per mesh`
        : `${kind.noun} names are unique per ${kind.parentNoun} (${kind.parentNoun} ${quote(parent)})`;
      report(`${path}.${kind.nameField}`, `duplicate ${kind.noun} name ${quote(name)}, also used by ${first.path}; ${scope}`);
      // A duplicate's own spec is still checked, but the rules see only the first of the name.
    }
    if (registry !== undefined && first === undefined) {
      const listeners = entry.sound && isRecord(resource.spec)
        ? listenerFacts(resource.spec.listeners, value => this.known(value))
        : undefined;
      registry.set(name as string, { resource, path, listeners });
    }
    this.entries.push(entry);
  }

  private checkName(
    name: unknown,
    path: string,
    what: string,
    maxLength: number | undefined,
    report: (path: string, message: string) => void,
    checkCharacters = true,
  ): void {
    if (name === undefined) {
      report(path, `missing required field (the ${what})`);
    } else if (!this.known(name)) {
      return;
    } else if (typeof name !== 'string') {
      report(path, `expected the ${what} as a string, got ${describeValue(name)}`);
    } else if (name.length === 0) {
      report(path, `the ${what} is empty`);
    } else if (maxLength !== undefined && name.length > maxLength) {
      report(path, `the ${what} has ${name.length} characters, above the maximum length ${maxLength} (1–${maxLength} characters)`);
    } else if (checkCharacters) {
      const problem = nameCharacterProblem(name, what);
      if (problem !== undefined) report(path, problem);
    }
  }

  private checkEnvelopeFields(
    resource: Record<string, unknown>,
    fields: readonly string[],
    path: string,
    what: string,
    report: (path: string, message: string) => void,
  ): void {
    for (const key of Object.keys(resource)) {
      if (resource[key] !== undefined && !fields.includes(key)) {
        report(`${path}.${key}`, `unknown field (${what} has ${fields.join(', ')})`);
      }
    }
  }

  private checkProxyAccess(proxyAccess: unknown): void {
    if (proxyAccess === undefined || !this.known(proxyAccess)) return;
    if (!Array.isArray(proxyAccess)) {
      this.documentIssue('proxyAccess', `expected a list of { nodeId, principals }, got ${describeValue(proxyAccess)}`);
      return;
    }
    const seen = new Map<string, number>();
    proxyAccess.forEach((grant: unknown, i) => {
      const path = `proxyAccess[${i}]`;
      if (!isRecord(grant)) {
        this.documentIssue(path, `expected { nodeId, principals }, got ${describeValue(grant)}`);
        return;
      }
      for (const key of Object.keys(grant)) {
        if (grant[key] !== undefined && key !== 'nodeId' && key !== 'principals') {
          this.documentIssue(`${path}.${key}`, 'unknown field (a proxy access entry has nodeId, principals)');
        }
      }
      this.checkNodeId(grant.nodeId, `${path}.nodeId`, seen, i);
      const principals = grant.principals;
      if (!this.known(principals)) return;
      if (!Array.isArray(principals)) {
        this.documentIssue(`${path}.principals`, `expected a list of principal ARNs, got ${describeValue(principals)}`);
        return;
      }
      principals.forEach((principal: unknown, j) => {
        if (!this.known(principal)) return;
        if (typeof principal !== 'string' || principal.length === 0) {
          this.documentIssue(`${path}.principals[${j}]`, `expected a principal ARN, got ${describeValue(principal)}`);
        }
      });
    });
  }

  private checkNodeId(nodeId: unknown, path: string, seen: Map<string, number>, position: number): void {
    if (typeof nodeId !== 'string') {
      this.documentIssue(path, `expected a node id string, got ${describeValue(nodeId)}`);
      return;
    }
    if (!this.known(nodeId)) return;
    const parts = nodeId.split('/');
    const shapeOk = parts.length === 4 && parts[0] === 'mesh' && (parts[2] === 'virtualNode' || parts[2] === 'virtualGateway');
    if (!shapeOk) {
      this.documentIssue(path, `${quote(nodeId)} is not a node id (mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>)`);
      return;
    }
    const [, mesh, kind, name] = parts;
    if (this.meshName !== undefined && mesh !== this.meshName) {
      this.documentIssue(path, `${quote(nodeId)} names mesh ${quote(mesh)}, not the document's mesh ${quote(this.meshName)}`);
    } else {
      const exists = kind === 'virtualNode' ? this.index.virtualNodes.has(name) : this.index.virtualGateways.has(name);
      if (!exists) {
        this.documentIssue(path, `${quote(nodeId)} names a ${kind === 'virtualNode' ? 'virtual node' : 'virtual gateway'} that does not exist in the mesh`);
      }
    }
    const first = seen.get(nodeId);
    if (first !== undefined) {
      this.documentIssue(path, `duplicate node id ${quote(nodeId)}, also in proxyAccess[${first}]; merge the principals into one entry`);
    } else {
      seen.set(nodeId, position);
    }
  }

  private ruleContext(): RuleContext & { enter(entry: Entry, rule: SpecRule<unknown>): void } {
    let current: Entry | undefined;
    let currentRule: SpecRule<unknown> | undefined;
    return {
      index: this.index,
      meshName: this.meshName ?? '(unknown)',
      known: value => this.known(value),
      report: (relativePath, message) => {
        if (current === undefined || currentRule === undefined) throw new Error('rule reported outside a resource');
        const issue: SpecIssue = { path: `${current.path}${relativePath}`, message, resource: current.ref, rule: currentRule.id };
        (currentRule.severity === 'warning' ? current.warnings : current.issues).push(issue);
      },
      enter: (entry, rule) => {
        current = entry;
        currentRule = rule;
      },
    };
  }
}

/**
 * Checks a mesh spec document: the envelope (specVersion, names, every resource in the
 * document's mesh), each spec against the App Mesh schema (structure, enums, ranges, unions),
 * and the cross-field rules the schema cannot express (references, listener protocols and
 * ports, route shapes, rewrites). Returns every error found; an empty list means valid.
 * Warnings (accepted input whose traffic does not flow as written) go to `options.onWarning`.
 * Values for which `options.isUnresolved` returns true (CDK tokens) are not checked.
 */
export function validateMeshSpec(doc: MeshSpecDocument, options: ValidateOptions = {}): SpecIssue[] {
  return new Validation(doc, options).run();
}
