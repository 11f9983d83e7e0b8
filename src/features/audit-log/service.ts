import { sql } from 'kysely';
import { recordAudit } from '../../audit/audit.ts';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { AuditFilter } from './schema.ts';

const pageSize = 50;

/** What data protection officers read: who did what to which record, and why. */
export class AuditLogService {
  constructor(private readonly db: Database) {}

  /** The audit page. Reading the audit trail is itself audited. */
  search(user: SessionUser, filter: AuditFilter) {
    return withActor(this.db, actorOf(user), async (tx) => {
      let query = tx.selectFrom('audit_events')
        .select(['id', 'occurred_at', 'actor_label', 'action', 'record_type', 'record_id', 'reason', 'client_address'])
        .orderBy('occurred_at', 'desc').orderBy('id', 'desc');
      if (filter.action) query = query.where('action', 'like', `${filter.action}%`);
      if (filter.actor) query = query.where('actor_label', 'ilike', `%${filter.actor.replace(/[%_\\]/g, '\\$&')}%`);
      if (filter.recordId) {
        const recordId = filter.recordId;
        // A record's trail includes the lists and searches that showed it (L1).
        query = uuidPattern.test(recordId)
          ? query.where((eb) => eb.or([eb('record_id', '=', recordId), sql<boolean>`disclosed_ids @> ARRAY[${recordId}]::uuid[]`]))
          : query.where('record_id', '=', recordId);
      }
      if (filter.from) query = query.where('occurred_at', '>=', new Date(`${filter.from}T00:00:00Z`));
      if (filter.to) query = query.where('occurred_at', '<', new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000));
      const rows = await query.limit(pageSize + 1).offset((filter.page - 1) * pageSize).execute();
      await recordAudit(tx, { partnershipId: user.partnershipId, actorUserId: user.userId, actorLabel: user.email,
        action: 'audit.view', details: { filter } });
      return { events: rows.slice(0, pageSize), hasNext: rows.length > pageSize, page: filter.page };
    });
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The access-log panel on a record page: every view and change of that record, and every list,
 * search or worklist that showed it (audit rows name what they disclosed, security review L1).
 * Runs in the page's transaction; each part is read newest first from its own index.
 */
export async function accessLogFor(tx: Tx, recordType: string, recordId: string, limit = 20) {
  const columns = ['id', 'occurred_at', 'actor_label', 'action', 'reason'] as const;
  const direct = await tx.selectFrom('audit_events').select(columns)
    .where('record_type', '=', recordType).where('record_id', '=', recordId)
    .orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const listed = uuidPattern.test(recordId)
    ? await tx.selectFrom('audit_events').select(columns)
      .where(sql<boolean>`disclosed_ids @> ARRAY[${recordId}]::uuid[]`).where('disclosed_ids', 'is not', null)
      .orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
    : [];
  const seen = new Set<string>();
  return [...direct, ...listed]
    .filter((r) => (seen.has(String(r.id)) ? false : (seen.add(String(r.id)), true)))
    .sort((a, b) => new Date(b.occurred_at).getTime() - new Date(a.occurred_at).getTime() || Number(b.id) - Number(a.id))
    .slice(0, limit)
    .map(({ id: _id, ...rest }) => rest);
}
