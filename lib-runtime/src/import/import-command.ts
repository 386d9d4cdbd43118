import { promises as fs } from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { readCfnTemplate } from './cfn/cfn-reader';
import { ListedResource, readCliJson } from './cli-json-reader';
import { constructsForm, EXTENSION_MARK, generateCdkApp } from './codegen';
import { detectFormat } from './detect-format';
import { ImportError } from './import-error';
import { renderReport, ReportInput, reportSummary } from './import-report';
import { describeResource } from './imported-resource';
import { readK8sManifests } from './k8s/k8s-reader';
import { assembleMesh, Assembly } from './mesh-assembly';
import { migrationNotes } from './migration-notes';
import { InputFormat, ReadResult } from './read-result';
import { toCanonicalJson } from '../../../src/spec/canonical';

/**
 * `open-app-mesh import <files or directories…>`: reads App Mesh definitions (CloudFormation,
 * AWS CLI JSON, Kubernetes manifests), writes the validated mesh spec, the import report and a
 * CDK app in TypeScript. Reads everything and builds every output in memory first, so bad input
 * leaves nothing behind unless `--partial` asks for what could be done.
 */

export const IMPORT_USAGE = [
  'usage: open-app-mesh import <files or directories...> [options]',
  '',
  '  Turns App Mesh definitions into a mesh spec (<mesh>.mesh.json), a report (import-report.md)',
  '  and a CDK app in TypeScript that synthesizes the same spec.',
  '',
  '  --format cfn|cli|k8s|auto   input format (default: auto, detected per file)',
  '  --mesh NAME                 the mesh to import; also the mesh of inputs that do not name one',
  '  --param K=V                 CloudFormation parameter value (also AWS::Region, AWS::AccountId, ...)',
  '  --import-value K=V          value of another stack\'s export, for Fn::ImportValue',
  '  --var K=V                   value of a $VAR / ${VAR} placeholder (CLI JSON, Kubernetes)',
  '  --out DIR                   where to write (default: the current directory)',
  '  --lang ts                   language of the CDK app (TypeScript only)',
  '  --partial                   skip unreadable inputs and write what could be done',
  '',
  '  Directories are read for *.yaml, *.yml, *.json and *.template files, in name order.',
].join('\n');

/** Where the command writes its messages; the process streams unless a caller (a test) passes others. */
export interface ImportCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: ImportCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

interface ImportArgs {
  readonly inputs: string[];
  readonly format: InputFormat | 'auto';
  readonly meshName?: string;
  readonly params: Record<string, string>;
  readonly importValues: Record<string, string>;
  readonly vars: Record<string, string>;
  readonly out: string;
  readonly partial: boolean;
}

const INPUT_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template']);

function keyValues(list: readonly string[] | undefined, flag: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `${flag} takes KEY=VALUE, got ${JSON.stringify(item)}`;
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function parseImportArgs(argv: string[]): ImportArgs | 'help' | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'format': { type: 'string', default: 'auto' },
        'mesh': { type: 'string' },
        'param': { type: 'string', multiple: true },
        'import-value': { type: 'string', multiple: true },
        'var': { type: 'string', multiple: true },
        'out': { type: 'string', default: '.' },
        'lang': { type: 'string', default: 'ts' },
        'partial': { type: 'boolean', default: false },
        'help': { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) return 'no input files given';
  if (!['cfn', 'cli', 'k8s', 'auto'].includes(values.format)) return `--format must be cfn, cli, k8s or auto, got ${JSON.stringify(values.format)}`;
  if (values.lang !== 'ts') return `--lang: only ts (TypeScript) is written, got ${JSON.stringify(values.lang)}`;
  const params = keyValues(values.param, '--param');
  const importValues = keyValues(values['import-value'], '--import-value');
  const vars = keyValues(values.var, '--var');
  for (const kv of [params, importValues, vars]) if (typeof kv === 'string') return kv;
  return {
    inputs: positionals,
    format: values.format as ImportArgs['format'],
    meshName: values.mesh,
    params: params as Record<string, string>,
    importValues: importValues as Record<string, string>,
    vars: vars as Record<string, string>,
    out: values.out,
    partial: values.partial,
  };
}

/** The files named on the command line, directories expanded (their input files, in name order). */
async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let stat;
    try {
      stat = await fs.stat(input);
    } catch (error) {
      throw new ImportError({ file: input }, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    if (!stat.isDirectory()) {
      files.push(input);
      continue;
    }
    const entries = (await fs.readdir(input)).filter((name) => INPUT_EXTENSIONS.has(path.extname(name).toLowerCase())).sort();
    if (entries.length === 0) throw new ImportError({ file: input }, 'the directory holds no .yaml, .yml, .json or .template files');
    files.push(...entries.map((name) => path.join(input, name)));
  }
  return files;
}

/** Reads one input file with the reader its format needs. */
export function readInput(file: string, text: string, args: Pick<ImportArgs, 'format' | 'params' | 'importValues' | 'vars'>): ReadResult {
  const format = args.format === 'auto' ? detectFormat(file, text) : args.format;
  switch (format) {
    case 'cfn': return readCfnTemplate(file, text, { params: args.params, importValues: args.importValues });
    case 'cli': return readCliJson(file, text, { vars: args.vars });
    case 'k8s': return readK8sManifests(file, text, { vars: args.vars });
  }
}

/** Listed resources (from `list-*` outputs) that no input defines. */
function missingSpecs(listed: readonly ListedResource[], assembly: Assembly): ReportInput['missingSpecs'] {
  const defined = new Set(assembly.outcomes.map((o) => `${o.resource.kind}/${o.resource.parentName ?? ''}/${o.resource.name}`));
  return listed
    .filter((l) => (l.meshName === undefined || l.meshName === assembly.doc.mesh.meshName) && !defined.has(`${l.kind}/${l.parentName ?? ''}/${l.name}`))
    .map((l) => ({ file: l.file, description: describeResource(l) }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the import command. `argv` holds the arguments after the command name (a leading `import`
 * is skipped too). Returns the exit code: 0 done, 1 bad input (nothing written unless --partial),
 * 2 usage error.
 */
export async function runImportCommand(argv: string[], io: ImportCommandIo = PROCESS_IO): Promise<number> {
  const args = parseImportArgs(argv[0] === 'import' ? argv.slice(1) : argv);
  if (args === 'help') {
    io.stdout(`${IMPORT_USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    io.stderr(`open-app-mesh import: ${args}\n${IMPORT_USAGE}\n`);
    return 2;
  }

  const reads: ReadResult[] = [];
  const failedInputs: { file: string; error: string }[] = [];
  const fail = (error: unknown): number => {
    io.stderr(`open-app-mesh import: ${messageOf(error)}\n${args.partial ? '' : 'nothing written\n'}`);
    return 1;
  };
  let files: string[];
  try {
    files = await expandInputs(args.inputs);
  } catch (error) {
    return fail(error);
  }
  for (const file of files) {
    try {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new ImportError({ file }, `cannot read: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`);
      }
      reads.push(readInput(file, text, args));
    } catch (error) {
      if (!(error instanceof ImportError) || !args.partial) return fail(error);
      failedInputs.push({ file, error: error.message });
    }
  }

  const outputs = new Map<string, string>();
  const report: { -readonly [K in keyof ReportInput]: ReportInput[K] } = {
    meshName: args.meshName,
    inputs: reads,
    failedInputs,
    outcomes: [],
    missingSpecs: [],
    warnings: [],
    migrationNotes: [],
    codegenNotes: [],
    written: [],
  };
  let exitCode = 0;
  try {
    const assembly = assembleMesh(reads.flatMap((r) => r.resources), { meshName: args.meshName });
    report.meshName = assembly.doc.mesh.meshName;
    report.outcomes = assembly.outcomes;
    report.warnings = assembly.warnings;
    report.migrationNotes = migrationNotes(assembly.doc);
    report.missingSpecs = missingSpecs(reads.flatMap((r) => ('listed' in r ? (r as { listed: ListedResource[] }).listed : [])), assembly);
    // The spec as the constructs write it (defaults stated, durations in ms), so that the
    // generated app synthesizes exactly this file: a diff of the two shows only real changes.
    outputs.set(`${assembly.doc.mesh.meshName}.mesh.json`, toCanonicalJson(constructsForm(assembly.doc)));
    const app = generateCdkApp(assembly.doc);
    for (const file of app.files) outputs.set(file.path, file.content);
    report.codegenNotes = app.files.flatMap((file) => extensionLines(file.path, file.content));
  } catch (error) {
    if (!args.partial) return fail(error);
    report.failure = messageOf(error);
    exitCode = 1;
  }
  if (failedInputs.length > 0) exitCode = 1;

  report.written = [...outputs.keys(), 'import-report.md'];
  outputs.set('import-report.md', renderReport(report));
  try {
    for (const [name, content] of outputs) {
      const target = path.join(args.out, name);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, content, 'utf8');
    }
  } catch (error) {
    io.stderr(`open-app-mesh import: cannot write to ${args.out}: ${messageOf(error)}\n`);
    return 1;
  }
  io.stdout(reportSummary(report));
  return exitCode;
}

/** Lines of generated code that use construct API aws-cdk-lib/aws-appmesh lacks, as report notes. */
function extensionLines(file: string, content: string): string[] {
  return content.split('\n').flatMap((line, index) => {
    const at = line.indexOf(EXTENSION_MARK);
    return at < 0 ? [] : [`\`${file}:${index + 2}\`: ${line.slice(at + EXTENSION_MARK.length).trim()}`];
  });
}
