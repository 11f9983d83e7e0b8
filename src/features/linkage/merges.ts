import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { canMergeChildren, canMergePersons } from '../../authz/policy.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { Tx } from '../../db/kysely-types.ts';
import { forbidden, LanternError, notFound } from '../../errors.ts';

/** What a merge joins: two children, or two persons of concern (issue 14 §2). */
export type MergeKind = 'child' | 'person';

/** The audit record type of each kind (locales auditRecordTypes). */
const auditRecordType = { child: 'child', person: 'person_of_concern' } as const satisfies Record<MergeKind, string>;

/** One side of the confirmation page: the record, and how much of its history the reader sees. */
export interface MergeSide {
  id: string;
  reference: string | null;
  name: string;
  dateOfBirth: string | null;
  status: string | null;
  counts: { label: string; n: number }[];
}

/** A merge into a kept record, as its page lists it (with the "Undo this merge" button). */
export interface MergeEntry {
  id: string;
  mergedId: string;
  mergedReference: string | null;
  mergedName: string | null;
  mergedByName: string;
  mergedAt: Date;
  moved: number;
  leftBehind: number;
}

// What each side's summary counts: rows the reader sees under row-level security, nothing more.
type Count = (id: string) => ReturnType<typeof sql<{ count: number }>>;
const childCounts: [string, Count][] = [
  ['concerns', (id) => sql`SELECT count(*)::int AS count FROM concerns WHERE child_id = ${id}::uuid`],
  ['assessments', (id) => sql`SELECT count(*)::int AS count FROM risk_assessments WHERE child_id = ${id}::uuid`],
  ['episodes', (id) => sql`SELECT count(*)::int AS count FROM missing_episodes WHERE child_id = ${id}::uuid`],
  ['meetings', (id) => sql`SELECT count(*)::int AS count FROM strategy_meetings WHERE child_id = ${id}::uuid`],
  ['notes', (id) => sql`SELECT count(*)::int AS count FROM case_notes WHERE child_id = ${id}::uuid`],
  ['flags', (id) => sql`SELECT count(*)::int AS count FROM child_flags WHERE child_id = ${id}::uuid AND ended_on IS NULL`],
  [
    'links',
    (id) =>
      sql`SELECT count(*)::int AS count FROM intel_links WHERE (from_kind = 'child' AND from_id = ${id}::uuid) OR (to_kind = 'child' AND to_id = ${id}::uuid)`,
  ],
  [
    'shares',
    (id) => sql`SELECT ((SELECT count(*) FROM record_shares WHERE record_type = 'child' AND record_id = ${id}::uuid AND revoked_at IS NULL)
                      + (SELECT count(*) FROM child_partnership_shares WHERE child_id = ${id}::uuid))::int AS count`,
  ],
];
const personCounts: [string, Count][] = [
  [
    'links',
    (id) =>
      sql`SELECT count(*)::int AS count FROM intel_links WHERE (from_kind = 'person' AND from_id = ${id}::uuid) OR (to_kind = 'person' AND to_id = ${id}::uuid)`,
  ],
  ['events', (id) => sql`SELECT count(*)::int AS count FROM intel_event_links WHERE entity_kind = 'person' AND entity_id = ${id}::uuid`],
  ['reports', (id) => sql`SELECT count(*)::int AS count FROM intel_report_links WHERE entity_kind = 'person' AND entity_id = ${id}::uuid`],
  ['disruptions', (id) => sql`SELECT count(*)::int AS count FROM intel_disruptions WHERE target_person_id = ${id}::uuid`],
  ['agendaItems', (id) => sql`SELECT count(*)::int AS count FROM mace_agenda_items WHERE entity_kind = 'person' AND entity_id = ${id}::uuid`],
  ['shares', (id) => sql`SELECT count(*)::int AS count FROM intel_shares WHERE entity_kind = 'person' AND entity_id = ${id}::uuid AND withdrawn_at IS NULL`],
];

async function countsOf(tx: Tx, kind: MergeKind, id: string): Promise<MergeSide['counts']> {
  const counts: MergeSide['counts'] = [];
  for (const [label, query] of kind === 'child' ? childCounts : personCounts) {
    const { rows } = await query(id).execute(tx);
    counts.push({ label, n: Number(rows[0]?.count ?? 0) });
  }
  return counts;
}

type Changeable = { owning_agency_id: string | null; removed_at: Date | null };

/**
 * A record of the acting partnership the reader sees and, unless it is the merged-away side of a merge
 * being undone, not merged away; else not found. For a person, what its change rule reads (its owner).
 */
async function readRecord(tx: Tx, user: SessionUser, kind: MergeKind, id: string, mergedAway = false) {
  const gone = (row: { partnership_id: string; merged_into_id: string | null } | undefined) =>
    !row || row.partnership_id !== user.partnershipId || (row.merged_into_id !== null) !== mergedAway;
  if (kind === 'child') {
    const row = await tx
      .selectFrom('children')
      .select(['id', 'partnership_id', 'reference', 'given_name', 'family_name', 'date_of_birth', 'status', 'merged_into_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (gone(row)) throw notFound();
    const side = { id, reference: row!.reference, name: `${row!.given_name} ${row!.family_name}`, dateOfBirth: row!.date_of_birth, status: row!.status };
    return { side, owner: null };
  }
  const row = await tx
    .selectFrom('persons_of_concern')
    .select(['id', 'partnership_id', 'given_name', 'family_name', 'date_of_birth', 'status', 'owning_agency_id', 'removed_at', 'merged_into_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (gone(row)) throw notFound();
  const name = [row!.given_name, row!.family_name].filter(Boolean).join(' ');
  const owner: Changeable = { owning_agency_id: row!.owning_agency_id, removed_at: row!.removed_at };
  return { side: { id, reference: null, name, dateOfBirth: row!.date_of_birth, status: row!.status }, owner };
}

/** Whether the actor may merge (or unmerge) these two records of a kind: else forbidden. */
function assertMayMerge(user: SessionUser, kind: MergeKind, kept: { owner: Changeable | null }, merged: { owner: Changeable | null }) {
  const allowed = kind === 'child' ? canMergeChildren(user) : canMergePersons(user, kept.owner!, merged.owner!);
  if (!allowed) throw forbidden(`may not merge these ${kind} records`);
}

/** Both records, read as the actor (not found unless both are seen), then the merge rule of their kind (forbidden). */
async function readPair(tx: Tx, user: SessionUser, kind: MergeKind, keptId: string, mergedId: string) {
  if (keptId === mergedId) throw notFound();
  const kept = await readRecord(tx, user, kind, keptId);
  const merged = await readRecord(tx, user, kind, mergedId);
  assertMayMerge(user, kind, kept, merged);
  return { kept, merged };
}

/**
 * Merging a duplicate child or person of concern into the record kept, and undoing it (issue 14 §2).
 * The moves themselves are the database's (lantern_merge_records, lantern_unmerge_record, migration 0500):
 * the service authorises, reads both records as the actor and audits, in the same transaction.
 */
export class RecordMergeService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The confirmation page: each record and the counts of what it holds, as the reader sees them. */
  preview(user: SessionUser, kind: MergeKind, keptId: string, mergedId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { kept, merged } = await readPair(tx, user, kind, keptId, mergedId);
      const sides = {
        kept: { ...kept.side, counts: await countsOf(tx, kind, keptId) } satisfies MergeSide,
        merged: { ...merged.side, counts: await countsOf(tx, kind, mergedId) } satisfies MergeSide,
      };
      await act.audit({ action: 'record.view', recordType: auditRecordType[kind], recordId: keptId, details: { page: 'merge', with: mergedId } });
      await act.audit({ action: 'record.view', recordType: auditRecordType[kind], recordId: mergedId, details: { page: 'merge', with: keptId } });
      return sides;
    });
  }

  /** Merges mergedId into keptId; returns the merge's id. Each record's audit trail has a row of it. */
  merge(user: SessionUser, kind: MergeKind, keptId: string, mergedId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await readPair(tx, user, kind, keptId, mergedId);
      const made = await sql<{ id: string }>`SELECT lantern_merge_records(${kind}, ${keptId}::uuid, ${mergedId}::uuid, ${user.displayName}) AS id`.execute(tx);
      const mergeId = made.rows[0]!.id;
      const counts = await tx
        .selectFrom('record_merges')
        .select([sql<number>`jsonb_array_length(moved)`.as('moved'), sql<number>`jsonb_array_length(left_behind)`.as('left_behind')])
        .where('id', '=', mergeId)
        .executeTakeFirstOrThrow();
      const details = { mergeId, moved: Number(counts.moved), leftBehind: Number(counts.left_behind) };
      await act.audit({ action: 'record.merge', recordType: auditRecordType[kind], recordId: keptId, details: { ...details, merged: mergedId } });
      await act.audit({ action: 'record.merge', recordType: auditRecordType[kind], recordId: mergedId, details: { ...details, mergedInto: keptId } });
      return mergeId;
    });
  }

  /**
   * Undoes a merge: the rows it moved go back, and the merged-away record is a record of its own again.
   * The same rule as the merge: both records seen by the actor, and the actor may merge them.
   */
  unmerge(user: SessionUser, kind: MergeKind, mergeId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const merge = await tx
        .selectFrom('record_merges')
        .select(['id', 'kind', 'kept_id', 'merged_id', 'unmerged_at'])
        .where('id', '=', mergeId)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (!merge) throw notFound();
      if (merge.unmerged_at) throw new LanternError('LANTERN_E_CONFLICT', 'merge already undone');
      // Both records seen by the actor (the merged-away one as it is, merged), and the merge rule of their kind.
      assertMayMerge(user, kind, await readRecord(tx, user, kind, merge.kept_id), await readRecord(tx, user, kind, merge.merged_id, true));
      try {
        await sql`SELECT lantern_unmerge_record(${mergeId}::uuid, ${user.displayName})`.execute(tx);
      } catch (error) {
        if ((error as { code?: string }).code === '23514') throw new LanternError('LANTERN_E_CONFLICT', (error as Error).message);
        throw error;
      }
      const details = { mergeId };
      await act.audit({
        action: 'record.unmerge',
        recordType: auditRecordType[kind],
        recordId: merge.kept_id,
        details: { ...details, merged: merge.merged_id },
      });
      await act.audit({
        action: 'record.unmerge',
        recordType: auditRecordType[kind],
        recordId: merge.merged_id,
        details: { ...details, mergedInto: merge.kept_id },
      });
      return { keptId: merge.kept_id, mergedId: merge.merged_id };
    });
  }

  /**
   * For a record's page, before it is read: the record it was merged into (the page redirects there), or
   * the merges into it still in force, newest first (no audit row: the page's own view has one). A record
   * the reader does not see is neither: the page itself answers for it.
   */
  recordState(user: SessionUser, kind: MergeKind, id: string): Promise<{ mergedInto: string | null; merges: MergeEntry[] }> {
    return withActor(this.db, actorOf(user), async (tx) => {
      const table = kind === 'child' ? 'children' : 'persons_of_concern';
      const row = await tx.selectFrom(table).select('merged_into_id').where('id', '=', id).executeTakeFirst();
      if (row?.merged_into_id) return { mergedInto: row.merged_into_id, merges: [] };
      return { mergedInto: null, merges: row ? await this.mergesInto(tx, kind, id) : [] };
    });
  }

  private async mergesInto(tx: Tx, kind: MergeKind, keptId: string): Promise<MergeEntry[]> {
    {
      const rows = await tx
        .selectFrom('record_merges as m')
        .select([
          'm.id',
          'm.merged_id',
          'm.merged_by_name',
          'm.merged_at',
          sql<number>`jsonb_array_length(m.moved)`.as('moved'),
          sql<number>`jsonb_array_length(m.left_behind)`.as('left_behind'),
        ])
        .where('m.kind', '=', kind)
        .where('m.kept_id', '=', keptId)
        .where('m.unmerged_at', 'is', null)
        .orderBy('m.merged_at', 'desc')
        .execute();
      const entries: MergeEntry[] = [];
      for (const row of rows) {
        // The merged-away record is named only when the reader sees it (a restricted one is not named).
        const named =
          kind === 'child'
            ? await tx
                .selectFrom('children')
                .select(['reference', sql<string>`given_name || ' ' || family_name`.as('name')])
                .where('id', '=', row.merged_id)
                .executeTakeFirst()
            : await tx
                .selectFrom('persons_of_concern')
                .select([sql<string | null>`NULL`.as('reference'), sql<string>`concat_ws(' ', given_name, family_name)`.as('name')])
                .where('id', '=', row.merged_id)
                .executeTakeFirst();
        entries.push({
          id: row.id,
          mergedId: row.merged_id,
          mergedReference: named?.reference ?? null,
          mergedName: named?.name ?? null,
          mergedByName: row.merged_by_name,
          mergedAt: row.merged_at,
          moved: Number(row.moved),
          leftBehind: Number(row.left_behind),
        });
      }
      return entries;
    }
  }
}
