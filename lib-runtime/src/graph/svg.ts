import { layoutLayers, PlacedBox, Waypoint } from './layered-layout';
import { GRAPH_NODE_KINDS, GraphEdge, GraphNode, GraphNodeKind, MeshGraph } from './mesh-graph';
import { MONO_FONT_FAMILY, monoTextWidth, SANS_FONT_FAMILY, sansTextWidth } from './text-metrics';

/**
 * Writes a mesh graph as a standalone SVG picture, laid out left to right in columns
 * (gateways | services | routers | routes | nodes). Written by hand: no browser, no
 * Mermaid, so the CLI and the demo can draw a mesh anywhere Node runs.
 */

interface KindLook {
  readonly label: string;
  readonly column: string;
  readonly fill: string;
  readonly stroke: string;
  readonly text: string;
}

const KIND_LOOKS: Record<GraphNodeKind, KindLook> = {
  virtualGateway: { label: 'virtual gateway', column: 'Virtual gateways', fill: '#f3e8fd', stroke: '#7b3fb5', text: '#5b2a8a' },
  virtualService: { label: 'virtual service', column: 'Virtual services', fill: '#e3f0fc', stroke: '#1f6fb8', text: '#17548c' },
  virtualRouter: { label: 'virtual router', column: 'Virtual routers', fill: '#fdeede', stroke: '#c46414', text: '#9a4d0e' },
  route: { label: 'route', column: 'Routes', fill: '#fdf7dc', stroke: '#a68a0c', text: '#7d6808' },
  virtualNode: { label: 'virtual node', column: 'Virtual nodes', fill: '#e5f5e8', stroke: '#2e8540', text: '#236632' },
};
const UNDECLARED_LOOK = { fill: '#fdecec', stroke: '#c62828', text: '#a11f1f' };

const INK = '#1f2933';
const MUTED = '#52606d';
const TRAFFIC = '#52606d';
const BACKEND = '#8896a5';

const MARGIN = 28;
const BOX = { padX: 14, padTop: 10, padBottom: 10, minWidth: 150, radius: 10 };
const KIND_TEXT = { size: 10, line: 14, spacing: 0.08 };
const NAME_TEXT = { size: 14, line: 19 };
const DETAIL_TEXT = { size: 11.5, line: 15 };
const LABEL = { padX: 8, padY: 5, titleSize: 12, titleLine: 16, textSize: 11, textLine: 14, radius: 6 };
const TITLE = { size: 20, line: 26 };
const SUBTITLE = { size: 12, line: 18 };
const COLUMN_HEAD = { size: 11, line: 22, spacing: 0.08 };
const LEGEND = { size: 11, line: 20 };

/** Renders the graph as an SVG document (UTF-8 text, ends with a newline). */
export function renderSvg(graph: MeshGraph): string {
  const rankOf = (kind: GraphNodeKind): number => GRAPH_NODE_KINDS.indexOf(kind) * 2;
  const layout = layoutLayers(
    graph.nodes.map((node) => ({ id: node.id, rank: rankOf(node.kind), ...boxSize(node) })),
    graph.edges.map((edge) => ({ from: edge.from, to: edge.to, label: edgeLabelLines(edge).length > 0 ? labelSize(edge) : undefined })),
  );

  const title = `Mesh ${graph.meshName}`;
  const subtitle = [...graph.details, ...countLines(graph)].join(' · ');
  const hasUndeclared = graph.nodes.some((n) => !n.declared);
  const legend = legendItems(hasUndeclared, graph.edges.some((e) => e.kind === 'mirror'));

  const headerHeight = TITLE.line + SUBTITLE.line + 10 + COLUMN_HEAD.line + 6;
  const legendWidth = legend.reduce((sum, item) => sum + item.width, 0);
  const contentWidth = Math.max(
    layout.width,
    sansTextWidth(title, TITLE.size, true),
    sansTextWidth(subtitle, SUBTITLE.size),
    legendWidth,
  );
  const width = Math.ceil(contentWidth + 2 * MARGIN);
  const diagramTop = MARGIN + headerHeight;
  const height = Math.ceil(diagramTop + layout.height + 24 + LEGEND.line + MARGIN);
  const dx = MARGIN;
  const dy = diagramTop;

  const out: string[] = [];
  out.push(
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${attr(SANS_FONT_FAMILY)}" role="img" aria-labelledby="mesh-title">`,
    `  <title id="mesh-title">${text(`${title} (${subtitle})`)}</title>`,
    '  <defs>',
    arrowMarker('arrow-traffic', TRAFFIC),
    arrowMarker('arrow-backend', BACKEND),
    '  </defs>',
    `  <rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `  <text x="${MARGIN}" y="${MARGIN + TITLE.size}" font-size="${TITLE.size}" font-weight="bold" fill="${INK}">${text(title)}</text>`,
    `  <text x="${MARGIN}" y="${MARGIN + TITLE.line + SUBTITLE.size}" font-size="${SUBTITLE.size}" fill="${MUTED}">${text(subtitle)}</text>`,
  );

  out.push('  <g class="column-heads">');
  for (const column of layout.columns) {
    if (!column.hasBoxes) continue;
    const kind = GRAPH_NODE_KINDS[column.rank / 2];
    out.push(`    <text x="${num(dx + column.x + column.width / 2)}" y="${num(dy - 10)}" text-anchor="middle" font-size="${COLUMN_HEAD.size}" ` +
      `font-weight="bold" letter-spacing="${COLUMN_HEAD.spacing}em" fill="${MUTED}">${text(KIND_LOOKS[kind].column.toUpperCase())}</text>`);
  }
  out.push('  </g>');

  // Edges under labels under boxes; a backend edge is dashed and lighter.
  out.push('  <g class="edges" fill="none">');
  graph.edges.forEach((edge, i) => {
    const placed = layout.edges[i];
    const backend = edge.kind === 'backend';
    // Mirrors carry traffic (traffic colour) that nobody waits for (dashed).
    const dashed = backend || edge.kind === 'mirror';
    out.push(`    <path class="edge ${edge.kind}" data-edge="${i}" d="${pathData(placed.points, dx, dy)}" stroke="${backend ? BACKEND : TRAFFIC}" ` +
      `stroke-width="${backend ? 1.3 : 1.6}"${dashed ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#${backend ? 'arrow-backend' : 'arrow-traffic'})"/>`);
  });
  out.push('  </g>');

  out.push('  <g class="edge-labels">');
  graph.edges.forEach((edge, i) => {
    const slot = layout.edges[i].label;
    if (slot) out.push(...edgeLabel(edge, i, slot.x + dx, slot.y + dy, slot.width, slot.height));
  });
  out.push('  </g>');

  out.push('  <g class="nodes">');
  for (const node of graph.nodes) out.push(...nodeBox(node, layout.boxes.get(node.id)!, dx, dy));
  out.push('  </g>');

  out.push(...legendSvg(legend, MARGIN, diagramTop + layout.height + 24));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function boxSize(node: GraphNode): { width: number; height: number } {
  const widths = [
    sansTextWidth(kindText(node), KIND_TEXT.size) + kindText(node).length * KIND_TEXT.size * KIND_TEXT.spacing,
    sansTextWidth(node.name, NAME_TEXT.size, true),
    ...node.details.map((d) => monoTextWidth(d, DETAIL_TEXT.size)),
  ];
  return {
    width: Math.ceil(Math.max(BOX.minWidth, Math.max(...widths) + 2 * BOX.padX)),
    height: BOX.padTop + KIND_TEXT.line + NAME_TEXT.line + node.details.length * DETAIL_TEXT.line + BOX.padBottom,
  };
}

function kindText(node: GraphNode): string {
  return node.declared ? KIND_LOOKS[node.kind].label.toUpperCase() : `${KIND_LOOKS[node.kind].label} (missing)`.toUpperCase();
}

function nodeBox(node: GraphNode, box: PlacedBox, dx: number, dy: number): string[] {
  const look = node.declared ? KIND_LOOKS[node.kind] : UNDECLARED_LOOK;
  const x = box.x + dx;
  const y = box.y + dy;
  const textX = num(x + BOX.padX);
  const lines = [
    `    <g class="node ${node.kind}" data-id="${attr(node.id)}">`,
    `      <rect x="${num(x)}" y="${num(y)}" width="${num(box.width)}" height="${num(box.height)}" rx="${BOX.radius}" ` +
      `fill="${look.fill}" stroke="${look.stroke}" stroke-width="1.5"${node.declared ? '' : ' stroke-dasharray="5 3"'}/>`,
  ];
  let baseline = y + BOX.padTop + KIND_TEXT.size;
  lines.push(`      <text x="${textX}" y="${num(baseline)}" font-size="${KIND_TEXT.size}" font-weight="bold" letter-spacing="${KIND_TEXT.spacing}em" ` +
    `fill="${look.text}">${text(kindText(node))}</text>`);
  baseline += NAME_TEXT.line;
  lines.push(`      <text x="${textX}" y="${num(baseline)}" font-size="${NAME_TEXT.size}" font-weight="bold" fill="${INK}">${text(node.name)}</text>`);
  for (const detail of node.details) {
    baseline += DETAIL_TEXT.line;
    lines.push(`      <text x="${textX}" y="${num(baseline)}" font-family="${attr(MONO_FONT_FAMILY)}" font-size="${DETAIL_TEXT.size}" ` +
      `fill="${MUTED}">${text(detail)}</text>`);
  }
  lines.push('    </g>');
  return lines;
}

interface LabelLine {
  readonly text: string;
  readonly strong: boolean;
}

/** Gateway route: name in bold, then the match in monospace; route target: the weight in bold. */
function edgeLabelLines(edge: GraphEdge): LabelLine[] {
  const lines: LabelLine[] = edge.title !== undefined ? [{ text: edge.title, strong: true }] : [];
  for (const label of edge.labels) lines.push({ text: label, strong: edge.kind === 'routeTarget' });
  return lines;
}

function labelLineWidth(line: LabelLine): number {
  return line.strong ? sansTextWidth(line.text, LABEL.titleSize, true) : monoTextWidth(line.text, LABEL.textSize);
}

function labelSize(edge: GraphEdge): { width: number; height: number } {
  const lines = edgeLabelLines(edge);
  return {
    width: Math.ceil(Math.max(...lines.map(labelLineWidth)) + 2 * LABEL.padX),
    height: lines.reduce((h, l) => h + (l.strong ? LABEL.titleLine : LABEL.textLine), 2 * LABEL.padY),
  };
}

function edgeLabel(edge: GraphEdge, index: number, x: number, y: number, width: number, height: number): string[] {
  const out = [
    `    <g class="edge-label ${edge.kind}" data-edge="${index}">`,
    `      <rect x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(height)}" rx="${LABEL.radius}" fill="#ffffff" stroke="#cbd2d9"/>`,
  ];
  let top = y + LABEL.padY;
  for (const line of edgeLabelLines(edge)) {
    const lineHeight = line.strong ? LABEL.titleLine : LABEL.textLine;
    const size = line.strong ? LABEL.titleSize : LABEL.textSize;
    // Baseline sits about a quarter of the spare line height above the font size.
    const baseline = top + (lineHeight + size * 0.72) / 2;
    const font = line.strong ? ` font-weight="bold" fill="${INK}"` : ` font-family="${attr(MONO_FONT_FAMILY)}" fill="${MUTED}"`;
    out.push(`      <text x="${num(x + width / 2)}" y="${num(baseline)}" text-anchor="middle" font-size="${size}"${font}>${text(line.text)}</text>`);
    top += lineHeight;
  }
  out.push('    </g>');
  return out;
}

/** Straight where a path runs flat, otherwise a cubic whose ends follow the given slopes. */
function pathData(points: Waypoint[], dx: number, dy: number): string {
  const p = (x: number, y: number): string => `${num(x + dx)},${num(y + dy)}`;
  const parts = [`M${p(points[0].x, points[0].y)}`];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (a.y === b.y && a.slope === 0 && b.slope === 0) {
      parts.push(`L${p(b.x, b.y)}`);
      continue;
    }
    const k = (b.x - a.x) * (a.slope === 0 && b.slope === 0 ? 0.5 : 0.4);
    parts.push(`C${p(a.x + k, a.y + a.slope * k)} ${p(b.x - k, b.y - b.slope * k)} ${p(b.x, b.y)}`);
  }
  return parts.join(' ');
}

function arrowMarker(id: string, color: string): string {
  return `    <marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" ` +
    `orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;
}

function countLines(graph: MeshGraph): string[] {
  return GRAPH_NODE_KINDS.flatMap((kind) => {
    const count = graph.nodes.filter((n) => n.kind === kind && n.declared).length;
    if (count === 0) return [];
    const label = KIND_LOOKS[kind].label;
    return [`${count} ${count === 1 ? label : `${label}s`}`];
  });
}

interface LegendItem {
  readonly kind: 'traffic' | 'mirror' | 'backend' | 'missing';
  readonly text: string;
  readonly width: number;
}

function legendItems(hasUndeclared: boolean, hasMirror: boolean): LegendItem[] {
  const items: Omit<LegendItem, 'width'>[] = [
    { kind: 'traffic', text: 'traffic (gateway route, provider, route, weighted target)' },
    ...(hasMirror ? [{ kind: 'mirror' as const, text: 'mirror: copies of a route\'s requests, answers dropped' }] : []),
    { kind: 'backend', text: 'backend: a service the node may call' },
  ];
  if (hasUndeclared) items.push({ kind: 'missing', text: 'referenced but not defined in the spec' });
  return items.map((item) => ({ ...item, width: 34 + sansTextWidth(item.text, LEGEND.size) + 24 }));
}

function legendSvg(items: LegendItem[], x0: number, y0: number): string[] {
  const out = ['  <g class="legend">'];
  let x = x0;
  const mid = y0 + LEGEND.line / 2;
  for (const item of items) {
    if (item.kind === 'missing') {
      out.push(`    <rect x="${num(x)}" y="${num(mid - 7)}" width="26" height="14" rx="4" fill="${UNDECLARED_LOOK.fill}" ` +
        `stroke="${UNDECLARED_LOOK.stroke}" stroke-dasharray="5 3"/>`);
    } else {
      const backend = item.kind === 'backend';
      const dashed = backend || item.kind === 'mirror';
      out.push(`    <path d="M${num(x)},${num(mid)} L${num(x + 26)},${num(mid)}" stroke="${backend ? BACKEND : TRAFFIC}" stroke-width="1.5" ` +
        `fill="none"${dashed ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#${backend ? 'arrow-backend' : 'arrow-traffic'})"/>`);
    }
    out.push(`    <text x="${num(x + 34)}" y="${num(mid + LEGEND.size * 0.36)}" font-size="${LEGEND.size}" fill="${MUTED}">${text(item.text)}</text>`);
    x += item.width;
  }
  out.push('  </g>');
  return out;
}

/** Numbers with at most one decimal and never `-0`, so output is short and stable. */
function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

/**
 * Text content: XML special characters escaped, and characters XML 1.0 forbids
 * (most control characters, lone surrogates) replaced, so any spec gives a valid file.
 */
export function xmlText(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

const text = xmlText;
const attr = xmlText;
