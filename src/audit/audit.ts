import { sql } from 'kysely';
import type { Tx } from '../db/kysely-types.ts';
import { securityEvent } from '../security-events.ts';

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
  | 'user.dormant_notice'
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
  | 'api_token.approve'
  | 'api_token.revoke'
  | 'password.change'
  | 'password.change_failure'
  | 'password.issue'
  | 'session.end'
  | 'session.end_by_admin'
  | 'access.refused'
  | 'record.unrestrict'
  | 'record.merge'
  | 'record.unmerge'
  | 'passkey.register'
  | 'passkey.register_failure'
  | 'passkey.remove'
  | 'linkage.ask'
  | 'linkage.asked'
  | 'retention.schedule'
  | 'retention.hold'
  | 'retention.hold_release'
  | 'retention.propose'
  | 'retention.cancel'
  | 'retention.dispose'
  | 'subject_access.log'
  | 'subject_access.review'
  | 'subject_access.redactions'
  | 'subject_access.release'
  | 'subject_access.download'
  | 'subject_access.withdraw'
  | 'data_rights.list'
  | 'data_rights.view'
  | 'data_rights.request'
  | 'data_rights.decide'
  | 'data_rights.restrict'
  | 'data_rights.lift';

/**
 * An audit row of a request. The database takes the actor, partnership, client address and user
 * agent from the acting context (migration 0009); partnershipId and actorUserId, when given, are
 * what the caller believes that context is, and a difference refuses the action.
 */
export interface AuditEntry {
  action: AuditAction;
  recordType?: string;
  recordId?: string;
  reason?: string;
  details?: Record<string, unknown>;
  /** The records a list, search or worklist showed (each record's access log includes them). */
  disclosedIds?: readonly string[];
  partnershipId?: string | null;
  actorUserId?: string | null;
  /** Ignored: the label comes from the context. Kept so callers can say who they mean. */
  actorLabel?: string;
}

/**
 * The one place request audit rows are written: lantern_audit() inside the caller's transaction,
 * so the action and its audit row commit or fail together; the database chains the hash.
 */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const disclosed = entry.disclosedIds && entry.disclosedIds.length > 0 ? sql`${sql.val([...entry.disclosedIds])}::uuid[]` : sql`NULL::uuid[]`;
  await sql`SELECT lantern_audit(${entry.action}, ${entry.recordType ?? null}, ${entry.recordId ?? null}, ${entry.reason ?? null},
    ${JSON.stringify(entry.details ?? {})}::jsonb, ${disclosed}, ${entry.partnershipId ?? null}::uuid, ${entry.actorUserId ?? null}::uuid)`.execute(tx);
  // Besides the chain: the security event this row is, if any (src/security-events.ts).
  await securityEvent(tx, entry);
}

/**
 * An audit row whose actor is stated, not taken from a context: sign-in events, written by the
 * sign-in role (there is no signed-in actor yet), and the command line, written by the owner.
 */
export interface ExplicitAuditEntry {
  partnershipId: string | null;
  actorUserId: string | null;
  actorLabel: string;
  action: AuditAction;
  recordType?: string;
  recordId?: string;
  details?: Record<string, unknown>;
  clientAddress: string | null;
  userAgent?: string | null;
}

/** The explicit twin of recordAudit; only lantern_auth and the owner may insert audit rows directly. */
export async function recordExplicitAudit(tx: Tx, entry: ExplicitAuditEntry): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      partnership_id: entry.partnershipId,
      // chain_id, seq, occurred_at, prev_hash and hash are set by the audit triggers.
      chain_id: sql`NULL`,
      seq: sql`NULL`,
      prev_hash: '',
      hash: '',
      actor_user_id: entry.actorUserId,
      actor_label: entry.actorLabel.slice(0, 320),
      action: entry.action,
      record_type: entry.recordType ?? null,
      record_id: entry.recordId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      client_address: entry.clientAddress?.slice(0, 100) ?? null,
      user_agent: entry.userAgent?.slice(0, 400) ?? null,
    })
    .execute();
  await securityEvent(tx, entry, { partnershipId: entry.partnershipId, userId: entry.actorUserId, clientAddress: entry.clientAddress });
}
