import type { SessionUser } from '../../auth/service.ts';
import type { ActAuditEntry, Tx } from '../../db/context.ts';
import { notFound } from '../../errors.ts';
import { textIn } from '../assessments/tool/definition.ts';
import type { Answers, ScoredAssessment } from '../assessments/tool/engine.ts';
import type { MeetingForm } from './schema.ts';

/** Lookups every casework service makes first, inside its own audited transaction. */

export interface ChildSummary {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  owning_agency_id: string;
  /** The current risk level by the one rule (migration 0170), where it came from and its date. */
  current_risk_level: string | null;
  current_risk_source: string | null;
  current_risk_source_id: string | null;
  current_risk_on: string | null;
}

/** The child as row-level security lets this actor see it, or 404. Casework stays in the child's own partnership. */
export async function caseworkChild(tx: Tx, user: SessionUser, id: string): Promise<ChildSummary> {
  const row = await tx
    .selectFrom('children')
    .select([
      'id',
      'reference',
      'given_name',
      'family_name',
      'date_of_birth',
      'owning_agency_id',
      'partnership_id',
      'current_risk_level',
      'current_risk_source',
      'current_risk_source_id',
      'current_risk_on',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || row.partnership_id !== user.partnershipId) throw notFound();
  const { partnership_id: _partnership, ...child } = row;
  return child;
}

/** The agencies a casework form offers, by name. */
export function agencyOptions(tx: Tx) {
  return tx.selectFrom('agencies').select(['id', 'name', 'kind']).orderBy('name').execute();
}

/** A strategy meeting's columns as its form gives them: a new meeting and a corrected one are written alike. */
export const meetingColumns = (form: MeetingForm) => ({
  meeting_kind: form.meetingKind,
  held_on: form.heldOn,
  attending_agency_ids: form.attendingAgencyIds,
  attendees: form.attendees,
  decisions: form.decisions,
  risk_level: form.riskLevel,
  next_review_on: form.nextReviewOn,
});

/** Marks a plan action of the child done at `doneAt`, or open again (null); 404 when it is not the child's or already so. */
export async function markAction(tx: Tx, childId: string, actionId: string, doneAt: Date | null): Promise<void> {
  const r = await tx
    .updateTable('plan_actions')
    .set({ done_at: doneAt })
    .where('id', '=', actionId)
    .where('child_id', '=', childId)
    .where('done_at', doneAt ? 'is' : 'is not', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw notFound();
}

/** A risk assessment's answers and the tool's score of them: a recorded assessment and a seeded one are written alike. */
export const scoreColumns = (answers: Answers, s: ScoredAssessment) => ({
  answers: JSON.stringify(answers),
  score_total: s.total,
  score_category: s.category.key,
  score_category_label: textIn(s.category.label, 'en'),
  score_level: s.suggestedLevel,
  score_explanation: JSON.stringify(s.explanation),
});

/*
 * The audit rows of a child's casework, each naming the child: a page of the record read (and what
 * it showed), a record added to it, one of its records changed. `more` follows in the details.
 */

/** A page of the child's record was read. */
export const pageViewed = (childId: string, page: string, more: Record<string, unknown> = {}): ActAuditEntry => ({
  action: 'record.view',
  recordType: 'child',
  recordId: childId,
  details: { page, ...more },
});

/** A record (`record`, its id) was added to the child's casework. */
export const recordCreated = (childId: string, record: string, id: string, more: Record<string, unknown> = {}): ActAuditEntry => ({
  action: 'record.create',
  recordType: 'child',
  recordId: childId,
  details: { record, id, ...more },
});

/** One of the child's records changed: `more` says how (`change`, and before → after where it is not free text). */
export const recordChanged = (childId: string, record: string, id: string, more: Record<string, unknown>): ActAuditEntry => ({
  action: 'record.update',
  recordType: 'child',
  recordId: childId,
  details: { record, id, ...more },
});
