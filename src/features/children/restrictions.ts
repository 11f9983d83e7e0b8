import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';

/** How long a break-glass grant lasts. */
export const breakGlassHours = 4;

/** Restricted records: break-glass, lifting a restriction, and the DPO's alerts and list. */
export class RestrictionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Break-glass: a recorded reason opens a restricted record for a few hours; the DPO is alerted. */
  breakGlass(user: SessionUser, id: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const restricted = await sql<{ r: boolean }>`SELECT lantern_child_restricted(${id}::uuid) AS r`.execute(tx);
      if (!restricted.rows[0]?.r) throw notFound();
      await tx
        .insertInto('break_glass_grants')
        .values({
          partnership_id: user.partnershipId,
          child_id: id,
          user_id: user.userId,
          reason,
          granted_at: sql`now()`,
          expires_at: sql`now() + make_interval(hours => ${breakGlassHours})`,
        })
        .execute();
      await act.audit({ action: 'record.break_glass', recordType: 'child', recordId: id, reason, details: { hours: breakGlassHours } });
    });
  }

  /**
   * Lifts a restriction, with a reason (H2): the owning agency's case workers, not under a break-glass
   * grant, or the data protection officer. The database decides (lantern_lift_restriction), records
   * the change for the DPO's alerts and audits it.
   */
  liftRestriction(user: SessionUser, id: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      try {
        await sql`SELECT lantern_lift_restriction(${id}::uuid, ${reason})`.execute(tx);
      } catch (error) {
        if ((error as { code?: string }).code === '42501') throw notFound();
        throw error;
      }
    });
  }

  /** The DPO's list of restricted records (references and owning agencies, no names). */
  restrictedRecords(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = (
        await sql<{ id: string; reference: string; owning_agency: string; restricted_reason: string | null; updated_at: Date }>`
        SELECT * FROM lantern_restricted_children()`.execute(tx)
      ).rows;
      await act.audit({ action: 'audit.view', recordType: 'restricted_children', details: { results: rows.length }, disclosedIds: rows.map((r) => r.id) });
      return rows;
    });
  }

  /** The DPO's alerts: every break-glass grant, unacknowledged first. */
  breakGlassAlerts(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await tx
        .selectFrom('break_glass_grants as g')
        .innerJoin('users as u', 'u.id', 'g.user_id')
        .select(['g.id', 'g.child_id', 'g.reason', 'g.granted_at', 'g.expires_at', 'g.acknowledged_at', 'u.display_name', 'u.email'])
        .orderBy(sql`g.acknowledged_at IS NOT NULL`)
        .orderBy('g.granted_at', 'desc')
        .limit(200)
        .execute();
      const lifted = await tx
        .selectFrom('restriction_changes as r')
        .innerJoin('users as u', 'u.id', 'r.changed_by')
        .select(['r.id', 'r.child_id', 'r.reason', 'r.changed_at', 'r.acknowledged_at', 'u.display_name', 'u.email', 'r.child_reference as reference'])
        .orderBy(sql`r.acknowledged_at IS NOT NULL`)
        .orderBy('r.changed_at', 'desc')
        .limit(200)
        .execute();
      await act.audit({ action: 'audit.view', recordType: 'break_glass_grant', details: { results: rows.length, lifted: lifted.length } });
      return { grants: rows, lifted };
    });
  }

  acknowledgeLift(user: SessionUser, id: string) {
    return this.acknowledge(user, id, 'restriction_changes', 'restriction_change');
  }

  acknowledgeAlert(user: SessionUser, id: string) {
    return this.acknowledge(user, id, 'break_glass_grants', 'break_glass_grant');
  }

  /** The DPO marks a lifted restriction or a break-glass grant as seen: once (a second time is not found), audited. */
  private acknowledge(
    user: SessionUser,
    id: string,
    table: 'restriction_changes' | 'break_glass_grants',
    recordType: 'restriction_change' | 'break_glass_grant',
  ) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx
        .updateTable(table)
        .set({ acknowledged_at: this.clock.now(), acknowledged_by: user.userId })
        .where('id', '=', id)
        .where('acknowledged_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      await act.audit({ action: 'break_glass.acknowledge', recordType, recordId: id });
    });
  }
}
