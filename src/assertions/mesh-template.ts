import { Stack, Stage } from 'aws-cdk-lib';
import { Match, Matcher, MatchResult } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { IMesh } from '../mesh';
import { MeshResourceKind } from './mesh-resource-kind';
import { meshResourceOf, proxyGrantsOf } from '../private/registry';
import { collectMeshSpecs } from '../private/spec-builder';
import { MeshSpecDocument, parseMeshSpec } from '../spec';

/** Options for picking the mesh a `MeshTemplate` asserts on. */
export interface MeshTemplateOptions {
  /**
   * Name of the mesh to assert on, when the scope holds resources of several meshes.
   *
   * @default - the only mesh in the scope; an error if there are several
   */
  readonly meshName?: string;
}

/** Where each kind of resource lives in the document, and which fields name it. */
interface KindLayout {
  /** Document key of the resource list (or of the mesh object). */
  readonly section: string;
  /** Field holding the resource's own name. */
  readonly nameField: string;
  /** Field holding the parent's name, for routes and gateway routes. */
  readonly parentField?: string;
}

const LAYOUT: Record<MeshResourceKind, KindLayout> = {
  [MeshResourceKind.MESH]: { section: 'mesh', nameField: 'meshName' },
  [MeshResourceKind.VIRTUAL_NODE]: { section: 'virtualNodes', nameField: 'virtualNodeName' },
  [MeshResourceKind.VIRTUAL_SERVICE]: { section: 'virtualServices', nameField: 'virtualServiceName' },
  [MeshResourceKind.VIRTUAL_ROUTER]: { section: 'virtualRouters', nameField: 'virtualRouterName' },
  [MeshResourceKind.ROUTE]: { section: 'routes', nameField: 'routeName', parentField: 'virtualRouterName' },
  [MeshResourceKind.VIRTUAL_GATEWAY]: { section: 'virtualGateways', nameField: 'virtualGatewayName' },
  [MeshResourceKind.GATEWAY_ROUTE]: { section: 'gatewayRoutes', nameField: 'gatewayRouteName', parentField: 'virtualGatewayName' },
};

/** One resource of the document together with where it sits, for messages. */
interface Located {
  readonly location: string;
  readonly resource: any;
}

/**
 * Assertions on the mesh spec a CDK scope synthesizes, in the manner of
 * `aws-cdk-lib/assertions`' `Template`, but over the open-app-mesh spec document
 * (App Mesh API field names) instead of a CloudFormation template.
 *
 * Patterns are plain objects matched partially (as `Match.objectLike`) or any
 * `Matcher` from `aws-cdk-lib/assertions` (`Match.arrayWith`, `Match.absent`,
 * `Match.objectEquals`, `Capture` ...).
 *
 * @example
 * const template = MeshTemplate.fromStack(stack);
 * template.hasVirtualNode('orders', { serviceDiscovery: { dns: { hostname: 'orders.local' } } });
 * template.resourceCountIs(MeshResourceKind.ROUTE, 2);
 */
export class MeshTemplate {
  /**
   * The spec document of the mesh that the resources defined in `stack` belong to.
   *
   * A document covers a whole mesh: it is built, as at synth, from every resource of
   * that mesh in the stack's Stage (the file written into its cloud assembly), so a
   * gateway route in this stack whose gateway lives in another stack is checked against
   * that gateway. Deploy-time values appear in their CloudFormation form.
   *
   * Runs the construct validations of `stack` (as `app.synth()` would) first, so a
   * misconfigured construct fails here with its message.
   */
  public static fromStack(stack: Stack, options: MeshTemplateOptions = {}): MeshTemplate {
    return MeshTemplate.fromConstruct(stack, options);
  }

  /**
   * The spec document of the mesh that the resources defined under `scope` (a stage,
   * a stack or any construct) belong to; see `fromStack`. For an App, the meshes of the
   * app's own stacks (nested Stages write their own documents).
   */
  public static fromConstruct(scope: IConstruct, options: MeshTemplateOptions = {}): MeshTemplate {
    runValidations(scope.node.findAll());
    const documents = collectDocuments(scope, meshNamesUnder(scope));
    return new MeshTemplate(pickDocument(documents, options.meshName, `under '${scope.node.path || '<root>'}'`));
  }

  /**
   * The spec document of `mesh` (a Mesh, or one imported by name) in its Stage: every
   * resource of that mesh, whichever stack defines it. Runs the validations of those
   * resources first.
   */
  public static fromMesh(mesh: IMesh): MeshTemplate {
    const stage = stageOf(mesh);
    const root = stage ?? mesh.node.root;
    const members = root.node.findAll().filter((c) => meshNameOf(c) === mesh.meshName);
    runValidations(members);
    const documents = collectDocuments(mesh, new Set([mesh.meshName]));
    return new MeshTemplate(pickDocument(documents, mesh.meshName, `in '${root.node.path || '<root>'}'`));
  }

  /**
   * A template over a mesh spec document given as JSON text (for example the file the
   * control plane reads). The document is checked like the control plane checks it.
   */
  public static fromString(json: string): MeshTemplate {
    return new MeshTemplate(parseMeshSpec(json));
  }

  /** A template over a mesh spec document given as an object. Checked like `fromString`. */
  public static fromJSON(document: { [key: string]: any }): MeshTemplate {
    return MeshTemplate.fromString(JSON.stringify(document));
  }

  /** Name of the mesh this template asserts on. */
  public readonly meshName: string;

  private readonly document: MeshSpecDocument;

  private constructor(document: MeshSpecDocument) {
    this.document = document;
    // A deploy-time mesh name is resolved to its CloudFormation form; show it as JSON.
    const name: unknown = document.mesh.meshName;
    this.meshName = typeof name === 'string' ? name : JSON.stringify(name);
  }

  /**
   * The whole document in canonical form (sorted keys and lists): a plain object,
   * stable from run to run, suited to snapshot tests.
   */
  public toJSON(): { [key: string]: any } {
    return JSON.parse(JSON.stringify(this.document));
  }

  /** Asserts the number of resources of `kind` in the mesh. */
  public resourceCountIs(kind: MeshResourceKind, count: number): void {
    const actual = this.resourcesOf(kind);
    if (actual.length !== count) {
      const names = actual.map((r) => r.location).join(', ') || 'none';
      throw new Error(`${this.where()}: expected ${count} ${plural(kind, count)} but found ${actual.length} (${names})`);
    }
  }

  /**
   * Asserts that some resource of `kind` matches `props`.
   *
   * `props` is matched against the whole resource entry, e.g.
   * `{ virtualNodeName: 'orders', spec: { listeners: [...] } }`; plain objects match partially.
   */
  public hasResourceLike(kind: MeshResourceKind, props: any): void {
    this.assertSomeMatch(kind, this.resourcesOf(kind), props);
  }

  /** Asserts how many resources of `kind` match `props`. */
  public matchingResourceCountIs(kind: MeshResourceKind, props: any, count: number): void {
    const matcher = toMatcher(props);
    const all = this.resourcesOf(kind);
    const matching = all.filter((r) => !matcher.test(r.resource).hasFailed());
    if (matching.length !== count) {
      const names = matching.map((r) => r.location).join(', ') || 'none';
      throw new Error(`${this.where()}: expected ${count} ${plural(kind, count)} matching ${renderPattern(props)} `
        + `but ${matching.length} of ${all.length} match (${names})`);
    }
  }

  /** Asserts that every resource of `kind` matches `props` (true when there is none). */
  public allResourcesLike(kind: MeshResourceKind, props: any): void {
    const matcher = toMatcher(props);
    const failures = this.resourcesOf(kind)
      .map((located) => ({ located, result: matcher.test(located.resource) }))
      .filter((r) => r.result.hasFailed());
    if (failures.length > 0) {
      const first = failures[0];
      throw new Error(`${this.where()}: expected every ${kind} to match ${renderPattern(props)}, `
        + `but ${failures.length} do not (${failures.map((f) => f.located.location).join(', ')}). `
        + `First, ${first.located.location}:\n${first.result.renderMismatch()}`);
    }
  }

  /** The resource entries of `kind` that match `props` (all of them when `props` is omitted). */
  public findResources(kind: MeshResourceKind, props?: any): any[] {
    const matcher = toMatcher(props ?? {});
    return this.resourcesOf(kind)
      .filter((r) => !matcher.test(r.resource).hasFailed())
      .map((r) => JSON.parse(JSON.stringify(r.resource)));
  }

  /** Asserts that the mesh's own spec matches `spec`. */
  public hasMeshSpec(spec: any): void {
    this.hasResourceLike(MeshResourceKind.MESH, { spec });
  }

  /**
   * Asserts that the virtual node `virtualNodeName` exists and, when `spec` is given,
   * that its spec matches it.
   */
  public hasVirtualNode(virtualNodeName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.VIRTUAL_NODE, virtualNodeName, undefined, spec);
  }

  /** Asserts that the virtual service `virtualServiceName` exists and its spec matches `spec`. */
  public hasVirtualService(virtualServiceName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.VIRTUAL_SERVICE, virtualServiceName, undefined, spec);
  }

  /** Asserts that the virtual router `virtualRouterName` exists and its spec matches `spec`. */
  public hasVirtualRouter(virtualRouterName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.VIRTUAL_ROUTER, virtualRouterName, undefined, spec);
  }

  /** Asserts that router `virtualRouterName` has the route `routeName` and its spec matches `spec`. */
  public hasRoute(virtualRouterName: string, routeName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.ROUTE, routeName, virtualRouterName, spec);
  }

  /** Asserts that the virtual gateway `virtualGatewayName` exists and its spec matches `spec`. */
  public hasVirtualGateway(virtualGatewayName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.VIRTUAL_GATEWAY, virtualGatewayName, undefined, spec);
  }

  /**
   * Asserts that gateway `virtualGatewayName` has the gateway route `gatewayRouteName`
   * and its spec matches `spec`.
   */
  public hasGatewayRoute(virtualGatewayName: string, gatewayRouteName: string, spec?: any): void {
    this.assertNamed(MeshResourceKind.GATEWAY_ROUTE, gatewayRouteName, virtualGatewayName, spec);
  }

  /**
   * Asserts that the proxy `nodeId` (`mesh/<mesh>/virtualNode/<name>` or
   * `mesh/<mesh>/virtualGateway/<name>`) may be claimed by a principal, and, when
   * `principals` is given, that the principal list matches it (e.g. `Match.arrayWith([arn])`).
   */
  public hasProxyAccess(nodeId: string, principals?: any): void {
    const entries: any[] = this.document.proxyAccess ?? [];
    const entry = entries.find((e) => e.nodeId === nodeId);
    if (!entry) {
      const known = entries.map((e) => e.nodeId).join(', ') || 'none';
      throw new Error(`${this.where()}: expected proxyAccess for node id '${nodeId}', but it has none (node ids with access: ${known})`);
    }
    if (principals === undefined) {
      return;
    }
    const result = toMatcher(principals, true).test(entry.principals);
    if (result.hasFailed()) {
      throw new Error(`${this.where()}: proxyAccess["${nodeId}"].principals does not match ${renderPattern(principals)}:\n${result.renderMismatch()}`);
    }
    result.finished();
  }

  /** Asserts that the whole document matches `expected` (partially for plain objects). */
  public templateMatches(expected: any): void {
    const result = toMatcher(expected).test(this.toJSON());
    if (result.hasFailed()) {
      throw new Error(`${this.where()}: the document does not match ${renderPattern(expected)}:\n${result.renderMismatch()}`);
    }
    result.finished();
  }

  private assertNamed(kind: MeshResourceKind, name: string, parentName: string | undefined, spec: any): void {
    const layout = LAYOUT[kind];
    const all = this.resourcesOf(kind);
    const found = all.find((r) => r.resource[layout.nameField] === name
      && (parentName === undefined || r.resource[layout.parentField!] === parentName));
    if (!found) {
      const wanted = describe(kind, name, parentName);
      const known = all.map((r) => r.location).join(', ') || 'none';
      throw new Error(`${this.where()}: expected ${wanted}, but there is no such ${kind} (${plural(kind, 2)} present: ${known})`);
    }
    if (spec === undefined) {
      return;
    }
    const result = toMatcher(spec).test(found.resource.spec);
    if (result.hasFailed()) {
      throw new Error(`${this.where()}: ${found.location}.spec does not match the expected spec ${renderPattern(spec)}\n`
        + `${result.failCount} difference(s):\n${result.renderMismatch()}`);
    }
    result.finished();
  }

  private assertSomeMatch(kind: MeshResourceKind, candidates: Located[], props: any): void {
    const matcher = toMatcher(props);
    let closest: { located: Located; result: MatchResult } | undefined;
    for (const located of candidates) {
      const result = matcher.test(located.resource);
      if (!result.hasFailed()) {
        result.finished();
        return;
      }
      if (!closest || result.failCost < closest.result.failCost) {
        closest = { located, result };
      }
    }
    const expected = `expected a ${kind} matching ${renderPattern(props)}`;
    if (!closest) {
      throw new Error(`${this.where()}: ${expected}, but the mesh has no ${plural(kind, 2)}`);
    }
    throw new Error(`${this.where()}: ${expected}, but none of the ${candidates.length} ${plural(kind, candidates.length)} matches.\n`
      + `Closest is ${closest.located.location} (${closest.result.failCount} difference(s)):\n${closest.result.renderMismatch()}`);
  }

  private resourcesOf(kind: MeshResourceKind): Located[] {
    const layout = LAYOUT[kind];
    const section = (this.document as any)[layout.section];
    if (kind === MeshResourceKind.MESH) {
      return [{ location: 'mesh', resource: section }];
    }
    return (section as any[] ?? []).map((resource) => ({
      location: layout.parentField
        ? `${layout.section}["${resource[layout.parentField]}"/"${resource[layout.nameField]}"]`
        : `${layout.section}["${resource[layout.nameField]}"]`,
      resource,
    }));
  }

  private where(): string {
    return `MeshTemplate(mesh '${this.meshName}')`;
  }
}

/** Runs the validations of `constructs`, as synthesis would, and fails listing every error. */
function runValidations(constructs: IConstruct[]): void {
  const errors: string[] = [];
  for (const construct of constructs) {
    for (const message of construct.node.validate()) {
      errors.push(`[${construct.node.path}] ${message}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/**
 * The documents of the meshes `scope` defines resources of, as the cloud assembly of its
 * Stage gets them: built from the whole Stage, tokens resolved to their CloudFormation
 * form, every problem reported with the construct it is about.
 */
function collectDocuments(scope: IConstruct, wanted: Set<string>): NamedDocument[] {
  const stage = stageOf(scope);
  const collected = collectMeshSpecs(stage ?? scope.node.root, { resolveTokens: true, sameStageOnly: stage !== undefined })
    .filter((c) => wanted.has(c.meshName));
  const problems = collected.flatMap((c) => c.issues.map((i) => `[${(i.construct ?? c.owner).node.path}] ${i.message}`));
  if (problems.length > 0) {
    throw new Error(`Invalid mesh spec:\n  ${problems.join('\n  ')}`);
  }
  return collected.map((c) => ({ meshName: c.meshName, document: c.document }));
}

/** A document and the mesh name as the constructs give it (a token string for a deploy-time name). */
interface NamedDocument {
  readonly meshName: string;
  readonly document: MeshSpecDocument;
}

/** The Stage whose cloud assembly holds the document of `scope`'s resources. */
function stageOf(scope: IConstruct): Stage | undefined {
  return Stage.isStage(scope) ? scope : Stage.of(scope);
}

/** The mesh a construct's resource or proxy grants belong to, if any. */
function meshNameOf(construct: IConstruct): string | undefined {
  return meshResourceOf(construct)?.meshName() ?? proxyGrantsOf(construct)[0]?.meshName();
}

/** Names of the meshes that resources or proxy grants under `scope` belong to. */
function meshNamesUnder(scope: IConstruct): Set<string> {
  const names = new Set<string>();
  for (const construct of scope.node.findAll()) {
    const registration = meshResourceOf(construct);
    if (registration !== undefined) {
      names.add(registration.meshName());
    }
    for (const grant of proxyGrantsOf(construct)) {
      names.add(grant.meshName());
    }
  }
  return names;
}

function pickDocument(documents: NamedDocument[], meshName: string | undefined, where: string): MeshSpecDocument {
  const names = documents.map((d) => d.meshName);
  if (meshName !== undefined) {
    const found = documents.find((d) => d.meshName === meshName);
    if (!found) {
      throw new Error(`MeshTemplate: no mesh named '${meshName}' ${where} (meshes found: ${names.join(', ') || 'none'})`);
    }
    return found.document;
  }
  if (documents.length === 0) {
    throw new Error(`MeshTemplate: no mesh resources ${where}`);
  }
  if (documents.length > 1) {
    throw new Error(`MeshTemplate: ${documents.length} meshes ${where} (${names.join(', ')}); pass { meshName } to choose one`);
  }
  return documents[0].document;
}

/** Plain patterns match partially, as in `Template.hasResourceProperties`. */
function toMatcher(pattern: any, exact = false): Matcher {
  if (Matcher.isMatcher(pattern)) {
    return pattern;
  }
  if (exact || typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    return Match.exact(pattern);
  }
  return Match.objectLike(pattern);
}

/** JSON of a pattern with matchers shown by name, so a message says what was asked for. */
function renderPattern(pattern: any): string {
  return JSON.stringify(describePattern(pattern));
}

function describePattern(pattern: any): any {
  if (Matcher.isMatcher(pattern)) {
    const inner = (pattern as any).pattern;
    return inner === undefined ? `<${pattern.name}>` : { [`<${pattern.name}>`]: describePattern(inner) };
  }
  if (Array.isArray(pattern)) {
    return pattern.map(describePattern);
  }
  if (typeof pattern === 'object' && pattern !== null) {
    return Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, describePattern(v)]));
  }
  return pattern;
}

function describe(kind: MeshResourceKind, name: string, parentName: string | undefined): string {
  const layout = LAYOUT[kind];
  return parentName === undefined
    ? `${kind} '${name}'`
    : `${kind} '${name}' of ${layout.parentField!.replace(/Name$/, '')} '${parentName}'`;
}

function plural(kind: MeshResourceKind, count: number): string {
  return count === 1 ? kind : LAYOUT[kind].section === 'mesh' ? 'meshes' : LAYOUT[kind].section;
}
