import { promises as fs } from 'fs';
import { renderMermaid } from './mermaid';
import { buildMeshGraph } from './mesh-graph';
import { renderSvg } from './svg';
import { parseMeshSpec } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { isCloudFormationIntrinsic } from '../../../src/spec/intrinsic';
import { formatSpecIssue, SpecIssue } from '../../../src/spec/issue';

/**
 * `open-app-mesh graph <spec.json> [--format mermaid|svg] [--out file] [--no-validate]`:
 * draws a mesh spec. Mermaid goes to stdout unless `--out` names a file. Spec warnings (input
 * App Mesh accepted but did not distribute) go to stderr, one per line with its rule id.
 */

export const GRAPH_USAGE = [
  'usage: open-app-mesh graph <spec.json> [--format mermaid|svg] [--out <file>] [--no-validate]',
  '',
  '  Draws the mesh in a mesh spec document: gateways, virtual services, routers, routes',
  '  (matches and weights), virtual nodes and their backends.',
  '',
  '  --format mermaid|svg  output format (default: mermaid, or svg when --out ends in .svg)',
  '  --out <file>          write to a file instead of stdout',
  '  --no-validate         draw the document even when it does not validate',
  '',
  '  Spec warnings (routes App Mesh accepted but did not distribute) are printed to stderr,',
  '  one per line with their rule id; the mesh is drawn as written.',
].join('\n');

/** Where the command writes; the process streams unless a caller (a test) passes others. */
export interface GraphCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: GraphCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

type GraphFormat = 'mermaid' | 'svg';

interface GraphArgs {
  readonly specPath: string;
  readonly format: GraphFormat;
  readonly out?: string;
  readonly validate: boolean;
}

/**
 * Runs the graph command. `argv` holds the arguments after the command name (a leading
 * `graph` is skipped too). Returns the exit code: 0 done, 1 spec unreadable or invalid,
 * 2 usage error.
 */
export async function runGraphCommand(argv: string[], io: GraphCommandIo = PROCESS_IO): Promise<number> {
  const parsed = parseGraphArgs(argv[0] === 'graph' ? argv.slice(1) : argv);
  if (parsed === 'help') {
    io.stdout(`${GRAPH_USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.stderr(`open-app-mesh graph: ${parsed}\n${GRAPH_USAGE}\n`);
    return 2;
  }

  let doc: MeshSpecDocument;
  const warnings: SpecIssue[] = [];
  try {
    const json = await fs.readFile(parsed.specPath, 'utf8');
    // A cloud-assembly file may still hold deploy-time values as CloudFormation intrinsics.
    doc = parsed.validate
      ? parseMeshSpec(json, { isUnresolved: isCloudFormationIntrinsic, onWarning: (issue) => warnings.push(issue) })
      : readUnvalidated(json);
  } catch (error) {
    io.stderr(`open-app-mesh graph: ${parsed.specPath}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  // Input App Mesh accepted but did not distribute: still drawn as written, and said so.
  for (const warning of warnings) {
    io.stderr(`open-app-mesh graph: ${parsed.specPath}: warning [${warning.rule ?? 'spec'}] ${formatSpecIssue(warning)}\n`);
  }
  if (warnings.length > 0) {
    io.stderr(`open-app-mesh graph: ${parsed.specPath}: ${warnings.length} warning(s); the routes named above are drawn, `
      + 'but the control plane does not distribute them\n');
  }

  const graph = buildMeshGraph(doc);
  const output = parsed.format === 'svg' ? renderSvg(graph) : renderMermaid(graph);
  if (parsed.out === undefined) {
    io.stdout(output);
  } else {
    try {
      await fs.writeFile(parsed.out, output, 'utf8');
    } catch (error) {
      io.stderr(`open-app-mesh graph: cannot write ${parsed.out}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  return 0;
}

/** Returns the arguments, `'help'`, or a usage error message. */
export function parseGraphArgs(argv: string[]): GraphArgs | 'help' | string {
  let specPath: string | undefined;
  let format: string | undefined;
  let out: string | undefined;
  let validate = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--no-validate') {
      validate = false;
    } else if (flag === '--format') {
      format = value();
      if (format === undefined) return '--format needs a value (mermaid or svg)';
    } else if (flag === '--out' || flag === '-o') {
      out = value();
      if (out === undefined) return `${flag} needs a file name`;
    } else if (flag.startsWith('-') && flag !== '-') {
      return `unknown option ${flag}`;
    } else if (specPath === undefined) {
      specPath = arg;
    } else {
      return `unexpected argument ${arg}`;
    }
  }
  if (specPath === undefined) return 'missing the spec file';
  if (format !== undefined && format !== 'mermaid' && format !== 'svg') return `unknown format ${format} (use mermaid or svg)`;
  const resolved: GraphFormat = (format as GraphFormat | undefined) ?? (out?.toLowerCase().endsWith('.svg') ? 'svg' : 'mermaid');
  return { specPath: specPath === '-' ? '/dev/stdin' : specPath, format: resolved, out, validate };
}

/** `--no-validate`: JSON only, so a broken spec can still be looked at. */
function readUnvalidated(json: string): MeshSpecDocument {
  const doc = JSON.parse(json) as Partial<MeshSpecDocument>;
  if (typeof doc !== 'object' || doc === null || typeof doc.mesh?.meshName !== 'string') {
    throw new Error('not a mesh spec document (no mesh.meshName)');
  }
  return {
    specVersion: doc.specVersion ?? '',
    mesh: doc.mesh,
    virtualNodes: doc.virtualNodes ?? [],
    virtualServices: doc.virtualServices ?? [],
    virtualRouters: doc.virtualRouters ?? [],
    routes: doc.routes ?? [],
    virtualGateways: doc.virtualGateways ?? [],
    gatewayRoutes: doc.gatewayRoutes ?? [],
  };
}
