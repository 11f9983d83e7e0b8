import { createHash } from 'node:crypto';
import JSZip from 'jszip';
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { assertCan } from '../../authz/policy.ts';
import { daysBetween, londonDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { applyRedactions, flagThirdParty, type CollectedRow, type FlaggedItem, type ThirdParty } from './redaction.ts';
import type { RequestForm, RequestStatus, SubjectKind } from './schema.ts';

const foreignKeyViolation = '23503';
const noData = 'P0002';
const code = (error: unknown) => (error as { code?: string }).code;

/** What the export holds, for the PDF's page and the ZIP's JSON. */
export interface SubjectAccessDocument {
  request: { id: string; subjectKind: SubjectKind; subjectId: string; subjectLabel: string; receivedOn: string; dueOn: string; language: 'en' | 'cy' };
  generatedAt: string;
  tables: Record<string, Record<string, unknown>[]>;
  rowCounts: Record<string, number>;
  redacted: number;
}

const open: readonly RequestStatus[] = ['received', 'in_preparation', 'ready_for_release'];

/**
 * Subject access (issue 16 §3, migration 0640): the data protection officer's register of requests with
 * their statutory due dates, the collection of everything held about the subject (lantern_sar_collect),
 * third-party information flagged for a redact-or-release decision, and the release of a ZIP of JSON and
 * a tagged PDF, kept on the request. Every step is audited in its own transaction.
 */
export class SubjectAccessService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return londonDate(this.clock.now());
  }

  /** The register, soonest due first, with days left (negative: overdue) for open requests. */
  list(user: SessionUser) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx
        .selectFrom('subject_access_requests')
        .select(['id', 'subject_kind', 'subject_id', 'subject_label', 'requester_kind', 'requester_name', 'received_on', 'due_on', 'status', 'released_at'])
        .orderBy('due_on')
        .orderBy('created_at')
        .execute();
      const today = this.today();
      return rows.map((r) => {
        const isOpen = open.includes(r.status as RequestStatus);
        const daysLeft = isOpen ? daysBetween(today, asDate(r.due_on)) : null;
        return { ...r, received_on: asDate(r.received_on), due_on: asDate(r.due_on), open: isOpen, daysLeft, overdue: daysLeft !== null && daysLeft < 0 };
      });
    });
  }

  /** Logs a request, audited; its due date is the database's (one calendar month). Returns its id. */
  log(user: SessionUser, form: RequestForm) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let id: string;
      try {
        const row = await tx
          .insertInto('subject_access_requests')
          .values({
            partnership_id: user.partnershipId,
            subject_kind: form.subjectKind,
            subject_id: form.subjectId,
            requester_kind: form.requesterKind,
            requester_name: form.requesterName,
            received_on: form.receivedOn,
            due_on: sql<string>`lantern_statutory_due_on(${form.receivedOn}::date)`,
            language: form.language,
            created_by: user.userId,
            created_by_name: user.displayName,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        id = row.id;
      } catch (error) {
        if (code(error) === foreignKeyViolation) throw new LanternError('LANTERN_E_VALIDATION', 'no such subject');
        throw error;
      }
      await act.audit({
        action: 'subject_access.log',
        recordType: form.subjectKind,
        recordId: form.subjectId,
        details: { request: id, requesterKind: form.requesterKind, receivedOn: form.receivedOn },
      });
      return id;
    });
  }

  /** One request of the register. */
  get(user: SessionUser, id: string) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), (tx) => this.requestIn(tx, id));
  }

  private async requestIn(tx: Tx, id: string) {
    const r = await tx
      .selectFrom('subject_access_requests')
      .select([
        'id',
        'subject_kind',
        'subject_id',
        'subject_label',
        'requester_kind',
        'requester_name',
        'received_on',
        'due_on',
        'language',
        'status',
        'created_by_name',
        'created_at',
        'updated_by_name',
        'updated_at',
        'released_at',
        'release_summary',
      ])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound();
    const isOpen = open.includes(r.status as RequestStatus);
    const daysLeft = isOpen ? daysBetween(this.today(), asDate(r.due_on)) : null;
    const summary = r.release_summary as { rowCounts: Record<string, number>; redacted: number } | null;
    return {
      ...r,
      subject_kind: r.subject_kind as SubjectKind,
      language: r.language as 'en' | 'cy',
      status: r.status as RequestStatus,
      received_on: asDate(r.received_on),
      due_on: asDate(r.due_on),
      open: isOpen,
      daysLeft,
      overdue: daysLeft !== null && daysLeft < 0,
      releasedRows: summary ? Object.values(summary.rowCounts).reduce((a, b) => a + b, 0) : null,
      releasedRedacted: summary?.redacted ?? null,
    };
  }

  /** The subject's rows, the third parties they name, and what is flagged — read under the request. */
  private async collectIn(tx: Tx, id: string) {
    const request = await this.requestIn(tx, id);
    if (!request.open) throw notFound();
    let collected: { rows: CollectedRow[]; thirdParties: ThirdParty[] };
    try {
      const { rows } = await sql<{ c: { rows: CollectedRow[]; thirdParties: ThirdParty[] } }>`SELECT lantern_sar_collect(${id}::uuid) AS c`.execute(tx);
      collected = rows[0]!.c;
    } catch (error) {
      if (code(error) === noData) throw notFound();
      throw error;
    }
    const flagged = flagThirdParty(collected.rows, collected.thirdParties, { kind: request.subject_kind, id: request.subject_id });
    const stored = await tx.selectFrom('subject_access_redactions').select(['item_key', 'decision']).where('request_id', '=', id).execute();
    const decisions = new Map(stored.map((d) => [d.item_key, d.decision as 'redact' | 'release']));
    const rowCounts: Record<string, number> = {};
    for (const r of collected.rows) rowCounts[r.table] = (rowCounts[r.table] ?? 0) + 1;
    return { request, rows: collected.rows, flagged, decisions, rowCounts };
  }

  /**
   * The redaction page: every flagged item with its decision. Reading it is the DPO's view of the
   * subject's record, audited; it changes nothing (the first decisions saved move the request into
   * preparation).
   */
  review(user: SessionUser, id: string) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { request, flagged, decisions, rowCounts } = await this.collectIn(tx, id);
      await act.audit({
        action: 'subject_access.review',
        recordType: request.subject_kind,
        recordId: request.subject_id,
        details: { request: id, rowCounts, flagged: flagged.length },
      });
      const items = flagged.map((f) => ({ ...f, decision: decisions.get(f.key) ?? null }));
      return {
        request,
        items,
        rowCounts,
        undecided: items.filter((i) => !i.decision).length,
      };
    });
  }

  /** Stores the DPO's decisions (only for items flagged now); every item decided makes the request ready for release. */
  decide(user: SessionUser, id: string, posted: ReadonlyMap<string, 'redact' | 'release'>) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { request, flagged, decisions } = await this.collectIn(tx, id);
      const known = new Set(flagged.map((f) => f.key));
      let changed = 0;
      for (const [key, decision] of posted) {
        if (!known.has(key) || decisions.get(key) === decision) continue;
        await tx
          .insertInto('subject_access_redactions')
          .values({ partnership_id: user.partnershipId, request_id: id, item_key: key, decision, decided_by: user.userId, decided_by_name: user.displayName })
          .onConflict((oc) =>
            oc
              .columns(['request_id', 'item_key'])
              .doUpdateSet({ decision, decided_by: user.userId, decided_by_name: user.displayName, decided_at: this.clock.now() }),
          )
          .execute();
        decisions.set(key, decision);
        changed++;
      }
      const undecided = flagged.filter((f) => !decisions.has(f.key)).length;
      const status: RequestStatus = undecided === 0 ? 'ready_for_release' : 'in_preparation';
      if (status !== request.status) await this.setStatus(tx, user, id, status);
      const redact = flagged.filter((f) => decisions.get(f.key) === 'redact').length;
      await act.audit({
        action: 'subject_access.redactions',
        recordType: request.subject_kind,
        recordId: request.subject_id,
        details: { request: id, changed, redact, release: flagged.length - redact - undecided, undecided },
      });
      return { undecided };
    });
  }

  /**
   * Releases the export: collects again, applies the decisions (an undecided item is redacted, though a
   * request is ready only when none is), renders the PDF by `print`, zips both, keeps the ZIP on the
   * request and audits what was disclosed (tables and row counts). A security event (export).
   */
  release(user: SessionUser, id: string, print: (doc: SubjectAccessDocument) => Promise<Buffer>) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { request, rows, flagged, decisions, rowCounts } = await this.collectIn(tx, id);
      if (request.status !== 'ready_for_release') throw new LanternError('LANTERN_E_CONFLICT', 'not ready for release');
      const now = this.clock.now();
      const { tables, redacted } = applyRedactions(rows, flagged, decisions);
      const doc: SubjectAccessDocument = {
        request: {
          id,
          subjectKind: request.subject_kind,
          subjectId: request.subject_id,
          subjectLabel: request.subject_label,
          receivedOn: request.received_on,
          dueOn: request.due_on,
          language: request.language,
        },
        generatedAt: now.toISOString(),
        tables,
        rowCounts,
        redacted,
      };
      const pdf = await print(doc);
      const zip = new JSZip();
      const json = JSON.stringify({ ...doc, format: 'lantern-subject-access/1' }, null, 2);
      zip.file('subject-access.json', json, { date: now });
      zip.file('subject-access.pdf', pdf, { date: now });
      const body = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
      const summary = { rowCounts, redacted, flagged: flagged.length, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
      await tx
        .updateTable('subject_access_requests')
        .set({
          status: 'released',
          released_at: now,
          release_zip: body,
          release_summary: JSON.stringify(summary),
          updated_by: user.userId,
          updated_by_name: user.displayName,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      await act.audit({
        action: 'subject_access.release',
        recordType: request.subject_kind,
        recordId: request.subject_id,
        details: { request: id, ...summary },
      });
      return summary;
    });
  }

  /** The released ZIP, as released; downloading it is audited. */
  download(user: SessionUser, id: string) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx
        .selectFrom('subject_access_requests')
        .select(['subject_kind', 'subject_id', 'release_zip'])
        .where('id', '=', id)
        .where('status', '=', 'released')
        .executeTakeFirst();
      if (!r?.release_zip) throw notFound();
      await act.audit({ action: 'subject_access.download', recordType: r.subject_kind, recordId: r.subject_id, details: { request: id } });
      return Buffer.from(r.release_zip);
    });
  }

  /** Withdraws an open request (the requester withdrew it), audited. */
  withdraw(user: SessionUser, id: string) {
    assertCan(user, 'subject-access.manage');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const request = await this.requestIn(tx, id);
      if (!request.open) throw notFound();
      await this.setStatus(tx, user, id, 'withdrawn');
      await act.audit({ action: 'subject_access.withdraw', recordType: request.subject_kind, recordId: request.subject_id, details: { request: id } });
    });
  }

  private async setStatus(tx: Tx, user: SessionUser, id: string, status: RequestStatus) {
    await tx
      .updateTable('subject_access_requests')
      .set({ status, updated_by: user.userId, updated_by_name: user.displayName, updated_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }
}

/** Every flagged item's kind of reason, for the page's words. */
export type { FlaggedItem };

const asDate = (value: string | Date): string => (typeof value === 'string' ? value.slice(0, 10) : londonDate(value));
