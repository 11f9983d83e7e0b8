import { sql } from 'kysely';
import type { Tx } from '../db/context.ts';

/** The things that leave an audit row. Stable names: reports and the DPO page filter on them. */
export type AuditAction =
  | 'sign_in.success'
  | 'sign_in.failure'
  | 'sign_in.locked'
  | 'sign_in.second_factor_failure'
  | 'sign_in.enrolled_second_factor'
  | 'sign_out'
  | 'session.expired'
  | 'partnership.switch'
  | 'record.view'
  | 'record.create'
  | 'record.update'
  | 'record.share'
  | 'record.unshare'
  | 'record.break_glass'
  | 'search'
  | 'export'
  | 'user.create'
  | 'user.update'
  | 'user.disable'
  | 'user.enable'
  | 'user.roles_granted'
  | 'agency.create'
  | 'agency.update'
  | 'audit.view'
  | 'import'
  | 'concern.raise'
  | 'concern.triage'
  | 'record.close'
  | 'record.reopen'
  | 'break_glass.acknowledge'
  | 'api_token.create'
  | 'api_token.revoke';

export interface AuditEntry {
  partnershipId: string | null;
  actorUserId: string | null;
  actorLabel: string;
  action: AuditAction;
  recordType?: string;
  recordId?: string;
  reason?: string;
  details?: Record<string, unknown>;
  clientAddress?: string;
}

/**
 * The one place audit rows are written. It runs inside the caller's transaction, so the
 * action and its audit row commit or fail together; the database chains the hash.
 */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      partnership_id: entry.partnershipId,
      // chain_id, seq, occurred_at, prev_hash and hash are set by the lantern_audit_chain trigger.
      chain_id: sql`NULL`,
      seq: sql`NULL`,
      prev_hash: '',
      hash: '',
      actor_user_id: entry.actorUserId,
      actor_label: entry.actorLabel,
      action: entry.action,
      record_type: entry.recordType ?? null,
      record_id: entry.recordId ?? null,
      reason: entry.reason ?? null,
      details: JSON.stringify(entry.details ?? {}),
      client_address: entry.clientAddress ?? null,
    })
    .execute();
}
