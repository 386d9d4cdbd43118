import * as fs from 'fs';
import * as path from 'path';
import { Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EnvoyPatch } from './envoy-patch';
import { contributeExtensions } from '../private/extensions';
import { collectMeshSpecs } from '../private/spec-builder';
import { MeshSpecDocument } from '../spec/document';
import { EnvoyPatchSpec } from '../spec/extensions/envoy-patch';

/**
 * Envoy patches checked at synth with the control plane's own code (docs/envoy-patches.md,
 * "Checked at synth"). `src/` never imports `lib-runtime/`: the translation, Envoy's protos and
 * the validation-rule checker stay in the runtime, and this loads ONE file of it by path, the
 * package's compiled `lib-runtime/dist/…/envoy-patch-synth.js` (the sources when this file itself
 * runs as TypeScript, in a checkout under ts-node or ts-jest). What passes here is what the
 * control plane serves: the check renders the node exactly as it will.
 */

/** What `lib-runtime/src/translate/policies/envoy-patch-synth.ts` exports. */
interface SynthEntry {
  envoyPatchProblems(document: MeshSpecDocument): Array<{ kind: string; name: string; message: string }>;
}

const ENTRY = ['translate', 'policies', 'envoy-patch-synth'];

/** The runtime entry's file: TypeScript sources beside TypeScript, the compiled runtime beside compiled code. */
export function synthEntryFile(): string {
  const packageRoot = path.join(__dirname, '..', '..');
  return path.extname(__filename) === '.ts'
    ? path.join(packageRoot, 'lib-runtime', 'src', ...ENTRY) + '.ts'
    : path.join(packageRoot, 'lib-runtime', 'dist', 'lib-runtime', 'src', ...ENTRY) + '.js';
}

let entry: SynthEntry | undefined;

function loadEntry(): SynthEntry {
  if (entry) return entry;
  const file = synthEntryFile();
  if (!fs.existsSync(file)) {
    throw new Error(`open-app-mesh: cannot check Envoy patches at synth: ${file} is missing (in a source checkout, build the runtime with \`npx projen compile\`)`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  entry = require(file) as SynthEntry;
  return entry;
}

/** A virtual node or gateway construct: what patches attach to. */
export interface PatchableResource extends IConstruct {
  readonly mesh: { readonly meshName: string };
}

const patchesByResource = new WeakMap<IConstruct, EnvoyPatchSpec[]>();

/**
 * Adds a patch to a virtual node or gateway: into its spec extensions (`envoyPatches`, in the
 * order added) and, with the first one, a synth-time validation of the resource's patches.
 */
export function attachEnvoyPatch(resource: PatchableResource, kind: 'virtualNode' | 'virtualGateway', resourceName: () => string, patch: EnvoyPatch): void {
  const spec = patch.bind(resource) as EnvoyPatchSpec;
  let list = patchesByResource.get(resource);
  if (!list) {
    const patches: EnvoyPatchSpec[] = [];
    list = patches;
    patchesByResource.set(resource, patches);
    contributeExtensions(resource, () => ({ envoyPatches: patches.map(p => ({ ...p })) }));
    resource.node.addValidation({ validate: () => envoyPatchErrors(resource, kind, resourceName()) });
  }
  list.push(spec);
}

/**
 * The control plane's verdict on one resource's patches, one message per line. Nothing when
 * the document has other problems: those fail the synth with their own messages, and a node of
 * an invalid spec is never rendered.
 */
function envoyPatchErrors(resource: PatchableResource, kind: string, name: string): string[] {
  const meshName = resource.mesh.meshName;
  // The document of this resource's own stage: another stage may hold a mesh of the same name.
  const stage = Stage.of(resource) ?? resource.node.root;
  const collected = collectMeshSpecs(stage, { sameStageOnly: true }).find(c => c.meshName === meshName);
  if (!collected || collected.issues.length > 0) return [];
  return loadEntry().envoyPatchProblems(collected.document)
    .filter(p => p.kind === kind && p.name === name)
    .map(p => `Envoy patches of ${kind} '${name}' would not be served: ${p.message}`);
}
