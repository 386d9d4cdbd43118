import { FIXTURE_NAMES, generatedMesh, loadFixture, reordered, resourceNames } from './spec-fixtures';
import { checkGeometry, readDrawing as read } from './svg-drawing';
import { allElements } from './xml-well-formed';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { buildMeshGraph } from '../../src/graph/mesh-graph';
import { renderSvg, xmlText } from '../../src/graph/svg';

describe('renderSvg', () => {
  test.each(FIXTURE_NAMES)('%s: well-formed, every resource and weight shown, laid out without overlaps', (name) => {
    const doc = loadFixture(name);
    const graph = buildMeshGraph(doc);
    const svg = renderSvg(graph);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
    const drawing = read(svg);
    for (const resource of resourceNames(doc).slice(1)) expect(drawing.texts).toContain(resource);
    expect(drawing.texts).toContain(`Mesh ${doc.mesh.meshName}`);
    for (const edge of graph.edges) for (const label of edge.labels) expect(drawing.texts).toContain(label);
    checkGeometry(graph, drawing);
  });

  test('canary: weights, matches and the column heads', () => {
    const drawing = read(renderSvg(buildMeshGraph(loadFixture('canary'))));
    expect(drawing.texts).toEqual(expect.arrayContaining(['75%', '25%', 'prefix /', 'VIRTUAL SERVICES', 'VIRTUAL ROUTERS', 'ROUTES', 'VIRTUAL NODES']));
    expect(drawing.texts).not.toContain('VIRTUAL GATEWAYS');
    // The route sits between the router and the nodes, left to right.
    const x = (id: string): number => drawing.boxes.get(id)!.x;
    expect(x('virtualService:serviceb.apps.local')).toBeLessThan(x('virtualRouter:serviceB-router'));
    expect(x('virtualRouter:serviceB-router')).toBeLessThan(x('route:serviceB-router/serviceB-route'));
    expect(x('route:serviceB-router/serviceB-route')).toBeLessThan(x('virtualNode:serviceB'));
  });

  test('gateway mesh: gateways on the left, gateway route labels between gateway and services', () => {
    const drawing = read(renderSvg(buildMeshGraph(loadFixture('gateway'))));
    const gateway = drawing.boxes.get('virtualGateway:ingress-gw')!;
    const service = drawing.boxes.get('virtualService:api.shop.local')!;
    expect(drawing.labels.size).toBe(3 + 3);
    for (const [, label] of [...drawing.labels].slice(0, 3)) {
      expect(label.x).toBeGreaterThan(gateway.x + gateway.width);
      expect(label.x + label.width).toBeLessThan(service.x);
    }
    expect(drawing.texts).toEqual(expect.arrayContaining(['api', 'orders-grpc', 'web', 'host = shop.example.com', 'service shop.orders.v1.Orders']));
  });

  test.each(FIXTURE_NAMES)('%s: deterministic and independent of list order', (name) => {
    const doc = loadFixture(name);
    const svg = renderSvg(buildMeshGraph(doc));
    expect(renderSvg(buildMeshGraph(doc))).toBe(svg);
    expect(renderSvg(buildMeshGraph(reordered(doc)))).toBe(svg);
  });

  test.each([6, 14, 30])('a generated mesh of %i services still lays out without overlaps', (services) => {
    const doc = generatedMesh(services);
    const graph = buildMeshGraph(doc);
    const drawing = read(renderSvg(graph));
    checkGeometry(graph, drawing);
    for (const resource of resourceNames(doc).slice(1)) expect(drawing.texts).toContain(resource);
  });

  test('names with markup, quotes and control characters stay well-formed and readable', () => {
    const base = loadFixture('canary');
    const nasty = 'a<b>&"c\'\u0007';
    const doc: MeshSpecDocument = {
      ...base,
      mesh: { ...base.mesh, meshName: nasty },
      virtualNodes: [...base.virtualNodes, { meshName: nasty, virtualNodeName: ']]> <!-- & -->', spec: {} }],
      virtualServices: [...base.virtualServices, { meshName: nasty, virtualServiceName: 'x & y', spec: { provider: { virtualNode: { virtualNodeName: ']]> <!-- & -->' } } } }],
    };
    const graph = buildMeshGraph(doc);
    const drawing = read(renderSvg(graph));
    expect(drawing.texts).toContain('Mesh a<b>&"c\'\uFFFD');
    expect(drawing.texts).toContain(']]> <!-- & -->');
    expect(drawing.texts).toContain('x & y');
    checkGeometry(graph, drawing);
    expect(xmlText('\uD800x\uDC00')).toBe('\uFFFDx\uFFFD');
    expect(xmlText('😀')).toBe('😀');
  });

  test('a reference to a missing resource is drawn dashed, with a legend entry', () => {
    const base = loadFixture('canary');
    const doc = { ...base, virtualNodes: base.virtualNodes.filter((vn) => vn.virtualNodeName !== 'serviceBv2') };
    const graph = buildMeshGraph(doc);
    const drawing = read(renderSvg(graph));
    const missing = allElements(drawing.root).find((e) => e.attributes['data-id'] === 'virtualNode:serviceBv2')!;
    expect(missing.children[0].attributes['stroke-dasharray']).toBeDefined();
    expect(drawing.texts).toContain('VIRTUAL NODE (MISSING)');
    expect(drawing.texts).toContain('referenced but not defined in the spec');
    checkGeometry(graph, drawing);
  });

  test('an empty mesh still gives a titled, well-formed picture', () => {
    const graph = buildMeshGraph({
      specVersion: 'open-app-mesh/v1',
      mesh: { meshName: 'empty', spec: {} },
      virtualNodes: [],
      virtualServices: [],
      virtualRouters: [],
      routes: [],
      virtualGateways: [],
      gatewayRoutes: [],
    });
    const drawing = read(renderSvg(graph));
    expect(drawing.texts).toContain('Mesh empty');
    expect(drawing.width).toBeGreaterThan(0);
    expect(drawing.boxes.size).toBe(0);
  });
});
