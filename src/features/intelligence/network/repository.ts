// The network's and the hotspots' SQL: functions of the caller's transaction, so row-level security
// (0300: intelligence roles only; the children policies) applies to each. Every query is set-based: one
// per hop of the network (both link indexes, from_id and to_id, for the whole frontier at once), never one per node.
import { storedFigures, type SnapshotPolicy } from '../../../db/stored-figures.ts';
import { sql } from 'kysely';
import type { Tx } from '../../../db/context.ts';
import type { EntityKind } from '../schema.ts';
import { objectName, personName, removedAmong } from '../repository.ts';

export interface LinkRow {
  id: string;
  from_kind: EntityKind;
  from_id: string;
  to_kind: EntityKind;
  to_id: string;
  relation: string;
  confidence: string;
  first_seen_on: string | null;
  last_seen_on: string | null;
}

/** Every link with any of these ids at either end (each once), but none to a removed record. */
export async function linksAround(tx: Tx, ids: readonly string[]): Promise<LinkRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<LinkRow>`
    SELECT id, from_kind, from_id, to_kind, to_id, relation, confidence, first_seen_on::text, last_seen_on::text
      FROM intel_links WHERE from_id = ANY (${sql.val([...ids])}::uuid[])
    UNION
    SELECT id, from_kind, from_id, to_kind, to_id, relation, confidence, first_seen_on::text, last_seen_on::text
      FROM intel_links WHERE to_id = ANY (${sql.val([...ids])}::uuid[])`.execute(tx);
  // A link to a removed person, place or object (migration 0460) is left out: the network shows what stands.
  const removed = await removedAmong(tx, [...new Set(rows.flatMap((r) => [r.from_id, r.to_id]))]);
  return rows.filter((r) => !removed.has(r.from_id) && !removed.has(r.to_id)).sort((a, b) => a.id.localeCompare(b.id));
}

/** Which of these children the context may read (the children policies decide). */
export async function readableChildren(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .selectFrom('children')
    .select('id')
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** A node's label and page, by kind, for the ids given: the intelligence roles' view (names, registrations, references). */
export async function nodeLabels(tx: Tx, ends: readonly { kind: EntityKind; id: string }[]): Promise<Map<string, { label: string; href: string }>> {
  const ids = (kind: EntityKind) => [...new Set(ends.filter((e) => e.kind === kind).map((e) => e.id))];
  const found = new Map<string, { label: string; href: string }>();
  if (ids('person').length > 0)
    for (const p of await tx.selectFrom('persons_of_concern').select(['id', 'given_name', 'family_name', 'aliases']).where('id', 'in', ids('person')).execute())
      found.set(`person:${p.id}`, { label: personName(p), href: `/intelligence/persons/${p.id}` });
  if (ids('location').length > 0)
    for (const l of await tx.selectFrom('intel_locations').select(['id', 'name']).where('id', 'in', ids('location')).execute())
      found.set(`location:${l.id}`, { label: l.name, href: `/intelligence/locations/${l.id}` });
  if (ids('object').length > 0)
    for (const o of await tx
      .selectFrom('intel_objects')
      .select(['id', 'kind', 'registration', 'vrm_key', 'identifier', 'platform'])
      .where('id', 'in', ids('object'))
      .execute())
      found.set(`object:${o.id}`, { label: objectName(o), href: `/intelligence/objects/${o.id}` });
  if (ids('child').length > 0)
    for (const c of await tx.selectFrom('children').select(['id', 'reference', 'given_name', 'family_name']).where('id', 'in', ids('child')).execute())
      found.set(`child:${c.id}`, { label: `${c.given_name} ${c.family_name} (${c.reference})`, href: `/children/${c.id}` });
  return found;
}

/** A child the context may read, by its reference. */
export async function childByReference(tx: Tx, reference: string) {
  return tx.selectFrom('children').select(['id', 'reference']).where('reference', '=', reference).executeTakeFirst();
}

/** One row of the practitioner's sanitised view (migration 0330): what the link is, never who or which. */
export interface SanitisedLink {
  withheld: boolean;
  relation: string | null;
  outward: boolean | null;
  other_kind: EntityKind | null;
  other_child: string | null;
  age_band: 'adult' | 'under_18' | 'unknown' | null;
  place_kind: string | null;
  locality: string | null;
  object_kind: string | null;
  confidence: string | null;
  first_seen_on: string | null;
  last_seen_on: string | null;
}

export async function sanitisedLinks(tx: Tx, childId: string): Promise<SanitisedLink[]> {
  const { rows } = await sql<SanitisedLink>`
    SELECT withheld, relation, outward, other_kind, other_child, age_band, place_kind, locality, object_kind, confidence,
           first_seen_on::text, last_seen_on::text
      FROM lantern_child_network_sanitised(${childId}::uuid)`.execute(tx);
  return rows;
}

// ---- Hotspots ----

/** A period of whole London days, and the one of the same length just before it. */
export interface Periods {
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
}

/** The periods' edges as instants: the start of `previousFrom`, `from`, and the day after `to` (London). */
export interface Bounds {
  previousFrom: Date;
  from: Date;
  to: Date;
}

export interface HotspotCounts {
  children: number;
  incidents: number;
  foundAt: number;
  missingFrom: number;
}
interface CountRow {
  period: 'current' | 'previous';
  location: string | null;
  locality: string | null;
  by_location: boolean;
  children: number;
  incidents: number;
  found_at: number;
}

/**
 * The links at locations whose seen dates overlap each period, counted by location and by locality,
 * where a link to a child the context may not read counts nowhere: in two parts (migration 0471), the
 * counts over every child an intelligence role may read that is not restricted (the same for every
 * such role of the partnership: stored for a few minutes) and over the restricted children this
 * context may read (live), summed. lantern_hotspot_link_counts (0370) gives the same sums in one pass.
 */
const linkPart = (periods: Periods, bounds: Bounds, restricted: boolean) => sql<CountRow>`
  SELECT period, location::text, locality::text, by_location, children, incidents, found_at
    FROM lantern_hotspot_link_part(${periods.from}::date, ${periods.to}::date, ${periods.previousFrom}::date, ${periods.previousTo}::date,
                                   ${bounds.from}::timestamptz, ${bounds.to}::timestamptz, ${bounds.previousFrom}::timestamptz, ${restricted})`;

/** The stored figures' key of the periods: their days and instants. */
const periodsKey = (periods: Periods, bounds: Bounds) =>
  [
    periods.previousFrom,
    periods.previousTo,
    periods.from,
    periods.to,
    bounds.previousFrom.toISOString(),
    bounds.from.toISOString(),
    bounds.to.toISOString(),
  ].join('/');

/** Adds the live part's counts to the stored part's, row by row (period, location or locality). */
function sumCounts(shared: readonly CountRow[], own: readonly CountRow[]): CountRow[] {
  const key = (r: CountRow) => `${r.period}|${r.by_location}|${r.location}|${r.locality}`;
  const sums = new Map(shared.map((r) => [key(r), { ...r }]));
  for (const r of own) {
    const row = sums.get(key(r));
    if (!row) sums.set(key(r), { ...r });
    else {
      row.children += r.children;
      row.incidents += r.incidents;
      row.found_at += r.found_at;
    }
  }
  return [...sums.values()];
}

async function linkCounts(tx: Tx, periods: Periods, bounds: Bounds, stored: SnapshotPolicy): Promise<CountRow[]> {
  const shared = await storedFigures(tx, stored, 'hotspot_snapshots', 'links', periodsKey(periods, bounds), async () =>
    (await linkPart(periods, bounds, false).execute(tx)).rows.map((r) => ({
      ...r,
      children: Number(r.children),
      incidents: Number(r.incidents),
      found_at: Number(r.found_at),
    })),
  );
  const own = (await linkPart(periods, bounds, true).execute(tx)).rows;
  return sumCounts(shared.rows, own);
}

interface EventCountRow {
  period: 'current' | 'previous';
  location: string | null;
  locality: string | null;
  by_location: boolean;
  incidents: number;
  found: number;
  missing: number;
}

/**
 * Recorded events (migration 0350) at each place in each period, by the day they occurred: incidents and
 * sightings add to the incidents, "went missing from" to missing-from, and found locations to found-at —
 * except those turned from a missing episode, whose child's found_at link is counted already.
 * Counted by location and by locality in one pass; an event placed only in a locality counts for the locality; one at a
 * place removed from the records (recorded in error) counts nowhere.
 */
const eventCounts = (periods: Periods) => sql<EventCountRow>`
  WITH placed AS (
    SELECT CASE WHEN e.occurred_on >= ${periods.from}::date THEN 'current' ELSE 'previous' END AS period,
           e.location_id, coalesce(x.locality_id, e.locality_id) AS locality_id, e.kind, e.source_record_kind
      FROM intel_events e LEFT JOIN intel_locations x ON x.id = e.location_id
     WHERE e.partnership_id = (SELECT lantern_partnership())
       AND e.occurred_on >= ${periods.previousFrom}::date AND e.occurred_on <= ${periods.to}::date
       AND (e.location_id IS NOT NULL OR e.locality_id IS NOT NULL)
       AND x.removed_at IS NULL)
  SELECT period, location_id::text AS location, locality_id::text AS locality, grouping(location_id) = 0 AS by_location,
         count(*) FILTER (WHERE kind IN ('incident', 'sighting'))::int AS incidents,
         count(*) FILTER (WHERE kind = 'found_location' AND source_record_kind IS DISTINCT FROM 'missing_episode')::int AS found,
         count(*) FILTER (WHERE kind = 'missing_from')::int AS missing
    FROM placed
   GROUP BY GROUPING SETS ((period, location_id), (period, locality_id))`;

/** Missing episodes that started in each period (London days), by the child's locality: "missing from", in the same two parts (migration 0471). */
async function missingByLocality(tx: Tx, bounds: Bounds, periodsKeyed: string, stored: SnapshotPolicy) {
  type Row = { period: 'current' | 'previous'; key: string; missing: number };
  const part = async (restricted: boolean) =>
    (
      await sql<Row>`
    SELECT period, locality::text AS key, missing
      FROM lantern_hotspot_missing_part(${bounds.previousFrom}::timestamptz, ${bounds.from}::timestamptz, ${bounds.to}::timestamptz, ${restricted})`.execute(tx)
    ).rows.map((r) => ({ ...r, missing: Number(r.missing) }));
  const shared = await storedFigures(tx, stored, 'hotspot_snapshots', 'missing', periodsKeyed, () => part(false));
  const sums = new Map(shared.rows.map((r) => [`${r.period}|${r.key}`, { ...r }]));
  for (const r of await part(true)) {
    const row = sums.get(`${r.period}|${r.key}`);
    if (row) row.missing += r.missing;
    else sums.set(`${r.period}|${r.key}`, r);
  }
  return [...sums.values()];
}

export interface HotspotRow {
  id: string;
  name: string;
  kind?: string;
  locality?: string | null;
  current: HotspotCounts;
  previous: HotspotCounts;
}

const zero = (): HotspotCounts => ({ children: 0, incidents: 0, foundAt: 0, missingFrom: 0 });

/** Ranked by linked children, then incidents, then found-at and missing-from events, then name. */
const rank = (a: HotspotRow, b: HotspotRow) =>
  b.current.children - a.current.children ||
  b.current.incidents - a.current.incidents ||
  b.current.foundAt + b.current.missingFrom - (a.current.foundAt + a.current.missingFrom) ||
  a.name.localeCompare(b.name, 'en-GB');

/** The numbers of the ranking alone (children, incidents, found-at and missing-from): negative when `a` ranks first. */
const rankByNumbers = (a: HotspotRow, b: HotspotRow) =>
  b.current.children - a.current.children ||
  b.current.incidents - a.current.incidents ||
  b.current.foundAt + b.current.missingFrom - (a.current.foundAt + a.current.missingFrom);

/**
 * The places at the top of the ranking (at most `limit`), how many places had any activity, and every
 * locality. A partnership of 100,000 children has thousands of active places: they are ranked by their
 * numbers first, and only those that may be in the top `limit` (the numbers of the last one kept, or
 * better: a tie there is broken by name) are read from intel_locations.
 */
export async function hotspots(tx: Tx, periods: Periods, bounds: Bounds, stored: SnapshotPolicy, limit: number) {
  const links = await linkCounts(tx, periods, bounds, stored);
  const events = (await eventCounts(periods).execute(tx)).rows;
  const missing = await missingByLocality(tx, bounds, periodsKey(periods, bounds), stored);
  const localities = await tx.selectFrom('localities').select(['id', 'name']).orderBy('name').execute();
  const byLocation = new Map<string, HotspotRow>();
  const areas = localities.map((l): HotspotRow => ({ id: l.id, name: l.name, current: zero(), previous: zero() }));
  const byLocality = new Map(areas.map((l) => [l.id, l]));
  const rowOf = (r: { by_location: boolean; location: string | null; locality: string | null }) => {
    if (!r.by_location) return r.locality ? byLocality.get(r.locality) : undefined;
    if (!r.location) return undefined;
    let row = byLocation.get(r.location);
    if (!row) byLocation.set(r.location, (row = { id: r.location, name: '', current: zero(), previous: zero() }));
    return row;
  };
  for (const r of links) {
    const side = rowOf(r)?.[r.period];
    if (!side) continue;
    side.children = r.children;
    side.incidents = r.incidents;
    side.foundAt = r.found_at;
  }
  for (const r of missing) {
    const row = byLocality.get(r.key);
    if (row) row[r.period].missingFrom = r.missing;
  }
  for (const r of events) {
    const side = rowOf(r)?.[r.period];
    if (!side) continue;
    side.incidents += r.incidents;
    side.foundAt += r.found;
    side.missingFrom += r.missing;
  }
  const active = (r: HotspotRow) => Object.values(r.current).some((v) => v > 0) || Object.values(r.previous).some((v) => v > 0);
  const activePlaces = [...byLocation.values()].filter(active).sort(rankByNumbers);
  const last = activePlaces[Math.min(limit, activePlaces.length) - 1];
  const contenders = last ? activePlaces.filter((r) => rankByNumbers(r, last) <= 0) : [];
  const places =
    contenders.length === 0
      ? []
      : await tx
          .selectFrom('intel_locations as l')
          .leftJoin('localities as y', 'y.id', 'l.locality_id')
          .select(['l.id', 'l.name', 'l.kind', 'y.name as locality'])
          .where(
            'l.id',
            'in',
            contenders.map((r) => r.id),
          )
          .where('l.removed_at', 'is', null)
          .execute();
  const named = new Map(places.map((p) => [p.id, p]));
  const locations = contenders
    .flatMap((r) => {
      const place = named.get(r.id);
      return place ? [{ ...r, name: place.name, kind: place.kind, locality: place.locality }] : [];
    })
    .sort(rank)
    .slice(0, limit);
  return { locations, activePlaces: activePlaces.length, localities: areas.sort(rank) };
}

/** The acting partnership's code: which bundled boundaries are its. */
export async function partnershipCode(tx: Tx): Promise<string | null> {
  const { rows } = await sql<{ code: string }>`SELECT code FROM partnerships WHERE id = (SELECT lantern_partnership())`.execute(tx);
  return rows[0]?.code ?? null;
}
