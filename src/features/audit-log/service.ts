import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { endOfLondonDay, startOfLondonDay } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { AuditFilter, SecurityEventsFilter } from './schema.ts';

const pageSize = 50;

/** What data protection officers read: who did what to which record, and why. */
export class AuditLogService {
  constructor(private readonly db: Database) {}

  /** The audit page. Reading the audit trail is itself audited. */
  search(user: SessionUser, filter: AuditFilter) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let query = tx
        .selectFrom('audit_events')
        .select(['id', 'occurred_at', 'actor_label', 'action', 'record_type', 'record_id', 'reason', 'client_address'])
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc');
      if (filter.action) query = query.where('action', 'like', `${filter.action}%`);
      if (filter.actor) query = query.where('actor_user_id', '=', filter.actor);
      if (filter.recordId) {
        // The filter takes a record's reference (NM-1004) or its id.
        const recordId = uuidPattern.test(filter.recordId) ? filter.recordId : ((await recordByReference(tx, filter.recordId)) ?? filter.recordId);
        // A record's trail includes the lists and searches that showed it (L1).
        query = uuidPattern.test(recordId)
          ? query.where((eb) =>
              eb.or([
                eb('record_id', '=', recordId),
                sql<boolean>`id IN (SELECT d.id FROM lantern_disclosures(${recordId}::uuid, ${disclosureFilterCap}::int) d)`,
              ]),
            )
          : query.where('record_id', '=', recordId);
      }
      // The dates are London days: from the start of `from` to the end of `to`.
      if (filter.from) query = query.where('occurred_at', '>=', startOfLondonDay(filter.from));
      if (filter.to) query = query.where('occurred_at', '<', endOfLondonDay(filter.to));
      const rows = await query
        .limit(pageSize + 1)
        .offset((filter.page - 1) * pageSize)
        .execute();
      const actorEmail = filter.actor ? await actorLabel(tx, filter.actor) : undefined;
      const events = await withReferences(tx, rows.slice(0, pageSize));
      await act.audit({ action: 'audit.view', details: { filter } });
      return { events, hasNext: rows.length > pageSize, page: filter.page, actorEmail };
    });
  }

  /**
   * The person the filter form names by email: someone of this partnership, or someone of another
   * partnership who has acted here under a grant. Only their id leaves this method.
   */
  findActor(user: SessionUser, email: string): Promise<string | null> {
    return withActor(this.db, actorOf(user), async (tx) => {
      const own = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (own) return own.id;
      // Row-level security hides the grantee's account; their rows in this partnership's trail name them.
      const granted = await tx
        .selectFrom('partnership_access_grants as g')
        .select('g.user_id')
        .where(({ exists, selectFrom }) =>
          exists(selectFrom('audit_events as e').select('e.id').whereRef('e.actor_user_id', '=', 'g.user_id').where('e.actor_label', '=', email)),
        )
        .limit(1)
        .executeTakeFirst();
      return granted?.user_id ?? null;
    });
  }

  /**
   * The DPO's security alerts (issue 16 §4): the partnership's recent security events (row-level
   * security keeps them to the acting partnership), newest first, with who acted; reading them is audited.
   */
  securityEvents(user: SessionUser, filter: SecurityEventsFilter) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let query = tx
        .selectFrom('security_events as e')
        .leftJoin('users as u', 'u.id', 'e.user_id')
        .select(['e.id', 'e.occurred_at', 'e.event', 'e.outcome', 'e.client_address', 'e.record_type', 'e.record_id', 'e.details', 'u.email as user_email'])
        .orderBy('e.occurred_at', 'desc')
        .orderBy('e.id', 'desc');
      if (filter.event) query = query.where('e.event', '=', filter.event);
      if (filter.outcome) query = query.where('e.outcome', '=', filter.outcome);
      if (filter.from) query = query.where('e.occurred_at', '>=', startOfLondonDay(filter.from));
      if (filter.to) query = query.where('e.occurred_at', '<', endOfLondonDay(filter.to));
      const rows = await query
        .limit(pageSize + 1)
        .offset((filter.page - 1) * pageSize)
        .execute();
      const events = await withReferences(tx, rows.slice(0, pageSize));
      await act.audit({ action: 'audit.view', details: { view: 'security_events', filter } });
      return { events, hasNext: rows.length > pageSize, page: filter.page };
    });
  }

  /** The DPO's view of who gave which roles to whom, read from the audit trail (and audited). */
  rolesGranted(user: SessionUser, page: number) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await tx
        .selectFrom('audit_events')
        .select([
          'id',
          'occurred_at',
          'actor_label',
          sql<string>`details->>'subject'`.as('subject'),
          sql<string>`details->>'via'`.as('via'),
          sql<string[]>`ARRAY(SELECT jsonb_array_elements_text(details->'added'))`.as('added'),
          sql<string[]>`ARRAY(SELECT jsonb_array_elements_text(details->'to'))`.as('roles_now'),
        ])
        .where('action', '=', 'user.roles_granted')
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(pageSize + 1)
        .offset((page - 1) * pageSize)
        .execute();
      await act.audit({ action: 'audit.view', details: { view: 'roles_granted', page } });
      return { grants: rows.slice(0, pageSize), hasNext: rows.length > pageSize, page };
    });
  }
}

/** The email to show in the filter form for a person id: from their account, else from the trail. */
async function actorLabel(tx: Tx, id: string): Promise<string | undefined> {
  const own = await tx.selectFrom('users').select('email').where('id', '=', id).executeTakeFirst();
  if (own) return own.email;
  const seen = await tx
    .selectFrom('audit_events')
    .select('actor_label')
    .where('actor_user_id', '=', id)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return seen?.actor_label;
}

/** The DPO's record filter takes at most this many of the newest lists that showed the record. */
const disclosureFilterCap = 5000;

/**
 * The trail names children and concerns by their references, not internal ids: one lookup for the page,
 * through a function that gives audit readers the reference alone, restricted records included
 * (migration 0140). Other records keep their id.
 */
async function withReferences<T extends { record_type: string | null; record_id: string | null }>(
  tx: Tx,
  rows: T[],
): Promise<(T & { record_reference: string | null })[]> {
  const ids = [
    ...new Set(
      rows.filter((r) => r.record_id && (r.record_type === 'child' || r.record_type === 'concern') && uuidPattern.test(r.record_id)).map((r) => r.record_id!),
    ),
  ];
  const references = new Map<string, string>();
  if (ids.length > 0) {
    const found = await sql<{ id: string; reference: string }>`SELECT id, reference FROM lantern_audit_record_references(${ids}::uuid[])`.execute(tx);
    for (const r of found.rows) references.set(r.id, r.reference);
  }
  return rows.map((r) => ({ ...r, record_reference: (r.record_id && references.get(r.record_id)) ?? null }));
}

/** A child's or concern's id from its reference, for the trail's record filter. */
async function recordByReference(tx: Tx, reference: string): Promise<string | null> {
  const found = await sql<{ id: string | null }>`SELECT lantern_audit_record_by_reference(${reference}) AS id`.execute(tx);
  return found.rows[0]?.id ?? null;
}
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
