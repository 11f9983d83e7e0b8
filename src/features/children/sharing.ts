import { sql } from 'kysely';
import type { Clock, SessionUser } from '../../auth/service.ts';
import type { Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { changeChild } from './repository.ts';
import type { ShareAgencyForm, SharePartnershipForm } from './schema.ts';

/** Sharing a child's record with agencies and neighbouring partnerships, and stopping a share. */
export class SharingService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Only the owning agency's case workers and the partnership-wide roles manage a child's shares (L2). */
  private async assertMayManageShares(tx: Tx, id: string) {
    const r = await sql<{ ok: boolean }>`SELECT lantern_may_manage_shares(${id}::uuid) AS ok`.execute(tx);
    if (!r.rows[0]?.ok) throw new LanternError('LANTERN_E_FORBIDDEN', 'only the owning agency manages shares');
  }

  /** Shares the record with another agency of the partnership, recording the lawful basis. */
  shareWithAgency(user: SessionUser, id: string, form: ShareAgencyForm) {
    return changeChild(this.db, user, id, 'record.share', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.shareAgencyId).executeTakeFirst();
      if (!agency) throw notFound();
      await tx
        .insertInto('record_shares')
        .values({
          partnership_id: user.partnershipId,
          record_type: 'child',
          record_id: id,
          agency_id: form.shareAgencyId,
          lawful_basis: form.lawfulBasis,
          shared_by: user.userId,
        })
        .onConflict((oc) =>
          oc.columns(['record_type', 'record_id', 'agency_id']).doUpdateSet({
            lawful_basis: form.lawfulBasis,
            revoked_at: null,
            revoked_by: null,
            revoked_reason: null,
            shared_by: user.userId,
            // Shared by hand now: the share outlives the plan that may have opened it (migration 0170).
            automatic_source: null,
            source_meeting_id: null,
            source_action_id: null,
          }),
        )
        .execute();
      return { reason: form.lawfulBasis, details: { agencyId: form.shareAgencyId } };
    });
  }

  /** Discloses the core record to a neighbouring partnership: only under a live sharing agreement with it. */
  shareWithPartnership(user: SessionUser, id: string, form: SharePartnershipForm) {
    return changeChild(this.db, user, id, 'record.share', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const agreement = await tx
        .selectFrom('sharing_agreements')
        .select(['id', 'recipient_partnership_id'])
        .where('id', '=', form.agreementId)
        .where('partnership_id', '=', user.partnershipId)
        .where('starts_on', '<=', sql<string>`current_date`)
        .where((eb) => eb.or([eb('ends_on', 'is', null), eb('ends_on', '>=', sql<string>`current_date`)]))
        .executeTakeFirst();
      if (!agreement) throw new LanternError('LANTERN_E_VALIDATION', 'no live sharing agreement');
      const receiving = (await sql<{ id: string }>`SELECT id FROM lantern_agreement_agencies(${agreement.id}::uuid)`.execute(tx)).rows.map((r) => r.id);
      if (form.recipientAgencyIds.some((a) => !receiving.includes(a))) throw notFound('agency');
      await tx
        .insertInto('child_partnership_shares')
        .values({
          partnership_id: user.partnershipId,
          child_id: id,
          agreement_id: agreement.id,
          recipient_partnership_id: agreement.recipient_partnership_id,
          lawful_basis: form.partnershipBasis,
          shared_by: user.userId,
          recipient_agency_ids: form.recipientAgencyIds,
        })
        .execute();
      return {
        reason: form.partnershipBasis,
        details: { recipientPartnershipId: agreement.recipient_partnership_id, agreementId: agreement.id, recipientAgencyIds: form.recipientAgencyIds },
      };
    });
  }

  /**
   * Stops a share with an agency or a neighbouring partnership: from then on row-level security
   * no longer lets them read the child. Who stopped it and why are kept on the share and audited
   * in the owning partnership's chain, where the share was.
   */
  stopSharing(user: SessionUser, id: string, kind: 'agency' | 'partnership', shareId: string, reason: string) {
    return changeChild(this.db, user, id, 'record.unshare', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const revocation = { revoked_at: this.clock.now(), revoked_by: user.userId, revoked_reason: reason };
      if (kind === 'agency') {
        const share = await tx
          .updateTable('record_shares')
          .set(revocation)
          .where('id', '=', shareId)
          .where('record_type', '=', 'child')
          .where('record_id', '=', id)
          .where('revoked_at', 'is', null)
          .returning(['agency_id', 'lawful_basis'])
          .executeTakeFirst();
        if (!share) throw notFound();
        return { reason, details: { shareId, kind, agencyId: share.agency_id, lawfulBasis: share.lawful_basis } };
      }
      const share = await tx
        .updateTable('child_partnership_shares')
        .set(revocation)
        .where('id', '=', shareId)
        .where('child_id', '=', id)
        .where('revoked_at', 'is', null)
        .returning(['recipient_partnership_id', 'agreement_id', 'lawful_basis'])
        .executeTakeFirst();
      if (!share) throw notFound();
      return {
        reason,
        details: { shareId, kind, recipientPartnershipId: share.recipient_partnership_id, agreementId: share.agreement_id, lawfulBasis: share.lawful_basis },
      };
    });
  }
}
