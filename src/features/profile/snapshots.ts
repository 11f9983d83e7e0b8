// Stored problem-profile figures (migration 0470): a function's counts for one partnership and one set of
// arguments, reused while younger than the configured age. The figures of a period read the whole
// partnership's records (about a second at 200,000 children); a Board, its councillors and the analysts
// all read the same few periods, so each is computed once per age and the page reads one row.
//
// Two readers that find the same figures stale do not both compute them: the first takes an advisory
// lock on (partnership, kind, key) until its transaction ends; the second waits, then finds the row the
// first stored. An age of 0 computes every time and stores nothing (tests that change records and read
// the profile straight after).
import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';

/** The first key of the advisory lock taken while stale figures are recomputed (see anchor.ts, mace/service.ts for the others). */
export const profileSnapshotLockClass = 7261470;

export type SnapshotKind = 'figures' | 'trend' | 'themes';

export interface Stored<T> {
  rows: T[];
  /** When the figures were computed: the page's "figures as at". */
  asAt: Date;
}

export interface SnapshotPolicy {
  /** How long stored figures are reused, in seconds; 0 computes every time. */
  maxAgeSeconds: number;
  now(): Date;
}

async function readStored<T>(tx: Tx, kind: SnapshotKind, key: string): Promise<Stored<T> | undefined> {
  const result = await sql<{ rows: T[]; computed_at: Date | string }>`
    SELECT rows, computed_at FROM profile_snapshots
     WHERE partnership_id = lantern_partnership() AND kind = ${kind} AND key = ${key}`.execute(tx);
  const row = result.rows[0];
  return row ? { rows: row.rows, asAt: new Date(row.computed_at) } : undefined;
}

/**
 * The rows of `compute` for (kind, key) in the acting partnership: stored ones while they are younger than
 * the policy's age, else computed now, stored, and returned. Runs in the caller's transaction, so a
 * reader the functions give nothing (not a profile reader) stores and reads nothing either (0470's policy).
 */
export async function storedFigures<T>(tx: Tx, policy: SnapshotPolicy, kind: SnapshotKind, key: string, compute: () => Promise<T[]>): Promise<Stored<T>> {
  const now = policy.now();
  if (policy.maxAgeSeconds <= 0) return { rows: await compute(), asAt: now };
  const fresh = (s: Stored<T> | undefined): s is Stored<T> =>
    s !== undefined && now.getTime() - s.asAt.getTime() < policy.maxAgeSeconds * 1000 && s.asAt <= now;
  const first = await readStored<T>(tx, kind, key);
  if (fresh(first)) return first;
  await sql`SELECT pg_advisory_xact_lock(${profileSnapshotLockClass}::int, hashtext(lantern_partnership()::text || ${`|${kind}|${key}`}))`.execute(tx);
  const again = await readStored<T>(tx, kind, key);
  if (fresh(again)) return again;
  const rows = await compute();
  await sql`INSERT INTO profile_snapshots (partnership_id, kind, key, computed_at, rows)
            SELECT lantern_partnership(), ${kind}, ${key}, ${now.toISOString()}::timestamptz, ${JSON.stringify(rows)}::jsonb
             WHERE lantern_profile_reader()
            ON CONFLICT (partnership_id, kind, key) DO UPDATE SET computed_at = excluded.computed_at, rows = excluded.rows`.execute(tx);
  return { rows, asAt: now };
}
