import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { actorOf } from '../../src/auth/service.ts';
import { withActor, withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, aMissingEpisode, aPartnership, demoPartnership } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Comparison with neighbouring partnerships that agree to compare (issue 13 §1, migration 0450). The
 * demo's Northmere and Westbrook have both offered (seed), so each compares with the other. Records are
 * placed by hand in 2023 (which the demo does not reach), in the quarter 2023-Q2 (April to June):
 *
 * Westbrook (population 2023: 20,000; threshold 5 unless a test changes it)
 *   W1 opened 2023-02-01, open            → at risk at the end
 *   W2 opened 2023-04-10, open            → new, at risk
 *   W3 opened 2023-05-01, closed 06-01    → new, not at risk at the end
 *   W4 opened 2023-01-01, closed 08-01    → at risk at the end (closed after it)
 *   W5–W9 opened 2023-04-15, open         → new, at risk (5)
 *   children at risk 8 (W1, W2, W4, W5–W9), new identifications 7 (W2, W3, W5–W9);
 *   concerns received: 2 in the quarter (and one on 2023-07-01, after it); missing episodes begun: 6 of W1
 *   (and one on 2023-03-31, before it); strategy meetings: 0.
 * Northmere (population 2023: 10,000)
 *   N1 opened 2023-03-01, N2 2023-05-01, N3 2023-05-02, all open → at risk 3, new 2;
 *   concerns 1; missing episodes 0; strategy meetings 1 (N1, 2023-06-10).
 * A third partnership, Eastholme, has offered to compare with Northmere, which has not offered back.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let eastholme: string;
const agents: Record<string, Agent> = {};

const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => ctx.ownerQuery<R>(text, values);

async function addChild(partnership: string, reference: string, created: string, closed: string | null = null): Promise<string> {
  const agency = (await q<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [partnership]))[0]!.id;
  return aChild(ctx, {
    partnership_id: partnership,
    owning_agency_id: agency,
    reference,
    created_at: new Date(created),
    status: closed ? 'closed' : 'open',
    closed_at: closed ? new Date(closed) : null,
    closing_outcome: closed ? 'other' : null,
  });
}

/** The numbers-only function as an actor of a partnership with these roles. */
async function neighbourRows(actor: TrustedActor) {
  return withTrustedActor(ctx.handle.owner, actor, async (tx) => {
    const r = await sql<{ partnership_id: string; measure: string; value: number; year: number | null }>`
      SELECT partnership_id, measure, value, year FROM lantern_profile_neighbour_figures('2023-04-01', '2023-07-01', 2023) ORDER BY measure`.execute(tx);
    return r.rows;
  });
}
const as = (partnershipId: string, roles: string[], agencyId: string | null = null): TrustedActor => ({
  partnershipId,
  agencyId,
  userId: null,
  roles,
  label: 'neighbours test',
});

/** The row of the neighbours' table for a partnership code: { measure: [count, rate] }. */
function tableRow(html: string, code: string): Record<string, [string, string]> {
  const row = new RegExp(`<tr class="govuk-table__row" data-partnership="${code}">([\\s\\S]*?)</tr>`).exec(html);
  assert.ok(row, `a row for ${code}`);
  const cells: Record<string, [string, string]> = {};
  for (const m of row[1]!.matchAll(/data-measure="([a-z_]+)">([^<]*)<\/td>\s*<td[^>]*data-rate="[a-z_]+">([^<]*)<\/td>/g))
    cells[m[1]!] = [m[2]!.trim(), m[3]!.trim()];
  return cells;
}

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  westbrook = await demoPartnership(ctx, 'westbrook');
  eastholme = await aPartnership(ctx, { code: 'eastholme', name: 'Eastholme test partnership' });

  const w1 = await addChild(westbrook, 'NB-W1', '2023-02-01T10:00:00Z');
  await addChild(westbrook, 'NB-W2', '2023-04-10T10:00:00Z');
  await addChild(westbrook, 'NB-W3', '2023-05-01T10:00:00Z', '2023-06-01T10:00:00Z');
  await addChild(westbrook, 'NB-W4', '2023-01-01T10:00:00Z', '2023-08-01T10:00:00Z');
  for (const n of [5, 6, 7, 8, 9]) await addChild(westbrook, `NB-W${n}`, '2023-04-15T10:00:00Z');
  for (const received of ['2023-04-03T09:00:00Z', '2023-06-30T20:00:00Z', '2023-07-01T09:00:00Z'])
    await aConcern(ctx, { partnership_id: westbrook, received_at: new Date(received) });
  for (const started of ['2023-03-31T10:00:00Z', '2023-04-02', '2023-04-20', '2023-05-05', '2023-05-25', '2023-06-12', '2023-06-29'])
    await aMissingEpisode(ctx, { partnership_id: westbrook, child_id: w1, started_at: new Date(started), ended_at: null });
  const n1 = await addChild(northmere, 'NB-N1', '2023-03-01T10:00:00Z');
  await addChild(northmere, 'NB-N2', '2023-05-01T10:00:00Z');
  await addChild(northmere, 'NB-N3', '2023-05-02T10:00:00Z');
  await aConcern(ctx, { partnership_id: northmere, received_at: new Date('2023-05-10T09:00:00Z') });
  await q(
    `INSERT INTO strategy_meetings (partnership_id, child_id, meeting_kind, held_on, attendees, decisions, risk_level) VALUES ($1, $2, 'meeting', '2023-06-10', 'Test', 'Test', 'high')`,
    [northmere, n1],
  );
  await q(`INSERT INTO profile_populations (partnership_id, locality_id, year, children) VALUES ($1, NULL, 2023, 20000), ($2, NULL, 2023, 10000)`, [
    westbrook,
    northmere,
  ]);
  // Eastholme offers; Northmere does not offer back: no comparison either way.
  await q(`INSERT INTO profile_comparison_offers (partnership_id, neighbour_partnership_id) VALUES ($1, $2)`, [eastholme, northmere]);
  await q(`INSERT INTO profile_populations (partnership_id, locality_id, year, children) VALUES ($1, NULL, 2023, 5000)`, [eastholme]);

  for (const key of ['analyst', 'councillor', 'admin', 'social-worker'])
    agents[`n:${key}`] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  agents['w:admin'] = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
});
after(async () => ctx.close());

describe('comparison with neighbouring partnerships', () => {
  test('the demo has no Westbrook records in 2023 but those above, and the two partnerships agree to compare', async () => {
    const [n] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM children WHERE partnership_id = ANY ($1::uuid[]) AND created_at < '2023-08-01' AND reference NOT LIKE 'NB-%'`,
      [[westbrook, northmere]],
    );
    assert.equal(n!.n, 0);
    const offers = await q<{ n: number }>(`SELECT count(*)::int AS n FROM profile_comparison_offers WHERE withdrawn_at IS NULL AND partnership_id <> $1`, [
      eastholme,
    ]);
    assert.equal(offers[0]!.n, 2);
  });

  test('the function gives a reader the counts of the partnerships with a mutual agreement only, as counted by hand', async () => {
    const rows = await neighbourRows(as(northmere, ['analyst']));
    assert.deepEqual(
      rows.map((r) => [r.partnership_id === westbrook ? 'westbrook' : r.partnership_id, r.measure, r.value, r.year]),
      [
        ['westbrook', 'children_at_risk', 8, null],
        ['westbrook', 'concerns', 2, null],
        ['westbrook', 'missing_episodes', 6, null],
        ['westbrook', 'new_identifications', 7, null],
        ['westbrook', 'population', 20000, 2023],
        ['westbrook', 'strategy_meetings', 0, null],
      ],
    );
    // And the other way round: Westbrook's reader gets Northmere's.
    const back = await neighbourRows(as(westbrook, ['coordinator']));
    assert.deepEqual(
      back.filter((r) => r.measure !== 'population').map((r) => [r.partnership_id === northmere, r.measure, r.value]),
      [
        [true, 'children_at_risk', 3],
        [true, 'concerns', 1],
        [true, 'missing_episodes', 0],
        [true, 'new_identifications', 2],
        [true, 'strategy_meetings', 1],
      ],
    );
  });

  test('no mutual agreement, no rows: Eastholme offered but Northmere did not, so neither reads the other', async () => {
    assert.deepEqual(await neighbourRows(as(eastholme, ['analyst'])), []);
    assert.ok((await neighbourRows(as(northmere, ['analyst']))).every((r) => r.partnership_id !== eastholme));
  });

  test('a role that may not read the profile gets nothing: practitioner, triage worker, administrator, data protection officer', async () => {
    for (const roles of [['practitioner'], ['triage_worker'], ['partnership_admin'], ['dpo'], ['system_admin']])
      assert.deepEqual(await neighbourRows(as(northmere, roles)), [], roles.join());
    // Through the real session too.
    const rows = await withActor(ctx.handle.db, actorOf(await ctx.sessionUser('social-worker.northmere@lantern.example')), async (tx) =>
      sql<{ n: number }>`SELECT count(*)::int AS n FROM lantern_profile_neighbour_figures('2023-04-01', '2023-07-01', 2023)`.execute(tx),
    );
    assert.equal(rows.rows[0]!.n, 0);
  });

  test('the function is SECURITY DEFINER with its search_path pinned, for lantern_app only; the offers table shows a partnership its own rows only', async () => {
    const fns = await q<{ name: string; secdef: boolean; config: string[] }>(
      `SELECT proname AS name, prosecdef AS secdef, proconfig AS config FROM pg_proc WHERE proname LIKE 'lantern_profile_%' AND proname IN
         ('lantern_profile_neighbour_figures', 'lantern_profile_compared_partnerships', 'lantern_profile_comparison_offers_received') ORDER BY proname`,
    );
    assert.equal(fns.length, 3);
    for (const f of fns) {
      assert.equal(f.secdef, true, f.name);
      assert.ok(f.config.includes('search_path=public'), f.name);
    }
    const [grants] = await q<{ app: boolean; public: boolean }>(`SELECT
      has_function_privilege('lantern_app', 'lantern_profile_neighbour_figures(date, date, integer)', 'EXECUTE') AS app,
      EXISTS (SELECT 1 FROM pg_proc p, aclexplode(p.proacl) a WHERE p.proname = 'lantern_profile_neighbour_figures' AND a.grantee = 0) AS public`);
    assert.deepEqual(grants, { app: true, public: false });
    const seen = await withTrustedActor(ctx.handle.owner, as(northmere, ['partnership_admin']), async (tx) =>
      sql<{ partnership_id: string }>`SELECT partnership_id FROM profile_comparison_offers`.execute(tx),
    );
    assert.deepEqual([...new Set(seen.rows.map((r) => r.partnership_id))], [northmere]);
  });

  test('neighbours are compared quarter by quarter: for a year, the page says so and the download has no neighbour rows', async () => {
    for (const period of ['2023', 'FY2023-24', 'R12-2023-Q2']) {
      const page = await agents['n:analyst']!.get(`/profile?period=${period}`);
      assert.equal(page.statusCode, 200, period);
      assert.match(page.body, /id="neighbours-quarters"/, period);
      assert.doesNotMatch(page.body, /id="neighbours-table"/, period);
      const csv = await agents['n:analyst']!.get(`/profile/figures.csv?period=${period}&area=partnership`);
      assert.doesNotMatch(csv.body, /neighbour_comparison/, period);
    }
  });

  test('the analyst’s page: her own figures unsuppressed, the neighbour’s controlled, and the average', async () => {
    const page = await agents['n:analyst']!.get('/profile?period=2023-Q2');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Compared with neighbouring partnerships/);
    assert.deepEqual(tableRow(page.body, 'northmere'), {
      children_at_risk: ['3', '3'],
      new_identifications: ['2', '2'],
      concerns: ['1', '1'],
      missing_episodes: ['0', '0'],
      strategy_meetings: ['1', '1'],
    });
    // Westbrook: 8/20,000 = 4.0 per 10,000; new 7 → 3.5; concerns 2 withheld (c) with their rate; missing 6 → 3; meetings 0.
    assert.deepEqual(tableRow(page.body, 'westbrook'), {
      children_at_risk: ['8', '4'],
      new_identifications: ['7', '3.5'],
      concerns: ['c', 'c'],
      missing_episodes: ['6', '3'],
      strategy_meetings: ['0', '0'],
    });
    // The average: mean of the two counts; rate of both together per 10,000 of their 30,000 children.
    // Concerns: withheld, as Westbrook's count behind it is.
    assert.deepEqual(tableRow(page.body, 'average'), {
      children_at_risk: ['5.5', '3.7'],
      new_identifications: ['4.5', '3'],
      concerns: ['c', 'c'],
      missing_episodes: ['3', '2'],
      strategy_meetings: ['0.5', '0.3'],
    });
    assert.doesNotMatch(page.body, /Eastholme/);
    const [audit] = await q<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_events WHERE record_type = 'problem_profile' AND action = 'record.view' ORDER BY seq DESC LIMIT 1`,
    );
    assert.deepEqual(audit!.details.neighbours, ['westbrook']);
  });

  test('the stricter threshold of the two applies to the neighbour’s counts', async () => {
    await q(`UPDATE partnerships SET disclosure_threshold = 7 WHERE id = $1`, [westbrook]);
    try {
      const page = await agents['n:analyst']!.get('/profile?period=2023-Q2');
      assert.deepEqual(tableRow(page.body, 'westbrook'), {
        children_at_risk: ['8', '4'],
        new_identifications: ['c', 'c'],
        concerns: ['c', 'c'],
        missing_episodes: ['c', 'c'],
        strategy_meetings: ['0', '0'],
      });
      assert.match(page.body, /numbers from 1 to 7 are shown as c/);
    } finally {
      await q(`UPDATE partnerships SET disclosure_threshold = 5 WHERE id = $1`, [westbrook]);
    }
  });

  test('the published view (a councillor): both partnerships controlled; the CSV download carries the neighbour’s controlled counts', async () => {
    const page = await agents['n:councillor']!.get('/profile?period=2023-Q2');
    assert.equal(page.statusCode, 200);
    const own = tableRow(page.body, 'northmere');
    assert.deepEqual(
      [own.children_at_risk, own.new_identifications, own.concerns, own.strategy_meetings],
      [
        ['c', 'c'],
        ['c', 'c'],
        ['c', 'c'],
        ['c', 'c'],
      ],
    );
    assert.deepEqual(tableRow(page.body, 'westbrook').children_at_risk, ['8', '4']);
    assert.deepEqual(tableRow(page.body, 'average').children_at_risk, ['c', 'c']);
    for (const agent of [agents['n:analyst']!, agents['n:councillor']!]) {
      const csv = await agent.get('/profile/figures.csv?period=2023-Q2&area=partnership');
      assert.equal(csv.statusCode, 200);
      const lines = csv.body.split(/\r?\n/).filter((l) => l.includes(',neighbour_comparison,'));
      assert.deepEqual(lines, [
        'children_at_risk,neighbour_comparison,Total,2023-Q2,westbrook,8',
        'new_identifications,neighbour_comparison,Total,2023-Q2,westbrook,7',
        'concerns,neighbour_comparison,Total,2023-Q2,westbrook,c',
        'missing_episodes,neighbour_comparison,Total,2023-Q2,westbrook,6',
        'strategy_meetings,neighbour_comparison,Total,2023-Q2,westbrook,0',
      ]);
    }
    // The analyst's unsuppressed XLSX: the neighbour's rows controlled all the same, and a note saying so.
    const file = await agents['n:analyst']!.get('/profile/figures.xlsx?period=2023-Q2');
    assert.equal(file.statusCode, 200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    book.getWorksheet('Figures')!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    assert.deepEqual(
      rows.filter((r) => r[1] === 'neighbour_comparison').map((r) => [r[0], r[4], r[5]]),
      [
        ['children_at_risk', 'westbrook', 8],
        ['new_identifications', 'westbrook', 7],
        ['concerns', 'westbrook', 'c'],
        ['missing_episodes', 'westbrook', 6],
        ['strategy_meetings', 'westbrook', 0],
      ],
    );
    const notes: string[] = [];
    book.getWorksheet('Notes')!.eachRow((r) => notes.push(r.getCell(1).text));
    assert.ok(notes.includes('Neighbouring partnerships'));
  });

  test('the administrator’s page: offers made and received; offering needs a real neighbour; withdrawing stops the comparison, offering again restarts it; audited', async () => {
    const admin = agents['n:admin']!;
    const page = await admin.get('/admin/profile-comparison');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`data-partnership="${westbrook}" data-status="agreed"`));
    assert.match(page.body, new RegExp(`data-partnership="${eastholme}" data-status="invited"`));
    // In Welsh too.
    const welsh = await admin.follow(admin.get('/admin/profile-comparison?lang=cy'));
    assert.match(welsh.body, /Cymharu â phartneriaethau cyfagos/);
    await admin.follow(admin.get('/admin/profile-comparison?lang=en'));

    const empty = await admin.post('/admin/profile-comparison', { partnership: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choose the partnership to compare with/);
    assert.equal((await admin.post('/admin/profile-comparison', { partnership: northmere })).statusCode, 400);
    assert.equal((await admin.post('/admin/profile-comparison', { partnership: '00000000-0000-0000-0000-000000000000' })).statusCode, 400);
    const again = await admin.post('/admin/profile-comparison', { partnership: westbrook });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /already offered/);
    assert.equal((await admin.post('/admin/profile-comparison/withdraw', { partnership: eastholme })).statusCode, 404);
    assert.equal((await admin.post('/admin/profile-comparison/withdraw', { partnership: 'nonsense' })).statusCode, 400);
    // Other roles are refused.
    assert.equal((await agents['n:analyst']!.get('/admin/profile-comparison')).statusCode, 403);

    // Westbrook withdraws: Northmere's reader gets nothing, and the page says no neighbour has agreed.
    const withdrawn = await agents['w:admin']!.follow(agents['w:admin']!.post('/admin/profile-comparison/withdraw', { partnership: northmere }));
    assert.equal(withdrawn.statusCode, 200);
    assert.match(withdrawn.body, /Offer to compare with Northmere Safeguarding Children Partnership withdrawn/);
    assert.deepEqual(await neighbourRows(as(northmere, ['analyst'])), []);
    assert.deepEqual(await neighbourRows(as(westbrook, ['analyst'])), []);
    const none = await agents['n:analyst']!.get('/profile?period=2023-Q2');
    assert.match(none.body, /id="neighbours-none"/);
    assert.match((await admin.get('/admin/profile-comparison')).body, new RegExp(`data-partnership="${westbrook}" data-status="offered"`));

    // Northmere agrees with Eastholme: now they compare (Eastholme's reader gets Northmere's counts).
    const agreed = await admin.follow(admin.post('/admin/profile-comparison', { partnership: eastholme }));
    assert.match(agreed.body, /You are now comparing with Eastholme test partnership/);
    const eastRows = await neighbourRows(as(eastholme, ['analyst']));
    assert.deepEqual(
      eastRows.filter((r) => r.measure === 'children_at_risk').map((r) => [r.partnership_id, r.value]),
      [[northmere, 3]],
    );
    // Westbrook offers again: compared again.
    await agents['w:admin']!.post('/admin/profile-comparison', { partnership: northmere });
    assert.equal((await neighbourRows(as(northmere, ['analyst']))).filter((r) => r.measure === 'children_at_risk').length, 2);

    const audit = await q<{ action: string; partnership_id: string; details: Record<string, unknown> }>(
      `SELECT action, partnership_id, details FROM audit_events WHERE record_type = 'profile_comparison' ORDER BY seq`,
    );
    // Each partnership's audit chain has its own order: Westbrook's withdrawal then its new offer, and Northmere's offer.
    assert.deepEqual(
      audit.map((a) => [a.partnership_id === westbrook ? 'westbrook' : 'northmere', a.action, a.details.neighbour, a.details.withdrawn ?? false]).sort(),
      [
        ['northmere', 'record.create', eastholme, false],
        ['westbrook', 'record.create', northmere, false],
        ['westbrook', 'record.update', northmere, true],
      ],
    );
    assert.deepEqual(
      audit.filter((a) => a.partnership_id === westbrook).map((a) => a.action),
      ['record.update', 'record.create'],
    );
  });
});
