/**
 * A small layered (Sugiyama-style) left-to-right layout, enough for mesh pictures.
 *
 * Boxes sit in columns by rank. An edge that spans several ranks gets a placeholder in
 * every rank it crosses, and an edge label is such a placeholder with a size, so labels
 * and passing lines take room in their column like boxes do: nothing overlaps by
 * construction. Then: order each column to reduce crossings (barycenter sweeps, keep the
 * best), place items vertically near their neighbours without overlap (isotonic
 * regression per column), and route each edge through its placeholders. Pure and
 * deterministic: the same input gives the same numbers.
 */

export interface LayoutBoxInput {
  readonly id: string;
  /** Column index; edges may go either way but never within one rank. */
  readonly rank: number;
  readonly width: number;
  readonly height: number;
}

export interface LayoutEdgeInput {
  readonly from: string;
  readonly to: string;
  /** Size of the label drawn on the edge, next to its source. */
  readonly label?: { readonly width: number; readonly height: number };
}

/** A point a path passes with a given slope (dy/dx); paths run left to right or back. */
export interface Waypoint {
  readonly x: number;
  readonly y: number;
  readonly slope: number;
}

export interface PlacedBox {
  readonly id: string;
  /** Top-left corner. */
  readonly x: number;
  readonly y: number;
  /** Boxes of one column share the column's width. */
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  /** From the source box's side to the target box's side, in drawing order. */
  readonly points: Waypoint[];
  /** Top-left corner and size of the label slot, when the edge has a label. */
  readonly label?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export interface PlacedColumn {
  readonly rank: number;
  readonly x: number;
  readonly width: number;
  readonly hasBoxes: boolean;
}

export interface Layout {
  readonly boxes: Map<string, PlacedBox>;
  /** Same order as the input edges. */
  readonly edges: PlacedEdge[];
  readonly columns: PlacedColumn[];
  readonly width: number;
  readonly height: number;
}

export interface LayoutOptions {
  /** Horizontal room between columns, where the curves run. */
  readonly columnGap?: number;
  readonly boxGap?: number;
  readonly lineGap?: number;
}

interface Item {
  readonly key: string;
  readonly rank: number;
  readonly width: number;
  readonly height: number;
  /** Set for boxes; placeholders have no box. */
  readonly box?: LayoutBoxInput;
  readonly up: Item[];
  readonly down: Item[];
  order: number;
  center: number;
}

const ORDER_SWEEPS = 16;
const TRANSPOSE_PASSES = 8;
const PLACEMENT_ROUNDS = 40;
const PORT_SPACING = 12;
const MAX_EXTRA_GAP = 60;

export function layoutLayers(boxes: LayoutBoxInput[], edges: LayoutEdgeInput[], options: LayoutOptions = {}): Layout {
  const columnGap = options.columnGap ?? 44;
  const boxGap = options.boxGap ?? 28;
  const lineGap = options.lineGap ?? 10;

  if (boxes.length === 0) return { boxes: new Map(), edges: [], columns: [], width: 0, height: 0 };
  const items = new Map<string, Item>();
  const newItem = (key: string, rank: number, width: number, height: number, box?: LayoutBoxInput): Item => {
    const item: Item = { key, rank, width, height, box, up: [], down: [], order: 0, center: 0 };
    items.set(key, item);
    return item;
  };
  for (const box of boxes) newItem(`box:${box.id}`, box.rank, box.width, box.height, box);

  // Each edge becomes a chain of items in increasing rank; `reversed` when it points left.
  const chains = edges.map((edge, index) => {
    const from = items.get(`box:${edge.from}`);
    const to = items.get(`box:${edge.to}`);
    if (!from || !to) throw new Error(`edge ${index} refers to an unknown box (${edge.from} -> ${edge.to})`);
    if (from.rank === to.rank) throw new Error(`edge ${index} joins two boxes of rank ${from.rank}`);
    const reversed = from.rank > to.rank;
    const [lo, hi] = reversed ? [to, from] : [from, to];
    const labelRank = reversed ? hi.rank - 1 : lo.rank + 1;
    const chain: Item[] = [lo];
    for (let rank = lo.rank + 1; rank < hi.rank; rank++) {
      const label = rank === labelRank ? edge.label : undefined;
      chain.push(newItem(`edge:${index}:${rank}`, rank, label?.width ?? 0, label?.height ?? 0));
    }
    chain.push(hi);
    for (let i = 1; i < chain.length; i++) {
      chain[i - 1].down.push(chain[i]);
      chain[i].up.push(chain[i - 1]);
    }
    return { chain, reversed, labelRank: edge.label && hi.rank - lo.rank > 1 ? labelRank : undefined };
  });

  const ranks = [...new Set([...items.values()].map((i) => i.rank))].sort((a, b) => a - b);
  const layers = ranks.map((rank) => [...items.values()].filter((i) => i.rank === rank));
  orderLayers(layers);

  const gap = (a: Item, b: Item): number => (a.box && b.box ? boxGap : a.box || b.box ? (boxGap + lineGap) / 2 : lineGap);
  placeVertically(layers, gap);

  // Columns left to right; boxes of a column take the widest box's width.
  // A gap grows with the steepest line across it, so steep curves do not bunch up.
  const columns: PlacedColumn[] = [];
  let x = 0;
  layers.forEach((layer, r) => {
    const width = Math.max(0, ...layer.map((i) => i.width));
    columns.push({ rank: layer[0].rank, x, width, hasBoxes: layer.some((i) => i.box) });
    const rise = Math.max(0, ...layer.flatMap((i) => i.down.map((d) => Math.abs(d.center - i.center))));
    if (r < layers.length - 1) x += width + columnGap + Math.min(MAX_EXTRA_GAP, rise / 8);
    else x += width;
  });
  const width = x;
  const columnOf = new Map(columns.map((c) => [c.rank, c]));

  const top = Math.min(...[...items.values()].map((i) => i.center - i.height / 2));
  const placed = new Map<string, PlacedBox>();
  for (const item of items.values()) {
    item.center -= top;
    if (!item.box) continue;
    const column = columnOf.get(item.rank)!;
    placed.set(item.box.id, { id: item.box.id, x: column.x, y: item.center - item.height / 2, width: column.width, height: item.height });
  }
  const height = Math.max(...[...items.values()].map((i) => i.center + i.height / 2));

  const ports = assignPorts(items, chains.map((c) => c.chain));
  const placedEdges = chains.map(({ chain, reversed, labelRank }, index): PlacedEdge => {
    const first = chain[0];
    const last = chain[chain.length - 1];
    const firstBox = placed.get(first.box!.id)!;
    const lastBox = placed.get(last.box!.id)!;
    const points: Waypoint[] = [{ x: firstBox.x + firstBox.width, y: ports.get(`${index}:out`)!, slope: 0 }];
    for (let i = 1; i < chain.length - 1; i++) {
      const item = chain[i];
      const column = columnOf.get(item.rank)!;
      if (column.width > 0) {
        // Columns with labels are crossed flat, so no line cuts through a label.
        points.push({ x: column.x, y: item.center, slope: 0 }, { x: column.x + column.width, y: item.center, slope: 0 });
      } else {
        const prev = chain[i - 1].center;
        const next = chain[i + 1].center;
        const span = columnOf.get(chain[i + 1].rank)!.x - (columnOf.get(chain[i - 1].rank)!.x + columnOf.get(chain[i - 1].rank)!.width);
        points.push({ x: column.x, y: item.center, slope: span > 0 ? (next - prev) / span : 0 });
      }
    }
    points.push({ x: lastBox.x, y: ports.get(`${index}:in`)!, slope: 0 });
    let label: PlacedEdge['label'];
    if (labelRank !== undefined) {
      const item = chain.find((i) => i.rank === labelRank)!;
      const column = columnOf.get(labelRank)!;
      label = { x: column.x + (column.width - item.width) / 2, y: item.center - item.height / 2, width: item.width, height: item.height };
    }
    return { points: reversed ? points.reverse() : points, label };
  });

  return { boxes: placed, edges: placedEdges, columns, width, height };
}

/**
 * Orders every column to reduce crossings. Two starting orders are tried, the given one
 * and a depth-first walk over the edges in both directions (which keeps each connected
 * part, long edges included, together); each is improved by barycenter sweeps and
 * neighbour swaps, and the order with the fewest crossings wins (ties: the first).
 */
function orderLayers(layers: Item[][]): void {
  const given = layers.map((layer) => [...layer]);
  const walked = depthFirstOrder(layers);
  let best: Item[][] | undefined;
  let bestCrossings = Infinity;
  for (const start of [walked, given]) {
    const candidate = start.map((layer) => [...layer]);
    const crossings = improveOrder(candidate);
    if (crossings < bestCrossings) {
      best = candidate;
      bestCrossings = crossings;
    }
  }
  best!.forEach((layer, r) => {
    layers[r].splice(0, layers[r].length, ...layer);
    layer.forEach((item, i) => { item.order = i; });
  });
}

/** Each column in the order a depth-first walk (from the first items, in column order) reaches it. */
function depthFirstOrder(layers: Item[][]): Item[][] {
  const seen = new Set<Item>();
  const visited: Item[] = [];
  for (const root of layers.flat()) {
    const stack = [root];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (seen.has(item)) continue;
      seen.add(item);
      visited.push(item);
      const next = [...item.down, ...item.up];
      for (let i = next.length - 1; i >= 0; i--) if (!seen.has(next[i])) stack.push(next[i]);
    }
  }
  const position = new Map(visited.map((item, i) => [item, i]));
  return layers.map((layer) => [...layer].sort((a, b) => position.get(a)! - position.get(b)!));
}

/** Barycenter sweeps down and up with swaps; leaves the best order seen in `layers`, returns its crossings. */
function improveOrder(layers: Item[][]): number {
  layers.forEach((layer) => layer.forEach((item, i) => { item.order = i; }));
  let best = layers.map((layer) => [...layer]);
  let bestCrossings = countCrossings(layers);
  const sizeOfRank = new Map(layers.map((layer) => [layer[0].rank, layer.length]));
  for (let sweep = 0; sweep < ORDER_SWEEPS && bestCrossings > 0; sweep++) {
    const down = sweep % 2 === 0;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const keyOf = new Map(layer.map((item) => {
        const neighbours = down ? item.up : item.down;
        const own = (item.order + 0.5) / layer.length;
        if (neighbours.length === 0) return [item, own];
        const size = sizeOfRank.get(neighbours[0].rank)!;
        return [item, neighbours.reduce((sum, n) => sum + (n.order + 0.5) / size, 0) / neighbours.length];
      }));
      layer.sort((a, b) => keyOf.get(a)! - keyOf.get(b)! || a.order - b.order);
      layer.forEach((item, i) => { item.order = i; });
    }
    transpose(layers);
    const crossings = countCrossings(layers);
    if (crossings < bestCrossings) {
      bestCrossings = crossings;
      best = layers.map((layer) => [...layer]);
    }
  }
  best.forEach((layer, r) => {
    layers[r].splice(0, layers[r].length, ...layer);
    layer.forEach((item, i) => { item.order = i; });
  });
  return bestCrossings;
}

/** Swaps neighbours in a column while that removes crossings (barycenters miss some). */
function transpose(layers: Item[][]): void {
  for (let pass = 0, improved = true; improved && pass < TRANSPOSE_PASSES; pass++) {
    improved = false;
    for (const layer of layers) {
      for (let i = 0; i + 1 < layer.length; i++) {
        if (pairCrossings(layer[i + 1], layer[i]) < pairCrossings(layer[i], layer[i + 1])) {
          [layer[i], layer[i + 1]] = [layer[i + 1], layer[i]];
          layer[i].order = i;
          layer[i + 1].order = i + 1;
          improved = true;
        }
      }
    }
  }
}

/** Crossings between the edges of `above` and those of `below` when `above` sits right above `below`. */
function pairCrossings(above: Item, below: Item): number {
  let crossings = 0;
  for (const a of above.up) for (const b of below.up) if (a.order > b.order) crossings++;
  for (const a of above.down) for (const b of below.down) if (a.order > b.order) crossings++;
  return crossings;
}

function countCrossings(layers: Item[][]): number {
  return layers.reduce((sum, layer) => sum + crossingsBetween(layer), 0);
}

/** Crossings among the segments from `layer` to the next column. */
function crossingsBetween(layer: Item[]): number {
  const segments: [number, number][] = [];
  for (const item of layer) for (const next of item.down) segments.push([item.order, next.order]);
  let crossings = 0;
  for (let i = 0; i < segments.length; i++) {
    for (let j = i + 1; j < segments.length; j++) {
      if ((segments[i][0] - segments[j][0]) * (segments[i][1] - segments[j][1]) < 0) crossings++;
    }
  }
  return crossings;
}

/**
 * Moves each item toward the mean height of its neighbours while keeping the column's
 * order and spacing: per column that is isotonic regression, solved exactly by pooling
 * adjacent violators. Alternating passes spread the effect through the columns.
 */
function placeVertically(layers: Item[][], gap: (a: Item, b: Item) => number): void {
  const offsets = layers.map((layer) => {
    const result = [0];
    for (let i = 1; i < layer.length; i++) {
      result.push(result[i - 1] + layer[i - 1].height / 2 + gap(layer[i - 1], layer[i]) + layer[i].height / 2);
    }
    return result;
  });
  layers.forEach((layer, r) => layer.forEach((item, i) => { item.center = offsets[r][i]; }));

  for (let round = 0; round < PLACEMENT_ROUNDS; round++) {
    const sequence = round % 2 === 0 ? layers.map((_, r) => r) : layers.map((_, r) => layers.length - 1 - r);
    for (const r of sequence) {
      const layer = layers[r];
      const targets = layer.map((item, i) => {
        const neighbours = [...item.up, ...item.down];
        const desired = neighbours.length === 0 ? item.center : neighbours.reduce((s, n) => s + n.center, 0) / neighbours.length;
        return desired - offsets[r][i];
      });
      // Placeholders weigh more than boxes: straight long edges read better than centred boxes.
      const weights = layer.map((item) => (item.box ? 1 : 2));
      const shifts = isotonicFit(targets, weights);
      layer.forEach((item, i) => { item.center = shifts[i] + offsets[r][i]; });
    }
  }
}

/** Nondecreasing sequence closest (weighted least squares) to `values`. */
function isotonicFit(values: number[], weights: number[]): number[] {
  const blocks: { mean: number; weight: number; count: number }[] = [];
  values.forEach((value, i) => {
    blocks.push({ mean: value, weight: weights[i], count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2].mean > blocks[blocks.length - 1].mean) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const weight = a.weight + b.weight;
      blocks.push({ mean: (a.mean * a.weight + b.mean * b.weight) / weight, weight, count: a.count + b.count });
    }
  });
  return blocks.flatMap((b) => Array<number>(b.count).fill(b.mean));
}

/**
 * Where each edge meets its boxes: ends on one side of a box are sorted by the height of
 * the next item along the edge and spread around the side's middle, so lines do not
 * start on top of each other or cross right at the box.
 */
function assignPorts(items: Map<string, Item>, chains: Item[][]): Map<string, number> {
  const ends = new Map<string, { key: string; towards: number }[]>();
  const addEnd = (box: Item, side: 'left' | 'right', key: string, towards: number): void => {
    const sideKey = `${box.key}:${side}`;
    if (!ends.has(sideKey)) ends.set(sideKey, []);
    ends.get(sideKey)!.push({ key, towards });
  };
  chains.forEach((chain, index) => {
    addEnd(chain[0], 'right', `${index}:out`, chain[1].center);
    addEnd(chain[chain.length - 1], 'left', `${index}:in`, chain[chain.length - 2].center);
  });
  const ports = new Map<string, number>();
  for (const [sideKey, list] of ends) {
    const box = items.get(sideKey.slice(0, sideKey.lastIndexOf(':')))!;
    list.sort((a, b) => a.towards - b.towards);
    const spacing = list.length > 1 ? Math.min(PORT_SPACING, (box.height - 16) / (list.length - 1)) : 0;
    list.forEach((end, i) => ports.set(end.key, box.center + (i - (list.length - 1) / 2) * spacing));
  }
  return ports;
}
