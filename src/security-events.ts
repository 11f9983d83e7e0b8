import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { DB } from './db/types.generated.ts';
import type { Tx } from './db/kysely-types.ts';

/**
 * Security events (issue 16 §4): the one place that decides which audited actions are security
 * events and writes them, besides the audit chain, (1) to the `security_events` table in the same
 * transaction (the DPO's alerts, /audit/security-events; migration 0540) and (2) as one JSON line
 * each, with a fixed schema, for a SIEM (LANTERN_SECURITY_EVENTS_FILE: a file appended to, or
 * stdout). recordAudit and recordExplicitAudit (src/audit/audit.ts) call securityEvent for every
 * audit row, so an event is emitted wherever its action is audited.
 *
 * The line carries no personal data of children or anyone else: ids (of the user, partnership and
 * record), the event, its outcome, the client address, the request id, and a few fixed details
 * (status, format, step); never a name, an email, a reason typed by someone, or a search term.
 */
export const securityEventKinds = [
  'sign_in.failure',
  'sign_in.locked',
  'sign_in.second_factor_failure',
  'password.change_failure',
  'permission.denied',
  'break_glass',
  'restriction.lifted',
  'export',
  'statistics.unsuppressed',
  'account.disabled',
  'session.ended_by_admin',
  'roles.granted',
  'api_token.issued',
  'api_token.approved',
  'api_token.revoked',
  'disposal',
  'legal_hold.released',
  'processing.restricted',
  'processing.restriction_lifted',
] as const;
export type SecurityEventKind = (typeof securityEventKinds)[number];
export type SecurityOutcome = 'success' | 'failure' | 'denied';

/** One line of the SIEM stream. */
export interface SecurityEventLine {
  time: string;
  event: SecurityEventKind;
  outcome: SecurityOutcome;
  user_id: string | null;
  partnership_id: string | null;
  ip: string | null;
  request_id: string | null;
  record_type: string | null;
  record_id: string | null;
  details: Record<string, string | number | boolean>;
}

/** The request a piece of work belongs to (set for each request in src/web/app.ts). */
export const requestScope = new AsyncLocalStorage<{ requestId: string; ip: string }>();

/** Details copied to an event: fixed, non-personal fields only. */
const keptDetails = ['status', 'method', 'route', 'code', 'format', 'step', 'hours', 'page', 'apiToken', 'all'] as const;

/** What security event an audited action is, if any. */
export function securityEventOf(action: string, details: Record<string, unknown> = {}): { event: SecurityEventKind; outcome: SecurityOutcome } | null {
  switch (action) {
    case 'sign_in.failure':
      return { event: 'sign_in.failure', outcome: 'failure' };
    case 'sign_in.locked':
      return { event: 'sign_in.locked', outcome: 'denied' };
    case 'sign_in.second_factor_failure':
      return { event: 'sign_in.second_factor_failure', outcome: 'failure' };
    case 'password.change_failure':
      return { event: 'password.change_failure', outcome: 'failure' };
    case 'access.refused':
      return { event: 'permission.denied', outcome: 'denied' };
    case 'record.break_glass':
      return { event: 'break_glass', outcome: 'success' };
    case 'record.unrestrict':
      return { event: 'restriction.lifted', outcome: 'success' };
    case 'export':
      return { event: details.unsuppressed === true ? 'statistics.unsuppressed' : 'export', outcome: 'success' };
    case 'record.view':
      return details.unsuppressed === true ? { event: 'statistics.unsuppressed', outcome: 'success' } : null;
    case 'user.disable':
      return { event: 'account.disabled', outcome: 'success' };
    case 'session.end_by_admin':
      return { event: 'session.ended_by_admin', outcome: 'success' };
    case 'user.roles_granted':
      return { event: 'roles.granted', outcome: 'success' };
    case 'api_token.create':
      return { event: 'api_token.issued', outcome: 'success' };
    case 'api_token.approve':
      return { event: 'api_token.approved', outcome: 'success' };
    case 'api_token.revoke':
      return { event: 'api_token.revoked', outcome: 'success' };
    // A subject access export released to the requester (issue 16 §3).
    case 'subject_access.release':
      return { event: 'export', outcome: 'success' };
    case 'retention.dispose':
      return { event: 'disposal', outcome: 'success' };
    case 'retention.hold_release':
      return { event: 'legal_hold.released', outcome: 'success' };
    case 'data_rights.restrict':
      return { event: 'processing.restricted', outcome: 'success' };
    case 'data_rights.lift':
      return { event: 'processing.restriction_lifted', outcome: 'success' };
    default:
      return null;
  }
}

type Sink = (line: string) => void;
let sink: Sink | null = null;
const listeners = new Set<(event: SecurityEventLine) => void>();

/** Where the JSON lines go: 'stdout', a file (appended to, created 0600), or nowhere. */
export function configureSecurityEventStream(target: string | undefined): void {
  if (!target) {
    sink = null;
  } else if (target === 'stdout') {
    sink = (line) => process.stdout.write(line);
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    sink = (line) => fs.appendFileSync(target, line, { mode: 0o600 });
  }
}

/** Tests: every event as it is emitted. */
export function onSecurityEvent(listener: (event: SecurityEventLine) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function keep(details: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const key of keptDetails) {
    const value = details[key];
    if (typeof value === 'number' || typeof value === 'boolean') kept[key] = value;
    else if (typeof value === 'string') kept[key] = value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 100);
  }
  return kept;
}

/**
 * Writes the security event an audit row is, if it is one, in the audit row's transaction. `explicit`
 * is given by the sign-in role and the command line (no acting context); requests' events take the
 * partnership, user and address from the acting context, in the database.
 */
export async function securityEvent(
  tx: Tx,
  audit: { action: string; recordType?: string | undefined; recordId?: string | undefined; details?: Record<string, unknown> | undefined },
  explicit?: { partnershipId: string | null; userId: string | null; clientAddress: string | null },
): Promise<void> {
  const kind = securityEventOf(audit.action, audit.details);
  if (!kind) return;
  const scope = requestScope.getStore();
  const details = keep(audit.details ?? {});
  const requestId = scope?.requestId ?? null;
  const recordType = audit.recordType ?? null;
  const recordId = audit.recordId?.slice(0, 100) ?? null;
  const written = explicit
    ? await sql<Written>`SELECT * FROM lantern_security_event_explicit(${kind.event}, ${kind.outcome}, ${explicit.partnershipId}::uuid, ${explicit.userId}::uuid,
        ${explicit.clientAddress ?? scope?.ip ?? null}, ${requestId}, ${recordType}, ${recordId}, ${JSON.stringify(details)}::jsonb)`.execute(tx)
    : await sql<Written>`SELECT * FROM lantern_security_event(${kind.event}, ${kind.outcome}, ${requestId}, ${recordType}, ${recordId}, ${JSON.stringify(details)}::jsonb)`.execute(
        tx,
      );
  const row = written.rows[0];
  const line: SecurityEventLine = {
    time: row ? new Date(row.occurred_at).toISOString() : new Date().toISOString(),
    event: kind.event,
    outcome: kind.outcome,
    user_id: row?.user_id ?? null,
    partnership_id: row?.partnership_id ?? null,
    ip: row?.client_address ?? null,
    request_id: requestId,
    record_type: recordType,
    record_id: recordId,
    details,
  };
  for (const listener of listeners) listener(line);
  sink?.(`${JSON.stringify(line)}\n`);
}

interface Written {
  occurred_at: Date | string;
  user_id: string | null;
  partnership_id: string | null;
  client_address: string | null;
}

/** How long the DPO's alerts keep an event (the SIEM and the audit chain keep their own). */
export const securityEventRetentionDays = 365;

/** Removes events past their retention, in every partnership (the server does this hourly). */
export async function pruneSecurityEvents(db: Kysely<DB>): Promise<number> {
  const r = await sql<{ removed: string }>`SELECT lantern_prune_security_events(${securityEventRetentionDays}::int) AS removed`.execute(db);
  return Number(r.rows[0]?.removed ?? 0);
}
