import { sql } from 'kysely';
import type { Tx } from '../db/context.ts';

/**
 * The access-log panel on a record page: every view and change of that record, and every list,
 * search or worklist that showed it (audit rows name what they disclosed, security review L1).
 * Runs in the page's transaction, as one statement (lantern_access_log).
 */
export async function accessLogFor(tx: Tx, recordType: string, recordId: string, limit = 20) {
  return (
    await sql<{ occurred_at: Date; actor_label: string; action: string; reason: string | null }>`
    SELECT occurred_at, actor_label, action, reason FROM lantern_access_log(${recordType}, ${recordId}, ${limit}::int)`.execute(tx)
  ).rows;
}
