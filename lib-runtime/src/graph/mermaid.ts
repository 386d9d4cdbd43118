import { GRAPH_NODE_KINDS, GraphEdge, GraphNode, GraphNodeKind, MeshGraph } from './mesh-graph';

/**
 * Writes a mesh graph as a Mermaid flowchart (left to right), for READMEs and anything
 * else that renders Mermaid (GitHub does). No subgraphs: Mermaid lays clusters out as
 * blocks and the picture falls apart once backends point back; without them a backend
 * arrow reads as the next hop of a call, node → service → router → route → node.
 */

interface KindStyle {
  readonly idPrefix: string;
  readonly title: string;
  readonly label: string;
  /** Opening and closing bracket of the Mermaid node shape. */
  readonly shape: readonly [string, string];
  readonly classDef: string;
}

const KIND_STYLES: Record<GraphNodeKind, KindStyle> = {
  virtualGateway: { idPrefix: 'gw', title: 'Virtual gateways', label: 'virtual gateway', shape: ['{{', '}}'], classDef: 'fill:#f3e8fd,stroke:#7b3fb5,color:#2d1645' },
  virtualService: { idPrefix: 'vs', title: 'Virtual services', label: 'virtual service', shape: ['([', '])'], classDef: 'fill:#e3f0fc,stroke:#1f6fb8,color:#0d2c4a' },
  virtualRouter: { idPrefix: 'vr', title: 'Virtual routers', label: 'virtual router', shape: ['[[', ']]'], classDef: 'fill:#fdeede,stroke:#c46414,color:#4a2506' },
  route: { idPrefix: 'rt', title: 'Routes', label: 'route', shape: ['[', ']'], classDef: 'fill:#fdf7dc,stroke:#a68a0c,color:#3f3404' },
  virtualNode: { idPrefix: 'vn', title: 'Virtual nodes', label: 'virtual node', shape: ['(', ')'], classDef: 'fill:#e5f5e8,stroke:#2e8540,color:#0f3317' },
};

const UNDECLARED_CLASS_DEF = 'fill:#fdecec,stroke:#c62828,stroke-dasharray:4 3,color:#5c1010';

/** Renders the graph as Mermaid source text (ends with a newline). */
export function renderMermaid(graph: MeshGraph): string {
  const ids = mermaidIds(graph.nodes);
  const out: string[] = [
    '---',
    `title: ${JSON.stringify(`Mesh ${graph.meshName}`)}`,
    '---',
    'flowchart LR',
    `  %% open-app-mesh graph of mesh ${oneLine(graph.meshName)} (${oneLine(graph.details.join(', '))})`,
  ];

  for (const kind of GRAPH_NODE_KINDS) {
    const members = graph.nodes.filter((n) => n.kind === kind);
    if (members.length === 0) continue;
    const style = KIND_STYLES[kind];
    out.push(`  %% ${style.title.toLowerCase()}`);
    for (const node of members) {
      const [open, close] = style.shape;
      out.push(`  ${ids.get(node.id)}${open}"${nodeLabel(node)}"${close}`);
    }
  }

  const dashed: number[] = [];
  graph.edges.forEach((edge, index) => {
    const arrow = edge.kind === 'backend' || edge.kind === 'mirror' ? '-.->' : '-->';
    if (edge.kind === 'backend') dashed.push(index);
    const label = edgeLabel(edge);
    out.push(`  ${ids.get(edge.from)} ${arrow}${label ? `|"${label}"|` : ''} ${ids.get(edge.to)}`);
  });

  for (const kind of GRAPH_NODE_KINDS) {
    const style = KIND_STYLES[kind];
    out.push(`  classDef ${kind} ${style.classDef}`);
  }
  out.push(`  classDef undeclared ${UNDECLARED_CLASS_DEF}`);
  for (const kind of GRAPH_NODE_KINDS) {
    const members = graph.nodes.filter((n) => n.kind === kind && n.declared).map((n) => ids.get(n.id));
    if (members.length > 0) out.push(`  class ${members.join(',')} ${kind}`);
  }
  const undeclared = graph.nodes.filter((n) => !n.declared).map((n) => ids.get(n.id));
  if (undeclared.length > 0) out.push(`  class ${undeclared.join(',')} undeclared`);
  if (dashed.length > 0) out.push(`  linkStyle ${dashed.join(',')} stroke:#6b7280,stroke-dasharray:5 4`);
  return `${out.join('\n')}\n`;
}

/**
 * Mermaid ids: a kind prefix plus the name reduced to `[A-Za-z0-9_]`, so an id says what
 * it is and stays the same when other resources come and go. Names that reduce to the
 * same id get `_2`, `_3`... in the graph's (sorted) node order.
 */
export function mermaidIds(nodes: GraphNode[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of nodes) {
    const name = node.parentName === undefined ? node.name : `${node.parentName}__${node.name}`;
    const base = `${KIND_STYLES[node.kind].idPrefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    ids.set(node.id, id);
  }
  return ids;
}

function nodeLabel(node: GraphNode): string {
  const kind = node.kind === 'route' ? `route of ${node.parentName}` : KIND_STYLES[node.kind].label;
  return [`<b>${escapeLabel(node.name)}</b>`, `<i>${escapeLabel(kind)}</i>`, ...node.details.map(escapeLabel)].join('<br/>');
}

function edgeLabel(edge: GraphEdge): string {
  const lines = edge.title !== undefined ? [`<b>${escapeLabel(edge.title)}</b>`] : [];
  lines.push(...edge.labels.map(escapeLabel));
  return lines.join('<br/>');
}

/**
 * Mermaid entity codes (`#quot;` ...) keep quotes, angle brackets and `#` from ending
 * the label or being read as markup; line breaks become spaces.
 */
export function escapeLabel(text: string): string {
  return oneLine(text).replace(/[#"<>&]/g, (c) => MERMAID_ENTITIES[c]);
}

const MERMAID_ENTITIES: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
