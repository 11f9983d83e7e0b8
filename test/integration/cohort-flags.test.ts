import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';

/** The CSV's rows as arrays of cells. */
const csvRows = (text: string): string[][] => parse(text);
import ExcelJS from 'exceljs';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aChildFlag, aChildInvolvement, aLocality, aMissingEpisode, aRiskAssessment } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Cohort flags and the filtered children list (issue 10 §3): each flag added, ended and corrected
 * with its change and audit row, hidden with its child from an agency that cannot see the child; each
 * filter of the list narrowing to exactly its children (age bands on birthdays, the 30-day missing
 * boundary), sorts, pages that keep the filters, malformed queries refused with 400, and the CSV/XLSX
 * exports: the same children as the list, audited with the children disclosed, formula-safe, refused
 * to roles without the permission.
 *
 * The test clock is 2 November 2026 09:00 UTC (London: GMT). Children made here live in their own
 * locality, so every list query can be narrowed to them with locality=….
 */
let ctx: TestContext;
let northmere: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
const users: Record<string, string> = {};
let locality: string;
let pageLocality: string;
const ids: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere])) {
    agencies[a.kind] = a.id;
  }
  for (const key of ['coordinator', 'social-worker', 'police', 'councillor', 'analyst']) {
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
    users[key] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [`${key}.northmere@lantern.example`]))[0]!.id;
  }
  locality = await aLocality(ctx, { partnership_id: northmere, name: 'Testford (test)' });
  pageLocality = await aLocality(ctx, { partnership_id: northmere, name: 'Pageham (test)' });
  const child = async (ref: string, given: string, family: string, dob: string, owner: string, extra: Record<string, unknown> = {}) =>
    (ids[ref] = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agencies[owner]!,
      reference: ref,
      given_name: given,
      family_name: family,
      date_of_birth: dob,
      locality_id: locality,
      ...extra,
    }));
  // Birthdays on the test day and the day after it: 10 today, 9 until tomorrow, 13 today, 12, 16 today, 18 today, 17.
  await child('T-01', 'Aaron', 'Alpha', '2016-11-02', 'childrens_services');
  await child('T-02', 'Bella', 'Bravo', '2016-11-03', 'police');
  await child('T-03', 'Cara', 'Charlie', '2013-11-02', 'education');
  await child('T-04', 'Dan', 'Delta', '2013-11-03', 'childrens_services');
  await child('T-05', 'Eve', 'Echo', '2010-11-02', 'health');
  await child('T-06', 'Finn', 'Foxtrot', '2008-11-02', 'childrens_services');
  await child('T-07', 'Gina', 'Golf', '2008-11-03', 'childrens_services', {
    status: 'closed',
    closed_at: new Date('2026-10-01T09:00:00Z'),
    closing_outcome: 'risk_reduced',
  });
  const level = (ref: string, judgement_level: 'low' | 'medium' | 'high') =>
    aRiskAssessment(ctx, { partnership_id: northmere, child_id: ids[ref]!, assessor_agency_id: agencies.childrens_services!, judgement_level });
  await level('T-01', 'high');
  await level('T-02', 'low');
  await level('T-03', 'medium');
  await level('T-05', 'high');
  await level('T-06', 'medium');
  const flag = (ref: string, kind: string, extra: Record<string, unknown> = {}) =>
    aChildFlag(ctx, { partnership_id: northmere, child_id: ids[ref]!, kind, started_on: '2026-01-10', ...extra });
  await flag('T-01', 'looked_after');
  await flag('T-02', 'child_protection_plan');
  await flag('T-03', 'trafficking_nrm');
  await flag('T-04', 'sexual_health', { ended_on: '2026-06-01' });
  await flag('T-05', 'send');
  // T-03 works with children's services now; T-05's police involvement has ended.
  await aChildInvolvement(ctx, { partnership_id: northmere, child_id: ids['T-03']!, agency_id: agencies.childrens_services! });
  await aChildInvolvement(ctx, { partnership_id: northmere, child_id: ids['T-05']!, agency_id: agencies.police!, ended_on: '2026-05-01' });
  await aChildInvolvement(ctx, {
    partnership_id: northmere,
    child_id: ids['T-01']!,
    agency_id: agencies.childrens_services!,
    worker_user_id: users['social-worker']!,
  });
  // "Missing in the last 30 days" starts at the start of 3 October 2026 in London: 2 October 23:00 UTC (BST).
  const episode = (ref: string, started_at: string, ended_at: string | null) =>
    aMissingEpisode(ctx, { partnership_id: northmere, child_id: ids[ref]!, started_at, ended_at, ended_by: ended_at ? 'returned' : null });
  await episode('T-01', '2026-08-01T20:00:00Z', null);
  await episode('T-02', '2026-10-02T20:00:00Z', '2026-10-02T23:00:00Z');
  await episode('T-03', '2026-10-02T20:00:00Z', '2026-10-02T22:59:59Z');
  // 55 children elsewhere for paging.
  await aChild.many(
    ctx,
    Array.from({ length: 55 }, (_, i) => ({
      partnership_id: northmere,
      owning_agency_id: agencies.childrens_services!,
      reference: `P-${String(i + 1).padStart(3, '0')}`,
      given_name: 'Page',
      family_name: `Pager${String(i + 1).padStart(3, '0')}`,
      date_of_birth: '2012-01-01',
      locality_id: pageLocality,
    })),
  );
});
after(async () => ctx.close());

/** The references the list shows, in order. */
const references = (html: string) => [...html.matchAll(/<td class="govuk-table__cell">([TP]-\d+)<\/td>/g)].map((m) => m[1]);
const list = async (query: string, who = 'coordinator') => {
  const response = await agents[who]!.get(`/children?locality=${locality}&${query}`);
  assert.equal(response.statusCode, 200, `${query}: ${response.statusCode}`);
  return references(response.body);
};
const auditsOf = (action: string) =>
  ctx.ownerQuery<{ id: string; reason: string | null; details: Record<string, unknown> }>(
    `SELECT id, reason, details FROM audit_events WHERE action = $1 ORDER BY seq DESC`,
    [action],
  );

describe('the children list filters', () => {
  test('records: open by default, closed, all', async () => {
    assert.deepEqual(await list(''), ['T-01', 'T-02', 'T-03', 'T-04', 'T-05', 'T-06']);
    assert.deepEqual(await list('status=closed'), ['T-07']);
    assert.deepEqual(await list('status=all'), ['T-01', 'T-02', 'T-03', 'T-04', 'T-05', 'T-06', 'T-07']);
  });

  test('the current risk level, one or several, and "no level yet"', async () => {
    assert.deepEqual(await list('risk=high'), ['T-01', 'T-05']);
    assert.deepEqual(await list('risk=high&risk=medium'), ['T-01', 'T-03', 'T-05', 'T-06']);
    assert.deepEqual(await list('risk=low'), ['T-02']);
    assert.deepEqual(await list('risk=none'), ['T-04']);
  });

  test('flags: any of those chosen, open now (an ended flag does not count)', async () => {
    assert.deepEqual(await list('flag=looked_after'), ['T-01']);
    assert.deepEqual(await list('flag=looked_after&flag=send'), ['T-01', 'T-05']);
    assert.deepEqual(await list('flag=trafficking_nrm'), ['T-03']);
    assert.deepEqual(await list('flag=sexual_health'), []);
  });

  test('agency: the owning agency or one working with the child now', async () => {
    assert.deepEqual(await list(`agency=${agencies.childrens_services}`), ['T-01', 'T-03', 'T-04', 'T-06']);
    assert.deepEqual(await list(`agency=${agencies.police}`), ['T-02']);
    assert.deepEqual(await list(`agency=${agencies.health}`), ['T-05']);
  });

  test('allocated worker', async () => {
    assert.deepEqual(await list(`worker=${users['social-worker']}`), ['T-01']);
    assert.deepEqual(await list(`worker=${users.police}`), []);
  });

  test('locality', async () => {
    assert.equal((await agents.coordinator!.get(`/children?locality=${pageLocality}&sort=reference`)).body.match(/P-001/)?.length, 1);
    assert.deepEqual(await list(''), ['T-01', 'T-02', 'T-03', 'T-04', 'T-05', 'T-06']);
  });

  test('age bands change on the birthday itself (London calendar)', async () => {
    assert.deepEqual(await list('age=under10'), ['T-02']);
    assert.deepEqual(await list('age=10to12'), ['T-01', 'T-04']);
    assert.deepEqual(await list('age=13to15'), ['T-03']);
    assert.deepEqual(await list('age=16to17'), ['T-05']);
    assert.deepEqual(await list('status=all&age=16to17'), ['T-05', 'T-07']);
    assert.deepEqual(await list('age=18plus'), ['T-06']);
  });

  test('missing in the last 30 days: open, or ended at or after the start of the day 30 days ago', async () => {
    assert.deepEqual(await list('missing=30'), ['T-01', 'T-02']);
  });

  test('filters combine: each narrows the others', async () => {
    assert.deepEqual(await list('risk=high&age=10to12'), ['T-01']);
    assert.deepEqual(await list('flag=child_protection_plan&missing=30'), ['T-02']);
    assert.deepEqual(await list(`agency=${agencies.childrens_services}&risk=medium`), ['T-03', 'T-06']);
    assert.deepEqual(await list(`agency=${agencies.childrens_services}&risk=medium&flag=trafficking_nrm&age=13to15`), ['T-03']);
    assert.deepEqual(await list(`worker=${users['social-worker']}&missing=30&flag=looked_after&risk=high`), ['T-01']);
    assert.deepEqual(await list(`worker=${users['social-worker']}&risk=low`), []);
  });

  test('sorts: name, reference, risk (highest first), age (youngest first), last activity', async () => {
    assert.deepEqual(await list('sort=name'), ['T-01', 'T-02', 'T-03', 'T-04', 'T-05', 'T-06']);
    assert.deepEqual(await list('sort=reference'), ['T-01', 'T-02', 'T-03', 'T-04', 'T-05', 'T-06']);
    assert.deepEqual(await list('sort=risk'), ['T-01', 'T-05', 'T-03', 'T-06', 'T-02', 'T-04']);
    assert.deepEqual(await list('sort=age'), ['T-02', 'T-01', 'T-04', 'T-03', 'T-05', 'T-06']);
    await ctx.ownerQuery(`UPDATE children SET last_activity_at = $2 WHERE id = $1`, [ids['T-04'], '2027-01-01T00:00:00Z']);
    await ctx.ownerQuery(`UPDATE children SET last_activity_at = $2 WHERE id = $1`, [ids['T-06'], '2026-12-31T00:00:00Z']);
    assert.deepEqual((await list('sort=activity')).slice(0, 2), ['T-04', 'T-06']);
  });

  test('pages of 50 that keep the filters and sort, with GOV.UK pagination', async () => {
    const first = await agents.coordinator!.get(`/children?locality=${pageLocality}&sort=reference`);
    const second = await agents.coordinator!.get(`/children?locality=${pageLocality}&sort=reference&page=2`);
    const one = references(first.body);
    const two = references(second.body);
    assert.equal(one.length, 50);
    assert.deepEqual(two, ['P-051', 'P-052', 'P-053', 'P-054', 'P-055']);
    assert.equal(new Set([...one, ...two]).size, 55);
    assert.match(first.body, /55 children/);
    assert.match(first.body, /govuk-pagination/);
    const next = /class="govuk-pagination__next"[\s\S]*?href="([^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(next?.includes(`locality=${pageLocality}`) && next.includes('sort=reference') && next.includes('page=2'), next);
  });

  test('the list is audited as a search with the children shown', async () => {
    await list('risk=high');
    const [row] = await auditsOf('search');
    const disclosed = await ctx.ownerQuery<{ record_id: string }>(`SELECT record_id FROM audit_disclosures WHERE audit_event_id = $1`, [row!.id]);
    assert.deepEqual(disclosed.map((d) => d.record_id).sort(), [ids['T-01'], ids['T-05']].sort());
    assert.deepEqual((row!.details.filters as { risk: string[] }).risk, ['high']);
  });

  test('a malformed query is a 400 with the error page, never a 500', async () => {
    for (const query of [
      'risk=severe',
      'flag=unknown',
      'agency=not-a-uuid',
      'worker=123',
      'locality=x',
      'age=teen',
      'missing=29',
      'sort=sideways',
      'page=abc',
      'page=0',
      'status=bogus',
    ]) {
      const response = await agents.coordinator!.get(`/children?${query}`);
      assert.equal(response.statusCode, 400, query);
      assert.match(response.body, /govuk-heading-l/, query);
    }
    assert.equal((await agents.coordinator!.get(`/children/export.csv?risk=severe`)).statusCode, 400);
  });
});

describe('exports of the filtered list', () => {
  test('CSV and XLSX hold exactly the filtered children, audited with the records disclosed', async () => {
    const response = await agents.coordinator!.get(`/children/export.csv?locality=${locality}&risk=high&risk=medium&sort=reference`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/csv/);
    assert.match(String(response.headers['content-disposition']), /attachment/);
    const rows = csvRows(response.body);
    assert.equal(rows[0]![0], 'Reference');
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['T-01', 'T-03', 'T-05', 'T-06'],
    );
    assert.deepEqual(rows[1]!.slice(0, 5), ['T-01', 'Alpha', 'Aaron', '2016-11-02', '10']);
    assert.equal(rows[1]![8], 'Looked after');
    assert.equal(rows[1]![9], 'Testford (test)');
    const [audit] = await auditsOf('export');
    assert.equal(audit!.details.format, 'csv');
    const disclosed = await ctx.ownerQuery<{ record_id: string }>(`SELECT record_id FROM audit_disclosures WHERE audit_event_id = $1`, [audit!.id]);
    assert.deepEqual(disclosed.map((d) => d.record_id).sort(), ['T-01', 'T-03', 'T-05', 'T-06'].map((r) => ids[r]).sort());

    // The same filters as a workbook, by another partnership-wide role.
    const book = new ExcelJS.Workbook();
    const file = await agents.analyst!.get(`/children/export.xlsx?locality=${locality}&risk=high&risk=medium&sort=reference`);
    assert.equal(file.statusCode, 200);
    await book.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const sheetRows: string[][] = [];
    sheet.eachRow((row) => sheetRows.push((row.values as unknown[]).slice(1).map((v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : ''))));
    assert.deepEqual(
      sheetRows.slice(1).map((r) => r[0]),
      ['T-01', 'T-03', 'T-05', 'T-06'],
    );
    assert.deepEqual(sheetRows, rows);
    const [xlsxAudit] = await auditsOf('export');
    assert.equal(xlsxAudit!.details.format, 'xlsx');
  });

  test('a cell a spreadsheet would run as a formula is neutralised in both files', async () => {
    const id = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agencies.childrens_services!,
      reference: 'T-99',
      given_name: '=HYPERLINK("http://example.invalid")',
      family_name: '@Sum',
      date_of_birth: '2012-05-05',
      locality_id: pageLocality,
    });
    const csv = csvRows((await agents.coordinator!.get(`/children/export.csv?locality=${pageLocality}&age=13to15`)).body);
    const row = csv.find((r) => r[0] === 'T-99')!;
    assert.equal(row[1], "'@Sum");
    assert.equal(row[2], `'=HYPERLINK("http://example.invalid")`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await agents.coordinator!.get(`/children/export.xlsx?locality=${pageLocality}&age=13to15`)).rawPayload as unknown as ArrayBuffer);
    let found = false;
    book.worksheets[0]!.eachRow((r) => {
      if (r.getCell(1).value === 'T-99') {
        found = true;
        assert.equal(r.getCell(2).value, "'@Sum");
        assert.equal(typeof r.getCell(3).value, 'string');
      }
    });
    assert.ok(found);
    await ctx.ownerQuery(`UPDATE children SET locality_id = NULL WHERE id = $1`, [id]);
  });

  test('refused (403) to a role without the permission, and the link is not offered', async () => {
    assert.equal((await agents['social-worker']!.get(`/children/export.csv?locality=${locality}`)).statusCode, 403);
    assert.equal((await agents['social-worker']!.get(`/children/export.xlsx`)).statusCode, 403);
    assert.equal((await agents.councillor!.get(`/children/export.csv`)).statusCode, 403);
    assert.doesNotMatch((await agents['social-worker']!.get('/children')).body, /export\.csv/);
    assert.match((await agents.coordinator!.get('/children')).body, /export\.csv/);
  });

  test('a list longer than the cap is refused with a message, not cut short', async () => {
    const { exportCap } = await import('../../src/features/children/cohort.ts');
    await ctx.ownerQuery(
      `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
       SELECT $1, $2, 'X-' || lpad(n::text, 5, '0'), 'Many', 'Children', '2012-01-01' FROM generate_series(1, $3::int) n`,
      [northmere, agencies.youth_justice, exportCap + 1],
    );
    const response = await agents.coordinator!.get(`/children/export.csv?agency=${agencies.youth_justice}`);
    assert.equal(response.statusCode, 409);
    assert.match(response.body, /govuk-error-summary/);
    assert.match(response.body, /at most 5,000 children/);
    assert.match(response.body, /More than 1,000 children/);
    await ctx.ownerQuery(`UPDATE children SET status = 'closed', closed_at = now(), closing_outcome = 'other' WHERE reference LIKE 'X-%'`);
  });
});

describe('flags on a child', () => {
  const flagsOf = (ref: string) =>
    ctx.ownerQuery<{ id: string; kind: string; started_on: string; ended_on: string | null; source: string; placing_authority: string | null }>(
      `SELECT id, kind, started_on, ended_on, source, placing_authority FROM child_flags WHERE child_id = $1 ORDER BY created_at`,
      [ids[ref]],
    );
  const changesOf = (flagId: string) =>
    ctx.ownerQuery<{ change: string; changed_by_name: string; reason: string | null; changed_fields: Record<string, unknown> }>(
      `SELECT change, changed_by_name, reason, changed_fields FROM child_flag_changes WHERE flag_id = $1 ORDER BY changed_at, change`,
      [flagId],
    );
  const date = (name: string, iso: string) => {
    const [y, m, d] = iso.split('-');
    return { [`${name}-day`]: String(Number(d)), [`${name}-month`]: String(Number(m)), [`${name}-year`]: y! };
  };

  test('every kind can be added, with its source, audited with a change row; the legal status follows', async () => {
    const sw = agents['social-worker']!;
    const page = await sw.get(`/children/${ids['T-06']}/flags`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="startDate-day"/);
    const kinds = [
      'looked_after',
      'child_protection_plan',
      'child_in_need',
      'missing_education',
      'elective_home_education',
      'youth_justice',
      'substance_misuse',
      'sexual_health',
      'trafficking_nrm',
      'send',
    ];
    for (const kind of kinds) {
      const response = await sw.post(`/children/${ids['T-06']}/flags`, {
        kind,
        ...date('startDate', '2026-10-01'),
        source: `Strategy meeting (${kind})`,
        sourceAgencyId: agencies.childrens_services!,
        note: 'Synthetic note',
        placingAuthority: 'Eastholme County Council',
        placedHereByOtherAuthority: 'yes',
        ...date('nrmReferredOn', '2026-10-05'),
        nrmDecision: 'awaiting',
      });
      assert.equal(response.statusCode, 302, `${kind}: ${response.body.slice(0, 300)}`);
      assert.equal(response.headers.location, `/children/${ids['T-06']}/flags?saved=added`);
    }
    const rows = await ctx.ownerQuery<Record<string, unknown>>(
      `SELECT kind, started_on, source, placing_authority, placed_here_by_other_authority, nrm_referred_on, nrm_decision FROM child_flags WHERE child_id = $1`,
      [ids['T-06']],
    );
    assert.deepEqual(rows.map((r) => r.kind).sort(), [...kinds].sort());
    const lookedAfter = rows.find((r) => r.kind === 'looked_after')!;
    assert.equal(lookedAfter.placing_authority, 'Eastholme County Council');
    assert.equal(lookedAfter.placed_here_by_other_authority, true);
    assert.equal(lookedAfter.nrm_referred_on, null, 'NRM details only on a trafficking referral');
    const nrm = rows.find((r) => r.kind === 'trafficking_nrm')!;
    assert.equal(nrm.nrm_referred_on, '2026-10-05');
    assert.equal(nrm.nrm_decision, 'awaiting');
    assert.equal(nrm.placing_authority, null, 'placement details only on looked after');
    const audits = await ctx.ownerQuery<{ details: { flag: string; change: string } }>(
      `SELECT details FROM audit_events WHERE record_id = $1 AND action = 'record.update' AND details->>'change' = 'added'`,
      [ids['T-06']],
    );
    assert.deepEqual(audits.map((a) => a.details.flag).sort(), [...kinds].sort());
    const changes = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM child_flag_changes WHERE child_id = $1 AND change = 'added'`, [
      ids['T-06'],
    ]);
    assert.equal(changes[0]!.n, kinds.length);
    const [child] = await ctx.ownerQuery<{ looked_after: boolean; child_protection_plan: boolean; child_in_need: boolean; youth_justice: boolean }>(
      `SELECT looked_after, child_protection_plan, child_in_need, youth_justice FROM children WHERE id = $1`,
      [ids['T-06']],
    );
    assert.deepEqual(child, { looked_after: true, child_protection_plan: true, child_in_need: true, youth_justice: true });
    const after = await sw.get(`/children/${ids['T-06']}/flags?saved=added`);
    assert.match(after.body, /govuk-notification-banner--success/);
    const childPage = await sw.get(`/children/${ids['T-06']}`);
    assert.match(childPage.body, /Trafficking referral \(National Referral Mechanism\)/);
    assert.match(childPage.body, /Placed here by another authority/);
  });

  test('a second open flag of a kind, a date in the future or not a real date is refused on the form', async () => {
    const sw = agents['social-worker']!;
    await sw.get(`/children/${ids['T-01']}/flags`);
    const twice = await sw.post(`/children/${ids['T-01']}/flags`, { kind: 'looked_after', ...date('startDate', '2026-10-01'), source: 'School' });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /already has this flag open/);
    const future = await sw.post(`/children/${ids['T-01']}/flags`, { kind: 'send', ...date('startDate', '2026-11-03'), source: 'School' });
    assert.equal(future.statusCode, 400);
    assert.match(future.body, /Start date must be today or in the past/);
    assert.ok(future.body.includes('href="#startDate-day"'));
    const unreal = await sw.post(`/children/${ids['T-01']}/flags`, {
      kind: 'send',
      'startDate-day': '31',
      'startDate-month': '2',
      'startDate-year': '2026',
      source: 'School',
    });
    assert.equal(unreal.statusCode, 400);
    assert.match(unreal.body, /Start date must be a real date/);
    const empty = await sw.post(`/children/${ids['T-01']}/flags`, {});
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Select which flag/);
    assert.match(empty.body, /Enter the date the flag started/);
    assert.match(empty.body, /Enter where the information came from/);
    assert.equal((await flagsOf('T-01')).length, 1);
  });

  test('ending a flag: the date, a change row and an audit row; the legal status follows', async () => {
    const sw = agents['social-worker']!;
    const [flag] = await flagsOf('T-01');
    await sw.get(`/children/${ids['T-01']}/flags/${flag!.id}`);
    const early = await sw.post(`/children/${ids['T-01']}/flags/${flag!.id}/end`, { ...date('endDate', '2026-01-09') });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /End date must be the same as or after the start date/);
    const ended = await sw.post(`/children/${ids['T-01']}/flags/${flag!.id}/end`, { ...date('endDate', '2026-10-31'), reason: 'Returned home to parents' });
    assert.equal(ended.statusCode, 302);
    assert.equal((await flagsOf('T-01'))[0]!.ended_on, '2026-10-31');
    const changes = await changesOf(flag!.id);
    assert.deepEqual(
      changes.map((c) => c.change),
      ['ended'],
    );
    assert.equal(changes[0]!.reason, 'Returned home to parents');
    const [worker] = await ctx.ownerQuery<{ display_name: string }>(`SELECT display_name FROM users WHERE id = $1`, [users['social-worker']]);
    assert.equal(changes[0]!.changed_by_name, worker!.display_name);
    const [audit] = await ctx.ownerQuery<{ reason: string; details: { change: string; flag: string } }>(
      `SELECT reason, details FROM audit_events WHERE record_id = $1 AND details->>'change' = 'ended' ORDER BY seq DESC LIMIT 1`,
      [ids['T-01']],
    );
    assert.deepEqual([audit!.reason, audit!.details.flag], ['Returned home to parents', 'looked_after']);
    const [child] = await ctx.ownerQuery<{ looked_after: boolean }>(`SELECT looked_after FROM children WHERE id = $1`, [ids['T-01']]);
    assert.equal(child!.looked_after, false);
    // Ended flags no longer count in the list's filter (T-06 was given one above).
    assert.deepEqual(await list('flag=looked_after'), ['T-06']);
    const again = await sw.post(`/children/${ids['T-01']}/flags/${flag!.id}/end`, { ...date('endDate', '2026-10-31') });
    assert.equal(again.statusCode, 400);
  });

  test('correcting a flag keeps what changed, from and to, with the reason', async () => {
    const sw = agents.coordinator!;
    const [flag] = await flagsOf('T-03');
    await sw.get(`/children/${ids['T-03']}/flags/${flag!.id}`);
    const noReason = await sw.post(`/children/${ids['T-03']}/flags/${flag!.id}`, { ...date('startDate', '2026-01-12'), source: 'Police' });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /Enter why you are correcting the flag/);
    const corrected = await sw.post(`/children/${ids['T-03']}/flags/${flag!.id}`, {
      ...date('startDate', '2026-01-12'),
      source: 'Police: Operation Lantern Bridge',
      ...date('nrmReferredOn', '2026-01-15'),
      nrmDecision: 'reasonable_grounds_positive',
      reason: 'Date was typed wrongly',
    });
    assert.equal(corrected.statusCode, 302);
    assert.equal(corrected.headers.location, `/children/${ids['T-03']}/flags?saved=corrected`);
    const changes = await changesOf(flag!.id);
    const change = changes.find((c) => c.change === 'corrected')!;
    assert.equal(change.reason, 'Date was typed wrongly');
    assert.deepEqual(change.changed_fields.started_on, { from: '2026-01-10', to: '2026-01-12' });
    assert.deepEqual(change.changed_fields.nrm_decision, { from: null, to: 'reasonable_grounds_positive' });
    const [audit] = await ctx.ownerQuery<{ reason: string; details: { changed: string[] } }>(
      `SELECT reason, details FROM audit_events WHERE record_id = $1 AND details->>'change' = 'corrected' ORDER BY seq DESC LIMIT 1`,
      [ids['T-03']],
    );
    assert.equal(audit!.reason, 'Date was typed wrongly');
    assert.ok(audit!.details.changed.includes('started_on'));
    const page = await sw.get(`/children/${ids['T-03']}/flags`);
    assert.match(page.body, /corrected by/);
    assert.match(page.body, /12 January 2026/);
  });

  test('an agency that cannot see the child sees none of its flags (404 and row-level security)', async () => {
    // T-04 belongs to children's services with no share: the school's practitioner may not see it.
    const school = await signIn(ctx.app, ctx.clock, ctx.account('school.northmere@lantern.example'));
    assert.equal((await school.get(`/children/${ids['T-04']}/flags`)).statusCode, 404);
    const [flag] = await flagsOf('T-04');
    assert.equal((await school.get(`/children/${ids['T-04']}/flags/${flag!.id}`)).statusCode, 404);
    const schoolUser = await ctx.sessionUser('school.northmere@lantern.example');
    const { withActor } = await import('../../src/db/context.ts');
    const { actorOf } = await import('../../src/auth/service.ts');
    const seen = await withActor(ctx.services.db, actorOf(schoolUser), async (tx) => {
      const flags = await tx.selectFrom('child_flags').select('id').where('child_id', '=', ids['T-04']!).execute();
      const changes = await tx.selectFrom('child_flag_changes').select('id').where('child_id', '=', ids['T-04']!).execute();
      return flags.length + changes.length;
    });
    assert.equal(seen, 0);
    // Refused writes: adding a flag to a child the agency cannot see is not found.
    await school.get('/children');
    const post = await school.post(`/children/${ids['T-04']}/flags`, { kind: 'send', ...date('startDate', '2026-10-01'), source: 'School' });
    assert.equal(post.statusCode, 404);
    // The other partnership sees nothing of Northmere's flags.
    const westbrook = await ctx.sessionUser('coordinator.westbrook@lantern.example');
    const across = await withActor(ctx.services.db, actorOf(westbrook), (tx) =>
      tx.selectFrom('child_flags').select('id').where('partnership_id', '=', northmere).execute(),
    );
    assert.equal(across.length, 0);
  });

  test('the child page shows the open flags and the count of missing episodes in the last 90 days', async () => {
    const page = await agents.coordinator!.get(`/children/${ids['T-02']}`);
    assert.match(page.body, /Child protection plan/);
    assert.match(page.body, /1 missing or absent episode in the last 90 days/);
    // An episode that ended before the 90 days began does not count.
    await aMissingEpisode(ctx, {
      partnership_id: northmere,
      child_id: ids['T-02']!,
      started_at: '2026-07-01T20:00:00Z',
      ended_at: '2026-08-03T22:59:59Z',
      ended_by: 'returned',
    });
    assert.match((await agents.coordinator!.get(`/children/${ids['T-02']}`)).body, /1 missing or absent episode in the last 90 days/);
    await aMissingEpisode(ctx, {
      partnership_id: northmere,
      child_id: ids['T-02']!,
      started_at: '2026-08-03T22:00:00Z',
      ended_at: '2026-08-03T23:00:00Z',
      ended_by: 'returned',
    });
    assert.match((await agents.coordinator!.get(`/children/${ids['T-02']}`)).body, /2 missing or absent episodes in the last 90 days/);
  });
});
