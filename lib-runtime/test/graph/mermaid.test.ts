import { FIXTURE_NAMES, generatedMesh, loadFixture, reordered, resourceNames } from './spec-fixtures';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { escapeLabel, mermaidIds, renderMermaid } from '../../src/graph/mermaid';
import { buildMeshGraph } from '../../src/graph/mesh-graph';

// The shapes of line the writer emits; anything else is a bug (Mermaid is picky).
const LINE_FORMS: [string, RegExp][] = [
  ['front matter', /^(---|title: "[^"\\]*(\\.[^"\\]*)*")$/],
  ['header', /^flowchart LR$/],
  ['comment', /^ {2}%% .*$/],
  ['node', /^ {2}[A-Za-z][A-Za-z0-9_]*(\{\{"[^"]*"\}\}|\(\["[^"]*"\]\)|\[\["[^"]*"\]\]|\["[^"]*"\]|\("[^"]*"\))$/],
  ['edge', /^ {2}[A-Za-z][A-Za-z0-9_]* (-->|-\.->)(\|"[^"]*"\|)? [A-Za-z][A-Za-z0-9_]*$/],
  ['classDef', /^ {2}classDef [A-Za-z]+ [-a-z]+:[^,\s]+(,[-a-z]+:[^,]+)*$/],
  ['class', /^ {2}class [A-Za-z0-9_]+(,[A-Za-z0-9_]+)* [A-Za-z]+$/],
  ['linkStyle', /^ {2}linkStyle \d+(,\d+)* .+$/],
];

function nodeIdsDeclared(mermaid: string): string[] {
  return mermaid.split('\n').filter((l) => /^ {2}[A-Za-z0-9_]+[[({]/.test(l)).map((l) => /^ {2}([A-Za-z0-9_]+)/.exec(l)![1]);
}

describe('renderMermaid', () => {
  test.each(FIXTURE_NAMES)('%s: every line has a known form, ids are unique, every edge joins declared ids', (name) => {
    const doc = loadFixture(name);
    const graph = buildMeshGraph(doc);
    const mermaid = renderMermaid(graph);
    expect(mermaid.endsWith('\n')).toBe(true);
    const lines = mermaid.trimEnd().split('\n');
    for (const line of lines) {
      const form = LINE_FORMS.find(([, re]) => re.test(line));
      if (!form) throw new Error(`line of no known form: ${JSON.stringify(line)}`);
    }
    const ids = nodeIdsDeclared(mermaid);
    expect(ids).toHaveLength(graph.nodes.length);
    expect(new Set(ids).size).toBe(ids.length);
    const edgeLines = lines.filter((l) => /^ {2}\S+ (-->|-\.->)/.test(l));
    expect(edgeLines).toHaveLength(graph.edges.length);
    for (const line of edgeLines) {
      const [, from, , , to] = /^ {2}(\S+) (-->|-\.->)(\|"[^"]*"\|)? (\S+)$/.exec(line)!;
      expect(ids).toContain(from);
      expect(ids).toContain(to);
    }
    // Backend edges are the dashed ones, and linkStyle points at exactly those.
    const dashed = edgeLines.map((l, i) => (l.includes('-.->') ? i : -1)).filter((i) => i >= 0);
    expect(dashed).toEqual(graph.edges.map((e, i) => (e.kind === 'backend' ? i : -1)).filter((i) => i >= 0));
    if (dashed.length > 0) expect(mermaid).toContain(`linkStyle ${dashed.join(',')} `);
  });

  test.each(FIXTURE_NAMES)('%s: every resource name and every weight appears', (name) => {
    const doc = loadFixture(name);
    const mermaid = renderMermaid(buildMeshGraph(doc));
    for (const resource of resourceNames(doc)) expect(mermaid).toContain(escapeLabel(resource));
    expect(mermaid).toContain(`title: "Mesh ${doc.mesh.meshName}"`);
    for (const route of doc.routes) {
      const targets = (route.spec.httpRoute ?? route.spec.http2Route ?? route.spec.grpcRoute ?? route.spec.tcpRoute)!.action.weightedTargets;
      const total = targets.reduce((s, t) => s + t.weight, 0);
      for (const t of targets) expect(mermaid).toContain(`${Math.round((t.weight * 100) / total)}%`);
    }
  });

  test('canary: the weights sit on the arrows to the right nodes', () => {
    const mermaid = renderMermaid(buildMeshGraph(loadFixture('canary')));
    expect(mermaid).toContain('  rt_serviceB_router__serviceB_route -->|"75%"| vn_serviceB\n');
    expect(mermaid).toContain('  rt_serviceB_router__serviceB_route -->|"25%"| vn_serviceBv2\n');
    expect(mermaid).toContain('  vs_serviceb_apps_local --> vr_serviceB_router\n');
    expect(mermaid).toContain('  vn_serviceA -.-> vs_serviceb_apps_local\n');
  });

  test('gateway routes carry their name and match on the arrow', () => {
    const mermaid = renderMermaid(buildMeshGraph(loadFixture('gateway')));
    expect(mermaid).toContain('  gw_ingress_gw -->|"<b>api</b><br/>http · priority 1<br/>host = shop.example.com<br/>prefix /api/<br/>port 8080"| vs_api_shop_local\n');
  });

  test.each(FIXTURE_NAMES)('%s: output is deterministic and independent of list order', (name) => {
    const doc = loadFixture(name);
    const first = renderMermaid(buildMeshGraph(doc));
    expect(renderMermaid(buildMeshGraph(doc))).toBe(first);
    expect(renderMermaid(buildMeshGraph(reordered(doc)))).toBe(first);
  });

  test('names that reduce to the same id stay distinct; labels escape quotes, # and markup', () => {
    const base = loadFixture('canary');
    const doc: MeshSpecDocument = {
      ...base,
      virtualServices: [
        ...base.virtualServices,
        { meshName: 'apps', virtualServiceName: 'servicea-apps.local', spec: {} },
        { meshName: 'apps', virtualServiceName: 'servicea_apps_local', spec: {} },
      ],
      virtualNodes: [...base.virtualNodes, { meshName: 'apps', virtualNodeName: 'odd "name" #1 <b>&', spec: {} }],
    };
    const graph = buildMeshGraph(doc);
    const ids = mermaidIds(graph.nodes);
    expect(new Set(ids.values()).size).toBe(graph.nodes.length);
    // Suffixes follow the graph's code-unit name order: '-' < '.' < '_'.
    expect(ids.get('virtualService:servicea-apps.local')).toBe('vs_servicea_apps_local');
    expect(ids.get('virtualService:servicea.apps.local')).toBe('vs_servicea_apps_local_2');
    expect(ids.get('virtualService:servicea_apps_local')).toBe('vs_servicea_apps_local_3');
    const mermaid = renderMermaid(graph);
    expect(mermaid).toContain('odd #quot;name#quot; #35;1 #lt;b#gt;#amp;');
    expect(escapeLabel('a\nb')).toBe('a b');
    const nodeLine = mermaid.split('\n').find((l) => l.includes('odd'))!;
    expect(nodeLine).toMatch(/^ {2}vn_odd__name___1__b__\("[^"]*"\)$/);
  });

  test('a larger generated mesh keeps ids unique and lists every resource', () => {
    const doc = generatedMesh(14);
    const mermaid = renderMermaid(buildMeshGraph(doc));
    const ids = nodeIdsDeclared(mermaid);
    expect(new Set(ids).size).toBe(ids.length);
    for (const resource of resourceNames(doc)) expect(mermaid).toContain(resource);
  });
});
