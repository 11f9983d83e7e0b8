import type { SessionUser } from '../../auth/service.ts';
import type { Tx } from '../../db/context.ts';
import { notFound } from '../../errors.ts';
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
