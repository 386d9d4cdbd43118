import { ImportError } from './import-error';
import { describeResource, ImportedResource, KIND_FIELDS, ResourceKind } from './imported-resource';
import { parseMeshSpec, toCanonicalJson } from '../../../src/spec/canonical';
import { MeshSpecDocument, SPEC_VERSION } from '../../../src/spec/document';
import { SpecIssue, SpecValidationError } from '../../../src/spec/issue';

/**
 * Merges what the readers found into one mesh spec document and validates it with the code the
 * control plane runs (`parseMeshSpec`), so an imported spec is one the control plane serves.
 *
 * Files are merged in the order given: a resource defined again (an `update-*` input after the
 * `create-*`, a second template) replaces the earlier definition, as App Mesh's update did.
 */

export interface AssembleOptions {
  /** `--mesh`: the mesh to import (and the mesh of inputs that do not name one). */
  readonly meshName?: string;
}

/** One resource's fate, for the report. */
export interface ResourceOutcome {
  readonly resource: ImportedResource;
  /** `imported` as written, `assumed`: resolved with an assumption, `dropped`: not in the spec. */
  status: 'imported' | 'assumed' | 'dropped';
  /** Assumptions made, or why it was dropped; also what was left out of an imported resource. */
  readonly notes: string[];
}

export interface Assembly {
  readonly doc: MeshSpecDocument;
  readonly outcomes: ResourceOutcome[];
  /** Spec warnings (App Mesh accepted the input but the route is not distributed). */
  readonly warnings: SpecIssue[];
}

const LISTS: Record<Exclude<ResourceKind, 'mesh'>, keyof MeshSpecDocument> = {
  virtualNode: 'virtualNodes',
  virtualService: 'virtualServices',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  virtualGateway: 'virtualGateways',
  gatewayRoute: 'gatewayRoutes',
};

function keyOf(resource: ImportedResource): string {
  return `${resource.kind}\u0000${resource.parentName ?? ''}\u0000${resource.name}`;
}

function where(resource: ImportedResource, field?: string) {
  return { file: resource.source.file, resource: `${resource.source.origin} (${describeResource(resource)})`, field };
}

/** The one mesh the import is about: `--mesh`, else the only mesh named by the inputs. */
function chooseMesh(resources: readonly ImportedResource[], options: AssembleOptions): string {
  if (options.meshName !== undefined) return options.meshName;
  const named = [...new Set(resources.map((r) => r.meshName).filter((name): name is string => name !== undefined))];
  if (named.length === 1) return named[0];
  const first = resources.find((r) => r.meshName === undefined) ?? resources[0];
  if (named.length === 0) {
    throw new ImportError(where(first, 'meshName'), 'the mesh name is missing: the input does not name its mesh; pass --mesh NAME');
  }
  throw new ImportError({ file: '' },
    `the inputs define resources of several meshes (${named.map((n) => `"${n}"`).join(', ')}); a spec holds one mesh: pass --mesh NAME to choose`);
}

/** Merges, fills mesh names, validates. Throws `ImportError` naming file, resource and field. */
export function assembleMesh(resources: readonly ImportedResource[], options: AssembleOptions = {}): Assembly {
  const included = resources.filter((r) => r.excluded === undefined);
  if (included.length === 0) throw new ImportError({ file: '' }, 'no App Mesh resources found in the inputs');
  const meshName = chooseMesh(included, options);
  const outcomes: ResourceOutcome[] = [];
  const latest = new Map<string, { resource: ImportedResource; outcome: ResourceOutcome }>();

  for (const original of resources) {
    if (original.excluded !== undefined) {
      outcomes.push({ resource: original, status: 'dropped', notes: [original.excluded] });
      continue;
    }
    if (original.meshName !== undefined && original.meshName !== meshName) {
      outcomes.push({ resource: original, status: 'dropped', notes: [`belongs to mesh "${original.meshName}", not the imported mesh "${meshName}"`] });
      continue;
    }
    const assumptions = [...original.assumptions];
    let resource = original;
    if (original.meshName === undefined) {
      assumptions.push(options.meshName !== undefined
        ? `mesh name taken from --mesh ("${meshName}")`
        : `mesh name not given; taken as "${meshName}", the only mesh of the inputs`);
      resource = { ...original, meshName, ...(original.kind === 'mesh' ? { name: meshName } : {}) };
    }
    const earlier = latest.get(keyOf(resource));
    if (earlier !== undefined) {
      earlier.outcome.status = 'dropped';
      earlier.outcome.notes.push(`replaced by the later definition in ${resource.source.file} (${resource.source.origin})`);
    }
    const outcome: ResourceOutcome = {
      resource,
      status: assumptions.length > 0 ? 'assumed' : 'imported',
      notes: [...assumptions, ...original.dropped.map((d) => `left out: ${d}`)],
    };
    outcomes.push(outcome);
    latest.set(keyOf(resource), { resource, outcome });
  }

  const kept = [...latest.values()].map((entry) => entry.resource);
  const meshResource = kept.find((r) => r.kind === 'mesh');
  const doc: Record<string, unknown> = {
    specVersion: SPEC_VERSION,
    mesh: {
      meshName,
      ...(meshResource?.meshOwner !== undefined ? { meshOwner: meshResource.meshOwner } : {}),
      spec: meshResource?.spec ?? {},
    },
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
  };
  if (meshResource === undefined) {
    const first = kept[0];
    outcomes.push({
      resource: { kind: 'mesh', meshName, name: meshName, spec: {}, source: { file: first.source.file, origin: '(implied)' }, assumptions: [], dropped: [] },
      status: 'assumed',
      notes: ['the inputs do not define the mesh itself; written with an empty spec (egress DROP_ALL, App Mesh\'s default)'],
    });
  }
  for (const resource of kept) {
    if (resource.kind === 'mesh') continue;
    const fields = KIND_FIELDS[resource.kind];
    const entry: Record<string, unknown> = { meshName };
    if (fields.parentField !== undefined) entry[fields.parentField] = resource.parentName;
    entry[fields.nameField] = resource.name;
    entry.spec = resource.spec;
    (doc[LISTS[resource.kind]] as unknown[]).push(entry);
  }

  const warnings: SpecIssue[] = [];
  let parsed: MeshSpecDocument;
  try {
    parsed = parseMeshSpec(toCanonicalJson(doc as unknown as MeshSpecDocument), { onWarning: (issue) => warnings.push(issue) });
  } catch (error) {
    if (!(error instanceof SpecValidationError)) throw error;
    throw validationError(error.issues, kept);
  }
  return { doc: parsed, outcomes, warnings };
}

/** The validator's issues, each named by the file and resource it came from. */
function validationError(issues: readonly SpecIssue[], resources: readonly ImportedResource[]): ImportError {
  const lines = issues.map((issue) => {
    const source = resources.find((r) => issue.resource !== undefined && r.kind === issue.resource.kind
      && r.name === issue.resource.name && (r.parentName ?? undefined) === (issue.resource.parentName ?? undefined));
    if (source === undefined) return `${issue.path}: ${issue.message}`;
    return `${source.source.file}: ${source.source.origin} (${describeResource(source)}): ${issue.path}: ${issue.message}`;
  });
  const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
  return new ImportError({ file: '' },
    `the imported mesh is not valid; App Mesh would have refused it (${count}):\n${lines.map((l) => `  ${l}`).join('\n')}`);
}
