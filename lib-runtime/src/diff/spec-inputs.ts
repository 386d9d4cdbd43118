import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseMeshSpec } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { isCloudFormationIntrinsic } from '../../../src/spec/intrinsic';
import { formatSpecIssue, SpecIssue, SpecValidationError } from '../../../src/spec/issue';

/**
 * The two sides of a diff come from spec files, cloud assemblies (`cdk.out`, every
 * `<mesh>.mesh.json` the constructs wrote) or a running control plane's admin `/spec`. Every
 * document is read by one function, `readSpec`: the constructs' parser and validator, with
 * deploy-time values (CloudFormation intrinsics in assembly files) left unchecked, as the graph
 * command reads them.
 */

/** Suffix of the files the constructs write into the cloud assembly (`MeshSpecs.assemblyFileName`). */
const SPEC_FILE_SUFFIX = '.mesh.json';
/** Nested stages write their own assemblies in sub-directories; look that deep and no deeper. */
const MAX_ASSEMBLY_DEPTH = 4;

/** One validated mesh spec document and where it came from. */
export interface LoadedSpec {
  /** File path or URL, as messages name it. */
  readonly source: string;
  readonly doc: MeshSpecDocument;
  /** First 12 hex digits of the SHA-256 of the text: the version a control plane reports for it. */
  readonly version: string;
  /** Input App Mesh accepted but does not distribute as written (the validator's warnings). */
  readonly warnings: readonly SpecIssue[];
}

/** One side of the diff: one spec, or every spec of an assembly. */
export interface SpecInput {
  /** What the user named: a file, a directory, or an admin URL. */
  readonly label: string;
  readonly specs: readonly LoadedSpec[];
}

/** An input that cannot be compared: unreadable, not a spec, invalid, or ambiguous. Exit code 2. */
export class DiffInputError extends Error {
  constructor(readonly source: string, message: string, readonly issues: readonly string[] = []) {
    super(`${source}: ${message}${issues.map(line => `\n  ${line}`).join('')}`);
    this.name = 'DiffInputError';
  }
}

/** Parses and validates one document; throws DiffInputError naming `source` and every issue. */
export function readSpec(text: string, source: string, version?: string): LoadedSpec {
  const warnings: SpecIssue[] = [];
  let doc: MeshSpecDocument;
  try {
    doc = parseMeshSpec(text, { isUnresolved: isCloudFormationIntrinsic, onWarning: issue => warnings.push(issue) });
  } catch (error) {
    if (error instanceof SpecValidationError) {
      const heading = error.message.split('\n')[0];
      throw new DiffInputError(source, heading, error.issues.map(formatSpecIssue));
    }
    throw new DiffInputError(source, error instanceof Error ? error.message : String(error));
  }
  return { source, doc, version: version ?? createHash('sha256').update(text).digest('hex').slice(0, 12), warnings };
}

/** A spec file, or a directory holding `*.mesh.json` files (a cloud assembly). */
export async function readSpecInput(location: string): Promise<SpecInput> {
  let stat;
  try {
    stat = await fs.stat(location);
  } catch (error) {
    throw new DiffInputError(location, `cannot read: ${reason(error)}`);
  }
  if (!stat.isDirectory()) return { label: location, specs: [readSpec(await readText(location), location)] };
  const files = await specFilesUnder(location, 0);
  if (files.length === 0) {
    throw new DiffInputError(location, `no mesh spec files (*${SPEC_FILE_SUFFIX}) in this directory: is it a cloud assembly (cdk.out) of an app with a Mesh?`);
  }
  const specs: LoadedSpec[] = [];
  for (const file of files.sort()) specs.push(readSpec(await readText(file), file));
  return { label: location, specs: uniqueMeshes(location, specs) };
}

/** What a running control plane serves now, from its admin server's `/spec`. */
export async function fetchServedSpec(adminUrl: string, token?: string): Promise<SpecInput> {
  let url: URL;
  try {
    url = new URL('spec', adminUrl.endsWith('/') ? adminUrl : `${adminUrl}/`);
  } catch {
    throw new DiffInputError(adminUrl, '--against needs the admin server\'s URL, e.g. http://127.0.0.1:18001');
  }
  const source = url.toString();
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new DiffInputError(source, `cannot reach the control plane's admin server: ${reason(error)}`);
  }
  const body = await response.text();
  if (response.status === 401) throw new DiffInputError(source, 'the admin server wants a bearer token: pass --admin-token-file <file>');
  if (response.status === 404) throw new DiffInputError(source, 'this admin server has no /spec (a control plane older than the diff command?)');
  if (!response.ok) throw new DiffInputError(source, `the admin server answered ${response.status}: ${body.trim().slice(0, 500)}`);
  return { label: source, specs: [readSpec(body, source, response.headers.get('x-open-app-mesh-spec-version') ?? undefined)] };
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new DiffInputError(file, `cannot read: ${reason(error)}`);
  }
}

async function specFilesUnder(dir: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Assets are copies of user files, not synthesized specs.
    const descend = entry.isDirectory() && depth < MAX_ASSEMBLY_DEPTH && !entry.name.startsWith('asset.') && entry.name !== 'node_modules';
    if (entry.isFile() && entry.name.endsWith(SPEC_FILE_SUFFIX)) found.push(full);
    else if (descend) found.push(...await specFilesUnder(full, depth + 1));
  }
  return found;
}

/** Specs are paired by mesh name, so one input may hold each mesh once. */
function uniqueMeshes(location: string, specs: LoadedSpec[]): LoadedSpec[] {
  const byMesh = new Map<string, LoadedSpec>();
  for (const spec of specs) {
    const other = byMesh.get(spec.doc.mesh.meshName);
    if (other) {
      throw new DiffInputError(location, `mesh "${spec.doc.mesh.meshName}" is in two spec files, ${other.source} and ${spec.source}: diff those files directly`);
    }
    byMesh.set(spec.doc.mesh.meshName, spec);
  }
  return specs;
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
