import type { ClientView } from './node-changes';
import { formatNodeId, parseNodeId } from '../translate';

/** Arguments of `open-app-mesh diff`. */

export const DIFF_USAGE = [
  'usage: open-app-mesh diff <old> <new> [options]',
  '       open-app-mesh diff --against <admin URL> <new> [options]',
  '',
  '  Compares two mesh specs: the App Mesh resources (field by field), the Envoy and proxyless',
  '  configuration of every node as the control plane renders it, and the effect on traffic',
  '  (weights, matches, route order). <old> and <new> are spec files (*.mesh.json) or cloud',
  '  assembly directories (cdk.out), whose meshes are paired by mesh name.',
  '',
  '  --against <url>            the old side is what the control plane with this admin URL serves now (GET /spec)',
  '  --admin-token-file <file>  bearer token for an admin server started with --admin-token-file',
  '  --format text|json         output format (default text)',
  '  --node <node id>           node configuration of this node only (mesh/<mesh>/virtualNode/<name> or its ARN)',
  '  --view envoy|proxyless     node configuration of this view only (default both)',
  '',
  '  Exit code: 0 no change, 1 changes, 2 error (unreadable or invalid spec, bad arguments).',
].join('\n');

export interface DiffArgs {
  readonly old?: string;
  readonly new: string;
  readonly against?: string;
  readonly adminTokenFile?: string;
  readonly format: 'text' | 'json';
  /** Short node id. */
  readonly nodeId?: string;
  readonly views?: readonly ClientView[];
}

const VALUE_FLAGS = ['--against', '--admin-token-file', '--format', '--node', '--view'];

/** The arguments, `'help'`, or a usage error message. */
export function parseDiffArgs(argv: readonly string[]): DiffArgs | 'help' | string {
  const positional: string[] = [];
  let against: string | undefined;
  let adminTokenFile: string | undefined;
  let format = 'text';
  let node: string | undefined;
  let view: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    if (flag === '--help' || flag === '-h') return 'help';
    if (VALUE_FLAGS.includes(flag)) {
      const given = value();
      if (given === undefined || given === '') return `${flag} needs a value`;
      if (flag === '--against') against = given;
      else if (flag === '--admin-token-file') adminTokenFile = given;
      else if (flag === '--format') format = given;
      else if (flag === '--node') node = given;
      else view = given;
    } else if (flag.startsWith('-') && flag !== '-') {
      return `unknown option ${flag}`;
    } else {
      positional.push(arg);
    }
  }
  if (format !== 'text' && format !== 'json') return `--format must be text or json, got "${format}"`;
  if (view !== undefined && view !== 'envoy' && view !== 'proxyless') return `--view must be envoy or proxyless, got "${view}"`;
  let nodeId: string | undefined;
  if (node !== undefined) {
    try {
      nodeId = formatNodeId(parseNodeId(node));
    } catch (error) {
      return `--node: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const wanted = against === undefined ? 2 : 1;
  if (positional.length !== wanted) {
    return against === undefined
      ? `expected <old> and <new> (spec files or cloud assembly directories), got ${positional.length} argument(s)`
      : `with --against, expected one <new> (spec file or cloud assembly directory), got ${positional.length} argument(s)`;
  }
  const [first, second] = positional;
  return {
    ...(against === undefined ? { old: first, new: second } : { against, new: first }),
    ...(adminTokenFile !== undefined ? { adminTokenFile } : {}),
    format,
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(view !== undefined ? { views: [view as ClientView] } : {}),
  };
}
