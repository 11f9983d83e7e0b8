import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { londonDate, type IsoDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import type { AddFlagForm, CorrectFlagForm, EndFlagForm, FlagKind } from './flag-schema.ts';
import { agencyChoices } from './repository.ts';

/** A flag refused after its form was valid (a date in the future, an end before the start, a second open flag): the field and the message's key. */
export class FlagValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
    /** The record's state refuses it (a second open flag, an ended flag ended again), not the values given. */
    readonly conflict = false,
  ) {
    super(messageKey);
  }
}

/** The columns a flag's details fill, from a form; details that belong to another kind are dropped. */
function detailColumns(kind: FlagKind, form: Omit<AddFlagForm, 'kind'>) {
  const lookedAfter = kind === 'looked_after';
  const nrm = kind === 'trafficking_nrm';
  return {
    started_on: form.startedOn!,
    source: form.source,
    source_agency_id: form.sourceAgencyId,
    note: form.note,
    placing_authority: lookedAfter ? form.placingAuthority : null,
    placed_here_by_other_authority: lookedAfter && form.placedHereByOtherAuthority,
    placed_out_of_area: lookedAfter && form.placedOutOfArea,
    nrm_referred_on: nrm ? form.nrmReferredOn : null,
    nrm_decision: nrm ? form.nrmDecision : null,
  };
}

/**
 * A child's cohort flags (migration 0130): looked after, child protection plan, NRM referral … each
 * over a period, with its source. Adding, ending and correcting each write the flag, a row of
 * child_flag_changes (what the chronology reads) and the audit row, in one transaction.
 */
export class ChildFlagService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private async child(tx: Tx, user: SessionUser, id: string) {
    const row = await tx
      .selectFrom('children')
      .select(['id', 'reference', 'given_name', 'family_name', 'partnership_id', 'current_risk_level', 'current_risk_source', 'current_risk_on'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.partnership_id !== user.partnershipId) throw notFound();
    return row;
  }

  /** The flags page: the child, every flag (open first, then by start), their changes and the agencies a source may name. */
  flagsPage(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await this.child(tx, user, childId);
      const flags = await tx
        .selectFrom('child_flags as f')
        .leftJoin('agencies as a', 'a.id', 'f.source_agency_id')
        .selectAll('f')
        .select('a.name as source_agency')
        .where('f.child_id', '=', childId)
        .orderBy((eb) => eb.case().when('f.ended_on', 'is', null).then(0).else(1).end())
        .orderBy('f.started_on', 'desc')
        .execute();
      const changes = await tx
        .selectFrom('child_flag_changes')
        .select(['id', 'flag_id', 'kind', 'change', 'changed_fields', 'reason', 'changed_at', 'changed_by_name'])
        .where('child_id', '=', childId)
        .orderBy('changed_at', 'desc')
        .limit(200)
        .execute();
      const agencies = await agencyChoices(tx);
      await act.audit({ action: 'record.view', recordType: 'child', recordId: childId, details: { page: 'flags' } });
      return { child, flags, changes, agencies };
    });
  }

  private today(): IsoDate {
    return londonDate(this.clock.now());
  }

  private checkDates(started: IsoDate | null, ended: IsoDate | null, nrm: IsoDate | null) {
    const today = this.today();
    if (started && started > today) throw new FlagValidationError('startDate', 'children.childFlags.errors.startInFuture');
    if (nrm && nrm > today) throw new FlagValidationError('nrmReferredOn', 'children.childFlags.errors.nrmInFuture');
    if (ended && ended > today) throw new FlagValidationError('endDate', 'children.childFlags.errors.endInFuture');
    if (ended && started && ended < started) throw new FlagValidationError('endDate', 'children.childFlags.errors.endBeforeStart');
  }

  private async record(
    tx: Tx,
    user: SessionUser,
    flag: { id: string; child_id: string; kind: string },
    change: 'added' | 'ended' | 'corrected',
    fields: Record<string, unknown>,
    reason: string | null,
  ) {
    await tx
      .insertInto('child_flag_changes')
      .values({
        partnership_id: user.partnershipId,
        child_id: flag.child_id,
        flag_id: flag.id,
        kind: flag.kind,
        change,
        changed_fields: JSON.stringify(fields),
        reason,
        changed_at: this.clock.now(),
        changed_by: user.userId,
        changed_by_name: user.displayName,
      })
      .execute();
  }

  addFlag(user: SessionUser, childId: string, form: AddFlagForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.child(tx, user, childId);
      this.checkDates(form.startedOn, null, form.nrmReferredOn);
      const open = await tx
        .selectFrom('child_flags')
        .select('id')
        .where('child_id', '=', childId)
        .where('kind', '=', form.kind)
        .where('ended_on', 'is', null)
        .executeTakeFirst();
      if (open) throw new FlagValidationError('kind', 'children.childFlags.errors.alreadyOpen', true);
      const now = this.clock.now();
      const flag = await tx
        .insertInto('child_flags')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          kind: form.kind,
          ...detailColumns(form.kind, form),
          created_at: now,
          updated_at: now,
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .returning(['id', 'child_id', 'kind'])
        .executeTakeFirstOrThrow();
      await this.record(tx, user, flag, 'added', { startedOn: form.startedOn }, null);
      await act.audit({ action: 'record.update', recordType: 'child', recordId: childId, details: { flag: form.kind, change: 'added', flagId: flag.id } });
      return flag;
    });
  }

  private async openFlag(tx: Tx, user: SessionUser, childId: string, flagId: string) {
    await this.child(tx, user, childId);
    const flag = await tx.selectFrom('child_flags').selectAll().where('id', '=', flagId).where('child_id', '=', childId).forUpdate().executeTakeFirst();
    if (!flag) throw notFound();
    return flag;
  }

  endFlag(user: SessionUser, childId: string, flagId: string, form: EndFlagForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const flag = await this.openFlag(tx, user, childId, flagId);
      if (flag.ended_on !== null) throw new FlagValidationError('endDate', 'children.childFlags.errors.alreadyEnded', true);
      this.checkDates(flag.started_on, form.endedOn, null);
      await tx
        .updateTable('child_flags')
        .set({ ended_on: form.endedOn, ended_at: this.clock.now(), ended_by: user.userId, ended_by_name: user.displayName, updated_at: this.clock.now() })
        .where('id', '=', flagId)
        .execute();
      await this.record(tx, user, flag, 'ended', { endedOn: form.endedOn }, form.reason);
      await act.audit({
        action: 'record.update',
        recordType: 'child',
        recordId: childId,
        ...(form.reason ? { reason: form.reason } : {}),
        details: { flag: flag.kind, change: 'ended', flagId },
      });
    });
  }

  correctFlag(user: SessionUser, childId: string, flagId: string, form: CorrectFlagForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const flag = await this.openFlag(tx, user, childId, flagId);
      // An open flag stays open unless an end date is given; an ended one keeps an end date.
      if (flag.ended_on !== null && !form.endedOn) throw new FlagValidationError('endDate', 'children.childFlags.errors.endRequired');
      this.checkDates(form.startedOn, form.endedOn, form.nrmReferredOn);
      const values = { ...detailColumns(flag.kind as FlagKind, form), ended_on: form.endedOn };
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const [key, to] of Object.entries(values)) {
        const from = (flag as Record<string, unknown>)[key] ?? null;
        if (JSON.stringify(from) !== JSON.stringify(to ?? null)) changed[key] = { from, to };
      }
      if (Object.keys(changed).length === 0) return { changed: [] };
      const now = this.clock.now();
      const ending = flag.ended_on === null && form.endedOn !== null;
      await tx
        .updateTable('child_flags')
        .set({
          ...values,
          updated_at: now,
          ...(ending ? { ended_at: now, ended_by: user.userId, ended_by_name: user.displayName } : {}),
        })
        .where('id', '=', flagId)
        .execute();
      await this.record(tx, user, flag, 'corrected', changed, form.reason);
      await act.audit({
        action: 'record.update',
        recordType: 'child',
        recordId: childId,
        reason: form.reason,
        details: { flag: flag.kind, change: 'corrected', flagId, changed: Object.keys(changed) },
      });
      return { changed: Object.keys(changed) };
    });
  }
}
