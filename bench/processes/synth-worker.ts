/**
 * Synthesis time of the bench mesh as a CDK app, with one library per process (so neither
 * warms the other's code): `app.synth()` timed over several repetitions, each a fresh App.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as upstream from 'aws-cdk-lib/aws-appmesh';
import * as ours from '../../src';
import { AppMeshModule, buildMeshApp } from '../lib/cdk-mesh-app';
import { serveCommands } from '../lib/worker-ipc';

function libraryOf(library: 'aws-cdk-lib' | 'open-app-mesh'): AppMeshModule {
  // Source-compatible, not the same declared types: the cast is the point of the comparison.
  return library === 'aws-cdk-lib' ? upstream : ours as unknown as AppMeshModule;
}

serveCommands({
  synth(args: { library: 'aws-cdk-lib' | 'open-app-mesh'; virtualNodes: number; repetitions: number }) {
    const appmesh = libraryOf(args.library);
    const runs: Array<{ constructMs: number; synthMs: number; resources: number; files: string[] }> = [];
    for (let i = 0; i < args.repetitions; i++) {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-bench-synth-'));
      try {
        const t0 = performance.now();
        const app = buildMeshApp(appmesh, args.virtualNodes, outdir);
        const t1 = performance.now();
        const assembly = app.synth();
        const t2 = performance.now();
        const templates = assembly.stacks.map((s) => s.template as { Resources?: Record<string, unknown> });
        runs.push({
          constructMs: t1 - t0,
          synthMs: t2 - t1,
          resources: templates.reduce((sum, t) => sum + Object.keys(t.Resources ?? {}).length, 0),
          files: fs.readdirSync(outdir).filter((f) => f.endsWith('.json')).sort(),
        });
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    return runs;
  },
});
