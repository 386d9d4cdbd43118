import { FIXTURE_NAMES, generatedMesh, loadFixture, reordered, resourceNames } from './spec-fixtures';
import { allElements, parseWellFormedXml, textContent, XmlElement } from './xml-well-formed';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { buildMeshGraph, MeshGraph } from '../../src/graph/mesh-graph';
import { renderSvg, xmlText } from '../../src/graph/svg';
import { monoTextWidth, sansTextWidth } from '../../src/graph/text-metrics';

interface Rect { x: number; y: number; width: number; height: number }
interface Point { x: number; y: number }

/** What the tests read back from a drawing. */
interface Drawing {
  root: XmlElement;
  width: number;
  height: number;
  texts: string[];
  boxes: Map<string, Rect>;
  boxTexts: Map<string, XmlElement[]>;
  labels: Map<number, Rect>;
  paths: XmlElement[];
}

function rectOf(e: XmlElement): Rect {
  return { x: Number(e.attributes.x), y: Number(e.attributes.y), width: Number(e.attributes.width), height: Number(e.attributes.height) };
}

function read(svg: string): Drawing {
  const root = parseWellFormedXml(svg);
  expect(root.name).toBe('svg');
  expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
  const elements = allElements(root);
  const groups = (cls: string): XmlElement[] => elements.filter((e) => e.name === 'g' && (e.attributes.class ?? '').split(' ')[0] === cls);
  return {
    root,
    width: Number(root.attributes.width),
    height: Number(root.attributes.height),
    texts: elements.filter((e) => e.name === 'text').map(textContent),
    boxes: new Map(groups('node').map((g) => [g.attributes['data-id'], rectOf(g.children.find((c) => c.name === 'rect')!)])),
    boxTexts: new Map(groups('node').map((g) => [g.attributes['data-id'], g.children.filter((c) => c.name === 'text')])),
    labels: new Map(groups('edge-label').map((g) => [Number(g.attributes['data-edge']), rectOf(g.children.find((c) => c.name === 'rect')!)])),
    paths: elements.filter((e) => e.name === 'path' && (e.attributes.class ?? '').startsWith('edge ')),
  };
}

/** Points along an SVG path made of M, L and C commands. */
function samplePath(d: string): Point[] {
  const points: Point[] = [];
  let current: Point = { x: 0, y: 0 };
  for (const [, command, args] of d.matchAll(/([MLC])([^MLC]*)/g)) {
    const n = (args.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
    if (command === 'M') {
      current = { x: n[0], y: n[1] };
      points.push(current);
    } else if (command === 'L') {
      const to = { x: n[0], y: n[1] };
      for (let k = 1; k <= 20; k++) points.push({ x: current.x + ((to.x - current.x) * k) / 20, y: current.y + ((to.y - current.y) * k) / 20 });
      current = to;
    } else {
      const [c1, c2, to] = [{ x: n[0], y: n[1] }, { x: n[2], y: n[3] }, { x: n[4], y: n[5] }];
      for (let k = 1; k <= 40; k++) {
        const t = k / 40;
        const u = 1 - t;
        points.push({
          x: u * u * u * current.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * to.x,
          y: u * u * u * current.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * to.y,
        });
      }
      current = to;
    }
  }
  return points;
}

function strictlyInside(p: Point, r: Rect, margin = 1): boolean {
  return p.x > r.x + margin && p.x < r.x + r.width - margin && p.y > r.y + margin && p.y < r.y + r.height - margin;
}

function overlap(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function onBorder(p: Point, r: Rect): boolean {
  const onSide = Math.abs(p.x - r.x) <= 0.6 || Math.abs(p.x - (r.x + r.width)) <= 0.6;
  return onSide && p.y >= r.y && p.y <= r.y + r.height;
}

/** Checks that hold for every drawing: layout without overlaps and with connected edges. */
function checkGeometry(graph: MeshGraph, drawing: Drawing): void {
  expect(drawing.root.attributes.viewBox).toBe(`0 0 ${drawing.width} ${drawing.height}`);
  expect([...drawing.boxes.keys()].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
  expect(drawing.paths).toHaveLength(graph.edges.length);

  const rects = [...drawing.boxes.values(), ...drawing.labels.values()];
  for (const r of rects) {
    expect(r.x).toBeGreaterThanOrEqual(0);
    expect(r.y).toBeGreaterThanOrEqual(0);
    expect(r.x + r.width).toBeLessThanOrEqual(drawing.width);
    expect(r.y + r.height).toBeLessThanOrEqual(drawing.height);
  }
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      if (overlap(rects[i], rects[j])) throw new Error(`boxes or labels overlap: ${JSON.stringify(rects[i])} and ${JSON.stringify(rects[j])}`);
    }
  }

  graph.edges.forEach((edge, i) => {
    const path = drawing.paths[i];
    expect(Number(path.attributes['data-edge'])).toBe(i);
    expect(path.attributes['stroke-dasharray'] !== undefined).toBe(edge.kind === 'backend');
    const points = samplePath(path.attributes.d);
    expect(onBorder(points[0], drawing.boxes.get(edge.from)!)).toBe(true);
    expect(onBorder(points[points.length - 1], drawing.boxes.get(edge.to)!)).toBe(true);
    for (const p of points) {
      for (const [id, box] of drawing.boxes) {
        if (strictlyInside(p, box)) throw new Error(`edge ${i} (${edge.from} -> ${edge.to}) passes through box ${id} at ${p.x},${p.y}`);
      }
      for (const [j, label] of drawing.labels) {
        if (j !== i && strictlyInside(p, label)) throw new Error(`edge ${i} passes through the label of edge ${j} at ${p.x},${p.y}`);
      }
    }
    expect(drawing.labels.has(i)).toBe(edge.labels.length > 0 || edge.title !== undefined);
  });

  // Text stays inside its box, by the same width estimate the writer sizes boxes with.
  for (const [id, texts] of drawing.boxTexts) {
    const box = drawing.boxes.get(id)!;
    for (const t of texts) {
      const size = Number(t.attributes['font-size']);
      const content = textContent(t);
      const estimate = t.attributes['font-family']?.includes('Mono') ? monoTextWidth(content, size) : sansTextWidth(content, size, t.attributes['font-weight'] === 'bold');
      expect(Number(t.attributes.x)).toBeGreaterThan(box.x);
      expect(Number(t.attributes.x) + estimate).toBeLessThanOrEqual(box.x + box.width);
      expect(Number(t.attributes.y)).toBeGreaterThan(box.y);
      expect(Number(t.attributes.y)).toBeLessThan(box.y + box.height);
    }
  }
}

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
