import { ClientView, nodeChanges, NodeChange } from './node-changes';
import { ResourceChange, specChanges } from './spec-changes';
import { LoadedSpec, SpecInput } from './spec-inputs';
import { TrafficEffect, trafficEffects } from './traffic-effects';
import { formatSpecIssue, SpecIssue } from '../../../src/spec/issue';
import { compiledMeshOf } from '../translate';

/**
 * The whole comparison of two inputs: their meshes paired by name, and for each mesh the spec
 * changes, the nodes whose configuration changes, and the traffic effects.
 */

/** Where one side of a mesh came from. */
export interface SideInfo {
  readonly source: string;
  readonly version: string;
  /** The validator's warnings, `path: message [rule]`. */
  readonly warnings: readonly string[];
}

export interface MeshDiff {
  readonly meshName: string;
  /** added / removed: the mesh is only in the new / old input. */
  readonly status: 'unchanged' | 'changed' | 'added' | 'removed';
  readonly old?: SideInfo;
  readonly new?: SideInfo;
  readonly resources: readonly ResourceChange[];
  readonly nodes: readonly NodeChange[];
  readonly traffic: readonly TrafficEffect[];
  /** Paths whose value is a deploy-time value (CloudFormation intrinsic) on one side only: not compared. */
  readonly deployTimeValues: readonly string[];
}

export interface DiffResult {
  readonly old: string;
  readonly new: string;
  /** True when any mesh differs: the command then exits 1. */
  readonly changed: boolean;
  readonly meshes: readonly MeshDiff[];
}

export interface DiffOptions {
  /** Only this node's configuration (short node id); the spec and traffic sections stay whole. */
  readonly nodeId?: string;
  readonly views?: readonly ClientView[];
}

/** Compares every mesh of `before` with the mesh of the same name in `after`. */
export function diffInputs(before: SpecInput, after: SpecInput, options: DiffOptions = {}): DiffResult {
  const old = new Map(before.specs.map(s => [s.doc.mesh.meshName, s]));
  const now = new Map(after.specs.map(s => [s.doc.mesh.meshName, s]));
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  const meshes = names.map(name => diffMesh(name, old.get(name), now.get(name), options));
  return { old: before.label, new: after.label, changed: meshes.some(m => m.status !== 'unchanged'), meshes };
}

function diffMesh(meshName: string, before: LoadedSpec | undefined, after: LoadedSpec | undefined, options: DiffOptions): MeshDiff {
  const oldMesh = before && compiledMeshOf(before.doc);
  const newMesh = after && compiledMeshOf(after.doc);
  const deployTimeValues: string[] = [];
  const resources = specChanges(before?.doc, after?.doc, path => deployTimeValues.push(path));
  const nodes = nodeChanges(oldMesh, newMesh, options);
  const traffic = trafficEffects(oldMesh, newMesh);
  const status = !before ? 'added' : !after ? 'removed' : resources.length > 0 ? 'changed' : 'unchanged';
  return {
    meshName,
    status,
    ...(before ? { old: sideInfo(before) } : {}),
    ...(after ? { new: sideInfo(after) } : {}),
    resources,
    nodes,
    traffic,
    deployTimeValues,
  };
}

function sideInfo(spec: LoadedSpec): SideInfo {
  return { source: spec.source, version: spec.version, warnings: spec.warnings.map(warningText) };
}

function warningText(issue: SpecIssue): string {
  return issue.rule === undefined ? formatSpecIssue(issue) : `${formatSpecIssue(issue)} [${issue.rule}]`;
}
