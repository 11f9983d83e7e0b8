import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { assertCan } from '../../authz/policy.ts';
import { londonDate, utcDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { DecisionForm, RectificationForm, RestrictionForm, SubjectKind } from './schema.ts';

/** The audit's record type of each kind of subject (as the record pages audit them). */
export const subjectRecordType = { child: 'child', person: 'person_of_concern' } as const satisfies Record<SubjectKind, string>;
/** Where each kind of subject's own page is. */
export const subjectPath = (kind: SubjectKind, id: string) => (kind === 'child' ? `/children/${id}` : `/intelligence/persons/${id}`);

export interface Subject {
  kind: SubjectKind;
  id: string;
  label: string;
  path: string;
}

const uniqueViolation = '23505';
const code = (error: unknown) => (error as { code?: string }).code;
const dateOf = (value: string | Date | null): string | null => (value === null ? null : typeof value === 'string' ? value : utcDate(value));
const subjectOf = (row: { child_id: string | null; person_id: string | null }): { kind: SubjectKind; id: string } =>
  row.child_id ? { kind: 'child', id: row.child_id } : { kind: 'person', id: row.person_id! };

/**
 * Data subjects' rights (issue 16 §3, migration 0645): the DPO records rectification requests (due one
 * calendar month after receipt) and their decisions, attaches the subject's supplementary statement to the
 * record, and places and lifts restrictions of processing, which the database enforces. Every step is
 * audited in its transaction; placing and lifting a restriction are security events.
 */
export class DataRightsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return londonDate(this.clock.now());
  }

  /** A subject of the DPO's partnership, by kind and id (or a child's case reference), or 404. */
  private async subjectIn(tx: Tx, kind: SubjectKind, key: string): Promise<Subject & { mergedInto: string | null }> {
    const { rows } = await sql<{ id: string; label: string; merged_into_id: string | null }>`
      SELECT * FROM lantern_data_rights_subject(${kind}, ${key})`.execute(tx);
    const row = rows[0];
    if (!row) throw notFound();
    return { kind, id: row.id, label: row.label, path: subjectPath(kind, row.id), mergedInto: row.merged_into_id };
  }

  private async labels(tx: Tx, rows: readonly { child_id: string | null; person_id: string | null }[]) {
    const out = new Map<string, Subject>();
    for (const row of rows) {
      const { kind, id } = subjectOf(row);
      if (!out.has(id)) out.set(id, await this.subjectIn(tx, kind, id));
    }
    return out;
  }

  /** The DPO's page: open requests by due date (overdue marked) and restrictions in force. */
  overview(user: SessionUser) {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const today = this.today();
      const requests = await tx
        .selectFrom('data_rights_requests')
        .select(['id', 'kind', 'child_id', 'person_id', 'requested_by', 'received_on', 'due_on', 'disputed_record'])
        .where('decision', 'is', null)
        .orderBy('due_on')
        .orderBy('created_at')
        .execute();
      const restrictions = await tx
        .selectFrom('processing_restrictions')
        .select(['id', 'child_id', 'person_id', 'reason', 'from_on', 'placed_by_name'])
        .where('lifted_at', 'is', null)
        .orderBy('from_on')
        .execute();
      const labels = await this.labels(tx, [...requests, ...restrictions]);
      await act.audit({
        action: 'data_rights.list',
        recordType: 'partnership',
        recordId: user.partnershipId,
        details: { requests: requests.length, restrictions: restrictions.length },
        disclosedIds: [...labels.keys()],
      });
      return {
        today,
        requests: requests.map((r) => {
          const due = dateOf(r.due_on)!;
          return { ...r, received_on: dateOf(r.received_on), due_on: due, overdue: due < today, subject: labels.get(r.child_id ?? r.person_id!)! };
        }),
        restrictions: restrictions.map((r) => ({ ...r, from_on: dateOf(r.from_on), subject: labels.get(r.child_id ?? r.person_id!)! })),
      };
    });
  }

  /** Finds a subject for the DPO (a child by case reference or id, a person by id): its id, or 404. */
  find(user: SessionUser, kind: SubjectKind, key: string): Promise<string> {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx) => (await this.subjectIn(tx, kind, key)).id);
  }

  /** A subject's requests and restrictions, for the DPO; the view audited. */
  subject(user: SessionUser, kind: SubjectKind, id: string) {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const subject = await this.subjectIn(tx, kind, id);
      const column = kind === 'child' ? 'child_id' : 'person_id';
      const requests = await tx.selectFrom('data_rights_requests').selectAll().where(column, '=', id).orderBy('created_at', 'desc').execute();
      const restrictions = await tx.selectFrom('processing_restrictions').selectAll().where(column, '=', id).orderBy('placed_at', 'desc').execute();
      const statements = await tx.selectFrom('record_statements').selectAll().where(column, '=', id).orderBy('added_at').execute();
      await act.audit({ action: 'data_rights.view', recordType: subjectRecordType[kind], recordId: id });
      const today = this.today();
      return {
        subject,
        today,
        requests: requests.map((r) => ({
          ...r,
          received_on: dateOf(r.received_on),
          due_on: dateOf(r.due_on),
          overdue: !r.decision && dateOf(r.due_on)! < today,
        })),
        restrictions: restrictions.map((r) => ({ ...r, from_on: dateOf(r.from_on) })),
        active: restrictions.find((r) => r.lifted_at === null) ?? null,
        statements,
      };
    });
  }

  /** The subject's name for a form's heading (the form's view is audited when it is saved). */
  label(user: SessionUser, kind: SubjectKind, id: string): Promise<Subject> {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const subject = await this.subjectIn(tx, kind, id);
      await act.audit({ action: 'data_rights.view', recordType: subjectRecordType[kind], recordId: id, details: { form: true } });
      return subject;
    });
  }

  /** Records a rectification request, due one calendar month after receipt (the database computes it); its id. */
  recordRectification(user: SessionUser, kind: SubjectKind, id: string, form: RectificationForm): Promise<string> {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const subject = await this.subjectIn(tx, kind, id);
      if (subject.mergedInto) throw notFound();
      const row = await tx
        .insertInto('data_rights_requests')
        .values({
          partnership_id: user.partnershipId,
          kind: 'rectification',
          child_id: kind === 'child' ? id : null,
          person_id: kind === 'person' ? id : null,
          requested_by: form.requestedBy,
          received_on: form.receivedOn,
          disputed_record: form.disputedRecord,
          requested_correction: form.requestedCorrection,
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .returning(['id', 'due_on'])
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'data_rights.request',
        recordType: subjectRecordType[kind],
        recordId: id,
        details: { request: row.id, kind: 'rectification', receivedOn: form.receivedOn, dueOn: dateOf(row.due_on) },
      });
      return row.id;
    });
  }

  /** A request and its subject, for the DPO. */
  request(user: SessionUser, requestId: string) {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const request = await tx.selectFrom('data_rights_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
      if (!request) throw notFound();
      const { kind, id } = subjectOf(request);
      const subject = await this.subjectIn(tx, kind, id);
      const statement = await tx.selectFrom('record_statements').selectAll().where('request_id', '=', requestId).executeTakeFirst();
      await act.audit({ action: 'data_rights.view', recordType: subjectRecordType[kind], recordId: id, details: { request: requestId } });
      const due = dateOf(request.due_on)!;
      return {
        request: { ...request, received_on: dateOf(request.received_on), due_on: due, requester_told_on: dateOf(request.requester_told_on) },
        overdue: !request.decision && due < this.today(),
        subject,
        statement: statement ?? null,
      };
    });
  }

  /**
   * Decides a rectification request, once: rectified (what changed; the change itself is made on the
   * record's edit pages, audited there), not rectified (the reasons, and when the requester was told), or
   * the subject's supplementary statement attached to the record.
   */
  decide(user: SessionUser, requestId: string, form: DecisionForm) {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const decided = await tx
        .updateTable('data_rights_requests')
        .set({
          decision: form.decision,
          decision_note: form.note,
          requester_told_on: form.toldOn,
          decided_at: this.clock.now(),
          decided_by: user.userId,
          decided_by_name: user.displayName,
        })
        .where('id', '=', requestId)
        .where('decision', 'is', null)
        .returning(['id', 'child_id', 'person_id', 'disputed_record'])
        .executeTakeFirst();
      if (!decided) throw notFound();
      const { kind, id } = subjectOf(decided);
      if (form.statement) {
        await tx
          .insertInto('record_statements')
          .values({
            partnership_id: user.partnershipId,
            child_id: decided.child_id,
            person_id: decided.person_id,
            request_id: requestId,
            disputed_record: decided.disputed_record,
            statement: form.statement,
            added_by: user.userId,
            added_by_name: user.displayName,
          })
          .execute();
      }
      await act.audit({
        action: 'data_rights.decide',
        recordType: subjectRecordType[kind],
        recordId: id,
        details: { request: requestId, decision: form.decision, toldOn: form.toldOn },
      });
      return { kind, id };
    });
  }

  /** Restricts the processing of a subject's record; 409 when it is already restricted. */
  restrict(user: SessionUser, kind: SubjectKind, id: string, form: RestrictionForm): Promise<string> {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const subject = await this.subjectIn(tx, kind, id);
      if (subject.mergedInto) throw notFound();
      let row: { id: string };
      try {
        row = await tx
          .insertInto('processing_restrictions')
          .values({
            partnership_id: user.partnershipId,
            child_id: kind === 'child' ? id : null,
            person_id: kind === 'person' ? id : null,
            reason: form.reason,
            from_on: form.fromOn,
            placed_by: user.userId,
            placed_by_name: user.displayName,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      } catch (error) {
        if (code(error) === uniqueViolation) throw new LanternError('LANTERN_E_CONFLICT', 'the record is already restricted');
        throw error;
      }
      await act.audit({
        action: 'data_rights.restrict',
        recordType: subjectRecordType[kind],
        recordId: id,
        details: { restriction: row.id, fromOn: form.fromOn },
      });
      return row.id;
    });
  }

  /** Lifts the subject's restriction of processing, with a reason: the record can be changed again. */
  lift(user: SessionUser, kind: SubjectKind, id: string, reason: string) {
    assertCan(user, 'data-rights.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const lifted = await tx
        .updateTable('processing_restrictions')
        .set({ lifted_at: this.clock.now(), lifted_by: user.userId, lifted_by_name: user.displayName, lift_reason: reason })
        .where(kind === 'child' ? 'child_id' : 'person_id', '=', id)
        .where('lifted_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!lifted) throw notFound();
      await act.audit({ action: 'data_rights.lift', recordType: subjectRecordType[kind], recordId: id, details: { restriction: lifted.id } });
    });
  }
}
