// The network's arithmetic, without the database: clusters (connected components and communities), a
// deterministic radial layout for the server-drawn picture, and the path back from a breadth-first search.
import type { EntityKind } from '../schema.ts';

/** A node of the network: a child, person, location or object, with how many hops it is from the centre. */
export interface NetworkNode {
  key: string;
  kind: EntityKind;
  id: string;
  label: string;
  href: string;
  depth: number;
}

/** A link between two nodes, in its recorded direction. */
export interface NetworkEdge {
  id: string;
  source: string;
  target: string;
  sourceLabel: string;
  targetLabel: string;
  relation: string;
  confidence: string;
  first_seen_on: string | null;
  last_seen_on: string | null;
}

export const nodeKey = (kind: string, id: string) => `${kind}:${id}`;

function adjacency(nodes: readonly NetworkNode[], edges: readonly NetworkEdge[]): Map<string, string[]> {
  const next = new Map<string, string[]>(nodes.map((n) => [n.key, []]));
  for (const e of edges) {
    next.get(e.source)?.push(e.target);
    next.get(e.target)?.push(e.source);
  }
  for (const list of next.values()) list.sort();
  return next;
}

/** The connected components of the graph, leaving out `without` (the centre): the groups joined only through it. Largest first. */
export function components(nodes: readonly NetworkNode[], edges: readonly NetworkEdge[], without?: string): string[][] {
  const next = adjacency(nodes, edges);
  const seen = new Set<string>(without ? [without] : []);
  const found: string[][] = [];
  for (const start of [...next.keys()].sort()) {
    if (seen.has(start)) continue;
    const group: string[] = [];
    const queue = [start];
    seen.add(start);
    while (queue.length > 0) {
      const key = queue.shift()!;
      group.push(key);
      for (const other of next.get(key) ?? [])
        if (!seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
    }
    found.push(group.sort());
  }
  return found.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/**
 * Communities by modularity (the local-moving phase of the Louvain method), made deterministic: each
 * node in key order moves to the neighbouring community that raises modularity most (staying put on a
 * tie), until no node moves or 50 rounds. Groups of records more tightly linked to each other than to
 * the rest. Largest first.
 */
export function communities(nodes: readonly NetworkNode[], edges: readonly NetworkEdge[]): string[][] {
  const next = adjacency(nodes, edges);
  const order = [...next.keys()].sort();
  const m = [...next.values()].reduce((s, list) => s + list.length, 0) / 2;
  const community = new Map(order.map((key, i) => [key, i]));
  if (m > 0) {
    const degree = new Map(order.map((key) => [key, next.get(key)!.length]));
    const total = new Map(order.map((key, i) => [i, degree.get(key)!]));
    for (let round = 0; round < 50; round++) {
      let moved = false;
      for (const key of order) {
        const k = degree.get(key)!;
        if (k === 0) continue;
        const own = community.get(key)!;
        total.set(own, total.get(own)! - k);
        const weights = new Map<number, number>([[own, 0]]);
        for (const other of next.get(key)!) {
          const c = community.get(other)!;
          weights.set(c, (weights.get(c) ?? 0) + 1);
        }
        const gain = (c: number) => weights.get(c)! - (total.get(c)! * k) / (2 * m);
        let best = own;
        for (const c of [...weights.keys()].sort((a, b) => a - b)) if (gain(c) > gain(best) + 1e-9) best = c;
        total.set(best, total.get(best)! + k);
        if (best !== own) {
          community.set(key, best);
          moved = true;
        }
      }
      if (!moved) break;
    }
  }
  const groups = new Map<number, string[]>();
  for (const key of order) groups.set(community.get(key)!, [...(groups.get(community.get(key)!) ?? []), key]);
  return [...groups.values()].sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}

/** A node's place in the picture. */
export interface PlacedNode extends NetworkNode {
  x: number;
  y: number;
  labelX: number;
  labelY: number;
  anchor: 'start' | 'middle' | 'end';
}

/**
 * A radial layout: the centre in the middle, each hop on a ring further out, each ring's nodes in the
 * order of the node they hang from (so links cross little), then by key. Deterministic: the same network
 * is always drawn the same way.
 */
export function radialLayout(nodes: readonly NetworkNode[], edges: readonly NetworkEdge[], size: number): PlacedNode[] {
  const centre = size / 2;
  const maxDepth = Math.max(0, ...nodes.map((n) => n.depth));
  const ring = maxDepth === 0 ? 0 : (size / 2 - 110) / maxDepth;
  const next = adjacency(nodes, edges);
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const angle = new Map<string, number>();
  const placed: PlacedNode[] = [];
  for (let depth = 0; depth <= maxDepth; depth++) {
    const here = nodes.filter((n) => n.depth === depth);
    const parentAngle = (n: NetworkNode) => {
      const parents = (next.get(n.key) ?? []).filter((k) => byKey.get(k)!.depth === depth - 1 && angle.has(k)).map((k) => angle.get(k)!);
      return parents.length > 0 ? Math.min(...parents) : 0;
    };
    here.sort((a, b) => parentAngle(a) - parentAngle(b) || a.key.localeCompare(b.key));
    here.forEach((n, i) => {
      const a = depth === 0 ? 0 : (2 * Math.PI * i) / here.length + (depth % 2 === 0 ? Math.PI / here.length : 0);
      angle.set(n.key, a);
      const r = depth * ring;
      const x = centre + r * Math.sin(a);
      const y = centre - r * Math.cos(a);
      // Each label centred under its node: within the picture at any angle (a label beside a node on the right would run off it).
      const anchor = 'middle';
      const labelX = x;
      const labelY = y + 28;
      placed.push({ ...n, x: round(x), y: round(y), labelX: round(labelX), labelY: round(labelY), anchor });
    });
  }
  return placed;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The keys from the start to `to` along the parents a breadth-first search recorded, or null if it never reached `to`. */
export function pathTo(parents: ReadonlyMap<string, { from: string; edge: string } | null>, to: string): { nodes: string[]; edges: string[] } | null {
  if (!parents.has(to)) return null;
  const nodes = [to];
  const edges: string[] = [];
  let step = parents.get(to);
  while (step) {
    nodes.unshift(step.from);
    edges.unshift(step.edge);
    step = parents.get(step.from);
  }
  return { nodes, edges };
}
