// Stored figures (docs/DECISIONS.md 37): a counts-only function's answer for one partnership and one set
// of arguments, reused while younger than the configured age (LANTERN_FIGURES_MAX_AGE_SECONDS). The
// problem profile's figures (profile_snapshots, migration 0470) and the hotspots' counts over the
// children any intelligence role may read (hotspot_snapshots, migration 0471) read the whole partnership's
// records; many people read the same few periods, so each is computed once per age and a view reads one row.
//
// Two readers that find the same figures stale do not both compute them: the first takes an advisory
// lock on (partnership, kind, key) until its transaction ends; the second waits, then finds the row the
// first stored. An age of 0 computes every time and stores nothing (tests that change records and read
// the profile straight after).
import { sql } from 'kysely';
import type { Tx } from './context.ts';

/** The first key of the advisory lock taken while stale figures are recomputed (see anchor.ts, mace/service.ts for the others). */
export const storedFiguresLockClass = 7261470;

/**
 * Where figures are kept, and the kinds each table takes: the table's row-level security decides who
 * reads and writes them (the partnership, and the roles the functions answer), and `writer` is the same
 * rule as SQL, so a reader the functions give nothing stores nothing rather than meeting a policy error.
 */
const stores = {
  profile_snapshots: { kinds: ['figures', 'trend', 'themes', 'neighbours'], writer: sql`lantern_profile_reader()` },
  hotspot_snapshots: { kinds: ['links', 'missing'], writer: sql`lantern_actor_roles() && ARRAY['coordinator', 'analyst']::text[]` },
} as const;
export type FiguresStore = keyof typeof stores;
export type SnapshotKind<S extends FiguresStore> = (typeof stores)[S]['kinds'][number];

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

async function readStored<T>(tx: Tx, store: FiguresStore, kind: string, key: string): Promise<Stored<T> | undefined> {
  const result = await sql<{ rows: T[]; computed_at: Date | string }>`
    SELECT rows, computed_at FROM ${sql.table(store)}
     WHERE partnership_id = lantern_partnership() AND kind = ${kind} AND key = ${key}`.execute(tx);
  const row = result.rows[0];
  return row ? { rows: row.rows, asAt: new Date(row.computed_at) } : undefined;
}

/**
 * The rows of `compute` for (kind, key) in the acting partnership: stored ones while they are younger than
 * the policy's age, else computed now, stored, and returned. Runs in the caller's transaction, so a
 * reader the functions give nothing stores and reads nothing either (the table's policies).
 */
export async function storedFigures<T, S extends FiguresStore>(
  tx: Tx,
  policy: SnapshotPolicy,
  store: S,
  kind: SnapshotKind<S>,
  key: string,
  compute: () => Promise<T[]>,
): Promise<Stored<T>> {
  const now = policy.now();
  if (policy.maxAgeSeconds <= 0) return { rows: await compute(), asAt: now };
  const fresh = (s: Stored<T> | undefined): s is Stored<T> =>
    s !== undefined && now.getTime() - s.asAt.getTime() < policy.maxAgeSeconds * 1000 && s.asAt <= now;
  const first = await readStored<T>(tx, store, kind, key);
  if (fresh(first)) return first;
  await sql`SELECT pg_advisory_xact_lock(${storedFiguresLockClass}::int, hashtext(lantern_partnership()::text || ${`|${store}|${kind}|${key}`}))`.execute(tx);
  const again = await readStored<T>(tx, store, kind, key);
  if (fresh(again)) return again;
  const rows = await compute();
  await sql`INSERT INTO ${sql.table(store)} (partnership_id, kind, key, computed_at, rows)
            SELECT lantern_partnership(), ${kind}, ${key}, ${now.toISOString()}::timestamptz, ${JSON.stringify(rows)}::jsonb
             WHERE ${stores[store].writer} AND lantern_partnership() IS NOT NULL
            ON CONFLICT (partnership_id, kind, key) DO UPDATE SET computed_at = excluded.computed_at, rows = excluded.rows`.execute(tx);
  return { rows, asAt: now };
}
