import dagre from '@dagrejs/dagre';
import type { AuditResult } from '../../result/schema.js';
import { COLORS, FONT } from '../charts/echarts-svg.js';
import { escapeXml } from '../escape-xml.js';

/** Nodes per drawing: beyond this a graph is split into parts so each fits a printed page. */
export const NODES_PER_PART = 24;
const NODE_W = 240;
const NODE_H = 50;

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

interface NodeInfo {
  id: string;
  className: string;
  activation: string | null;
  shape: string;
  params: number;
  severity: 'fail' | 'warn' | null;
}

/**
 * Whether the layers form one chain (each takes the previous one's output, nothing branches or merges) short enough
 * for the appendix's layer table to list whole. Such a graph is a column of boxes that says only what the table
 * says, in its order; the table shows it instead, flagged layers highlighted.
 */
export function isListedChain(r: AuditResult, maxRows: number): boolean {
  const { nodes, edges } = r.model.graph;
  if (nodes.length === 0 || r.model.layers.length > maxRows) return false;
  const ins = new Map<string, number>();
  const outs = new Map<string, number>();
  for (const e of edges) {
    ins.set(e.to, (ins.get(e.to) ?? 0) + 1);
    outs.set(e.from, (outs.get(e.from) ?? 0) + 1);
  }
  return (
    edges.length === nodes.length - 1 && nodes.every((n) => (ins.get(n.id) ?? 0) <= 1 && (outs.get(n.id) ?? 0) <= 1)
  );
}

/**
 * The layer connection graph as inline SVG: one box per layer (type, activation, output shape, params),
 * arrows for connections, flagged layers outlined in their finding's color. dagre computes the layout.
 * Large models come back as several parts (in topological order), each with stubs naming the cut edges.
 */
export function layerGraphSvgs(r: AuditResult): string[] {
  const severity = new Map<string, 'fail' | 'warn'>();
  for (const f of r.findings) {
    if (f.status !== 'fail' && f.status !== 'warn') continue;
    for (const l of f.affectedLayers) if (severity.get(l) !== 'fail') severity.set(l, f.status);
  }
  const layers = new Map(r.model.layers.map((l) => [l.name, l]));
  const nodes: NodeInfo[] = r.model.graph.nodes.map((n) => {
    const l = layers.get(n.id);
    return {
      id: n.id,
      className: n.className,
      activation: l?.activation ?? null,
      shape: l
        ? `[${l.outputShape.map((d) => d ?? '?').join(', ')}]`
        : `[${r.model.inputShape.map((d) => d ?? '?').join(', ')}]`,
      params: l?.params ?? 0,
      severity: severity.get(n.id) ?? null,
    };
  });
  if (nodes.length === 0) return [];
  const parts: NodeInfo[][] = [];
  for (let i = 0; i < nodes.length; i += NODES_PER_PART) parts.push(nodes.slice(i, i + NODES_PER_PART));
  return parts.map((part, i) =>
    drawPart(part, r.model.graph.edges, parts.length > 1 ? `part ${i + 1} of ${parts.length}` : null),
  );
}

function drawPart(part: NodeInfo[], edges: Array<{ from: string; to: string }>, caption: string | null): string {
  const inPart = new Set(part.map((n) => n.id));
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 26, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of part) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  const stubs: Array<{ node: string; text: string; above: boolean }> = [];
  for (const e of edges) {
    if (inPart.has(e.from) && inPart.has(e.to)) g.setEdge(e.from, e.to);
    else if (inPart.has(e.to)) stubs.push({ node: e.to, text: `from ${e.from}`, above: true });
    else if (inPart.has(e.from)) stubs.push({ node: e.from, text: `to ${e.to}`, above: false });
  }
  dagre.layout(g);
  const pad = 22;
  const width = Math.ceil((g.graph().width ?? NODE_W) + 2 * pad);
  const height = Math.ceil((g.graph().height ?? NODE_H) + 2 * pad + (caption ? 16 : 0));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT}" role="img" aria-label="layer connection graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker></defs>',
  ];
  if (caption) out.push(`<text x="${pad}" y="14" font-size="11" fill="${COLORS.muted}">${escapeXml(caption)}</text>`);
  const dy = pad + (caption ? 16 : 0);
  for (const e of g.edges()) {
    const pts = g
      .edge(e)
      .points.map((p: { x: number; y: number }) => `${(p.x + pad).toFixed(1)},${(p.y + dy).toFixed(1)}`)
      .join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="#5f6368" stroke-width="1.3" marker-end="url(#arrow)"/>`);
  }
  for (const n of part) {
    const p = g.node(n.id);
    const x = p.x - NODE_W / 2 + pad;
    const y = p.y - NODE_H / 2 + dy;
    const stroke = n.severity === 'fail' ? COLORS.fail : n.severity === 'warn' ? COLORS.warn : '#9aa0a6';
    const fill =
      n.severity === 'fail'
        ? '#fce8e6'
        : n.severity === 'warn'
          ? '#fef7e0'
          : n.className === 'InputLayer'
            ? '#f1f3f4'
            : '#ffffff';
    const kind = n.activation && n.activation !== 'linear' ? `${n.className} · ${n.activation}` : n.className;
    out.push(
      `<g><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${n.severity ? 2.5 : 1}"/>`,
      `<text x="${(x + 10).toFixed(1)}" y="${(y + 17).toFixed(1)}" font-size="12" font-weight="bold" fill="${COLORS.text}">${escapeXml(clip(n.id, 32))}</text>`,
      `<text x="${(x + 10).toFixed(1)}" y="${(y + 31).toFixed(1)}" font-size="10.5" fill="#3c4043">${escapeXml(clip(kind, 38))}</text>`,
      `<text x="${(x + 10).toFixed(1)}" y="${(y + 44).toFixed(1)}" font-size="10" fill="${COLORS.muted}">${escapeXml(clip(`${n.shape} · ${n.params.toLocaleString('en-US')} params`, 40))}</text></g>`,
    );
  }
  for (const s of stubs) {
    const p = g.node(s.node);
    const y = s.above ? p.y - NODE_H / 2 + dy - 6 : p.y + NODE_H / 2 + dy + 14;
    out.push(
      `<text x="${(p.x + pad).toFixed(1)}" y="${y.toFixed(1)}" font-size="10" text-anchor="middle" fill="${COLORS.muted}">↓ ${escapeXml(clip(s.text, 40))}</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
