import crypto from 'node:crypto';
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { aggregatesOnly } from '../../authz/policy.ts';
import { addHours, londonDate } from '../../dates.ts';
import { withActor, withAnonymous, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { newConcernReference } from './parsing.ts';
import type { ApiConcern, ProfessionalConcern, PublicConcern } from './schema.ts';

/** Concerns raised by the public (no account), by professionals and councillors, and listed for the JSON API. */
export class ConcernService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Partnerships a member of the public can send a concern to (names are public). */
  publicPartnerships() {
    return withAnonymous(this.db, (tx) => tx.selectFrom('partnerships').select(['id', 'name']).orderBy('name').execute());
  }

  /** The campaigns a reporter may say they heard of the form from, by partnership (migration 0252). */
  publicCampaigns() {
    return withAnonymous(this.db, async (tx) => {
      const today = londonDate(this.clock.now());
      const rows = await sql<{ partnership_id: string; id: string; title: string }>`SELECT * FROM lantern_public_campaigns(${today}::date)`.execute(tx);
      return rows.rows;
    });
  }

  /**
   * A concern from someone without an account. There is no actor, so one database function does the
   * whole of it (migration 0009): the concern, its deadline and its audit row as 'public'.
   */
  raisePublicConcern(form: PublicConcern, userAgent: string | null = null): Promise<{ reference: string }> {
    return withAnonymous(this.db, async (tx) => {
      const reference = newConcernReference((n) => crypto.randomBytes(n));
      try {
        const created = await sql<{ id: string; reference: string }>`SELECT * FROM lantern_raise_public_concern(
          ${form.partnershipId}::uuid, ${reference}, ${this.clock.now()}::timestamptz, ${form.whatHappened}, ${form.where}, ${form.when},
          ${form.occurredOn}::date, ${form.about}, ${form.contact}, ${form.anonymous}, ${userAgent},
          ${form.reporterKind}, ${form.heardFrom.heardVia}, ${form.heardFrom.campaignId}::uuid)`.execute(tx);
        return { reference: created.rows[0]!.reference };
      } catch (error) {
        if ((error as { code?: string }).code === '23503') throw new LanternError('LANTERN_E_VALIDATION', 'unknown partnership');
        throw error;
      }
    });
  }

  /** A concern from a signed-in professional (their agency recorded) or a councillor (who sees nothing identifying afterwards). */
  raiseConcern(
    user: SessionUser,
    form: ProfessionalConcern | ApiConcern,
    source: 'professional' | 'member' | 'partner_system' = aggregatesOnly(user.roles) ? 'member' : 'professional',
  ) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const partnership = await tx.selectFrom('partnerships').select(['id', 'triage_hours']).where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      let childId: string | null = null;
      const requestedChild = 'childId' in form ? form.childId : null;
      if (requestedChild && source !== 'member') {
        const child = await tx.selectFrom('children').select('id').where('id', '=', requestedChild).executeTakeFirst();
        if (!child) throw notFound();
        childId = child.id;
      }
      const created = await this.insertConcern(tx, partnership, {
        source,
        what_happened: form.whatHappened,
        where_text: form.where ?? null,
        when_text: form.when ?? null,
        occurred_on: form.occurredOn ?? null,
        about_text: form.about ?? null,
        contact_text: 'contact' in form ? (form.contact ?? null) : null,
        anonymous: false,
        raised_by: user.userId,
        raised_by_agency_id: user.agencyId,
        child_id: childId,
      });
      await act.audit({ action: 'concern.raise', recordType: 'concern', recordId: created.id, details: { source, childId } });
      return created;
    });
  }

  private async insertConcern(
    tx: Tx,
    partnership: { id: string; triage_hours: number },
    values: {
      source: string;
      what_happened: string;
      where_text: string | null;
      when_text: string | null;
      occurred_on: string | null;
      about_text: string | null;
      contact_text: string | null;
      anonymous: boolean;
      raised_by?: string;
      raised_by_agency_id?: string;
      child_id?: string | null;
    },
  ) {
    const received = this.clock.now();
    const deadline = addHours(received, partnership.triage_hours);
    return tx
      .insertInto('concerns')
      .values({
        ...values,
        partnership_id: partnership.id,
        reference: newConcernReference((n) => crypto.randomBytes(n)),
        received_at: received,
        deadline_at: deadline,
      })
      .returning(['id', 'reference', 'received_at', 'deadline_at'])
      .executeTakeFirstOrThrow();
  }

  listConcerns(user: SessionUser, options: { limit: number; offset: number }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await tx
        .selectFrom('concerns')
        .select(['id', 'reference', 'source', 'received_at', 'deadline_at', 'decision', 'risk_level', 'acting_agency_id', 'child_id', 'decided_at'])
        .orderBy('received_at', 'desc')
        .limit(options.limit)
        .offset(options.offset)
        .execute();
      await act.audit({
        action: 'search',
        recordType: 'concern',
        details: { via: 'api', results: rows.length },
        disclosedIds: rows.flatMap((r) => (r.child_id ? [r.id, r.child_id] : [r.id])),
      });
      return rows;
    });
  }
}
