import crypto from 'node:crypto';
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { subHours } from '../../dates.ts';
import { withActor, type Act, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { matchNewChild } from '../linkage/live/service.ts';
import { agencyChoices, findMatches, restrictedMatchCount } from './repository.ts';
import type { ChildSearch, NewChild, TriageDecision } from './schema.ts';

/** The triage queue shows the concerns with the nearest deadlines; the triage worklist pages through the rest. */
const triageShown = 50;
const triageCountCap = 1000;

const childReference = () => `CH-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;

/** Triage: the queue of concerns against their deadlines, near-duplicate checks and the decision (linking or creating the child). */
export class TriageService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The triage queue: undecided concerns by deadline, and recent decisions, with breaches marked. */
  triageQueue(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const now = this.clock.now();
      const columns = [
        'q.id',
        'q.reference',
        'q.source',
        'q.reporter_kind',
        'q.received_at',
        'q.deadline_at',
        'q.decision',
        'q.decided_at',
        'q.risk_level',
        'q.about_text',
        'a.name as acting_agency',
      ] as const;
      const open = await tx
        .selectFrom('concerns as q')
        .leftJoin('agencies as a', 'a.id', 'q.acting_agency_id')
        .select(columns)
        .where('q.decision', 'is', null)
        .orderBy('q.deadline_at')
        .limit(triageShown)
        .execute();
      // How many wait in all, counted from the queue's partial index up to a cap.
      const waiting =
        open.length < triageShown
          ? open.length
          : (
              await tx
                .selectFrom('concerns')
                .select('id')
                .where('decision', 'is', null)
                .limit(triageCountCap + 1)
                .execute()
            ).length;
      const decided = await tx
        .selectFrom('concerns as q')
        .leftJoin('agencies as a', 'a.id', 'q.acting_agency_id')
        .select(columns)
        .where('q.decision', 'is not', null)
        .orderBy('q.decided_at', 'desc')
        .limit(25)
        .execute();
      const partnership = await tx.selectFrom('partnerships').select('triage_hours').where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      // Breaches in the last 30 days: decided after the deadline, or still undecided past it.
      const since = subHours(now, 30 * 24);
      const breaches = await tx
        .selectFrom('concerns')
        .select((eb) => [
          eb.fn
            .count<number>('id')
            .filterWhere(sql<boolean>`decided_at > deadline_at`)
            .as('late'),
          eb.fn
            .count<number>('id')
            .filterWhere(sql<boolean>`decided_at IS NULL AND deadline_at < ${now}`)
            .as('overdue'),
          eb.fn.countAll<number>().as('total'),
        ])
        .where('received_at', '>=', since)
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.view',
        recordType: 'triage_queue',
        details: { open: open.length },
        disclosedIds: [...open, ...decided].map((q) => q.id),
      });
      const withTime = <R extends { deadline_at: Date; decided_at: Date | null }>(r: R) => ({
        ...r,
        minutesLeft: Math.round((new Date(r.deadline_at).getTime() - now.getTime()) / 60_000),
        breached: r.decided_at ? new Date(r.decided_at) > new Date(r.deadline_at) : now > new Date(r.deadline_at),
      });
      return {
        open: open.map(withTime),
        decided: decided.map(withTime),
        triageHours: partnership.triage_hours,
        waiting: Math.min(waiting, triageCountCap),
        waitingCapped: waiting > triageCountCap,
        breaches: { late: Number(breaches.late), overdue: Number(breaches.overdue), total: Number(breaches.total) },
      };
    });
  }

  /** One concern for triage, with the agencies that can act and near-duplicate candidates for the search given. */
  getConcern(user: SessionUser, id: string, search?: ChildSearch | NewChild) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const concern = await tx
        .selectFrom('concerns as q')
        .leftJoin('agencies as raised', 'raised.id', 'q.raised_by_agency_id')
        .leftJoin('agencies as acting', 'acting.id', 'q.acting_agency_id')
        .leftJoin('children as c', 'c.id', 'q.child_id')
        .leftJoin('campaigns as camp', 'camp.id', 'q.heard_via_campaign_id')
        .selectAll('q')
        .select([
          'camp.title as heard_via_campaign',
          'raised.name as raised_by_agency',
          'acting.name as acting_agency',
          'c.reference as child_reference',
          'c.given_name as child_given_name',
          'c.family_name as child_family_name',
        ])
        .where('q.id', '=', id)
        .executeTakeFirst();
      if (!concern) throw notFound();
      const agencies = await agencyChoices(tx);
      const matches = search ? await findMatches(tx, search) : null;
      const restrictedMatches = search ? await restrictedMatchCount(tx, search) : 0;
      await act.audit({
        action: search ? 'search' : 'record.view',
        recordType: 'concern',
        recordId: id,
        ...(search ? { details: { criteria: search, results: matches?.length ?? 0, restrictedMatches }, disclosedIds: (matches ?? []).map((m) => m.id) } : {}),
      });
      const now = this.clock.now();
      return {
        concern,
        agencies,
        matches,
        restrictedMatch: restrictedMatches > 0,
        minutesLeft: Math.round((new Date(concern.deadline_at).getTime() - now.getTime()) / 60_000),
        breached: concern.decided_at ? new Date(concern.decided_at) > new Date(concern.deadline_at) : now > new Date(concern.deadline_at),
      };
    });
  }

  /**
   * Records the triage decision. Linking to a new child checks for near-duplicates first: unless the
   * worker confirms, a likely or possible match sends them back to choose the existing record, and a
   * restricted record they cannot see that matches strongly sends them back with a notice naming nobody.
   */
  decide(user: SessionUser, id: string, form: TriageDecision, newChild: NewChild | null, confirmNew: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const concern = await tx.selectFrom('concerns').select(['id', 'decision', 'child_id']).where('id', '=', id).executeTakeFirst();
      if (!concern) throw notFound();
      if (concern.decision) throw new LanternError('LANTERN_E_CONFLICT', 'already decided');
      let childId = concern.child_id;
      let restrictedMatches: number | undefined;
      if (form.link === 'existing' && form.childId) {
        const child = await tx.selectFrom('children').select('id').where('id', '=', form.childId).executeTakeFirst();
        if (!child) throw notFound();
        childId = child.id;
      }
      if (form.link === 'new' && newChild) {
        // Entry-time matching (issue 14 §2): candidates blocked in SQL, scored by the partnership's model.
        const close = await matchNewChild(tx, user.partnershipId, newChild);
        restrictedMatches = await restrictedMatchCount(tx, newChild);
        if ((close.length > 0 || restrictedMatches > 0) && !confirmNew) {
          // The warning lists records: a search of personal data, audited as one.
          await act.audit({
            action: 'search',
            recordType: 'concern',
            recordId: id,
            details: { criteria: newChild, results: close.length, restrictedMatches },
            disclosedIds: close.map((m) => m.id),
          });
          return { duplicates: close, restrictedMatch: restrictedMatches > 0 } as const;
        }
        childId = await this.createChild(tx, act, user, newChild, form.actingAgencyId ?? user.agencyId, {
          flag_cse: form.decision === 'cse_concern',
        });
      }
      await tx
        .updateTable('concerns')
        .set({
          decision: form.decision,
          risk_level: form.riskLevel,
          acting_agency_id: form.actingAgencyId,
          decision_notes: form.notes,
          decided_at: this.clock.now(),
          decided_by: user.userId,
          child_id: childId,
        })
        .where('id', '=', id)
        .execute();
      if (childId && form.actingAgencyId) {
        const involved = await tx
          .selectFrom('child_involvements')
          .select('id')
          .where('child_id', '=', childId)
          .where('agency_id', '=', form.actingAgencyId)
          .where('ended_on', 'is', null)
          .executeTakeFirst();
        if (!involved) {
          await tx.insertInto('child_involvements').values({ partnership_id: user.partnershipId, child_id: childId, agency_id: form.actingAgencyId }).execute();
        }
      }
      await act.audit({
        action: 'concern.triage',
        recordType: 'concern',
        recordId: id,
        details: {
          decision: form.decision,
          riskLevel: form.riskLevel,
          actingAgencyId: form.actingAgencyId,
          childId,
          link: form.link,
          ...(restrictedMatches === undefined ? {} : { restrictedMatches }),
        },
      });
      return { childId } as const;
    });
  }

  private async createChild(
    tx: Tx,
    act: Act,
    user: SessionUser,
    child: NewChild,
    owningAgencyId: string,
    // No risk level here: the decision's level reaches the child through the concern (migration 0170).
    extra: { flag_cse?: boolean } = {},
  ): Promise<string> {
    const created = await tx
      .insertInto('children')
      .values({
        partnership_id: user.partnershipId,
        owning_agency_id: owningAgencyId,
        reference: childReference(),
        given_name: child.givenName,
        family_name: child.familyName,
        date_of_birth: child.dateOfBirth,
        gender: child.gender,
        flag_cse: extra.flag_cse ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await act.audit({ action: 'record.create', recordType: 'child', recordId: created.id, details: { owningAgencyId } });
    return created.id;
  }
}
