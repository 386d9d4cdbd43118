import { readdirSync, existsSync } from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { resourceNames } from './spec-fixtures';
import { checkGeometry, readDrawing } from './svg-drawing';
import { MeshSpecs } from '../../../src';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { escapeLabel, renderMermaid } from '../../src/graph/mermaid';
import { buildMeshGraph } from '../../src/graph/mesh-graph';
import { renderSvg } from '../../src/graph/svg';

/**
 * The graph command on the examples: each `examples/<name>/app.ts` exports
 * `build…App(app)` functions; every mesh they define is drawn both ways and checked.
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../../../examples');

type AppBuilder = (app: App) => unknown;

function exampleBuilders(): [string, AppBuilder][] {
  const builders: [string, AppBuilder][] = [];
  for (const name of readdirSync(EXAMPLES_DIR).sort()) {
    const file = path.join(EXAMPLES_DIR, name, 'app.ts');
    if (!existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(file) as Record<string, unknown>;
    for (const [key, value] of Object.entries(module).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (/^build\w*App$/.test(key) && typeof value === 'function') builders.push([`${name}/${key}`, value as AppBuilder]);
    }
  }
  return builders;
}

const BUILDERS = exampleBuilders();

function meshesOf(builder: AppBuilder): MeshSpecDocument[] {
  const app = new App();
  builder(app);
  return MeshSpecs.collect(app);
}

function shares(doc: MeshSpecDocument): string[] {
  return doc.routes.flatMap((route) => {
    const targets = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute ?? route.spec.tcpRoute)?.action.weightedTargets ?? [];
    const total = targets.reduce((sum, t) => sum + t.weight, 0);
    return targets.map((t) => `${Math.round((t.weight * 100) / total)}%`);
  });
}

describe('graph of the examples', () => {
  test('the examples define apps to draw', () => {
    expect(BUILDERS.map(([name]) => name)).toContain('canary/buildCanaryApp');
  });

  test.each(BUILDERS)('%s: Mermaid and SVG show every resource and weight; the SVG is well-formed and clean', (_, builder) => {
    const docs = meshesOf(builder);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const graph = buildMeshGraph(doc);
      const mermaid = renderMermaid(graph);
      const svg = renderSvg(graph);
      const drawing = readDrawing(svg);
      for (const name of resourceNames(doc)) {
        expect(mermaid).toContain(escapeLabel(name));
        expect(drawing.texts.some((t) => t === name || t === `Mesh ${name}`)).toBe(true);
      }
      for (const share of shares(doc)) {
        expect(mermaid).toContain(share);
        expect(drawing.texts.some((t) => t.startsWith(share))).toBe(true);
      }
      checkGeometry(graph, drawing);
    }
  });
});
