import { allElements, parseWellFormedXml, textContent, XmlElement } from './xml-well-formed';
import type { MeshGraph } from '../../src/graph/mesh-graph';
import { monoTextWidth, sansTextWidth } from '../../src/graph/text-metrics';

/**
 * Reads an SVG drawing back (strictly, as XML) and checks its geometry: the properties
 * that make the picture readable, asserted on every drawing the tests make.
 */

interface Rect { x: number; y: number; width: number; height: number }
interface Point { x: number; y: number }

/** What the tests read back from a drawing. */
export interface Drawing {
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

export function readDrawing(svg: string): Drawing {
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
export function checkGeometry(graph: MeshGraph, drawing: Drawing): void {
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
    expect(path.attributes['stroke-dasharray'] !== undefined).toBe(edge.kind === 'backend' || edge.kind === 'mirror');
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
