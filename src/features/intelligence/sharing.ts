import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { locationRow, personRow, personName } from './repository.ts';
import { IntelligenceValidationError, auditRecordType } from './service.ts';
import type { IntelShareForm, SharedEntityKind } from './share-schema.ts';
import {
  crossBoundaryPersons,
  liveAgreement,
  liveAgreements,
  ownEntity,
  sharesPage,
  standingShare,
  withdrawShare,
  type CrossBoundaryPerson,
} from './sharing-repository.ts';

/**
 * Intelligence across boundaries (issue 12 §6): a person of concern or a location flagged to a
 * neighbouring partnership under a live sharing agreement, the list of shares, and withdrawing one.
 * Row-level security (migration 0340) decides what the neighbour reads; every read and change is
 * audited in the acting partnership's chain, in the same transaction.
 */
export class IntelSharingService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The share form: the entity's name and the live agreements of the acting partnership to share under. */
  shareForm(user: SessionUser, kind: SharedEntityKind, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await ownEntity(tx, user.partnershipId, kind, id))) throw notFound();
      const record = kind === 'person' ? await personRow(tx, id) : await locationRow(tx, id);
      if (!record) throw notFound();
      const agreements = await liveAgreements(tx, user.partnershipId);
      await act.audit({ action: 'record.view', recordType: auditRecordType[kind], recordId: id, details: { page: 'share with a neighbouring partnership' } });
      const name = 'name' in record ? record.name : personName(record);
      return { name, agreements };
    });
  }

  /** Shares the entity with the partnership an agreement names; the share's id. */
  share(user: SessionUser, kind: SharedEntityKind, id: string, form: IntelShareForm): Promise<string> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await ownEntity(tx, user.partnershipId, kind, id))) throw notFound();
      const agreement = await liveAgreement(tx, user.partnershipId, form.agreementId);
      if (!agreement) throw new IntelligenceValidationError('agreementId', 'crossBoundary.errors.agreementRequired');
      if (await standingShare(tx, id, agreement.recipient_partnership_id))
        throw new IntelligenceValidationError('agreementId', 'crossBoundary.errors.alreadyShared');
      const row = await tx
        .insertInto('intel_shares')
        .values({
          partnership_id: user.partnershipId,
          shared_with_partnership_id: agreement.recipient_partnership_id,
          entity_kind: kind,
          entity_id: id,
          agreement_id: agreement.id,
          reason: form.reason,
          shared_by: user.userId,
          shared_by_name: user.displayName,
          shared_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.share',
        recordType: auditRecordType[kind],
        recordId: id,
        reason: form.reason,
        details: { shareId: row.id, sharedWithPartnershipId: agreement.recipient_partnership_id, agreementId: agreement.id },
      });
      return row.id;
    });
  }

  /** Withdraws a standing share of the acting partnership: from now on the neighbour reads nothing of the entity. */
  withdraw(user: SessionUser, shareId: string): Promise<{ kind: SharedEntityKind; id: string }> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const share = await withdrawShare(tx, user.partnershipId, shareId, { at: this.clock.now(), userId: user.userId, name: user.displayName });
      if (!share) throw notFound();
      const kind = share.entity_kind as SharedEntityKind;
      await act.audit({
        action: 'record.unshare',
        recordType: auditRecordType[kind],
        recordId: share.entity_id,
        details: { shareId, sharedWithPartnershipId: share.shared_with_partnership_id, agreementId: share.agreement_id },
      });
      return { kind, id: share.entity_id };
    });
  }

  /** The shares page: made by the acting partnership, and made with it; the list audited. */
  list(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const page = await sharesPage(tx, user.partnershipId);
      await act.audit({
        action: 'record.view',
        recordType: 'intelligence',
        details: { list: 'intelligence shares', byUs: page.byUs.length, withUs: page.withUs.length },
        disclosedIds: [...page.byUs, ...page.withUs].filter((s) => s.label !== null).map((s) => s.entity_id),
      });
      return page;
    });
  }

  /** Persons of concern shared to or by the acting partnership now, for its MACE agenda; audited as a list. */
  crossBoundaryPersons(user: SessionUser): Promise<CrossBoundaryPerson[]> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const persons = await crossBoundaryPersons(tx, user.partnershipId);
      await act.audit({
        action: 'record.view',
        recordType: 'intelligence',
        details: { list: 'cross-boundary persons', results: persons.length },
        disclosedIds: persons.map((p) => p.personId),
      });
      return persons;
    });
  }
}
