import { describeResource } from './imported-resource';
import type { ResourceOutcome } from './mesh-assembly';
import type { MigrationNote } from './migration-notes';
import type { Placeholder, ReadResult } from './read-result';
import type { SpecIssue } from '../../../src/spec/issue';

/**
 * The import report: what became of every resource (imported, resolved with an assumption,
 * dropped, and why), the placeholders to replace, the spec's warnings and the code generator's
 * notes. Written to `import-report.md`; its summary goes to the terminal.
 */

export interface ReportInput {
  readonly meshName?: string;
  readonly inputs: readonly ReadResult[];
  /** Files skipped under `--partial`, with their error. */
  readonly failedInputs: readonly { file: string; error: string }[];
  readonly outcomes: readonly ResourceOutcome[];
  /** Resources a `list-*` output names that no file defines. */
  readonly missingSpecs: readonly { file: string; description: string }[];
  readonly warnings: readonly SpecIssue[];
  /** What the generated app warns about at synth. */
  readonly migrationNotes: readonly MigrationNote[];
  readonly codegenNotes: readonly string[];
  /** Why the import did not finish (under `--partial`). */
  readonly failure?: string;
  /** Files written, relative to the output directory. */
  readonly written: readonly string[];
}

const FORMAT_NAMES = { cfn: 'CloudFormation', cli: 'AWS CLI JSON', k8s: 'Kubernetes' } as const;

const STATUS_WORDS = { imported: 'imported', assumed: 'resolved with an assumption', dropped: 'dropped' } as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function allPlaceholders(input: ReportInput): Placeholder[] {
  return input.inputs.flatMap((r) => r.placeholders);
}

/** The few lines printed on the terminal. */
export function reportSummary(input: ReportInput): string {
  const count = (status: ResourceOutcome['status']) => input.outcomes.filter((o) => o.status === status).length;
  const ignored = input.inputs.reduce((sum, r) => sum + Object.values(r.ignored).reduce((a, b) => a + b, 0), 0);
  const lines = [
    `${input.meshName === undefined ? 'import' : `mesh "${input.meshName}"`}: ${input.outcomes.length} App Mesh resources from ${input.inputs.length} file(s): `
      + `${count('imported')} imported, ${count('assumed')} resolved with an assumption, ${count('dropped')} dropped; ${ignored} other resources ignored`,
  ];
  const placeholders = allPlaceholders(input).length;
  if (placeholders > 0) lines.push(`${placeholders} placeholder(s) to replace (see the report)`);
  if (input.missingSpecs.length > 0) lines.push(`${input.missingSpecs.length} listed resource(s) without a spec (see the report)`);
  if (input.warnings.length > 0) lines.push(`${input.warnings.length} spec warning(s): routes App Mesh accepted but did not distribute`);
  if (input.migrationNotes.length > 0) lines.push(`${input.migrationNotes.length} synth-time warning(s) the generated app will raise (see the report)`);
  if (input.failedInputs.length > 0) lines.push(`${input.failedInputs.length} input file(s) skipped (--partial)`);
  if (input.failure !== undefined) lines.push(`not finished: ${input.failure.split('\n')[0]}`);
  if (input.written.length > 0) lines.push(`wrote ${input.written.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `import-report.md`. */
export function renderReport(input: ReportInput): string {
  const out: string[] = [`# Import report${input.meshName === undefined ? '' : `: mesh \`${input.meshName}\``}`, '', reportSummary(input).trimEnd(), '', '## Inputs', ''];
  for (const read of input.inputs) {
    const ignored = Object.entries(read.ignored).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const others = ignored.length === 0 ? 'no other resources' : `ignored: ${ignored.map(([type, n]) => `${type} ×${n}`).join(', ')}`;
    out.push(`- \`${read.file}\` (${FORMAT_NAMES[read.format]}): ${read.resources.length} App Mesh resource(s); ${others}`);
  }
  for (const failed of input.failedInputs) out.push(`- \`${failed.file}\`: skipped (--partial): ${failed.error}`);
  out.push('', '## Resources', '', '| Resource | Source | Status | Notes |', '|---|---|---|---|');
  for (const outcome of input.outcomes) {
    const source = `\`${outcome.resource.source.file}\` ${outcome.resource.source.origin}`;
    out.push(`| ${cell(describeResource(outcome.resource))} | ${cell(source)} | ${STATUS_WORDS[outcome.status]} | ${cell(outcome.notes.join('; '))} |`);
  }
  const placeholders = allPlaceholders(input);
  if (placeholders.length > 0) {
    out.push('', '## Placeholders to replace', '', 'Values the input could not give; the spec holds these names until you replace them.', '',
      '| Placeholder | Stands for | Where |', '|---|---|---|');
    for (const p of placeholders) out.push(`| \`${p.value}\` | ${cell(p.meaning)} | \`${p.file}\` ${cell(p.where)} |`);
  }
  if (input.missingSpecs.length > 0) {
    out.push('', '## Listed without a spec', '', 'A `list-*` output names these, but no input describes them; run `aws appmesh describe-*` for each and import again.', '');
    for (const m of input.missingSpecs) out.push(`- ${m.description} (listed in \`${m.file}\`)`);
  }
  if (input.warnings.length > 0) {
    out.push('', '## Spec warnings', '', 'App Mesh accepted these but did not distribute the routes concerned; neither does open-app-mesh.', '');
    for (const w of input.warnings) out.push(`- \`${w.path}\`: ${w.message}${w.rule === undefined ? '' : ` (open-app-mesh:${w.rule})`}`);
  }
  if (input.migrationNotes.length > 0) {
    out.push('', '## Synth-time warnings of the generated app', '',
      'Input App Mesh took that open-app-mesh serves differently; the generated app warns at synth (acknowledge a warning once it is understood).', '');
    for (const n of input.migrationNotes) out.push(`- ${n.resource}, \`${n.path}\` (${n.warning}): ${n.message}`);
  }
  if (input.codegenNotes.length > 0) {
    out.push('', '## Generated code', '');
    for (const note of input.codegenNotes) out.push(`- ${note}`);
  }
  if (input.failure !== undefined) out.push('', '## Not finished', '', '```', input.failure, '```');
  return `${out.join('\n')}\n`;
}
