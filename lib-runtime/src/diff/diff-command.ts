import { promises as fs } from 'node:fs';
import { DIFF_USAGE, parseDiffArgs } from './diff-args';
import { formatJson, formatText } from './diff-report';
import { diffInputs } from './mesh-diff';
import { RenderError } from './node-changes';
import { DiffInputError, fetchServedSpec, readSpecInput, SpecInput } from './spec-inputs';

/**
 * `open-app-mesh diff <old> <new>`: what a mesh change does before it is deployed. Exit code
 * 0 = no change, 1 = changes, 2 = error (bad arguments, an unreadable or invalid spec, a node
 * that cannot be rendered), so CI can gate on it.
 */

/** Where the command writes; the process streams unless a caller (a test) passes others. */
export interface DiffCommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: DiffCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command on the arguments after `diff` (a leading `diff` is skipped too); returns the exit code. */
export async function runDiffCommand(args: string[], io: DiffCommandIo = PROCESS_IO): Promise<number> {
  const parsed = parseDiffArgs(args[0] === 'diff' ? args.slice(1) : args);
  if (parsed === 'help') {
    io.stdout(`${DIFF_USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.stderr(`open-app-mesh diff: ${parsed}\n${DIFF_USAGE}\n`);
    return 2;
  }
  const fail = (message: string, issues: readonly string[] = []): number => {
    io.stderr(`open-app-mesh diff: ${message}\n`);
    if (parsed.format === 'json') io.stdout(`${JSON.stringify({ error: message, issues }, undefined, 2)}\n`);
    return 2;
  };
  try {
    const [before, after] = await Promise.all([readOld(parsed.old, parsed.against, parsed.adminTokenFile), readSpecInput(parsed.new)]);
    if (parsed.nodeId !== undefined && !hasNode(before, parsed.nodeId) && !hasNode(after, parsed.nodeId)) {
      return fail(`--node ${parsed.nodeId}: neither side has this node`);
    }
    const result = diffInputs(before, after, { nodeId: parsed.nodeId, views: parsed.views });
    io.stdout(parsed.format === 'json' ? formatJson(result) : formatText(result));
    return result.changed ? 1 : 0;
  } catch (error) {
    if (error instanceof DiffInputError) return fail(error.message, error.issues);
    if (error instanceof RenderError) return fail(error.message);
    throw error;
  }
}

async function readOld(file: string | undefined, against: string | undefined, tokenFile: string | undefined): Promise<SpecInput> {
  if (against === undefined) return readSpecInput(file!);
  let token: string | undefined;
  if (tokenFile !== undefined) {
    try {
      token = (await fs.readFile(tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new DiffInputError(tokenFile, `cannot read the admin token: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return fetchServedSpec(against, token);
}

function hasNode(input: SpecInput, nodeId: string): boolean {
  const [, meshName, kind, name] = nodeId.split('/');
  return input.specs.some(({ doc }) => doc.mesh.meshName === meshName && (kind === 'virtualNode'
    ? doc.virtualNodes.some(n => n.virtualNodeName === name)
    : doc.virtualGateways.some(g => g.virtualGatewayName === name)));
}
