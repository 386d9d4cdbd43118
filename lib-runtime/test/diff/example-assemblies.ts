import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildCanaryApp, CanaryWeights } from '../../../examples/canary/app';
import { buildCanaryEcsApp } from '../../../examples/canary-ecs/app';
import { buildGatewayApp } from '../../../examples/gateway/app';
import { buildMtlsApp } from '../../../examples/mtls/app';
import { buildRoutingApp } from '../../../examples/routing/app';
import { MeshSpecs } from '../../../src';
import { toCanonicalJson } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';

/** The examples as the diff command meets them: synthesized cloud assemblies and their spec documents. */

export type ExampleName = 'canary' | 'canary-ecs' | 'routing' | 'gateway' | 'mtls';

const BUILDERS: Record<ExampleName, (app: App) => unknown> = {
  'canary': app => buildCanaryApp(app),
  'canary-ecs': buildCanaryEcsApp,
  'routing': buildRoutingApp,
  'gateway': buildGatewayApp,
  'mtls': buildMtlsApp,
};

/** A temporary directory removed by `removeAll`. */
export class Scratch {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-diff-'));

  /** Synthesizes `examples` into one cloud assembly, as `cdk synth` does (`canaryWeights` as `-c canaryWeights=…`). */
  assembly(name: string, examples: readonly ExampleName[], canaryWeights?: string): string {
    const outdir = path.join(this.root, name);
    const app = new App({ outdir, context: canaryWeights === undefined ? {} : { canaryWeights } });
    for (const example of examples) BUILDERS[example](app);
    app.synth();
    return outdir;
  }

  /** Writes a spec file; documents are written canonical, as the constructs write them. */
  file(name: string, content: MeshSpecDocument | string): string {
    const file = path.join(this.root, name);
    fs.writeFileSync(file, typeof content === 'string' ? content : toCanonicalJson(content));
    return file;
  }

  removeAll(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The spec document of an example, in process (weights for the canary). */
export function exampleSpec(example: ExampleName, weights?: CanaryWeights): MeshSpecDocument {
  const app = new App();
  if (example === 'canary') buildCanaryApp(app, weights);
  else BUILDERS[example](app);
  const [doc] = MeshSpecs.collect(app);
  return doc;
}

/** A deep, writable copy to edit. */
export function editable(doc: MeshSpecDocument): any {
  return JSON.parse(JSON.stringify(doc));
}

/** Captures what a command writes. */
export function capture(): { out: string; err: string; io: { stdout: (t: string) => void; stderr: (t: string) => void } } {
  const seen = { out: '', err: '' };
  return Object.assign(seen, { io: { stdout: (t: string) => { seen.out += t; }, stderr: (t: string) => { seen.err += t; } } });
}
