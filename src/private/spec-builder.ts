import { Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { renderExtensions } from './extensions';
import { meshResourceOf, MeshResourceKind, proxyGrantsOf, RegisteredMeshResource } from './registry';
import * as spec from '../spec';
import { canonicalizeMeshSpec } from '../spec/canonical';
import { SpecIssue, validateMeshSpec } from '../spec/validate';

/** Options of collectMeshSpecs. */
export interface CollectOptions {
  /**
   * Replace deploy-time values (tokens) with their CloudFormation intrinsic, resolved
   * in the stack of the resource that holds them. Used for the file written into the
   * cloud assembly; in-process documents keep token strings so a deployment construct
   * can embed them in a template where CloudFormation resolves them.
   * @default false
   */
  readonly resolveTokens?: boolean;
  /**
   * Only collect constructs whose nearest Stage is `root` (the assembly writer of a
   * stage must not write the resources of nested stages, which have their own).
   * @default false
   */
  readonly sameStageOnly?: boolean;
}

/** One problem found in a document, tied to the construct it is about when known. */
export interface LocatedIssue {
  /** Construct the issue is about, or undefined when it names no registered resource. */
  readonly construct?: IConstruct;
  /** Readable text: spec path and message. */
  readonly message: string;
}

/** Input App Mesh accepted although traffic does not flow as written, tied to its construct. */
export interface LocatedWarning extends LocatedIssue {
  /** Id of the spec rule that found it (`route-protocol-matches-listener`, ...). */
  readonly rule: string;
}

/** A document and what collecting it found. */
export interface CollectedMeshSpec {
  readonly meshName: string;
  readonly document: spec.MeshSpecDocument;
  /** Construct that answers for the document as a whole (the Mesh, else the first resource). */
  readonly owner: IConstruct;
  /** Errors: the document cannot be served. */
  readonly issues: LocatedIssue[];
  readonly warnings: LocatedWarning[];
}

const DEFAULT_MESH_SPEC: spec.MeshSpec = { egressFilter: { type: 'DROP_ALL' } };

/**
 * Collect every mesh resource construct under `root` into one canonical document per
 * mesh name, validate each, and throw if anything is wrong. The error lists every
 * problem as `[construct path] spec path: message`.
 */
export function buildMeshSpecs(root: IConstruct): spec.MeshSpecDocument[] {
  const collected = collectMeshSpecs(root);
  const problems = collected.flatMap((c) => c.issues.map((i) => `[${(i.construct ?? c.owner).node.path}] ${i.message}`));
  if (problems.length > 0) {
    throw new Error(`Invalid mesh spec:\n${problems.join('\n')}`);
  }
  return collected.map((c) => c.document);
}

/** Collect and validate without throwing (used by synth-time validation and the writer). */
export function collectMeshSpecs(root: IConstruct, options: CollectOptions = {}): CollectedMeshSpec[] {
  const rootStage = options.sameStageOnly ? (Stage.isStage(root) ? root : Stage.of(root)) : undefined;
  const byMesh = new Map<string, RegisteredMeshResource[]>();
  const grantsByMesh = new Map<string, Array<{ nodeId: string; principal: string }>>();

  for (const construct of root.node.findAll()) {
    if (rootStage !== undefined && Stage.of(construct) !== rootStage) continue;
    const registration = meshResourceOf(construct);
    if (registration !== undefined) {
      const meshName = registration.meshName();
      const list = byMesh.get(meshName) ?? [];
      list.push({ construct, registration });
      byMesh.set(meshName, list);
    }
    for (const grant of proxyGrantsOf(construct)) {
      const meshName = grant.meshName();
      const list = grantsByMesh.get(meshName) ?? [];
      list.push({ nodeId: grant.nodeId(), principal: grant.principal });
      grantsByMesh.set(meshName, list);
      if (!byMesh.has(meshName)) byMesh.set(meshName, []);
    }
  }

  const result: CollectedMeshSpec[] = [];
  for (const [meshName, resources] of [...byMesh.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    result.push(collectOne(root, meshName, resources, grantsByMesh.get(meshName) ?? [], options));
  }
  return result;
}

function collectOne(
  root: IConstruct,
  meshName: string,
  resources: RegisteredMeshResource[],
  grants: Array<{ nodeId: string; principal: string }>,
  options: CollectOptions,
): CollectedMeshSpec {
  const issues: LocatedIssue[] = [];
  const byRef = new Map<string, IConstruct>();
  const render = (construct: IConstruct, value: any): any =>
    options.resolveTokens ? Stack.of(construct).resolve(value) : value;

  let mesh: spec.MeshResource | undefined;
  let meshConstruct: IConstruct | undefined;
  const virtualNodes: spec.VirtualNodeResource[] = [];
  const virtualServices: spec.VirtualServiceResource[] = [];
  const virtualRouters: spec.VirtualRouterResource[] = [];
  const routes: spec.RouteResource[] = [];
  const virtualGateways: spec.VirtualGatewayResource[] = [];
  const gatewayRoutes: spec.GatewayRouteResource[] = [];
  const owners = new Map<string, IConstruct>();

  for (const { construct, registration } of resources) {
    const kind = registration.kind;
    const name = registration.name();
    const parentName = registration.parentName?.();
    const key = refKey(kind, name, parentName);
    const previous = byRef.get(key);
    if (previous !== undefined) {
      issues.push({
        construct,
        message: `${describe(kind, name, parentName)} is defined twice in mesh '${meshName}' (also at ${previous.node.path}); names must be unique`,
      });
      continue;
    }
    byRef.set(key, construct);
    const meshOwner = registration.meshOwner?.();
    if (meshOwner !== undefined) {
      const rendered = JSON.stringify(render(construct, meshOwner));
      const other = [...owners.entries()].find(([owner]) => owner !== rendered);
      if (other !== undefined) {
        issues.push({
          construct,
          message: `mesh '${meshName}' is owned by ${rendered} here and by ${other[0]} at ${other[1].node.path}; `
            + 'every resource of a mesh names the same owner account (meshOwner)',
        });
      }
      if (!owners.has(rendered)) owners.set(rendered, construct);
    }
    const resourceSpec = render(construct, registration.renderSpec());
    const mn = render(construct, meshName);
    const n = render(construct, name);
    // Policies beyond App Mesh, beside the spec (private/extensions.ts); absent when there are none.
    const contributed = renderExtensions(construct);
    const extensions = contributed !== undefined ? { extensions: render(construct, contributed) } : {};
    switch (kind) {
      case 'mesh':
        mesh = { meshName: mn, spec: resourceSpec };
        meshConstruct = construct;
        break;
      case 'virtualNode':
        virtualNodes.push({ meshName: mn, virtualNodeName: n, spec: resourceSpec, ...extensions });
        break;
      case 'virtualService':
        virtualServices.push({ meshName: mn, virtualServiceName: n, spec: resourceSpec });
        break;
      case 'virtualRouter':
        virtualRouters.push({ meshName: mn, virtualRouterName: n, spec: resourceSpec });
        break;
      case 'route':
        routes.push({ meshName: mn, virtualRouterName: render(construct, parentName), routeName: n, spec: resourceSpec, ...extensions });
        break;
      case 'virtualGateway':
        virtualGateways.push({ meshName: mn, virtualGatewayName: n, spec: resourceSpec, ...extensions });
        break;
      case 'gatewayRoute':
        gatewayRoutes.push({
          meshName: mn,
          virtualGatewayName: render(construct, parentName),
          gatewayRouteName: n,
          spec: resourceSpec,
          ...extensions,
        });
        break;
    }
  }

  const owner = meshConstruct ?? resources[0]?.construct ?? root;
  const principalsByNode = new Map<string, Set<string>>();
  for (const grant of grants) {
    const set = principalsByNode.get(grant.nodeId) ?? new Set<string>();
    set.add(grant.principal);
    principalsByNode.set(grant.nodeId, set);
  }
  const proxyAccess: spec.ProxyAccess[] = [...principalsByNode.entries()].map(([nodeId, principals]) => ({
    nodeId: render(owner, nodeId),
    principals: render(owner, [...principals].sort()),
  }));

  const document = canonicalizeMeshSpec({
    specVersion: spec.requiredSpecVersion({ virtualNodes, routes, virtualGateways, gatewayRoutes }),
    mesh: {
      ...(mesh ?? { meshName: render(owner, meshName), spec: DEFAULT_MESH_SPEC }),
      ...(owners.size > 0 ? { meshOwner: JSON.parse([...owners.keys()][0]) } : {}),
    },
    virtualNodes,
    virtualServices,
    virtualRouters,
    routes,
    virtualGateways,
    gatewayRoutes,
    ...(proxyAccess.length > 0 ? { proxyAccess } : {}),
  });

  const warnings: LocatedWarning[] = [];
  const locate = (issue: SpecIssue): LocatedIssue => ({
    construct: issue.resource ? byRef.get(refKey(issue.resource.kind, issue.resource.name, issue.resource.parentName)) : undefined,
    message: `${issue.path}: ${issue.message}`,
  });
  const found: SpecIssue[] = validateMeshSpec(document, {
    // Deploy-time values cannot be checked here; after resolution they are intrinsics.
    isUnresolved: (value: unknown) => Token.isUnresolved(value) || (options.resolveTokens === true && isIntrinsic(value)),
    onWarning: (issue) => warnings.push({ ...locate(issue), rule: issue.rule ?? 'spec' }),
  });
  issues.push(...found.map(locate));
  return { meshName, document, owner, issues, warnings };
}

function refKey(kind: MeshResourceKind | string, name: string, parentName?: string): string {
  // Meshes are keyed by kind only: one document holds one mesh.
  if (kind === 'mesh') return 'mesh';
  return `${kind}\u0000${parentName ?? ''}\u0000${name}`;
}

function describe(kind: string, name: string, parentName?: string): string {
  return parentName === undefined ? `${kind} '${name}'` : `${kind} '${name}' of '${parentName}'`;
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
