import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { insertCount, scaledChildren, type ScaleSeedContext } from '../../seed/scale.ts';

/** What marks the benchmark's intelligence rows (the demo's have a person's name there). */
const byline = 'Lantern (benchmark)';

/** How many of each the benchmark seeds for `children` scaled children: at 200,000, 20,000 persons, 50,000 places and things, 150,000 links. */
export function intelligenceScale(children: number) {
  const persons = Math.floor(children / 10);
  const placesAndThings = Math.floor(children / 4);
  const locations = Math.floor(placesAndThings / 2);
  return { persons, locations, objects: placesAndThings - locations, links: Math.floor((children * 3) / 4) };
}

/**
 * Benchmark-scale intelligence (issue 12): persons of concern, locations and objects spread over the
 * partnerships of the scaled children C<from>…C<to>, owned by their police, and links between them and
 * those children, all set-based (INSERT … SELECT generate_series). Counts follow intelligenceScale.
 *
 * Realistic skew: a link's entity is drawn as the ⌊k·u²⌋-th of the k of its kind in the child's
 * partnership (u uniform), so a few entities are hotspots linked to many children (the first 1% take a
 * tenth of the links; at 200,000 the busiest person has a few hundred) and most have one or two. Four links in five join a child to a person, a place or a thing;
 * the rest join a person to a place (frequents, lives at, works at) or to a thing (drives, uses).
 * Numbers are drawn from hashtext of the row's number, so a run is the same each time.
 */
export async function scaleSeedIntelligence(tx: Tx, range: ScaleSeedContext): Promise<number> {
  const n = range.to - range.from + 1;
  const counts = intelligenceScale(n);
  // Numbers unique across runs (each run's range starts after the last): registrations and handles stay unique.
  const base = range.from - 1;
  const series = (count: number) => sql`generate_series(${sql.lit(base + 1)}, ${sql.lit(base + count)}) g`;
  const scaled = scaledChildren('c', range);
  // The police of each partnership that has scaled children, numbered: row g goes to the (g mod k)-th.
  const police = sql`(SELECT a.id, a.partnership_id, row_number() OVER (ORDER BY a.partnership_id, a.id) - 1 AS n, count(*) OVER () AS k
      FROM agencies a WHERE a.kind = 'police' AND EXISTS (SELECT 1 FROM children c WHERE c.partnership_id = a.partnership_id AND ${scaled})) pol`;
  const h = (salt: string) => sql`(hashtext(${`${salt}:`}::text || g) & 2147483647)`;
  let rows = 0;

  rows += await insertCount(
    tx,
    sql`
    INSERT INTO persons_of_concern (partnership_id, given_name, family_name, aliases, estimated_age, description, phone_numbers, social_media, markers,
                                    status, owning_agency_id, created_at, created_by_name)
    SELECT pol.partnership_id,
           CASE WHEN ${h('pg')} % 4 = 0 THEN NULL
                ELSE (ARRAY['Dean','Jason','Kyle','Liam','Ryan','Craig','Lee','Wayne','Darren','Mark','Jordan','Connor','Aaron','Jamie','Nathan',
                            'Scott','Shane','Carl','Reece','Tyler'])[1 + ${h('pg')} % 20] END,
           CASE WHEN ${h('pg')} % 4 = 0 THEN NULL
                ELSE (ARRAY['Walsh','Hughes','Price','Marsh','Kerr','Doyle','Quinn','Baxter','Holt','Foley','Rees','Lloyd','Barker','Nolan','Shaw',
                            'Dunn','Bell','Pryce','Moss','Gill'])[1 + ${h('pf')} % 20] END,
           ARRAY[(ARRAY['D','Big J','Smiley','Tank','Ghost','Shorty','Jonno','Kez','Spider','Bones','Flash','Ace','Dot','Red','Mack','Taz'])[1 + ${h('pa')} % 16]],
           18 + ${h('pe')} % 40,
           'Synthetic benchmark person ' || g,
           ARRAY['07700 ' || lpad((g % 1000000)::text, 6, '0')],
           CASE WHEN g % 3 = 0 THEN ARRAY['Snapchat: bench' || g] ELSE '{}'::text[] END,
           CASE ${h('pm')} % 5 WHEN 0 THEN ARRAY['offers_lifts', 'supplies_drugs_alcohol'] WHEN 1 THEN ARRAY['gives_gifts_money']
                WHEN 2 THEN ARRAY['online_contact'] WHEN 3 THEN ARRAY['uses_hotel_rooms', 'offers_lifts'] ELSE '{}'::text[] END,
           CASE WHEN ${h('ps')} % 20 = 0 THEN 'charged' WHEN ${h('ps')} % 50 = 1 THEN 'convicted' ELSE 'active' END,
           pol.id, now() - make_interval(days => (${h('pd')} % 900)::int), ${byline}
      FROM ${series(counts.persons)} JOIN ${police} ON pol.n = g % pol.k`,
  );

  rows += await insertCount(
    tx,
    sql`
    INSERT INTO intel_locations (partnership_id, name, kind, address, business_type, description, created_at, created_by_name)
    SELECT pol.partnership_id,
           (ARRAY['Grill','Chicken','Lodge','Cars','Rec','Stores','House','Gates','Kebabs','Hotel'])[1 + g % 10] || ' ' || g,
           (ARRAY['takeaway','takeaway','hotel','taxi_firm','park','shop','house','school_gate','takeaway','address'])[1 + g % 10],
           (1 + ${h('la')} % 200) || ' ' || (ARRAY['High Street','Station Road','Quay Street','Ferry Road','Mill Lane','Church Street','Park Road',
                                                 'Victoria Road'])[1 + ${h('ls')} % 8],
           CASE WHEN g % 10 IN (0, 1, 3, 5, 8) THEN 'Licensed premises' END,
           'Synthetic benchmark location',
           now() - make_interval(days => (${h('ld')} % 900)::int), ${byline}
      FROM ${series(counts.locations)} JOIN ${police} ON pol.n = g % pol.k`,
  );

  rows += await insertCount(
    tx,
    sql`
    INSERT INTO intel_objects (partnership_id, kind, registration, make, model, colour, identifier, platform, description, created_at, created_by_name)
    SELECT pol.partnership_id, o.kind,
           CASE WHEN o.kind = 'vehicle' THEN 'BX' || lpad(g::text, 8, '0') END,
           CASE WHEN o.kind = 'vehicle' THEN (ARRAY['Audi','Ford','BMW','Vauxhall','Toyota','Skoda'])[1 + ${h('om')} % 6] END,
           CASE WHEN o.kind = 'vehicle' THEN (ARRAY['A3','Focus','3 Series','Corsa','Prius','Octavia'])[1 + ${h('om')} % 6] END,
           CASE WHEN o.kind = 'vehicle' THEN (ARRAY['Silver','Black','White','Grey','Blue'])[1 + ${h('oc')} % 5] END,
           CASE o.kind WHEN 'phone' THEN '07700 ' || lpad((g % 1000000)::text, 6, '0') WHEN 'online_account' THEN 'bench_' || g END,
           CASE WHEN o.kind = 'online_account' THEN (ARRAY['Snapchat','Instagram','TikTok'])[1 + g % 3] END,
           'Synthetic benchmark object',
           now() - make_interval(days => (${h('od')} % 900)::int), ${byline}
      FROM ${series(counts.objects)} JOIN ${police} ON pol.n = g % pol.k
      CROSS JOIN LATERAL (SELECT (ARRAY['vehicle','phone','online_account','vehicle'])[1 + g % 4] AS kind) o`,
  );

  // Links: each draws a scaled child (uniform) and, in the child's partnership, entities skewed to hotspots.
  // The numbered entities and children go into indexed temporary tables first, and each draw is an index
  // probe: joined as CTEs, without statistics, the planner looped over them (minutes at 40,000 children).
  await sql`
    CREATE TEMP TABLE bench_intel_ents ON COMMIT DROP AS
      SELECT 'person'::text AS kind, NULL::text AS sub, id, partnership_id, row_number() OVER (PARTITION BY partnership_id ORDER BY id) - 1 AS n
        FROM persons_of_concern WHERE created_by_name = ${byline}
      UNION ALL
      SELECT 'location', NULL, id, partnership_id, row_number() OVER (PARTITION BY partnership_id ORDER BY id) - 1
        FROM intel_locations WHERE created_by_name = ${byline}
      UNION ALL
      SELECT 'object', kind, id, partnership_id, row_number() OVER (PARTITION BY partnership_id ORDER BY id) - 1
        FROM intel_objects WHERE created_by_name = ${byline}`.execute(tx);
  await sql`CREATE INDEX ON bench_intel_ents (kind, partnership_id, n)`.execute(tx);
  await sql`
    CREATE TEMP TABLE bench_intel_sizes ON COMMIT DROP AS
      SELECT kind, partnership_id, count(*) AS k FROM bench_intel_ents GROUP BY kind, partnership_id`.execute(tx);
  await sql`
    CREATE TEMP TABLE bench_intel_kids ON COMMIT DROP AS
      SELECT c.id, c.partnership_id, row_number() OVER (ORDER BY c.reference) - 1 AS n FROM children c WHERE ${scaled}`.execute(tx);
  await sql`CREATE UNIQUE INDEX ON bench_intel_kids (n)`.execute(tx);
  await sql`ANALYZE bench_intel_ents, bench_intel_sizes, bench_intel_kids`.execute(tx);
  const kidCount = Number((await sql<{ k: string }>`SELECT count(*) AS k FROM bench_intel_kids`.execute(tx)).rows[0]?.k ?? 0);
  if (kidCount === 0) return rows;
  /** The ⌊k·u²⌋-th entity of a kind in the partnership, by index. */
  const pick = (kind: ReturnType<typeof sql>, u: ReturnType<typeof sql>) => sql`(SELECT e.id FROM bench_intel_ents e
      WHERE e.kind = ${kind} AND e.partnership_id = x.partnership_id
        AND e.n = (SELECT floor(s.k * power(${u}, 2))::bigint FROM bench_intel_sizes s WHERE s.kind = ${kind} AND s.partnership_id = x.partnership_id))`;
  rows += await insertCount(
    tx,
    sql`
    WITH draws AS (
      SELECT g, ${h('lc')} % ${sql.lit(kidCount)} AS child_n, ${h('lk')} % 100 AS roll,
             ${h('lu')}::float8 / 2147483648.0 AS u, ${h('lv')}::float8 / 2147483648.0 AS v
        FROM ${series(counts.links)}
    ),
    shaped AS (
      SELECT d.*, c.id AS child_id, c.partnership_id,
             CASE WHEN d.roll < 40 OR d.roll >= 80 THEN 'person' WHEN d.roll < 65 THEN 'location' ELSE 'object' END AS first_kind,
             CASE WHEN d.roll >= 92 THEN 'object' WHEN d.roll >= 80 THEN 'location' END AS second_kind
        FROM draws d JOIN bench_intel_kids c ON c.n = d.child_n
    ),
    picked AS (
      SELECT x.*, ${pick(sql`x.first_kind`, sql`x.u`)} AS e1_id,
             CASE WHEN x.second_kind IS NOT NULL THEN ${pick(sql`x.second_kind`, sql`x.v`)} END AS e2_id
        FROM shaped x
    )
    INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, first_seen_on, source, confidence, created_at, created_by_name)
    SELECT x.partnership_id,
           CASE WHEN x.second_kind IS NULL THEN 'child' ELSE 'person' END,
           CASE WHEN x.second_kind IS NULL THEN x.child_id ELSE x.e1_id END,
           coalesce(x.second_kind, x.first_kind),
           coalesce(x.e2_id, x.e1_id),
           CASE WHEN x.second_kind = 'location' THEN (ARRAY['frequents','lives_at','works_at'])[1 + x.g % 3]
                WHEN x.second_kind = 'object' THEN CASE e2.sub WHEN 'vehicle' THEN 'drives' WHEN 'phone' THEN 'uses_phone' ELSE 'uses_account' END
                WHEN x.first_kind = 'person' THEN (ARRAY['seen_with','associates_with'])[1 + x.g % 2]
                WHEN x.first_kind = 'location' THEN (ARRAY['found_at','frequents'])[1 + x.g % 2]
                ELSE 'seen_with' END,
           current_date - (x.g % 400)::int,
           (ARRAY['Return home interview','Police patrol observations','School report','ANPR','Missing episode debrief','Partner agency referral'])[1 + x.g % 6],
           (ARRAY['low','medium','high'])[1 + x.g % 3],
           now() - make_interval(days => (x.g % 400)::int), ${byline}
      FROM picked x
      LEFT JOIN bench_intel_ents e2 ON e2.id = x.e2_id AND e2.kind = 'object'
     WHERE x.e1_id IS NOT NULL AND (x.second_kind IS NULL OR x.e2_id IS NOT NULL)`,
  );
  return rows;
}
