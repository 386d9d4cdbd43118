import type { FieldChange } from './json-changes';
import type { DiffResult, MeshDiff } from './mesh-diff';
import type { NodeChange } from './node-changes';
import type { ResourceChange } from './spec-changes';

/**
 * The diff for people (text) and for programs (JSON). Text reads top-down by importance: the
 * traffic effects, then the App Mesh resources field by field, then the nodes' xDS resources.
 */

/** Said once per report: both sides are rendered without discovery. */
export const ENDPOINTS_NOTE =
  'node configurations are rendered by the control plane\'s translation with no discovered endpoints on either side ' +
  '(DNS nodes as DNS clusters, Cloud Map nodes with empty assignments); endpoint changes from discovery are not shown';

/** Longest value printed in text; JSON output has every value whole. */
const MAX_VALUE_CHARS = 160;

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export function formatJson(result: DiffResult): string {
  return `${JSON.stringify({ ...result, endpoints: ENDPOINTS_NOTE }, undefined, 2)}\n`;
}

export function formatText(result: DiffResult): string {
  const lines: string[] = [`open-app-mesh diff: ${result.old} → ${result.new}`];
  for (const mesh of result.meshes) lines.push('', ...meshLines(mesh));
  if (result.changed) lines.push('', `note: ${ENDPOINTS_NOTE}.`);
  else lines.push('', 'no changes');
  return `${lines.join('\n')}\n`;
}

function meshLines(mesh: MeshDiff): string[] {
  const version = (side: MeshDiff['old']) => (side ? `${side.version} (${side.source})` : 'absent');
  const lines = [`mesh ${mesh.meshName}: ${mesh.status}, ${version(mesh.old)} → ${version(mesh.new)}`];
  if (mesh.traffic.length > 0) {
    lines.push('  traffic:');
    for (const effect of mesh.traffic) lines.push(`    ${effect.text}`);
  }
  if (mesh.resources.length > 0) {
    lines.push(`  App Mesh resources: ${counts(mesh.resources)}`);
    for (const resource of mesh.resources) lines.push(...resourceLines(resource));
  }
  if (mesh.nodes.length > 0) {
    lines.push(`  nodes whose configuration changes: ${mesh.nodes.length}`);
    for (const node of mesh.nodes) lines.push(...nodeLines(node));
  }
  if (mesh.deployTimeValues.length > 0) {
    lines.push('  not compared: a deploy-time value (CloudFormation intrinsic) on one side, a resolved value on the other:');
    for (const path of mesh.deployTimeValues) lines.push(`    ${path}`);
  }
  for (const [side, info] of [['old', mesh.old], ['new', mesh.new]] as const) {
    if (!info || info.warnings.length === 0) continue;
    lines.push(`  warnings in the ${side} spec (routes App Mesh accepted but does not distribute):`);
    for (const warning of info.warnings) lines.push(`    ${warning}`);
  }
  return lines;
}

function counts(changes: readonly { change: keyof typeof MARK }[]): string {
  return (['added', 'removed', 'changed'] as const)
    .map(kind => [kind, changes.filter(c => c.change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

function resourceLines(resource: ResourceChange): string[] {
  const lines = [`    ${MARK[resource.change]} ${resource.kind} ${resource.name}`];
  for (const field of resource.fields) lines.push(`        ${fieldText(field)}`);
  return lines;
}

function nodeLines(node: NodeChange): string[] {
  const lines = [`    ${MARK[node.change]} ${node.nodeId}${node.change === 'changed' ? '' : ` (node ${node.change})`}`];
  for (const resource of node.resources) {
    lines.push(`        ${resource.view} ${MARK[resource.change]} ${resource.type} ${resource.name}`);
    for (const field of resource.fields) lines.push(`            ${fieldText(field)}`);
  }
  return lines;
}

function fieldText(field: FieldChange): string {
  const path = field.path === '' ? '(whole resource)' : field.path;
  switch (field.change) {
    case 'added': return `${path}: (none) → ${valueText(field.after)}`;
    case 'removed': return `${path}: ${valueText(field.before)} → (none)`;
    case 'reordered': return `${path} order: ${(field.before as string[]).join(', ')} → ${(field.after as string[]).join(', ')}`;
    default: return `${path}: ${valueText(field.before)} → ${valueText(field.after)}`;
  }
}

function valueText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
