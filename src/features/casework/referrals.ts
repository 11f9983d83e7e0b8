import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { londonDate } from '../../dates.ts';
import { notFound } from '../../errors.ts';
import { searchServices } from '../assurance/directory.ts';
import type { ReferralForm, ReferralUpdate } from './schema.ts';
import { recordChanged, recordCreated } from './lookups.ts';

/** A referral could not be saved as asked: the field and the translation key of the problem. */
export class ReferralValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/** A child's referrals to services of the directory, newest first (read inside the page's own audited transaction). */
export async function referralsOf(tx: Tx, childId: string) {
  return tx
    .selectFrom('service_referrals as r')
    .innerJoin('directory_services as s', 's.id', 'r.service_id')
    .innerJoin('agencies as a', 'a.id', 'r.referred_by_agency_id')
    .select([
      'r.id',
      'r.referred_on',
      'r.referred_by_name',
      'r.referred_by_agency_id',
      'r.status',
      'r.outcome_note',
      'r.updated_at',
      's.id as service_id',
      's.name as service_name',
      's.provider',
      's.contact',
      'a.name as agency_name',
    ])
    .where('r.child_id', '=', childId)
    .orderBy('r.referred_on', 'desc')
    .orderBy('r.created_at', 'desc')
    .execute();
}

/** Referrals from a child's plan to services of the partnership's services directory. */
export class ReferralService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The child as row-level security lets this actor see it, or 404 (as CaseworkService does). */
  private async child(tx: Tx, user: SessionUser, id: string) {
    const row = await tx.selectFrom('children').select(['id', 'partnership_id']).where('id', '=', id).executeTakeFirst();
    if (!row || row.partnership_id !== user.partnershipId) throw notFound();
    return row;
  }

  /** Services matching the plan page's directory search (no personal data); all active services when nothing is typed. */
  directory(user: SessionUser, words: string) {
    return withActor(this.db, actorOf(user), async (tx) => (await searchServices(tx, { q: words || undefined })).slice(0, 25));
  }

  create(user: SessionUser, childId: string, form: ReferralForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const service = await tx
        .selectFrom('directory_services')
        .select(['id', 'name'])
        .where('id', '=', form.serviceId)
        .where('active', '=', true)
        .executeTakeFirst();
      if (!service) throw new ReferralValidationError('serviceId', 'casework.validation.referralService');
      const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.referredByAgencyId).executeTakeFirst();
      if (!agency) throw new ReferralValidationError('referredByAgencyId', 'casework.validation.agencyRequired');
      if (form.referredOn > londonDate(this.clock.now())) throw new ReferralValidationError('referredOn', 'casework.validation.referralFuture');
      const row = await tx
        .insertInto('service_referrals')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          service_id: service.id,
          referred_on: form.referredOn,
          referred_by_name: form.referredByName,
          referred_by_agency_id: form.referredByAgencyId,
          status: form.status,
          outcome_note: form.outcomeNote,
          recorded_by: user.userId,
          created_at: this.clock.now(),
          updated_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit(recordCreated(childId, 'service_referral', row.id, { service: service.name, status: form.status }));
      return row.id;
    });
  }

  update(user: SessionUser, childId: string, referralId: string, form: ReferralUpdate) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      const before = await tx
        .selectFrom('service_referrals')
        .select(['status'])
        .where('id', '=', referralId)
        .where('child_id', '=', childId)
        .executeTakeFirst();
      if (!before) throw notFound();
      await tx
        .updateTable('service_referrals')
        .set({ status: form.status, outcome_note: form.outcomeNote, updated_at: this.clock.now() })
        .where('id', '=', referralId)
        .execute();
      await act.audit(recordChanged(childId, 'service_referral', referralId, { status: { from: before.status, to: form.status } }));
    });
  }
}
