// The intelligence feature's SQL: functions of the caller's transaction, so row-level security
// (migration 0300: the acting partnership, intelligence roles only) applies to every one of them.
import { sql, type ExpressionBuilder } from 'kysely';
import { londonDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DB } from '../../db/types.generated.ts';
import type { EntityKind, IntelEntityKind } from './schema.ts';
import { normaliseVrm } from './vrm.ts';

/** How many of each kind the intelligence page lists (newest first) before a search is needed. */
export const listLimit = 50;

const personColumns = ['id', 'given_name', 'family_name', 'aliases', 'estimated_age', 'date_of_birth', 'status', 'markers'] as const;
const locationColumns = ['id', 'name', 'kind', 'address', 'postcode', 'business_type'] as const;
const objectColumns = ['id', 'kind', 'registration', 'vrm_key', 'make', 'model', 'colour', 'identifier', 'platform'] as const;

/** A search term as an ILIKE pattern that matches it anywhere (its wildcards taken literally). */
const containing = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A person matches by given or family name, full name, nickname or alias, phone number or handle. */
const personMatches = (like: string) => (eb: ExpressionBuilder<DB, 'persons_of_concern'>) =>
  eb.or([
    eb('given_name', 'ilike', like),
    eb('family_name', 'ilike', like),
    eb(sql<string>`concat_ws(' ', given_name, family_name)`, 'ilike', like),
    eb(sql<string>`array_to_string(aliases, ' ')`, 'ilike', like),
    eb(sql<string>`array_to_string(phone_numbers || social_media, ' ')`, 'ilike', like),
  ]);

/** A place matches by name, address, postcode or licence number. */
const locationMatches = (like: string) => (eb: ExpressionBuilder<DB, 'intel_locations'>) =>
  eb.or([eb('name', 'ilike', like), eb('address', 'ilike', like), eb('postcode', 'ilike', like), eb('licence_number', 'ilike', like)]);

/** The newest persons, locations and objects not removed (migration 0460); with `term`, those whose name, nickname, place, number or registration it matches. */
export async function findEntities(tx: Tx, term?: string) {
  const like = term ? containing(term) : null;
  const vrm = term ? normaliseVrm(term) : null;
  const persons = await tx
    .selectFrom('persons_of_concern')
    .select(personColumns)
    .where('removed_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .$if(like !== null, (q) => q.where(personMatches(like!)))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(listLimit)
    .execute();
  const locations = await tx
    .selectFrom('intel_locations')
    .select(locationColumns)
    .where('removed_at', 'is', null)
    .$if(like !== null, (q) => q.where(locationMatches(like!)))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(listLimit)
    .execute();
  const objects = await tx
    .selectFrom('intel_objects')
    .select(objectColumns)
    .where('removed_at', 'is', null)
    .$if(like !== null, (q) =>
      q.where((eb) => {
        const matches = [eb('identifier', 'ilike', like!), eb('make', 'ilike', like!), eb('model', 'ilike', like!)];
        return eb.or(vrm ? [...matches, eb('vrm_key', '=', vrm)] : matches);
      }),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(listLimit)
    .execute();
  return { persons, locations, objects };
}

/**
 * The persons the term matches (as the intelligence page's search), at most `limit`, by name: a picker's
 * choices (the MACE add-item form), which asks for one more than it shows to know there are too many.
 */
export function searchPersons(tx: Tx, term: string, limit: number) {
  return tx
    .selectFrom('persons_of_concern')
    .select(personColumns)
    .where('removed_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .where(personMatches(containing(term)))
    .orderBy(sql`coalesce(nullif(concat_ws(' ', given_name, family_name), ''), array_to_string(aliases, ' '))`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The places the term matches (name, address, postcode, licence number), at most `limit`, by name. */
export function searchLocations(tx: Tx, term: string, limit: number) {
  return tx
    .selectFrom('intel_locations')
    .select(locationColumns)
    .where('removed_at', 'is', null)
    .where(locationMatches(containing(term)))
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function personRow(tx: Tx, id: string) {
  return (
    tx
      .selectFrom('persons_of_concern as p')
      // Left: a person shared by a neighbouring partnership (migration 0340) has an owning agency the reader does not see.
      .leftJoin('agencies as a', 'a.id', 'p.owning_agency_id')
      .selectAll('p')
      // For a shared person: the owning partnership's name stands for its agency.
      .select(sql<string>`coalesce(a.name, (SELECT w.name FROM partnerships w WHERE w.id = p.partnership_id))`.as('owning_agency'))
      .where('p.id', '=', id)
      .executeTakeFirst()
  );
}

export function locationRow(tx: Tx, id: string) {
  return tx
    .selectFrom('intel_locations as l')
    .leftJoin('localities as y', 'y.id', 'l.locality_id')
    .selectAll('l')
    .select('y.name as locality')
    .where('l.id', '=', id)
    .executeTakeFirst();
}

export function objectRow(tx: Tx, id: string) {
  return tx.selectFrom('intel_objects').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Whether a row of this kind with this id is one the acting context sees, not removed (nothing new is linked to a removed record). */
export async function entityExists(tx: Tx, kind: IntelEntityKind, id: string): Promise<boolean> {
  const table = ({ person: 'persons_of_concern', location: 'intel_locations', object: 'intel_objects' } as const)[kind];
  return !!(await tx.selectFrom(table).select('id').where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst());
}

/** A link's end as a page shows it: what it is and where its page is (null for a child the reader may not see). */
export interface LinkEnd {
  kind: EntityKind;
  id: string;
  label: string | null;
  href: string | null;
}

/** Labels of the entities named by ids, by kind: a person's name or first nickname, a place's name, an object's registration or handle, a child's name and reference. */
async function labels(tx: Tx, ends: { kind: EntityKind; id: string }[]): Promise<Map<string, LinkEnd>> {
  const ids = (kind: EntityKind) => [...new Set(ends.filter((e) => e.kind === kind).map((e) => e.id))];
  const found = new Map<string, LinkEnd>();
  const add = (kind: EntityKind, id: string, label: string, href: string) => found.set(`${kind}:${id}`, { kind, id, label, href });
  if (ids('person').length > 0)
    for (const p of await tx.selectFrom('persons_of_concern').select(personColumns).where('id', 'in', ids('person')).execute())
      add('person', p.id, personName(p), `/intelligence/persons/${p.id}`);
  if (ids('location').length > 0)
    for (const l of await tx.selectFrom('intel_locations').select(['id', 'name']).where('id', 'in', ids('location')).execute())
      add('location', l.id, l.name, `/intelligence/locations/${l.id}`);
  if (ids('object').length > 0)
    for (const o of await tx.selectFrom('intel_objects').select(objectColumns).where('id', 'in', ids('object')).execute())
      add('object', o.id, objectName(o), `/intelligence/objects/${o.id}`);
  if (ids('child').length > 0)
    for (const c of await tx.selectFrom('children').select(['id', 'reference', 'given_name', 'family_name']).where('id', 'in', ids('child')).execute())
      add('child', c.id, `${c.given_name} ${c.family_name} (${c.reference})`, `/children/${c.id}`);
  return found;
}

export const personName = (p: { given_name: string | null; family_name: string | null; aliases: string[] }) =>
  [p.given_name, p.family_name].filter(Boolean).join(' ') || `“${p.aliases[0] ?? ''}”`;
export const objectName = (o: { kind: string; registration: string | null; vrm_key: string | null; identifier: string | null; platform: string | null }) =>
  o.kind === 'vehicle' ? (o.vrm_key ?? o.registration ?? '') : [o.platform, o.identifier].filter(Boolean).join(': ');

/** Which of these ids are removed persons, places or objects (migration 0460): links to them are left out of lists and the network. */
export async function removedAmong(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM persons_of_concern WHERE id = ANY (${sql.val([...ids])}::uuid[]) AND removed_at IS NOT NULL
    UNION ALL SELECT id FROM intel_locations WHERE id = ANY (${sql.val([...ids])}::uuid[]) AND removed_at IS NOT NULL
    UNION ALL SELECT id FROM intel_objects WHERE id = ANY (${sql.val([...ids])}::uuid[]) AND removed_at IS NOT NULL`.execute(tx);
  return new Set(rows.map((r) => r.id));
}

/** Every link with this entity at either end, newest first, each with its other end (none to a removed record). */
export async function linksOf(tx: Tx, kind: EntityKind, id: string) {
  const rows = await tx
    .selectFrom('intel_links')
    .select([
      'id',
      'from_kind',
      'from_id',
      'to_kind',
      'to_id',
      'relation',
      'first_seen_on',
      'last_seen_on',
      'source',
      'confidence',
      'created_at',
      'created_by_name',
    ])
    .where((eb) => eb.or([eb.and([eb('from_kind', '=', kind), eb('from_id', '=', id)]), eb.and([eb('to_kind', '=', kind), eb('to_id', '=', id)])]))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(500)
    .execute();
  const removed = await removedAmong(
    tx,
    rows.map((r) => (r.from_kind === kind && r.from_id === id ? r.to_id : r.from_id)),
  );
  const shown = rows.filter((r) => !removed.has(r.from_kind === kind && r.from_id === id ? r.to_id : r.from_id));
  const others = shown.map((r) =>
    r.from_kind === kind && r.from_id === id
      ? { kind: r.to_kind as EntityKind, id: r.to_id, outward: true }
      : { kind: r.from_kind as EntityKind, id: r.from_id, outward: false },
  );
  const named = await labels(tx, others);
  return shown.map((r, i) => {
    const other = others[i]!;
    return { ...r, outward: other.outward, other: named.get(`${other.kind}:${other.id}`) ?? { kind: other.kind, id: other.id, label: null, href: null } };
  });
}

/** The choices of the link form: the partnership's persons, locations and objects, by name. */
export async function linkChoices(tx: Tx) {
  const { persons, locations, objects } = await findEntities(tx);
  const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label, 'en-GB');
  return {
    persons: persons.map((p) => ({ id: p.id, label: personName(p) })).sort(byLabel),
    locations: locations.map((l) => ({ id: l.id, label: l.name })).sort(byLabel),
    objects: objects.map((o) => ({ id: o.id, label: objectName(o) })).sort(byLabel),
  };
}

// ---- Graded intelligence reports (migration 0301: row-level security withholds a C report from all but
// its submitting agency unless released, and the original text from all but that agency's analyst) ----

const reportColumns = [
  'r.id',
  'r.source_evaluation',
  'r.intelligence_assessment',
  'r.handling_code',
  'r.handling_conditions',
  'r.released_to_partnership',
  'r.obtained_on',
  'r.officer_name',
  'r.sanitised_text',
  'r.created_at',
  'r.created_by_name',
  'r.submitting_agency_id',
  'a.name as submitting_agency',
] as const;

/** The newest reports the context may read; with `term`, those whose sanitised text contains it. */
export function findReports(tx: Tx, term?: string) {
  const like = term ? containing(term) : null;
  return tx
    .selectFrom('intel_reports as r')
    .innerJoin('agencies as a', 'a.id', 'r.submitting_agency_id')
    .select(reportColumns)
    .$if(like !== null, (q) => q.where('r.sanitised_text', 'ilike', like!))
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id')
    .limit(listLimit)
    .execute();
}

export function reportRow(tx: Tx, id: string) {
  return tx
    .selectFrom('intel_reports as r')
    .innerJoin('agencies as a', 'a.id', 'r.submitting_agency_id')
    .select(reportColumns)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** The original text, when the context may read it (the submitting agency's analyst), else undefined. */
export async function reportOriginal(tx: Tx, reportId: string) {
  return (await tx.selectFrom('intel_report_originals').select('original_text').where('report_id', '=', reportId).executeTakeFirst())?.original_text;
}

/** A C report's release to the partnership (who, when, why), when it was released. */
export function reportRelease(tx: Tx, reportId: string) {
  return tx.selectFrom('intel_report_releases').select(['reason', 'released_at', 'released_by_name']).where('report_id', '=', reportId).executeTakeFirst();
}

/** The entities a report is linked to, each with its label and page. */
export async function reportLinks(tx: Tx, reportId: string) {
  const rows = await tx
    .selectFrom('intel_report_links')
    .select(['id', 'entity_kind', 'entity_id', 'created_at', 'created_by_name'])
    .where('report_id', '=', reportId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const named = await labels(
    tx,
    rows.map((r) => ({ kind: r.entity_kind as EntityKind, id: r.entity_id })),
  );
  return rows.map((r) => ({
    ...r,
    entity: named.get(`${r.entity_kind}:${r.entity_id}`) ?? { kind: r.entity_kind as EntityKind, id: r.entity_id, label: null, href: null },
  }));
}

/** The reports linked to an entity that the context may read, newest first. */
export function reportsAbout(tx: Tx, kind: EntityKind, id: string) {
  return tx
    .selectFrom('intel_report_links as l')
    .innerJoin('intel_reports as r', 'r.id', 'l.report_id')
    .innerJoin('agencies as a', 'a.id', 'r.submitting_agency_id')
    .select(reportColumns)
    .where('l.entity_kind', '=', kind)
    .where('l.entity_id', '=', id)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id')
    .limit(listLimit)
    .execute();
}

// ---- Events (migration 0350: the intelligence roles of the acting partnership; an event's links only with it) ----

const eventColumns = [
  'e.id',
  'e.kind',
  'e.occurred_on',
  'e.location_id',
  'e.locality_id',
  'e.description',
  'e.source',
  'e.source_record_kind',
  'e.source_record_id',
  'e.created_at',
  'e.created_by_name',
  'l.name as location',
  'y.name as locality',
] as const;

const events = (tx: Tx) =>
  tx
    .selectFrom('intel_events as e')
    .leftJoin('intel_locations as l', 'l.id', 'e.location_id')
    .leftJoin('localities as y', (join) => join.on(sql<boolean>`y.id = coalesce(e.locality_id, l.locality_id)`))
    .select(eventColumns);

/** The newest events, most recent first. */
export function findEvents(tx: Tx) {
  return events(tx).orderBy('e.occurred_on', 'desc').orderBy('e.created_at', 'desc').orderBy('e.id').limit(listLimit).execute();
}

export function eventRow(tx: Tx, id: string) {
  return events(tx).where('e.id', '=', id).executeTakeFirst();
}

/** The entities an event is linked to, each with its label and page. */
export async function eventLinks(tx: Tx, eventId: string) {
  const rows = await tx
    .selectFrom('intel_event_links')
    .select(['id', 'entity_kind', 'entity_id'])
    .where('event_id', '=', eventId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const named = await labels(
    tx,
    rows.map((r) => ({ kind: r.entity_kind as EntityKind, id: r.entity_id })),
  );
  return rows.map((r) => ({
    ...r,
    entity: named.get(`${r.entity_kind}:${r.entity_id}`) ?? { kind: r.entity_kind as EntityKind, id: r.entity_id, label: null, href: null },
  }));
}

/** The events linked to an entity (or a child), most recent first. */
export function eventsAbout(tx: Tx, kind: EntityKind, id: string) {
  return events(tx)
    .innerJoin('intel_event_links as x', 'x.event_id', 'e.id')
    .where('x.entity_kind', '=', kind)
    .where('x.entity_id', '=', id)
    .orderBy('e.occurred_on', 'desc')
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id')
    .limit(listLimit)
    .execute();
}

/**
 * Hotspots of where missing children were found: found_location events (one per missing episode at
 * most, migration 0350) counted by location, most first. Later hotspot pages build on this count.
 */
export function foundLocationCounts(tx: Tx) {
  return tx
    .selectFrom('intel_events as e')
    .innerJoin('intel_locations as l', 'l.id', 'e.location_id')
    .select(['l.id', 'l.name', sql<number>`count(*)::int`.as('found')])
    .where('e.kind', '=', 'found_location')
    .groupBy(['l.id', 'l.name'])
    .orderBy('found', 'desc')
    .orderBy('l.name')
    .execute();
}

/** A casework record an entity or event is captured from: its child, its date, and for an episode where the child was found. */
export async function sourceRecord(tx: Tx, kind: 'concern' | 'return_interview' | 'strategy_meeting' | 'missing_episode', id: string) {
  const row =
    kind === 'concern'
      ? await tx
          .selectFrom('concerns')
          .select(['child_id', sql<Date>`received_at`.as('on'), sql<string | null>`null`.as('where_found')])
          .where('id', '=', id)
          .executeTakeFirst()
      : kind === 'return_interview'
        ? await tx
            .selectFrom('return_interviews')
            .select(['child_id', sql<Date>`coalesce(held_at, offered_at)`.as('on'), sql<string | null>`null`.as('where_found')])
            .where('id', '=', id)
            .executeTakeFirst()
        : kind === 'strategy_meeting'
          ? await tx
              .selectFrom('strategy_meetings')
              .select(['child_id', sql<string>`held_on`.as('on'), sql<string | null>`null`.as('where_found')])
              .where('id', '=', id)
              .executeTakeFirst()
          : await tx
              .selectFrom('missing_episodes')
              .select(['child_id', sql<Date | null>`ended_at`.as('on'), 'where_found'])
              .where('id', '=', id)
              .where('ended_at', 'is not', null)
              .executeTakeFirst();
  if (!row?.child_id || row.on === null) return undefined;
  const child = await tx.selectFrom('children').select(['id', 'reference', 'given_name', 'family_name']).where('id', '=', row.child_id).executeTakeFirst();
  if (!child) return undefined;
  const on = typeof row.on === 'string' ? row.on : londonDate(row.on);
  return { kind, id, on, whereFound: row.where_found, child: { id: child.id, label: `${child.given_name} ${child.family_name} (${child.reference})` } };
}
