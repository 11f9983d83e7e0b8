import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../../auth/service.ts';
import { assertCan, can } from '../../../authz/policy.ts';
import { withActor, type DbActor, type Tx } from '../../../db/context.ts';
import type { Database } from '../../../db/database.ts';
import { LanternError, notFound } from '../../../errors.ts';
import { runLinkage, type LinkageRecord } from '../engine/model.ts';
import {
  childCandidates,
  childRecord,
  personCandidates,
  scoreChildCandidates,
  scorePersonCandidates,
  type LiveMatch,
  type NewChildRecord,
  type NewPersonRecord,
  type PersonMatch,
} from './candidates.ts';
import { parametersFrom, parametersOf, reviewThreshold, scorePair, settingsFor, type ModelParameters, type RecordKind, type WaterfallStep } from './scorer.ts';

/** The permission that reviews (and runs) each kind's queue (src/authz/policy.ts). */
export const reviewPermission = { child: 'duplicates.children', person: 'duplicates.persons' } as const;
export const queuePageSize = 25;
/** A batch run trains and stores the model's parameters only from this many records up (docs/LINKAGE.md). */
export const minimumTrainingRecords = 1000;
/** A queued or running batch run with no step for this long is taken as cut off (a restart) when another is started. */
export const staleRunAfterMs = 10 * 60 * 1000;
export type Decision = 'same' | 'different' | 'not_sure';

/** The stored parameters of a kind for the acting partnership, or the built-in defaults before any run. */
export async function parametersFor(tx: Tx, partnershipId: string, kind: RecordKind): Promise<ModelParameters> {
  const row = await tx
    .selectFrom('linkage_parameters')
    .select('parameters')
    .where('partnership_id', '=', partnershipId)
    .where('record_kind', '=', kind)
    .executeTakeFirst();
  return parametersFrom(row?.parameters ?? null, kind);
}

/** Entry-time matching of a new child (triage): candidates blocked in SQL, scored in TypeScript. */
export async function matchNewChild(tx: Tx, partnershipId: string, entered: NewChildRecord): Promise<LiveMatch[]> {
  const [params, candidates] = await Promise.all([parametersFor(tx, partnershipId, 'child'), childCandidates(tx, entered)]);
  return scoreChildCandidates(params, entered, candidates);
}

/** Entry-time matching of a new person of concern (the intelligence form): the same model as the persons' queue. */
export async function matchNewPerson(tx: Tx, partnershipId: string, entered: NewPersonRecord): Promise<PersonMatch[]> {
  const [params, candidates] = await Promise.all([parametersFor(tx, partnershipId, 'person'), personCandidates(tx, entered)]);
  return scorePersonCandidates(params, entered, candidates);
}

/** What the queue and the pair page show of a record: only what the reviewer may read (row-level security). */
const sideColumns = {
  child: sql`c.reference, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, c.gender, c.status,
             (SELECT a.name FROM agencies a WHERE a.id = c.owning_agency_id) AS agency, c.aliases`,
  person: sql`NULL::text AS reference, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, NULL::text AS gender, c.status,
             (SELECT a.name FROM agencies a WHERE a.id = c.owning_agency_id) AS agency, c.aliases`,
};
/** A record the queue may show: visible, of the acting partnership, not merged away, not restricted (restricted records need break-glass). */
const visible = {
  child: (alias: string) =>
    sql`(SELECT to_jsonb(s) FROM (SELECT c.id, ${sideColumns.child} FROM children c WHERE c.id = ${sql.ref(alias)}
          AND c.partnership_id = p.partnership_id AND c.merged_into_id IS NULL AND NOT c.restricted) s)`,
  person: (alias: string) =>
    sql`(SELECT to_jsonb(s) FROM (SELECT c.id, ${sideColumns.person} FROM persons_of_concern c WHERE c.id = ${sql.ref(alias)}
          AND c.partnership_id = p.partnership_id AND c.merged_into_id IS NULL AND c.removed_at IS NULL) s)`,
};

export interface SideRecord {
  id: string;
  reference: string | null;
  given_name: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  gender: string | null;
  status: string;
  agency: string | null;
  aliases: string[];
}

export interface QueuePair {
  id: string;
  record_kind: RecordKind;
  match_probability: number;
  left: SideRecord;
  right: SideRecord;
}

export interface PairDetail extends QueuePair {
  status: Decision | 'open';
  waterfall: WaterfallStep[];
  match_weight: number;
  note: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
}

/**
 * The duplicate review queue (issue 14 §2): candidate pairs per partnership and kind, filled by a
 * batch run; decisions kept, a decided pair never proposed again. Pairs with a record the reviewer
 * cannot read are not listed at all, nor counted.
 */
export class DuplicatesService {
  /** Background runs in progress in this process (tests wait for them). */
  private readonly working = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The kinds this person may review, in order. */
  kindsFor(user: SessionUser): RecordKind[] {
    return (['child', 'person'] as const).filter((k) => can(user, reviewPermission[k]));
  }

  /** One page of open pairs of a kind above the review threshold, strongest first; and the latest run. */
  queue(user: SessionUser, kind: RecordKind, page: number) {
    assertCan(user, reviewPermission[kind]);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await sql<QueuePair & { total: string }>`
        SELECT q.id, q.record_kind, q.match_probability, q.l AS left, q.r AS right, count(*) OVER () AS total
          FROM (SELECT p.id, p.record_kind, p.match_probability, ${visible[kind]('p.left_id')} AS l, ${visible[kind]('p.right_id')} AS r
                  FROM duplicate_pairs p
                 WHERE p.partnership_id = ${user.partnershipId} AND p.record_kind = ${kind} AND p.status = 'open'
                   AND p.match_probability >= ${reviewThreshold}) q
         WHERE q.l IS NOT NULL AND q.r IS NOT NULL
         ORDER BY q.match_probability DESC, q.id
         LIMIT ${queuePageSize} OFFSET ${(page - 1) * queuePageSize}`.execute(tx);
      const total = Number(rows.rows[0]?.total ?? 0);
      if (page > 1 && rows.rows.length === 0) throw notFound();
      const run = await this.latestRun(tx, user.partnershipId, kind);
      const pairs = rows.rows.map(({ total: _t, ...r }) => ({ ...r, match_probability: Number(r.match_probability) }));
      if (pairs.length > 0)
        await act.audit({
          action: 'record.view',
          recordType: 'duplicate_queue',
          details: { kind, page, pairs: pairs.length },
          disclosedIds: pairs.flatMap((p) => [p.left.id, p.right.id]),
        });
      return { pairs, total, page, pages: Math.max(1, Math.ceil(total / queuePageSize)), run };
    });
  }

  private latestRun(tx: Tx, partnershipId: string, kind: RecordKind) {
    return tx
      .selectFrom('linkage_runs')
      .selectAll()
      .where('partnership_id', '=', partnershipId)
      .where('record_kind', '=', kind)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** One pair with its waterfall and both records side by side; audited. Not found when either record is not for this reviewer. */
  pair(user: SessionUser, id: string): Promise<PairDetail> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const pair = await this.loadPair(tx, user, id);
      await act.audit({ action: 'record.view', recordType: 'duplicate_pair', recordId: id, disclosedIds: [pair.left.id, pair.right.id] });
      return pair;
    });
  }

  private async loadPair(tx: Tx, user: SessionUser, id: string, lock = false): Promise<PairDetail> {
    const kindRow = await tx.selectFrom('duplicate_pairs').select('record_kind').where('id', '=', id).executeTakeFirst();
    if (!kindRow || !can(user, reviewPermission[kindRow.record_kind as RecordKind])) throw notFound();
    const kind = kindRow.record_kind as RecordKind;
    const row = await sql<PairDetail>`
      SELECT p.id, p.record_kind, p.match_probability, p.match_weight, p.waterfall, p.status, p.note, p.decided_by_name, p.decided_at,
             ${visible[kind]('p.left_id')} AS left, ${visible[kind]('p.right_id')} AS right
        FROM duplicate_pairs p WHERE p.id = ${id} AND p.partnership_id = ${user.partnershipId} ${lock ? sql`FOR UPDATE` : sql``}`.execute(tx);
    const pair = row.rows[0];
    if (!pair || !pair.left || !pair.right) throw notFound();
    return { ...pair, match_probability: Number(pair.match_probability), match_weight: Number(pair.match_weight) };
  }

  /** Records the decision on an open pair (a decided pair is a conflict); audited. */
  decide(user: SessionUser, id: string, decision: Decision, note: string | null) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const pair = await this.loadPair(tx, user, id, true);
      if (pair.status !== 'open') throw new LanternError('LANTERN_E_CONFLICT', 'pair already decided');
      await tx
        .updateTable('duplicate_pairs')
        .set({ status: decision, note, decided_by: user.userId, decided_by_name: user.displayName, decided_at: this.clock.now() })
        .where('id', '=', id)
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: 'duplicate_pair',
        recordId: id,
        details: { decision, kind: pair.record_kind, leftId: pair.left.id, rightId: pair.right.id, ...(note ? { note: true } : {}) },
      });
      return pair;
    });
  }

  /** Starts a batch run of a kind in the background (one at a time per partnership and kind); audited. */
  async startRun(user: SessionUser, kind: RecordKind): Promise<string> {
    assertCan(user, reviewPermission[kind]);
    const actor = actorOf(user);
    const runId = await withActor(this.db, actor, async (tx, act) => {
      const running = await tx
        .selectFrom('linkage_runs')
        .select(['id', 'updated_at'])
        .where('partnership_id', '=', user.partnershipId)
        .where('record_kind', '=', kind)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (running) {
        // A run no process is working on (cut off by a restart) gives way once it has been silent long enough.
        const silentFor = this.clock.now().getTime() - new Date(running.updated_at).getTime();
        if (this.working.has(running.id) || silentFor < staleRunAfterMs) return running.id;
        await tx
          .updateTable('linkage_runs')
          .set({ status: 'failed', step: 'done', error: 'interrupted', finished_at: this.clock.now(), updated_at: this.clock.now() })
          .where('id', '=', running.id)
          .execute();
        await act.audit({ action: 'record.update', recordType: 'linkage_run', recordId: running.id, details: { kind, interrupted: true } });
      }
      const run = await tx
        .insertInto('linkage_runs')
        .values({ partnership_id: user.partnershipId, record_kind: kind, started_by: user.userId, started_at: this.clock.now(), updated_at: this.clock.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'linkage_run', recordId: run.id, details: { kind } });
      return run.id;
    });
    if (!this.working.has(runId)) {
      const work = this.work(actor, user, runId, kind)
        .catch(() => undefined)
        .finally(() => this.working.delete(runId));
      this.working.set(runId, work);
    }
    return runId;
  }

  /** Waits for a run started in this process (tests; a graceful stop). */
  async settle(runId?: string): Promise<void> {
    await Promise.all(runId ? [this.working.get(runId) ?? Promise.resolve()] : [...this.working.values()]);
  }

  /** A run's progress. */
  run(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const run = await tx.selectFrom('linkage_runs').selectAll().where('id', '=', id).where('partnership_id', '=', user.partnershipId).executeTakeFirst();
      if (!run || !can(user, reviewPermission[run.record_kind as RecordKind])) throw notFound();
      return run;
    });
  }

  /**
   * The run, in steps, each its own transaction as the person who started it (row-level security
   * decides what it reads): read the partnership's records, train the model (engine/runLinkage),
   * score the pairs with the trained parameters, save the parameters and the new pairs. The records
   * stay in this process: none is sent to a page.
   */
  private async work(actor: DbActor, user: SessionUser, runId: string, kind: RecordKind): Promise<void> {
    const step = (values: { status?: 'running' | 'finished' | 'failed'; step: string; progress: number } & Record<string, unknown>) =>
      withActor(this.db, actor, (tx) =>
        tx
          .updateTable('linkage_runs')
          .set({ ...values, updated_at: this.clock.now() } as never)
          .where('id', '=', runId)
          .execute(),
      );
    try {
      await new Promise((resolve) => setImmediate(resolve));
      await step({ status: 'running', step: 'reading', progress: 5 });
      const records = await withActor(this.db, actor, (tx) => readRecords(tx, user.partnershipId, kind));
      await step({ step: 'training', progress: 25, records: records.length });
      const settings = settingsFor(kind);
      const result = records.length >= 2 ? runLinkage(settings, records) : null;
      // Trained only on enough records: a few dozen give EM nothing to learn from (every level's m or u
      // at the floor), and stored they would decide entry-time matching. Below that, the run scores its
      // pairs with the parameters already in use (a larger run's, or the built-in ones) and keeps them.
      const trained = result && records.length >= minimumTrainingRecords ? parametersOf(result, settings, records.length) : null;
      const params = result ? (trained ?? (await withActor(this.db, actor, (tx) => parametersFor(tx, user.partnershipId, kind)))) : null;
      await step({ step: 'scoring', progress: 60, candidates: result?.candidates ?? 0 });
      const scored = params && result ? scoreRun(params, records, result.pairs) : [];
      await step({ step: 'saving', progress: 80, pairs_found: scored.length });
      const added = await withActor(this.db, actor, async (tx, act) => {
        if (trained)
          await tx
            .insertInto('linkage_parameters')
            .values({
              partnership_id: user.partnershipId,
              record_kind: kind,
              parameters: JSON.stringify(trained),
              records: records.length,
              trained_by: user.userId,
            })
            .onConflict((oc) =>
              oc.columns(['partnership_id', 'record_kind']).doUpdateSet({
                parameters: JSON.stringify(trained),
                records: records.length,
                trained_by: user.userId,
                trained_at: this.clock.now(),
              }),
            )
            .execute();
        let added = 0;
        for (let i = 0; i < scored.length; i += 500) {
          const chunk = scored.slice(i, i + 500);
          const inserted = await sql<{ inserted: boolean }>`
            INSERT INTO duplicate_pairs AS d (partnership_id, record_kind, left_id, right_id, match_probability, match_weight, waterfall)
            SELECT ${user.partnershipId}, ${kind}, x.left_id, x.right_id, x.p, x.w, x.f
              FROM jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) AS x (left_id uuid, right_id uuid, p double precision, w double precision, f jsonb)
            ON CONFLICT (partnership_id, record_kind, left_id, right_id) DO UPDATE
               SET match_probability = excluded.match_probability, match_weight = excluded.match_weight, waterfall = excluded.waterfall
             WHERE d.status = 'open'
            RETURNING (xmax = 0) AS inserted`.execute(tx);
          added += inserted.rows.filter((r) => r.inserted).length;
        }
        await act.audit({
          action: 'import',
          recordType: 'linkage_run',
          recordId: runId,
          details: { kind, records: records.length, candidates: result?.candidates ?? 0, pairs: scored.length, added },
        });
        return added;
      });
      await step({ status: 'finished', step: 'done', progress: 100, pairs_added: added, finished_at: this.clock.now() });
    } catch (error) {
      await step({
        status: 'failed',
        step: 'done',
        progress: 100,
        error: String((error as Error).message ?? error).slice(0, 500),
        finished_at: this.clock.now(),
      }).catch(() => undefined);
      throw error;
    }
  }
}

/** The partnership's records of a kind as the engine reads them (children: not merged away, not restricted). */
async function readRecords(tx: Tx, partnershipId: string, kind: RecordKind): Promise<LinkageRecord[]> {
  if (kind === 'child') {
    const rows = await sql<{
      id: string;
      given_name: string;
      family_name: string;
      date_of_birth: string | null;
      gender: string | null;
      postcode: string | null;
    }>`
      SELECT c.id, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, c.gender,
             (SELECT x.postcode FROM child_addresses x WHERE x.child_id = c.id ORDER BY x.to_date IS NULL DESC, x.from_date DESC NULLS LAST LIMIT 1) AS postcode
        FROM children c WHERE c.partnership_id = ${partnershipId} AND c.merged_into_id IS NULL AND NOT c.restricted`.execute(tx);
    return rows.rows.map((r) => ({ id: r.id, ...childRecord(r) }));
  }
  const rows = await sql<{ id: string; given_name: string | null; family_name: string | null; date_of_birth: string | null; aliases: string[] }>`
    SELECT c.id, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, c.aliases
      FROM persons_of_concern c WHERE c.partnership_id = ${partnershipId} AND c.merged_into_id IS NULL AND c.removed_at IS NULL`.execute(tx);
  return rows.rows.map((r) => personRecord(r));
}

/** A person of concern as the model compares them: names, the first alias, date of birth. */
export function personRecord(r: { id: string; given_name: string | null; family_name: string | null; date_of_birth: string | null; aliases: string[] }) {
  return { id: r.id, given_name: r.given_name, family_name: r.family_name, alias: r.aliases[0] ?? null, date_of_birth: r.date_of_birth };
}

/** The run's pairs scored with the parameters it trained (as entry-time matching scores them), ids ordered. */
function scoreRun(params: ModelParameters, records: readonly LinkageRecord[], pairs: readonly { left: number; right: number }[]) {
  const out: { left_id: string; right_id: string; p: number; w: number; f: WaterfallStep[] }[] = [];
  for (const pair of pairs) {
    const a = records[pair.left]!;
    const b = records[pair.right]!;
    const score = scorePair(params, a, b);
    if (score.matchProbability < reviewThreshold) continue;
    const [left_id, right_id] = [a.id!, b.id!].sort();
    out.push({ left_id: left_id!, right_id: right_id!, p: score.matchProbability, w: score.matchWeight, f: score.waterfall });
  }
  return out;
}
