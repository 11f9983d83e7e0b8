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
      if (filter.recordId) query = query.where('record_id', '=', filter.recordId);
      if (filter.from) query = query.where('occurred_at', '>=', new Date(`${filter.from}T00:00:00Z`));
      if (filter.to) query = query.where('occurred_at', '<', new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + 86_400_000));
      const rows = await query.limit(pageSize + 1).offset((filter.page - 1) * pageSize).execute();
      await recordAudit(tx, { partnershipId: user.partnershipId, actorUserId: user.userId, actorLabel: user.email,
        action: 'audit.view', details: { filter } });
      return { events: rows.slice(0, pageSize), hasNext: rows.length > pageSize, page: filter.page };
    });
  }
}

/** The access-log panel on a record page: every view and change of that record. Runs in the page's transaction. */
export function accessLogFor(tx: Tx, recordType: string, recordId: string, limit = 20) {
  return tx.selectFrom('audit_events')
    .select(['occurred_at', 'actor_label', 'action', 'reason'])
    .where('record_type', '=', recordType).where('record_id', '=', recordId)
    .orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
