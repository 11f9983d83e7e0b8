import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { assertCan } from '../../authz/policy.ts';
import { londonDate, utcDate } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { forbidden, LanternError, notFound } from '../../errors.ts';
import type { HoldForm, RetentionRecordType, ScheduleForm } from './schema.ts';

/** What is due for disposal on a day: ids, a child's case reference and dates; never a name. */
export interface DueRecord {
  recordType: RetentionRecordType;
  recordId: string;
  reference: string | null;
  dueOn: string;
  action: 'delete' | 'anonymise';
  held: boolean;
}

/** A disposal certificate: the run, who proposed and approved it, counts per kind, and the hash of the ids. */
export interface DisposalCertificate {
  deleted: Partial<Record<RetentionRecordType, number>>;
  anonymised: Partial<Record<RetentionRecordType, number>>;
  held: Partial<Record<RetentionRecordType, number>>;
  notDue: Partial<Record<RetentionRecordType, number>>;
  heldWhenProposed: Partial<Record<RetentionRecordType, number>>;
  dependentRows: number;
  disposed: number;
  idsHash: string;
}

const insufficientPrivilege = '42501';
const noData = 'P0002';
const uniqueViolation = '23505';
const code = (error: unknown) => (error as { code?: string }).code;

/**
 * Retention and disposal (issue 16 §3, migration 0600): the partnership's schedule, legal holds, and
 * disposal runs — proposed by one retention manager, approved by a second, executed by the database
 * (lantern_retention_execute) in the approval's transaction, which re-checks every hold and writes the
 * certificate; the service audits it (retention.dispose, a security event) in the same transaction.
 */
export class RetentionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return londonDate(this.clock.now());
  }

  /** The overview page: the schedule, what is due today (held ones marked), the runs. */
  overview(user: SessionUser) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx) => {
      const schedules = await tx.selectFrom('retention_schedules').selectAll().orderBy('record_type').execute();
      const due = await this.dueIn(tx, this.today());
      const runs = await tx
        .selectFrom('retention_runs')
        .select(['id', 'as_of', 'status', 'proposed_by', 'proposed_by_name', 'proposed_at', 'decided_by_name', 'decided_at', 'outcome', 'items'])
        .orderBy('proposed_at', 'desc')
        .limit(20)
        .execute();
      const activeHolds = await tx
        .selectFrom('retention_holds')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('released_at', 'is', null)
        .executeTakeFirstOrThrow();
      const child = schedules.find((s) => s.record_type === 'closed_child');
      const person = schedules.find((s) => s.record_type === 'person_of_concern');
      return {
        schedule: {
          keepUntilAge: child?.keep_until_age ?? 25,
          yearsAfterClosure: child?.years_after_closure ?? 0,
          childAction: child?.action ?? 'delete',
          monthsAfterUpdate: person?.months_after_update ?? 24,
          personAction: person?.action ?? 'delete',
        },
        today: this.today(),
        due,
        heldCount: due.filter((d) => d.held).length,
        activeHolds: Number(activeHolds.n),
        runs: runs.map((r) => ({ ...r, count: (r.items as unknown[]).length, mine: r.proposed_by === user.userId })),
      };
    });
  }

  /** What is due on a day, held or not (the database's computation, as the acting manager). */
  due(user: SessionUser, on: string): Promise<DueRecord[]> {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), (tx) => this.dueIn(tx, on));
  }

  private async dueIn(tx: Parameters<Parameters<typeof withActor>[2]>[0], on: string): Promise<DueRecord[]> {
    const { rows } = await sql<{
      record_type: RetentionRecordType;
      record_id: string;
      reference: string | null;
      due_on: string | Date;
      action: 'delete' | 'anonymise';
      held: boolean;
    }>`SELECT * FROM lantern_retention_due(${on}::date)`.execute(tx);
    return rows.map((r) => ({
      recordType: r.record_type,
      recordId: r.record_id,
      reference: r.reference,
      dueOn: typeof r.due_on === 'string' ? r.due_on : utcDate(r.due_on),
      action: r.action,
      held: r.held,
    }));
  }

  /** Changes the schedule, audited. */
  saveSchedule(user: SessionUser, form: ScheduleForm) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const now = this.clock.now();
      await tx
        .updateTable('retention_schedules')
        .set({
          keep_until_age: form.keepUntilAge,
          years_after_closure: form.yearsAfterClosure,
          action: form.childAction,
          updated_by: user.userId,
          updated_at: now,
        })
        .where('record_type', '=', 'closed_child')
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('retention_schedules')
        .set({ months_after_update: form.monthsAfterUpdate, action: form.personAction, updated_by: user.userId, updated_at: now })
        .where('record_type', '=', 'person_of_concern')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'retention.schedule', recordType: 'partnership', recordId: user.partnershipId, details: { schedule: form } });
    });
  }

  /** Every hold, unreleased first. */
  holds(user: SessionUser) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), (tx) =>
      tx
        .selectFrom('retention_holds')
        .selectAll()
        .orderBy(sql`released_at IS NOT NULL`)
        .orderBy('created_at', 'desc')
        .execute(),
    );
  }

  /** Places a legal hold, audited; returns its id. */
  createHold(user: SessionUser, form: HoldForm) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .insertInto('retention_holds')
        .values({
          partnership_id: user.partnershipId,
          name: form.name,
          reason: form.reason,
          scope: form.scope,
          record_type: form.recordType ?? null,
          record_ids: form.scope === 'records' ? form.recordIds : [],
          created_before: form.scope === 'created_before' ? form.createdBefore : null,
          starts_on: form.startsOn,
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'retention.hold',
        recordType: 'retention_hold',
        recordId: row.id,
        details: { scope: form.scope, recordType: form.recordType ?? null, records: form.scope === 'records' ? form.recordIds.length : 0 },
      });
      return row.id;
    });
  }

  /** Releases a hold, audited: what it covered may be due again. */
  releaseHold(user: SessionUser, holdId: string) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const released = await tx
        .updateTable('retention_holds')
        .set({ released_at: this.clock.now(), released_by: user.userId, released_by_name: user.displayName })
        .where('id', '=', holdId)
        .where('released_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!released) throw notFound();
      await act.audit({ action: 'retention.hold_release', recordType: 'retention_hold', recordId: holdId });
    });
  }

  /** Proposes a disposal run of what is due today and not held; 409 while another is proposed. */
  propose(user: SessionUser) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let id: string;
      try {
        const { rows } = await sql<{ id: string }>`SELECT lantern_retention_propose(${this.today()}::date, ${user.displayName}) AS id`.execute(tx);
        id = rows[0]!.id;
      } catch (error) {
        if (code(error) === uniqueViolation) throw new LanternError('LANTERN_E_CONFLICT', 'a disposal run is already proposed');
        throw error;
      }
      const run = await tx.selectFrom('retention_runs').select(['items', 'held_counts']).where('id', '=', id).executeTakeFirstOrThrow();
      await act.audit({
        action: 'retention.propose',
        recordType: 'retention_run',
        recordId: id,
        details: { records: (run.items as unknown[]).length, held: run.held_counts },
      });
      return id;
    });
  }

  /** A run and, once executed, its certificate. */
  run(user: SessionUser, runId: string) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx) => {
      const run = await tx.selectFrom('retention_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run) throw notFound();
      const items = run.items as { type: RetentionRecordType; id: string; due: string; action: string }[];
      const counts: Partial<Record<RetentionRecordType, number>> = {};
      for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
      return { ...run, items, counts, mine: run.proposed_by === user.userId };
    });
  }

  /**
   * The second person's approval: the database executes the run (deleting or anonymising what is still
   * due and not held) and the certificate goes into the audit chain in the same transaction.
   */
  approve(user: SessionUser, runId: string): Promise<DisposalCertificate> {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const run = await tx.selectFrom('retention_runs').select(['status', 'proposed_by', 'proposed_by_name']).where('id', '=', runId).executeTakeFirst();
      if (!run || run.status !== 'proposed') throw notFound();
      if (run.proposed_by === user.userId) throw forbidden('a disposal run is approved by a second person');
      let certificate: DisposalCertificate;
      try {
        const { rows } = await sql<{ c: DisposalCertificate }>`SELECT lantern_retention_execute(${runId}::uuid, ${user.displayName}) AS c`.execute(tx);
        certificate = rows[0]!.c;
      } catch (error) {
        if (code(error) === insufficientPrivilege) throw forbidden('a disposal run is approved by a second person');
        if (code(error) === noData) throw notFound();
        throw error;
      }
      await act.audit({
        action: 'retention.dispose',
        recordType: 'retention_run',
        recordId: runId,
        details: { certificate, proposedBy: run.proposed_by, approvedBy: user.userId },
      });
      return certificate;
    });
  }

  /** Cancels a proposed run (either person), audited. */
  cancel(user: SessionUser, runId: string) {
    assertCan(user, 'retention.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      try {
        await sql`SELECT lantern_retention_cancel(${runId}::uuid, ${user.displayName})`.execute(tx);
      } catch (error) {
        if (code(error) === noData) throw notFound();
        throw error;
      }
      await act.audit({ action: 'retention.cancel', recordType: 'retention_run', recordId: runId });
    });
  }
}
