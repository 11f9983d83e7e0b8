import { NetworkService } from '../../src/features/intelligence/network/service.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { actorOf } from '../../src/auth/service.ts';
import { withActor } from '../../src/db/context.ts';
import { communities, components, type NetworkEdge, type NetworkNode } from '../../src/features/intelligence/network/graph.ts';
import { localityMap } from '../../src/features/intelligence/network/geo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, uniqueReference } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * The intelligence network (issue 12 §5): hops, withheld links to children the reader may not see (by
 * role), clusters, the shortest path between two children, hotspots with their trend, and a practitioner's
 * sanitised view through the narrow function of migration 0330 — only for children they may read, nothing
 * of a person's name or a vehicle's registration, no second hop, and no count beyond "withheld".
 *
 * The fixture, in Northmere: children C1, C2 (children's services) and C3 (restricted, health's: hidden
 * from the analyst and the social worker); a man "Blade" (P1, ~40), a second man (P2), a takeaway L1 in
 * Riverside and a van V1.  C1 seen with P1; P1 drives V1; C2 seen with V1; P1 frequents L1; P2 associates
 * with P1; C3 seen with P1; C1 associates with C3; C4 linked only to C3.
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
const ids: Record<string, string> = {};
const refs: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  const riverside = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM localities WHERE partnership_id = $1 AND name = 'Riverside'`, [northmere]))[0]!.id;
  ids.riverside = riverside;
  for (const [key, agency, restricted] of [
    ['C1', 'childrens_services', false],
    ['C2', 'childrens_services', false],
    ['C3', 'health', true],
    ['C4', 'childrens_services', false],
  ] as const) {
    refs[key] = uniqueReference('NET');
    ids[key] = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agencies[agency]!,
      reference: refs[key],
      given_name: `Netkid${key}`,
      family_name: 'Testcase',
      restricted,
      locality_id: riverside,
    });
  }
  const [p1] = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO persons_of_concern (partnership_id, aliases, estimated_age, owning_agency_id) VALUES ($1, '{Blade}', 40, $2) RETURNING id`,
    [northmere, agencies.police],
  );
  const [p2] = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO persons_of_concern (partnership_id, given_name, family_name, owning_agency_id) VALUES ($1, 'Ronan', 'Quist', $2) RETURNING id`,
    [northmere, agencies.police],
  );
  const [l1] = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO intel_locations (partnership_id, name, kind, locality_id) VALUES ($1, 'Netspot Kebabs', 'takeaway', $2) RETURNING id`,
    [northmere, riverside],
  );
  const [v1] = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO intel_objects (partnership_id, kind, registration, make) VALUES ($1, 'vehicle', 'NE71 ZZQ', 'Vauxhall') RETURNING id`,
    [northmere],
  );
  ids.P1 = p1!.id;
  ids.P2 = p2!.id;
  ids.L1 = l1!.id;
  ids.V1 = v1!.id;
  const link = (from: [string, string], relation: string, to: [string, string], confidence = 'high', firstSeen: string | null = null) =>
    ctx.ownerQuery(
      `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence, first_seen_on)
       VALUES ($1, $2, $3, $4, $5, $6, 'Test source', $7, $8)`,
      [northmere, from[0], ids[from[1]], to[0], ids[to[1]], relation, confidence, firstSeen],
    );
  await link(['child', 'C1'], 'seen_with', ['person', 'P1']);
  await link(['person', 'P1'], 'drives', ['object', 'V1'], 'medium');
  await link(['child', 'C2'], 'seen_with', ['object', 'V1'], 'low');
  await link(['person', 'P1'], 'frequents', ['location', 'L1'], 'medium', '2019-02-10');
  await link(['person', 'P2'], 'associates_with', ['person', 'P1']);
  await link(['child', 'C3'], 'seen_with', ['person', 'P1']);
  await link(['child', 'C1'], 'associates_with', ['child', 'C3']);
  await link(['child', 'C4'], 'associates_with', ['child', 'C3']);
  // Hotspots: 2019-01-01 to 2019-03-31 against 2018-10-03 to 2018-12-31 (no demo data is so old).
  await link(['child', 'C1'], 'found_at', ['location', 'L1'], 'high', '2019-03-01');
  await link(['child', 'C2'], 'found_at', ['location', 'L1'], 'high', '2018-11-15');
  await link(['child', 'C1'], 'frequents', ['location', 'L1'], 'high', '2018-12-01');
  await link(['child', 'C3'], 'found_at', ['location', 'L1'], 'high', '2019-03-02');
  const episode = (child: string, started: string) =>
    ctx.ownerQuery(
      `INSERT INTO missing_episodes (partnership_id, child_id, episode_type, started_at, reported_by, risk_level) VALUES ($1, $2, 'missing', $3, 'Carer', 'high')`,
      [northmere, ids[child], started],
    );
  await episode('C1', '2019-02-01T20:00:00Z');
  await episode('C3', '2019-02-02T20:00:00Z');
  for (const key of ['analyst', 'coordinator', 'social-worker', 'school'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const rowsOf = (html: string, marker: string) => {
  const table = html.slice(html.indexOf(marker));
  return [...table.slice(0, table.indexOf('</table>')).matchAll(/<tr class="govuk-table__row"[^>]*data-key="([^"]+)"/g)].map((m) => m[1]!);
};

describe('the network of a record', () => {
  test('one hop from a person: its direct links, the hidden child withheld, not named; two hops reach further', async () => {
    const one = await agents.analyst!.get(`/intelligence/network?kind=person&id=${ids.P1}&hops=1`);
    assert.equal(one.statusCode, 200);
    const keys = rowsOf(one.body, 'data-network-nodes');
    assert.deepEqual(new Set(keys), new Set([`person:${ids.P1}`, `child:${ids.C1}`, `object:${ids.V1}`, `location:${ids.L1}`, `person:${ids.P2}`]));
    assert.match(one.body, /Links withheld: 1\./);
    assert.doesNotMatch(one.body, new RegExp(`${refs.C3}|${ids.C3}|NetkidC3`));
    const two = await agents.analyst!.get(`/intelligence/network?kind=person&id=${ids.P1}&hops=2`);
    const twoKeys = rowsOf(two.body, 'data-network-nodes');
    assert.ok(twoKeys.includes(`child:${ids.C2}`), 'C2 through the van');
    assert.ok(!twoKeys.includes(`child:${ids.C4}`), 'C4 only through the hidden child');
    // The server-drawn picture is there for readers without JavaScript, and the module is a file of its own.
    assert.match(two.body, /<svg[^>]+role="img"[^>]+aria-labelledby="network-picture-title/);
    assert.match(two.body, /<script type="module" src="\/assets\/network.js"><\/script>/);
  });

  test('the withheld count is each role’s own: the links to children that role may not read', async () => {
    for (const key of ['analyst', 'coordinator']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      const sees = await withActor(
        ctx.services.db,
        actorOf(user),
        async (tx) => (await sql`SELECT 1 FROM children WHERE id = ${ids.C3}::uuid`.execute(tx)).rows.length === 1,
      );
      const network = await ctx.services.intelNetwork.network(user, { kind: 'person', id: ids.P1! }, 1);
      assert.equal(network.withheld, sees ? 0 : 1, key);
      assert.equal(
        network.nodes.some((n) => n.id === ids.C3),
        sees,
        key,
      );
    }
  });

  test('only the intelligence roles; an unknown or hidden start is 404; a bad query is 400', async () => {
    assert.equal((await agents['social-worker']!.get(`/intelligence/network?kind=person&id=${ids.P1}`)).statusCode, 403);
    assert.equal((await agents.analyst!.get(`/intelligence/network?kind=person&id=${ids.L1}`)).statusCode, 404);
    assert.equal((await agents.analyst!.get(`/intelligence/network?kind=child&id=${ids.C3}`)).statusCode, 404);
    for (const q of ['', 'kind=person', `kind=bogus&id=${ids.P1}`, 'kind=person&id=nope', `kind=person&id=${ids.P1}&hops=4`, `kind=person&id=${ids.P1}&hops=x`])
      assert.equal((await agents.analyst!.get(`/intelligence/network?${q}`)).statusCode, 400, q);
  });

  test('clusters: the groups joined only through the centre, and communities, with their sizes', async () => {
    const user = await ctx.sessionUser('analyst.northmere@lantern.example');
    const network = await ctx.services.intelNetwork.network(user, { kind: 'person', id: ids.P1! }, 2);
    const sizes = network.clusters.components.map((g) => g.length);
    // C1 and C2 are both found at the takeaway, so they, the van and the takeaway hang together without Blade; the second man does not.
    assert.deepEqual(sizes, [4, 1]);
    assert.deepEqual(network.clusters.components[0]!.map((n) => n.id).sort(), [ids.C1, ids.C2, ids.L1, ids.V1].sort());
    assert.deepEqual(
      network.clusters.components[1]!.map((n) => n.id),
      [ids.P2],
    );
    assert.equal(
      network.clusters.communities.reduce((s, g) => s + g.length, 0),
      network.nodes.length,
    );
    const page = await agents.analyst!.get(`/intelligence/network?kind=person&id=${ids.P1}&hops=2`);
    assert.match(page.body, /Records in the group: 4/);
  });

  test('the cluster arithmetic: components leave out the centre; modularity splits two triangles joined by one link', () => {
    const node = (key: string): NetworkNode => ({ key, kind: 'person', id: key, label: key, href: '', depth: 1 });
    const edge = (a: string, b: string): NetworkEdge => ({
      id: `${a}${b}`,
      source: a,
      target: b,
      sourceLabel: a,
      targetLabel: b,
      relation: 'associates_with',
      confidence: 'high',
      first_seen_on: null,
      last_seen_on: null,
    });
    const nodes = ['a', 'b', 'c', 'x', 'y', 'z'].map(node);
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('a', 'c'), edge('x', 'y'), edge('y', 'z'), edge('x', 'z'), edge('c', 'x')];
    assert.deepEqual(components(nodes, edges), [['a', 'b', 'c', 'x', 'y', 'z']]);
    assert.deepEqual(components(nodes, edges, 'c'), [
      ['x', 'y', 'z'],
      ['a', 'b'],
    ]);
    assert.deepEqual(communities(nodes, edges), [
      ['a', 'b', 'c'],
      ['x', 'y', 'z'],
    ]);
  });
});

describe('how two children are connected', () => {
  test('the shortest chain: C1 – the takeaway – C2, two links (not the three through Blade and the van)', async () => {
    const r = await agents.analyst!.get(`/intelligence/network/path?from=${refs.C1}&to=${refs.C2!.toLowerCase()}`);
    assert.equal(r.statusCode, 200);
    const path = r.body.slice(r.body.indexOf('data-network-path'), r.body.indexOf('</ol>', r.body.indexOf('data-network-path')));
    assert.match(r.body, /Links in the chain: 2\./, path);
    assert.ok(path.indexOf('NetkidC1') < path.indexOf('Netspot') && path.indexOf('Netspot') < path.lastIndexOf('NetkidC2'), path);
    assert.doesNotMatch(path, /Blade/);
  });

  test('never through a hidden child, and a hidden child is not found', async () => {
    const r = await agents.analyst!.get(`/intelligence/network/path?from=${refs.C1}&to=${refs.C4}`);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /data-network-path-none/);
    assert.doesNotMatch(r.body, /NetkidC3/);
    const hidden = await agents.analyst!.get(`/intelligence/network/path?from=${refs.C1}&to=${refs.C3}`);
    assert.match(hidden.body, /No child you can see has one of those references/);
    assert.equal((await agents.analyst!.get('/intelligence/network/path')).statusCode, 200);
    assert.equal((await agents.analyst!.get('/intelligence/network/path?from=%3Cscript%3E')).statusCode, 400);
  });
});

describe('hotspots', () => {
  const period = '?from-day=1&from-month=1&from-year=2019&to-day=31&to-month=3&to-year=2019';
  const cells = (html: string, table: string, name: string): Record<string, string> => {
    const at = html.indexOf(`data-hotspots-${table}`);
    const row = html.slice(html.indexOf(`data-name="${name}"`, at));
    const body = row.slice(0, row.indexOf('</tr>'));
    return Object.fromEntries(
      [...body.matchAll(/data-metric="(\w+)">([\s\S]*?)<\/td>/g)].map((m): [string, string] => [
        m[1]!,
        m[2]!
          .replace(/<[^>]+>|[▲▼]/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ]),
    );
  };

  test('the location and its locality: numbers in the period and the change from the one before; hidden children count nowhere', async () => {
    const r = await agents.analyst!.get(`/intelligence/hotspots${period}`);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /From 1 January 2019 to 31 March 2019, against 3 October 2018 to 31 December 2018\./);
    // Current: C1 found at (1 child), Blade frequents (2 incidents), 1 found; C3's link not counted.
    // Previous: C2 found at and C1 frequents: 2 children, 2 incidents, 1 found.
    assert.deepEqual(cells(r.body, 'locations', 'Netspot Kebabs'), { children: '1 down 1', incidents: '2 no change', foundAt: '1 no change' });
    const riverside = cells(r.body, 'localities', 'Riverside');
    assert.equal(riverside.missingFrom, '1 up 1', 'C1’s episode; not the hidden C3’s');
    assert.equal(riverside.foundAt, '1 no change');
    // The map is drawn from the bundled boundaries, with the numbers on it.
    assert.match(r.body, /<path d="M[\d.,L]+Z" class="lantern-hotspot-area lantern-hotspot-area--\d"\/>/);
    assert.match(r.body, /Children: 1</);
  });

  test('the hotspot functions answer only the intelligence roles, and count exactly the children row-level security lets them read', async () => {
    const args = sql`'2018-10-03'::date, '2019-03-31'::date, '2018-10-03'::date, '2018-12-31'::date, '2019-01-01'::timestamptz, '2019-04-01'::timestamptz, '2018-10-03'::timestamptz`;
    for (const key of ['social-worker', 'school', 'police', 'triage', 'dpo', 'councillor', 'strategy']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      const rows = await withActor(ctx.services.db, actorOf(user), async (tx) => [
        ...(await sql`SELECT * FROM lantern_hotspot_link_counts(${args})`.execute(tx)).rows,
        ...(
          await sql`SELECT * FROM lantern_hotspot_missing_counts('2018-01-01'::timestamptz, '2019-01-01'::timestamptz, '2030-01-01'::timestamptz)`.execute(tx)
        ).rows,
      ]);
      assert.deepEqual(rows, [], key);
    }
    for (const key of ['analyst', 'coordinator']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      await withActor(ctx.services.db, actorOf(user), async (tx) => {
        const counted = (
          await sql<{
            missing: number;
          }>`SELECT missing FROM lantern_hotspot_missing_counts('2000-01-01'::timestamptz, '2000-01-02'::timestamptz, '2100-01-01'::timestamptz)`.execute(tx)
        ).rows.reduce((a, r) => a + r.missing, 0);
        const underRls = (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM missing_episodes m JOIN children c ON c.id = m.child_id
            WHERE m.partnership_id = (SELECT lantern_partnership()) AND c.locality_id IS NOT NULL`.execute(tx)
        ).rows[0]!.n;
        assert.equal(counted, underRls, key);
      });
    }
  });

  test('the stored and live parts of the hotspot counts (0471) add up to the reference functions, for each role and with break-glass', async () => {
    const args = sql`'2018-10-03'::date, '2019-03-31'::date, '2018-10-03'::date, '2018-12-31'::date, '2019-01-01'::timestamptz, '2019-04-01'::timestamptz, '2018-10-03'::timestamptz`;
    const missingArgs = sql`'2018-10-03'::timestamptz, '2019-01-01'::timestamptz, '2019-04-01'::timestamptz`;
    type Row = {
      period: string;
      location: string | null;
      locality: string | null;
      by_location: boolean;
      children: number;
      incidents: number;
      found_at: number;
    };
    const key = (r: Row) => `${r.period}|${r.by_location}|${r.location}|${r.locality}`;
    const sum = (parts: Row[][]) => {
      const m = new Map<string, Row>();
      for (const r of parts.flat()) {
        const had = m.get(key(r));
        m.set(
          key(r),
          had ? { ...had, children: had.children + r.children, incidents: had.incidents + r.incidents, found_at: had.found_at + r.found_at } : { ...r },
        );
      }
      return [...m.values()].sort((a, b) => key(a).localeCompare(key(b)));
    };
    const compare = async (email: string) => {
      const user = await ctx.sessionUser(email);
      return withActor(ctx.services.db, actorOf(user), async (tx) => {
        const reference = (await sql<Row>`SELECT * FROM lantern_hotspot_link_counts(${args})`.execute(tx)).rows;
        const shared = (await sql<Row>`SELECT * FROM lantern_hotspot_link_part(${args}, false)`.execute(tx)).rows;
        const own = (await sql<Row>`SELECT * FROM lantern_hotspot_link_part(${args}, true)`.execute(tx)).rows;
        assert.deepEqual(sum([shared, own]), sum([reference]), email);
        const missing = async (fn: string, extra: boolean | null) =>
          (
            await sql<{
              period: string;
              locality: string;
              missing: number;
            }>`SELECT * FROM ${sql.raw(fn)}(${missingArgs}${extra === null ? sql`` : sql`, ${extra}`})`.execute(tx)
          ).rows.reduce((a, r) => a + r.missing, 0);
        assert.equal(
          (await missing('lantern_hotspot_missing_part', false)) + (await missing('lantern_hotspot_missing_part', true)),
          await missing('lantern_hotspot_missing_counts', null),
          email,
        );
        return { own: own.length, ownMissing: await missing('lantern_hotspot_missing_part', true) };
      });
    };
    for (const email of ['analyst.northmere@lantern.example', 'coordinator.northmere@lantern.example'])
      assert.deepEqual(await compare(email), { own: 0, ownMissing: 0 }, 'no restricted child of theirs: the live part is empty');
    // The analyst breaks glass on the restricted C3: its found-at link and its episode now count, in the live part.
    const [analyst] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'analyst.northmere@lantern.example'`);
    await ctx.ownerQuery(
      `INSERT INTO break_glass_grants (partnership_id, child_id, user_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, 'Network test', now(), now() + interval '1 hour')`,
      [northmere, ids.C3, analyst!.id],
    );
    try {
      assert.deepEqual(await compare('analyst.northmere@lantern.example'), { own: 2, ownMissing: 1 });
      assert.deepEqual(await compare('coordinator.northmere@lantern.example'), { own: 0, ownMissing: 0 }, 'the grant is the analyst’s alone');
      // Stored for five minutes, the shared part is the same for both; the analyst's own part is live.
      const stored = new NetworkService(ctx.services.db, ctx.clock, 300);
      const periods = { from: '2019-01-01', to: '2019-03-31', previousFrom: '2018-10-03', previousTo: '2018-12-31' };
      const kebabs = async (email: string) =>
        (await stored.hotspots(await ctx.sessionUser(email), periods)).locations.find((l) => l.name === 'Netspot Kebabs')!.current;
      assert.deepEqual(await kebabs('analyst.northmere@lantern.example'), { children: 2, incidents: 3, foundAt: 2, missingFrom: 0 });
      assert.deepEqual(await kebabs('coordinator.northmere@lantern.example'), { children: 1, incidents: 2, foundAt: 1, missingFrom: 0 });
      const rows = await ctx.ownerQuery<{ kind: string }>(`SELECT kind FROM hotspot_snapshots WHERE partnership_id = $1 ORDER BY kind`, [northmere]);
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['links', 'missing'],
        'one stored part of each, shared by both',
      );
    } finally {
      await ctx.ownerQuery(`DELETE FROM break_glass_grants WHERE user_id = $1 AND reason = 'Network test'`, [analyst!.id]);
      await ctx.ownerQuery(`DELETE FROM hotspot_snapshots WHERE partnership_id = $1`, [northmere]);
    }
    // A place removed from the records (recorded in error) is no hotspot.
    await ctx.ownerQuery(`UPDATE intel_locations SET removed_at = now(), removed_reason = 'Recorded in error (test)' WHERE id = $1`, [ids.L1]);
    try {
      const fresh = new NetworkService(ctx.services.db, ctx.clock, 0);
      const periods = { from: '2019-01-01', to: '2019-03-31', previousFrom: '2018-10-03', previousTo: '2018-12-31' };
      const found = await fresh.hotspots(await ctx.sessionUser('analyst.northmere@lantern.example'), periods);
      assert.equal(
        found.locations.find((l) => l.name === 'Netspot Kebabs'),
        undefined,
      );
    } finally {
      await ctx.ownerQuery(`UPDATE intel_locations SET removed_at = NULL, removed_reason = NULL WHERE id = $1`, [ids.L1]);
    }
    // Nobody else stores or reads the shared part.
    const school = await ctx.sessionUser('school.northmere@lantern.example');
    await withActor(ctx.services.db, actorOf(school), async (tx) => {
      assert.deepEqual((await sql`SELECT * FROM lantern_hotspot_link_part(${args}, false)`.execute(tx)).rows, []);
      assert.deepEqual((await sql`SELECT * FROM hotspot_snapshots`.execute(tx)).rows, []);
    });
  });

  test('the page lists the fifty places at the top and says how many more had activity; the view names only those listed', async () => {
    await ctx.ownerQuery(
      `WITH places AS (
         INSERT INTO intel_locations (partnership_id, name, kind, locality_id)
         SELECT $1, 'Busy Place ' || lpad(n::text, 2, '0'), 'shop', $2 FROM generate_series(1, 55) AS n RETURNING id)
       INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence, first_seen_on)
       SELECT $1, 'child', $3, 'location', id, 'frequents', 'Test source', 'low', '2021-05-10' FROM places`,
      [northmere, ids.riverside, ids.C2],
    );
    const r = await agents.analyst!.get('/intelligence/hotspots?from=2021-05-01&to=2021-05-31');
    assert.equal(r.statusCode, 200);
    assert.equal((r.body.match(/data-name="Busy Place \d\d"/g) ?? []).length, 50);
    assert.match(r.body, /The 50 places at the top are listed; 5 more places had activity in the period\./);
    const [view] = await ctx.ownerQuery<{ disclosed_ids: string[] }>(
      `SELECT disclosed_ids FROM audit_events WHERE record_type = 'intelligence' AND details->>'page' = 'hotspots' ORDER BY seq DESC LIMIT 1`,
    );
    assert.equal(view!.disclosed_ids.length, 50);
  });

  test('an undated link counts on the day it was recorded, and in no period before it', async () => {
    const [place] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO intel_locations (partnership_id, name, kind, locality_id) VALUES ($1, 'Undated Arcade', 'shop', $2) RETURNING id`,
      [northmere, ids.riverside],
    );
    await ctx.ownerQuery(
      `INSERT INTO intel_links (partnership_id, from_kind, from_id, to_kind, to_id, relation, source, confidence, created_at)
       VALUES ($1, 'child', $2, 'location', $3, 'frequents', 'Test source', 'low', '2019-06-15T23:30:00Z')`,
      [northmere, ids.C2, place!.id],
    );
    // 23:30 UTC on 15 June is 00:30 on 16 June in London: the London day counts.
    const june16 = await agents.analyst!.get('/intelligence/hotspots?from=2019-06-16&to=2019-06-16');
    assert.deepEqual(cells(june16.body, 'locations', 'Undated Arcade'), { children: '1 up 1', incidents: '1 up 1', foundAt: '0 no change' });
    const june15 = await agents.analyst!.get('/intelligence/hotspots?from=2019-06-15&to=2019-06-15');
    assert.doesNotMatch(june15.body, /Undated Arcade/);
    const june17 = await agents.analyst!.get('/intelligence/hotspots?from=2019-06-17&to=2019-06-17');
    assert.deepEqual(cells(june17.body, 'locations', 'Undated Arcade'), { children: '0 down 1', incidents: '0 down 1', foundAt: '0 no change' });
  });

  test('recorded events count: incidents and sightings, a child going missing from a place, a found location not turned from an episode', async () => {
    const [place] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO intel_locations (partnership_id, name, kind, locality_id) VALUES ($1, 'Eventful Station', 'other', $2) RETURNING id`,
      [northmere, ids.riverside],
    );
    const event = (kind: string, on: string, where: { location?: string; locality?: string }) =>
      ctx.ownerQuery(
        `INSERT INTO intel_events (partnership_id, kind, occurred_on, location_id, locality_id, description, source) VALUES ($1, $2, $3, $4, $5, 'Test event', 'Test source')`,
        [northmere, kind, on, where.location ?? null, where.locality ?? null],
      );
    await event('incident', '2020-02-10', { location: place!.id });
    await event('sighting', '2020-02-11', { location: place!.id });
    await event('missing_from', '2020-02-12', { location: place!.id });
    await event('found_location', '2020-02-13', { location: place!.id });
    await event('incident', '2020-01-05', { location: place!.id }); // the period before
    await event('incident', '2020-02-14', { locality: ids.riverside! }); // a locality only
    const r = await agents.analyst!.get('/intelligence/hotspots?from=2020-02-01&to=2020-02-29');
    assert.equal(r.statusCode, 200);
    assert.deepEqual(cells(r.body, 'locations', 'Eventful Station'), { children: '0 no change', incidents: '2 up 1', foundAt: '1 up 1' });
    const riverside = cells(r.body, 'localities', 'Riverside');
    assert.equal(riverside.incidents, '3 up 2', 'the place’s two and the locality’s own');
    assert.equal(riverside.foundAt, '1 up 1');
    assert.match(riverside.missingFrom!, /^1 /);
  });

  test('a period the wrong way round or too long is 400 with the error summary; only the intelligence roles', async () => {
    const wrong = await agents.analyst!.get('/intelligence/hotspots?from-day=1&from-month=3&from-year=2019&to-day=1&to-month=1&to-year=2019');
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /govuk-error-summary/);
    assert.equal((await agents.analyst!.get('/intelligence/hotspots?from-day=31&from-month=2&from-year=2019')).statusCode, 400);
    assert.equal((await agents.analyst!.get('/intelligence/hotspots?from=2010-01-01&to=2019-01-01')).statusCode, 400);
    assert.equal((await agents.analyst!.get('/intelligence/hotspots')).statusCode, 200);
    assert.equal((await agents['social-worker']!.get('/intelligence/hotspots')).statusCode, 403);
  });

  test('the bundled boundaries project into the picture for both demo partnerships, and none for another', () => {
    for (const code of ['northmere', 'westbrook']) {
      const areas = localityMap(code, 560, 420);
      assert.equal(areas.length, 4, code);
      for (const a of areas) {
        const numbers = a.d.match(/[\d.]+/g)!.map(Number);
        assert.ok(
          numbers.every((n) => n >= 0 && n <= 560),
          `${code} ${a.locality}`,
        );
      }
    }
    assert.deepEqual(localityMap('elsewhere', 560, 420), []);
  });
});

describe('a practitioner’s sanitised view', () => {
  test('the social worker sees what their child is linked to, never who or which, and no second hop', async () => {
    const r = await agents['social-worker']!.get(`/children/${ids.C1}/network`);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /A person of concern \(adult\)/);
    assert.match(r.body, /A location: Takeaway in Riverside/);
    assert.match(r.body, /Links withheld: 1\./, 'the link to the restricted child');
    for (const secret of ['Blade', 'Netspot', 'NE71', ids.P1!, ids.L1!, ids.V1!, ids.C3!, 'Ronan', 'Test source', 'Vauxhall'])
      assert.ok(!r.body.includes(secret), secret);
    const table = r.body.slice(
      r.body.indexOf('<tbody', r.body.indexOf('data-sanitised-links')),
      r.body.indexOf('</table>', r.body.indexOf('data-sanitised-links')),
    );
    assert.equal([...table.matchAll(/<tr class="govuk-table__row">/g)].length, 3, 'seen with Blade, found at and frequents the takeaway');
    const child = await agents['social-worker']!.get(`/children/${ids.C1}`);
    assert.match(child.body, new RegExp(`href="/children/${ids.C1}/network"`));
  });

  test('nothing for a child the practitioner may not read: the page is 404 and the function answers no row', async () => {
    assert.equal((await agents.school!.get(`/children/${ids.C1}/network`)).statusCode, 404);
    assert.equal((await agents['social-worker']!.get(`/children/${ids.C3}/network`)).statusCode, 404);
    for (const key of ['school', 'social-worker']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      const rows = await withActor(
        ctx.services.db,
        actorOf(user),
        async (tx) => (await sql`SELECT * FROM lantern_child_network_sanitised(${ids.C3}::uuid)`.execute(tx)).rows,
      );
      assert.deepEqual(rows, [], key);
    }
  });

  test('the function answers exactly for the children row-level security lets each account read, and never counts more than the links', async () => {
    const linked = await ctx.ownerQuery<{ id: string }>(
      `SELECT DISTINCT c.id FROM children c JOIN intel_links l ON (l.from_kind = 'child' AND l.from_id = c.id) OR (l.to_kind = 'child' AND l.to_id = c.id)
        WHERE c.partnership_id = $1 ORDER BY c.id`,
      [northmere],
    );
    assert.ok(linked.length >= 6);
    for (const key of ['social-worker', 'school', 'police', 'coordinator', 'triage', 'dpo', 'analyst']) {
      const user = await ctx.sessionUser(`${key}.northmere@lantern.example`);
      await withActor(ctx.services.db, actorOf(user), async (tx) => {
        for (const { id } of linked) {
          const visible = (await sql`SELECT 1 FROM children WHERE id = ${id}::uuid`.execute(tx)).rows.length === 1;
          const rows = (await sql<{ withheld: boolean; relation: string | null }>`SELECT * FROM lantern_child_network_sanitised(${id}::uuid)`.execute(tx)).rows;
          assert.equal(rows.length > 0, visible, `${key} on ${id}`);
          for (const row of rows) if (row.withheld) assert.equal(row.relation, null, 'a withheld row says nothing');
        }
      });
    }
    const total = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM intel_links WHERE (from_kind = 'child' AND from_id = $1) OR (to_kind = 'child' AND to_id = $1)`,
      [ids.C1],
    );
    const user = await ctx.sessionUser('social-worker.northmere@lantern.example');
    const sanitised = await ctx.services.intelNetwork.sanitised(user, ids.C1!);
    assert.equal(sanitised.links.length + sanitised.withheld, total[0]!.n);
  });

  test('every read is audited: the network, the path and the sanitised view', async () => {
    const rows = await ctx.ownerQuery<{ details: { page?: string } }>(
      `SELECT details FROM audit_events WHERE record_id IN ($1, $2) AND action IN ('record.view', 'search')`,
      [ids.P1, ids.C1],
    );
    const pages = new Set(rows.map((r) => r.details.page));
    for (const page of ['network', 'network path', 'sanitised network']) assert.ok(pages.has(page), page);
  });
});
