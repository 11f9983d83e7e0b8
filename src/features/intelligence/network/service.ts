import type { SnapshotPolicy } from '../../../db/stored-figures.ts';
import { actorOf, type Clock, type SessionUser } from '../../../auth/service.ts';
import { addDays, daysBetween, endOfLondonDay, londonDate, startOfLondonDay, type IsoDate } from '../../../dates.ts';
import { withActor, type Tx } from '../../../db/context.ts';
import type { Database } from '../../../db/database.ts';
import { notFound } from '../../../errors.ts';
import { entityExists } from '../repository.ts';
import type { EntityKind } from '../schema.ts';
import { auditRecordType } from '../service.ts';
import { communities, components, nodeKey, pathTo, radialLayout, type NetworkEdge, type NetworkNode } from './graph.ts';
import { localityMap } from './geo.ts';
import {
  childByReference,
  hotspots,
  linksAround,
  nodeLabels,
  partnershipCode,
  readableChildren,
  sanitisedLinks,
  type LinkRow,
  type Periods,
} from './repository.ts';

/** The most nodes one network shows: past it the page says the network was cut short. */
export const maxNodes = 300;
/** How far "how are these two children connected" looks. */
export const maxPathHops = 6;
/** The side of the server-drawn picture, in SVG units. */
const pictureSize = 720;

const recordTypeOf = (kind: EntityKind) => (kind === 'child' ? 'child' : auditRecordType[kind]);

/**
 * The intelligence network (issue 12 §5): the entities linked to a child, person, location or object
 * up to three hops, its clusters, the shortest path between two children, and hotspots by location and
 * locality. Everything is read under row-level security: the intelligence roles read the links (0300),
 * and a child they may not read is neither shown nor passed through — its links are counted as
 * withheld, nothing more. A practitioner reads a child's sanitised links through the one narrow
 * function of migration 0330. Every read is audited.
 */
export class NetworkService {
  private readonly stored: SnapshotPolicy;

  /** `maxAgeSeconds`: how long the hotspots' shared counts are reused (LANTERN_FIGURES_MAX_AGE_SECONDS; 0 computes every time). */
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    maxAgeSeconds = 0,
  ) {
    this.stored = { maxAgeSeconds, now: () => this.clock.now() };
  }

  /**
   * Breadth-first from the start, one set-based query per hop: the links around the whole frontier, then
   * which of the children newly reached the context may read. A link to a child it may not read is
   * withheld (counted, not followed).
   */
  private async expand(tx: Tx, start: { kind: EntityKind; id: string }, hops: number, stopAt?: string) {
    const startKey = nodeKey(start.kind, start.id);
    const depth = new Map<string, number>([[startKey, 0]]);
    const parents = new Map<string, { from: string; edge: string } | null>([[startKey, null]]);
    const edges = new Map<string, LinkRow>();
    const withheld = new Set<string>();
    const hiddenChildren = new Set<string>();
    const knownChildren = new Set<string>(start.kind === 'child' ? [start.id] : []);
    let frontier = [startKey];
    let truncated = false;
    for (let hop = 1; hop <= hops && frontier.length > 0; hop++) {
      const links = await linksAround(
        tx,
        frontier.map((k) => k.slice(k.indexOf(':') + 1)),
      );
      const newChildren = links
        .flatMap((l) => [l.from_kind === 'child' ? l.from_id : null, l.to_kind === 'child' ? l.to_id : null])
        .filter((id): id is string => id !== null && !knownChildren.has(id) && !hiddenChildren.has(id));
      const readable = await readableChildren(tx, [...new Set(newChildren)]);
      for (const id of newChildren) (readable.has(id) ? knownChildren : hiddenChildren).add(id);
      const next: string[] = [];
      for (const l of links) {
        if (edges.has(l.id) || withheld.has(l.id)) continue;
        if ((l.from_kind === 'child' && hiddenChildren.has(l.from_id)) || (l.to_kind === 'child' && hiddenChildren.has(l.to_id))) {
          withheld.add(l.id);
          continue;
        }
        const ends = [nodeKey(l.from_kind, l.from_id), nodeKey(l.to_kind, l.to_id)];
        const inside = ends.filter((k) => depth.has(k));
        const outside = ends.filter((k) => !depth.has(k));
        if (outside.length > 0 && depth.size >= maxNodes) {
          truncated = true;
          continue;
        }
        edges.set(l.id, l);
        for (const k of outside) {
          depth.set(k, hop);
          parents.set(k, { from: inside[0]!, edge: l.id });
          next.push(k);
        }
      }
      if (stopAt && depth.has(stopAt)) break;
      frontier = next;
    }
    return { depth, parents, edges, withheld: withheld.size, truncated };
  }

  /** Nodes with their labels and pages, and edges, for the keys and links reached. */
  private async describe(tx: Tx, depth: Map<string, number>, links: Iterable<LinkRow>) {
    const ends = [...depth.keys()].map((k) => ({ kind: k.slice(0, k.indexOf(':')) as EntityKind, id: k.slice(k.indexOf(':') + 1) }));
    const labels = await nodeLabels(tx, ends);
    const nodes: NetworkNode[] = ends
      .map((e) => {
        const key = nodeKey(e.kind, e.id);
        const named = labels.get(key);
        return { key, kind: e.kind, id: e.id, label: named?.label ?? '', href: named?.href ?? '', depth: depth.get(key)! };
      })
      .sort((a, b) => a.depth - b.depth || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label, 'en-GB'));
    const labelOf = (key: string) => labels.get(key)?.label ?? '';
    const edges: NetworkEdge[] = [...links].map((l) => ({
      id: l.id,
      source: nodeKey(l.from_kind, l.from_id),
      target: nodeKey(l.to_kind, l.to_id),
      sourceLabel: labelOf(nodeKey(l.from_kind, l.from_id)),
      targetLabel: labelOf(nodeKey(l.to_kind, l.to_id)),
      relation: l.relation,
      confidence: l.confidence,
      first_seen_on: l.first_seen_on,
      last_seen_on: l.last_seen_on,
    }));
    return { nodes, edges };
  }

  /** Whether the start is a record the context sees: a child it may read, or an entity of its partnership. */
  private async startExists(tx: Tx, kind: EntityKind, id: string): Promise<boolean> {
    return kind === 'child' ? (await readableChildren(tx, [id])).has(id) : entityExists(tx, kind, id);
  }

  /** The network around a child, person, location or object, to `hops` hops, with its clusters and picture. */
  network(user: SessionUser, start: { kind: EntityKind; id: string }, hops: number) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await this.startExists(tx, start.kind, start.id))) throw notFound();
      const found = await this.expand(tx, start, hops);
      const { nodes, edges } = await this.describe(tx, found.depth, found.edges.values());
      const centre = nodeKey(start.kind, start.id);
      const byKey = new Map(nodes.map((n) => [n.key, n]));
      const asNodes = (keys: string[]) => keys.map((k) => byKey.get(k)!);
      const clusters = {
        components: components(nodes, edges, centre).map(asNodes),
        communities: communities(nodes, edges).map(asNodes),
      };
      await act.audit({
        action: 'record.view',
        recordType: recordTypeOf(start.kind),
        recordId: start.id,
        details: { page: 'network', hops, nodes: nodes.length, links: edges.length, withheld: found.withheld },
        disclosedIds: nodes.filter((n) => n.key !== centre).map((n) => n.id),
      });
      return {
        centre: byKey.get(centre)!,
        nodes,
        edges,
        clusters,
        withheld: found.withheld,
        truncated: found.truncated,
        picture: picture(nodes, edges),
      };
    });
  }

  /**
   * How two children are connected: the shortest chain of links between them, up to maxPathHops, through
   * no child the context may not read. Null when either reference is not a child the context reads.
   */
  path(user: SessionUser, fromReference: string, toReference: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const [from, to] = [await childByReference(tx, fromReference), await childByReference(tx, toReference)];
      if (!from || !to) return { from, to, path: null, searched: false as const };
      const target = nodeKey('child', to.id);
      const found = await this.expand(tx, { kind: 'child', id: from.id }, maxPathHops, target);
      const chain = from.id === to.id ? null : pathTo(found.parents, target);
      const depth = new Map((chain?.nodes ?? []).map((k, i) => [k, i]));
      const { nodes, edges } = await this.describe(
        tx,
        depth,
        (chain?.edges ?? []).map((id) => found.edges.get(id)!),
      );
      const steps = chain
        ? chain.edges.map((edgeId, i) => ({
            edge: edges.find((e) => e.id === edgeId)!,
            from: nodes.find((n) => n.key === chain.nodes[i])!,
            to: nodes.find((n) => n.key === chain.nodes[i + 1])!,
          }))
        : null;
      await act.audit({
        action: 'search',
        recordType: 'child',
        recordId: from.id,
        details: { page: 'network path', to: to.id, hops: steps?.length ?? null },
        disclosedIds: nodes.map((n) => n.id),
      });
      return { from, to, path: steps, searched: true as const, withheld: found.withheld };
    });
  }

  /** A child's links as a practitioner may know them (migration 0330): what, never who; nothing for a child they may not read. */
  sanitised(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await readableChildren(tx, [childId])).has(childId)) throw notFound();
      const rows = await sanitisedLinks(tx, childId);
      const shown = rows.filter((r) => !r.withheld);
      const withheld = rows.length - shown.length;
      await act.audit({
        action: 'record.view',
        recordType: 'child',
        recordId: childId,
        details: { page: 'sanitised network', links: shown.length, withheld },
        disclosedIds: shown.flatMap((r) => (r.other_child ? [r.other_child] : [])),
      });
      const child = await tx
        .selectFrom('children')
        .select(['id', 'reference', 'given_name', 'family_name'])
        .where('id', '=', childId)
        .executeTakeFirstOrThrow();
      const picture = sanitisedPicture(shown.length);
      return { child, links: shown, withheld, picture };
    });
  }

  /** The period asked for (London days) or the last 90 days to today, and the one of the same length before it. */
  periods(from?: IsoDate, to?: IsoDate): Periods {
    const end = to ?? londonDate(this.clock.now());
    const start = from ?? addDays(end, -89);
    const length = daysBetween(start, end) + 1;
    return { from: start, to: end, previousFrom: addDays(start, -length), previousTo: addDays(start, -1) };
  }

  /** Hotspots: locations and localities ranked by linked children, incidents and missing-from and found-at events, with the previous period. */
  hotspots(user: SessionUser, periods: Periods) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const bounds = {
        previousFrom: startOfLondonDay(periods.previousFrom),
        from: startOfLondonDay(periods.from),
        to: endOfLondonDay(periods.to),
      };
      const ranked = await hotspots(tx, periods, bounds, this.stored, hotspotPlaces);
      // The places at the top of the ranking: a partnership of 100,000 children has thousands of places
      // with some activity, and a page (and its audit row) of all of them would hide the hotspots.
      const found = { locations: ranked.locations, localities: ranked.localities, morePlaces: Math.max(0, ranked.activePlaces - ranked.locations.length) };
      const code = await partnershipCode(tx);
      await act.audit({
        action: 'record.view',
        recordType: 'intelligence',
        details: { page: 'hotspots', from: periods.from, to: periods.to, locations: found.locations.length, ofLocations: ranked.activePlaces },
        disclosedIds: found.locations.map((l) => l.id),
      });
      const areas = code ? localityMap(code, 560, 420) : [];
      const byName = new Map(found.localities.map((l) => [l.name, l]));
      const top = Math.max(1, ...found.localities.map((l) => l.current.children + l.current.incidents + l.current.missingFrom));
      const map = areas.map((a) => {
        const row = byName.get(a.locality);
        const score = row ? row.current.children + row.current.incidents + row.current.missingFrom : 0;
        return { ...a, row, shade: score === 0 ? 0 : Math.min(4, 1 + Math.floor((score / top) * 3.999)) };
      });
      return { ...found, map };
    });
  }
}

/** How many of the ranked places the hotspots page lists. */
export const hotspotPlaces = 50;

/** The server-drawn picture: every node placed on its ring, every link a line between two places. */
function picture(nodes: NetworkNode[], edges: NetworkEdge[]) {
  const placed = radialLayout(nodes, edges, pictureSize);
  const at = new Map(placed.map((p) => [p.key, p]));
  return {
    size: pictureSize,
    nodes: placed,
    edges: edges.map((e) => ({ ...e, x1: at.get(e.source)!.x, y1: at.get(e.source)!.y, x2: at.get(e.target)!.x, y2: at.get(e.target)!.y })),
  };
}

/** The sanitised picture: the child in the middle and one spoke per link, nothing named. */
function sanitisedPicture(count: number) {
  const size = 360;
  const r = 130;
  return {
    size,
    spokes: Array.from({ length: count }, (_, i) => {
      const a = (2 * Math.PI * i) / Math.max(count, 1);
      return { x: Math.round(size / 2 + r * Math.sin(a)), y: Math.round(size / 2 - r * Math.cos(a)), n: i + 1 };
    }),
  };
}
