import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { withSystem, withTrustedActor } from '../src/db/context.ts';
import { childCandidatesQuery, type NewChildRecord } from '../src/features/linkage/live/candidates.ts';
import { matchNewChild } from '../src/features/linkage/live/service.ts';
import { openMigrated } from '../src/runtime.ts';
import { seededRandom } from '../src/features/linkage/engine/model.ts';

export interface LiveLinkageBenchOptions {
  scale: number;
  tag?: string;
  probes: number;
}

/**
 * `lantern bench-linkage-live`: entry-time matching (issue 14 §2) against the page benchmark's
 * database (`lantern bench --scale N` seeds it: lantern_bench_<scale>[_<tag>] with DATABASE_URL,
 * else the embedded one in $TMPDIR). Takes `probes` children of Northmere, puts one error in each
 * (a typo in the family name, a nickname-like given name, day and month transposed, the names
 * swapped), matches each as a new child would be at triage (SQL blocking under row-level security as
 * a triage worker, then scoring in TypeScript), and prints the latency (whole transaction and the
 * match alone), the candidates per probe, how often the original child was found, and the plan of
 * the blocking query (EXPLAIN ANALYZE). Read-only but for the migrations it applies.
 */
export async function runLiveLinkageBench(options: LiveLinkageBenchOptions, say: (line: string) => void): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  const suffix = options.tag ? `_${options.tag}` : '';
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LANTERN_DATA_DIR: path.join(os.tmpdir(), `lantern-bench-${serverUrl ? 'server-' : ''}${options.scale}${suffix}`),
    LANTERN_LOG_LEVEL: 'warn',
    LANTERN_DEMO: 'true',
  };
  if (serverUrl) {
    const url = new URL(serverUrl);
    const name = `lantern_bench_${options.scale}${suffix}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await admin.end();
    if (exists.rowCount === 0) throw new Error(`No database ${name}: seed it first with npx lantern bench --scale ${options.scale}`);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
  }
  const handle = await openMigrated(loadConfig(env));
  try {
    const owner = handle.owner;
    const context = await sql<{ partnership: string; agency: string; children: string }>`
      SELECT p.id AS partnership, a.id AS agency, (SELECT count(*) FROM children) AS children
        FROM partnerships p JOIN agencies a ON a.partnership_id = p.id AND a.kind = 'childrens_services'
       WHERE p.code = 'northmere'`.execute(owner);
    const row = context.rows[0];
    if (!row || Number(row.children) < options.scale * 0.9)
      throw new Error(`The database holds ${row?.children ?? 0} children, not ${options.scale}: seed it first with npx lantern bench --scale ${options.scale}`);
    const actor = { partnershipId: row.partnership, agencyId: row.agency, userId: null, roles: ['triage_worker'], label: 'bench (triage worker)' };
    say(
      `machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${serverUrl ? 'PostgreSQL server' : 'embedded PGlite'}; ${row.children} children in the database`,
    );
    const sample = await withSystem(owner, (tx) =>
      sql<{ id: string; given_name: string; family_name: string; date_of_birth: string | null; gender: string | null; postcode: string | null }>`
        SELECT c.id, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, c.gender,
               (SELECT x.postcode FROM child_addresses x WHERE x.child_id = c.id ORDER BY x.to_date IS NULL DESC, x.from_date DESC NULLS LAST LIMIT 1) AS postcode
          FROM children c
         WHERE c.partnership_id = ${row.partnership} AND NOT c.restricted AND c.merged_into_id IS NULL
         ORDER BY md5(c.id::text) LIMIT ${options.probes}`.execute(tx),
    );
    const random = seededRandom(7);
    const probes = sample.rows.map((c, i) => ({ id: c.id, entered: withError(c, i % 4, random) }));
    const timings: number[] = [];
    const matchTimings: number[] = [];
    let found = 0;
    let shown = 0;
    // A few to warm the connection and the plans, not counted.
    for (const p of probes.slice(0, 10)) await withTrustedActor(owner, actor, (tx) => matchNewChild(tx, row.partnership, p.entered));
    for (const p of probes) {
      const started = performance.now();
      let matchMs = 0;
      const matches = await withTrustedActor(owner, actor, async (tx) => {
        const t = performance.now();
        const m = await matchNewChild(tx, row.partnership, p.entered);
        matchMs = performance.now() - t;
        return m;
      });
      timings.push(performance.now() - started);
      matchTimings.push(matchMs);
      shown += matches.length;
      if (matches.some((m) => m.id === p.id)) found++;
    }
    const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!.toFixed(1);
    say(`${probes.length} new children matched, one error each (typo in the family name, shortened given name, day and month transposed, names swapped)`);
    say(`  transaction + match: median ${q(timings, 0.5)} ms, p95 ${q(timings, 0.95)} ms, max ${q(timings, 1)} ms`);
    say(`  match alone (SQL blocking + scoring): median ${q(matchTimings, 0.5)} ms, p95 ${q(matchTimings, 0.95)} ms, max ${q(matchTimings, 1)} ms`);
    say(
      `  the original child found in ${found} of ${probes.length} (${((100 * found) / probes.length).toFixed(1)}%); ${(shown / probes.length).toFixed(1)} matches shown per probe`,
    );
    const example = probes[0]!;
    const plan = await withTrustedActor(owner, actor, (tx) =>
      sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${childCandidatesQuery(example.entered)}`.execute(tx),
    );
    say('plan of the blocking query for the first probe:');
    for (const line of plan.rows) say(`  ${line['QUERY PLAN']}`);
  } finally {
    await handle.close();
  }
}

/** The child as entered with one error of a kind (0–3). */
function withError(
  c: { given_name: string; family_name: string; date_of_birth: string | null; gender: string | null; postcode: string | null },
  kind: number,
  random: () => number,
): NewChildRecord {
  const entered: NewChildRecord = { givenName: c.given_name, familyName: c.family_name, dateOfBirth: c.date_of_birth, gender: c.gender, postcode: null };
  if (kind === 0 && c.family_name.length > 3) {
    const i = 1 + Math.floor(random() * (c.family_name.length - 2));
    entered.familyName = c.family_name.slice(0, i) + c.family_name[i + 1] + c.family_name[i] + c.family_name.slice(i + 2);
  } else if (kind === 1 && c.given_name.length > 4) entered.givenName = c.given_name.slice(0, 4);
  else if (kind === 2 && c.date_of_birth) {
    const [y, m, d] = c.date_of_birth.split('-');
    if (Number(d) <= 12) entered.dateOfBirth = `${y}-${d}-${m}`;
  } else if (kind === 3) {
    entered.givenName = c.family_name;
    entered.familyName = c.given_name;
  }
  return entered;
}
