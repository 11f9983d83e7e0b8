import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Graded intelligence reports (issue 12 §2): the 3×5×2 grading checked (C needs its conditions, a grade
 * off the scale is refused), the handling code and the original text enforced by row-level security
 * (migration 0301) and so by the pages — the co-ordinator never reads an original, in the page or in the
 * database; a C report is withheld from every other agency's intelligence roles unless released, even
 * as a count on an entity's page; another partnership sees nothing — links to entities, the search of
 * the sanitised text, every read and change audited, malformed ids not found.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agencies: Record<string, string> = {};
const agents: Record<string, Agent> = {};
/** The demo's reports by their sanitised text's first words. */
const seeded: Record<'dean' | 'takeaway' | 'taxi', string> = { dean: '', takeaway: '', taxi: '' };

before(async () => {
  ctx = await createTestContext();
  const partnership = async (code: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = $1`, [code]))[0]!.id;
  northmere = await partnership('northmere');
  westbrook = await partnership('westbrook');
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  const report = async (start: string) =>
    (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_reports WHERE partnership_id = $1 AND sanitised_text LIKE $2`, [northmere, `${start}%`]))[0]!
      .id;
  seeded.dean = await report('A man known as “Dean”');
  seeded.takeaway = await report('Alcohol is reported');
  seeded.taxi = await report('A driver for a private hire firm');
  for (const key of ['analyst', 'coordinator']) agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
  agents.westbrook = await signIn(ctx.app, ctx.clock, ctx.account('analyst.westbrook@lantern.example'));
});
after(async () => ctx.close());

const auditRows = (recordId: string | null) =>
  ctx.ownerQuery<{ action: string; details: Record<string, unknown> | null; disclosed_ids: string[] | null }>(
    `SELECT action, details, disclosed_ids FROM audit_events WHERE record_type = 'intel_report' AND ($1::text IS NULL OR record_id = $1) ORDER BY seq`,
    [recordId],
  );
const aReport = (overrides: Record<string, string> = {}) => ({
  sourceEvaluation: '2',
  intelligenceAssessment: 'A',
  handlingCode: 'C',
  handlingConditions: 'Police intelligence unit only; not for case files',
  'obtainedOn-day': '20',
  'obtainedOn-month': '10',
  'obtainedOn-year': '2026',
  officerName: 'DC 1234 Test Officer',
  sanitisedText: 'Sanitised GRADE-TEST: a car is seen outside a school at lunchtime.',
  originalText: 'Original GRADE-TEST: informant says the Audi parks by the school gate.',
  ...overrides,
});

describe('graded intelligence reports', () => {
  let report = '';

  test('the analyst submits a C report with its original: saved with the analyst’s agency, shown with its banner and grading, audited', async () => {
    const analyst = agents.analyst!;
    const form = await analyst.get('/intelligence/reports/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Known directly to the source/);
    assert.match(form.body, /name="originalText"/, 'the analyst is offered the original text');
    const saved = await analyst.post('/intelligence/reports/new', aReport());
    assert.equal(saved.statusCode, 302);
    const match = /^\/intelligence\/reports\/([0-9a-f-]{36})$/.exec(String(saved.headers.location));
    assert.ok(match, String(saved.headers.location));
    report = match[1]!;
    const page = await analyst.get(saved.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Intelligence report submitted/);
    assert.match(page.body, /Intelligence report 2\/A\/C/);
    assert.match(page.body, /Police intelligence unit only/);
    assert.match(page.body, /Original GRADE-TEST/);
    const [row] = await ctx.ownerQuery<{ submitting_agency_id: string; handling_code: string; released_to_partnership: boolean; obtained_on: string }>(
      `SELECT submitting_agency_id, handling_code, released_to_partnership, obtained_on::text FROM intel_reports WHERE id = $1`,
      [report],
    );
    assert.deepEqual(row, { submitting_agency_id: agencies.police!, handling_code: 'C', released_to_partnership: false, obtained_on: '2026-10-20' });
    const [original] = await ctx.ownerQuery<{ agency_id: string }>(`SELECT agency_id FROM intel_report_originals WHERE report_id = $1`, [report]);
    assert.equal(original!.agency_id, agencies.police!);
    const audited = await auditRows(report);
    assert.deepEqual(
      audited.map((r) => r.action),
      ['record.create', 'record.view'],
    );
    assert.equal(audited[0]!.details?.grading, '2/A/C');
    assert.equal(audited[1]!.details?.original, true);
  });

  test('grading is checked: a C report needs its conditions, grades off the 3×5×2 scale and a blank form are refused with the error summary', async () => {
    const analyst = agents.analyst!;
    const noConditions = await analyst.post('/intelligence/reports/new', aReport({ handlingConditions: '  ' }));
    assert.equal(noConditions.statusCode, 400);
    assert.match(noConditions.body, /govuk-error-summary/);
    assert.match(noConditions.body, /Enter the handling conditions for a report with handling code C/);
    for (const [field, value, message] of [
      ['sourceEvaluation', '4', /Select how reliable the source is/],
      ['sourceEvaluation', '0', /Select how reliable the source is/],
      ['intelligenceAssessment', 'F', /Select how the source knows it/],
      ['intelligenceAssessment', 'a', /Select how the source knows it/],
      ['handlingCode', 'R', /Select the handling code/],
    ] as const) {
      const refused = await analyst.post('/intelligence/reports/new', aReport({ [field]: value }));
      assert.equal(refused.statusCode, 400, `${field}=${value}`);
      assert.match(refused.body, message);
    }
    const blank = await analyst.post('/intelligence/reports/new', {});
    assert.equal(blank.statusCode, 400);
    for (const message of [
      /Select how reliable/,
      /Select how the source knows/,
      /Select the handling code/,
      /Enter the officer’s name/,
      /Enter the sanitised text/,
    ])
      assert.match(blank.body, message);
    // P: conditions typed by mistake are dropped, never a P report with conditions.
    const p = await analyst.post('/intelligence/reports/new', aReport({ handlingCode: 'P', released: 'yes', sanitisedText: 'P GRADE-TEST report' }));
    assert.equal(p.statusCode, 302);
    const [row] = await ctx.ownerQuery<{ handling_conditions: string | null; released_to_partnership: boolean }>(
      `SELECT handling_conditions, released_to_partnership FROM intel_reports WHERE sanitised_text = 'P GRADE-TEST report'`,
    );
    assert.deepEqual(row, { handling_conditions: null, released_to_partnership: false });
    const [count] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intel_reports WHERE sanitised_text LIKE '%GRADE-TEST%'`);
    assert.equal(count!.n, 2, 'no refused report was saved');
  });

  test('the co-ordinator reads a P report’s sanitised text but never its original; is not offered the original and cannot write one', async () => {
    const coordinator = agents.coordinator!;
    const page = await coordinator.get(`/intelligence/reports/${seeded.dean}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /giving lifts to girls of school age/);
    assert.doesNotMatch(page.body, /neighbour of the retail park/);
    assert.match(page.body, /The original text is held by .* and is not shown to you/);
    const [view] = (await auditRows(seeded.dean)).filter((r) => r.action === 'record.view').slice(-1);
    assert.equal(view!.details?.original, false);
    // The analyst of the owning agency reads it.
    assert.match((await agents.analyst!.get(`/intelligence/reports/${seeded.dean}`)).body, /neighbour of the retail park/);

    const form = await coordinator.get('/intelligence/reports/new');
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /name="originalText"/);
    const refused = await coordinator.post('/intelligence/reports/new', aReport({ handlingCode: 'P', sanitisedText: 'Co-ordinator GRADE-TEST' }));
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /Only an analyst can record the original text/);
    const saved = await coordinator.post(
      '/intelligence/reports/new',
      aReport({ handlingCode: 'P', sanitisedText: 'Co-ordinator GRADE-TEST', originalText: '' }),
    );
    assert.equal(saved.statusCode, 302);
    const [row] = await ctx.ownerQuery<{ submitting_agency_id: string }>(
      `SELECT submitting_agency_id FROM intel_reports WHERE sanitised_text = 'Co-ordinator GRADE-TEST'`,
    );
    assert.equal(row!.submitting_agency_id, agencies.partnership!, 'submitted as the co-ordinator’s own agency');
  });

  test('a C report is withheld from another agency’s intelligence roles: not listed, not found, not counted on an entity’s page, unless released', async () => {
    const coordinator = agents.coordinator!;
    const list = await coordinator.get('/intelligence/reports');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, new RegExp(seeded.takeaway));
    assert.doesNotMatch(list.body, new RegExp(report));
    assert.match(list.body, new RegExp(seeded.dean), 'a P report');
    assert.match(list.body, new RegExp(seeded.taxi), 'a released C report');
    assert.match(list.body, />2\/B\/P</);
    assert.equal((await coordinator.get(`/intelligence/reports/${seeded.takeaway}`)).statusCode, 404);
    assert.equal((await coordinator.get(`/intelligence/reports/${report}`)).statusCode, 404);
    const taxi = await coordinator.get(`/intelligence/reports/${seeded.taxi}`);
    assert.match(taxi.body, /Share with the licensing authority only/);
    assert.match(taxi.body, /The partnership’s intelligence roles, under the conditions/);
    const link = await coordinator.post(`/intelligence/reports/${seeded.takeaway}/links`, { targetKind: 'child', childReference: 'NM-1004' });
    assert.equal(link.statusCode, 404);
    // The takeaway's only report is the withheld C one: the analyst counts it, the co-ordinator does not.
    const [takeaway] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_locations WHERE partnership_id = $1 AND name = 'Ferry Road Grill'`, [
      northmere,
    ]);
    assert.match((await agents.analyst!.get(`/intelligence/locations/${takeaway!.id}`)).body, /Intelligence reports \(1\)/);
    const seen = await coordinator.get(`/intelligence/locations/${takeaway!.id}`);
    assert.match(seen.body, /Intelligence reports \(0\)/);
    assert.doesNotMatch(seen.body, /1\/C\/C/);
  });

  test('links: the analyst links a report to a child and a person; the person’s page and the child’s record list it; twice, an unknown child and a blank choice are refused', async () => {
    const analyst = agents.analyst!;
    const child = await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'child', childReference: 'nm-1004' });
    assert.equal(child.statusCode, 302);
    assert.equal(child.headers.location, `/intelligence/reports/${report}`);
    const [dean] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM persons_of_concern WHERE partnership_id = $1 AND 'Dean' = ANY (aliases)`, [northmere]);
    assert.equal((await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'person', personId: dean!.id })).statusCode, 302);
    const page = await analyst.get(`/intelligence/reports/${report}`);
    assert.match(page.body, /Report linked/);
    assert.match(page.body, /NM-1004/);
    assert.match(page.body, new RegExp(`/intelligence/persons/${dean!.id}`));
    const twice = await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'person', personId: dean!.id });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /The report is already linked to this/);
    const unknown = await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'child', childReference: 'WB-1004' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /No child in this partnership has that reference/);
    const blank = await analyst.post(`/intelligence/reports/${report}/links`, { targetKind: 'location', locationId: '' });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Select a location/);
    const person = await analyst.get(`/intelligence/persons/${dean!.id}`);
    assert.match(person.body, new RegExp(`/intelligence/reports/${report}`));
    assert.match(person.body, /2\/A\/C/);
    // The child's record shows the report to the analyst, under its intelligence links.
    const [nm1004] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND reference = 'NM-1004'`, [northmere]);
    assert.match((await analyst.get(`/children/${nm1004!.id}`)).body, new RegExp(`/intelligence/reports/${report}`));
    assert.doesNotMatch((await agents.coordinator!.get(`/children/${nm1004!.id}`)).body, new RegExp(`/intelligence/reports/${report}`));
    // The co-ordinator's page of the same person neither lists nor counts it.
    assert.doesNotMatch((await agents.coordinator!.get(`/intelligence/persons/${dean!.id}`)).body, new RegExp(report));
    const updates = (await auditRows(report)).filter((r) => r.action === 'record.update');
    assert.equal(updates.length, 2);
    assert.ok(updates.some((r) => r.disclosed_ids?.includes(dean!.id)));
  });

  test('the search of the sanitised text finds what the reader may read, and is audited', async () => {
    const byAnalyst = await agents.analyst!.post('/intelligence/reports', { q: 'back ROOM' });
    assert.equal(byAnalyst.statusCode, 200);
    assert.match(byAnalyst.body, new RegExp(seeded.takeaway));
    assert.doesNotMatch(byAnalyst.body, new RegExp(seeded.dean));
    const byCoordinator = await agents.coordinator!.post('/intelligence/reports', { q: 'back room' });
    assert.doesNotMatch(byCoordinator.body, new RegExp(seeded.takeaway));
    assert.match(byCoordinator.body, /No intelligence reports/);
    // The original's words are not searched.
    assert.doesNotMatch((await agents.analyst!.post('/intelligence/reports', { q: 'Covert source 118' })).body, new RegExp(seeded.takeaway));
    const percent = await agents.analyst!.post('/intelligence/reports', { q: '%' });
    assert.match(percent.body, /No intelligence reports/);
    const empty = await agents.analyst!.post('/intelligence/reports', { q: ' ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Enter words to search the reports for/);
    const searches = (await auditRows(null)).filter((r) => r.action === 'search');
    assert.ok(searches.length >= 4);
    assert.ok(searches.some((r) => r.disclosed_ids?.includes(seeded.takeaway)));
  });

  test('another partnership sees none of them; malformed and unknown ids are not found', async () => {
    const westbrookAnalyst = agents.westbrook!;
    const list = await westbrookAnalyst.get('/intelligence/reports');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, /Jonno/);
    for (const id of Object.values(seeded)) assert.doesNotMatch(list.body, new RegExp(id));
    assert.equal((await westbrookAnalyst.get(`/intelligence/reports/${seeded.dean}`)).statusCode, 404);
    assert.equal(
      (await westbrookAnalyst.post(`/intelligence/reports/${seeded.dean}/links`, { targetKind: 'child', childReference: 'WB-1004' })).statusCode,
      404,
    );
    for (const url of ['/intelligence/reports/not-a-uuid', '/intelligence/reports/123', `/intelligence/reports/${crypto.randomUUID()}`])
      assert.equal((await agents.analyst!.get(url)).statusCode, 404, url);
    assert.equal((await agents.analyst!.post('/intelligence/reports/nope/links', { targetKind: 'child', childReference: 'NM-1004' })).statusCode, 404);
  });
});

describe('graded intelligence row-level security', () => {
  const actor = (roles: string[], agency: string, partnershipId = northmere): TrustedActor => ({
    userId: null,
    partnershipId,
    agencyId: agency,
    roles,
    label: 'intel reports rls test',
  });
  const count = (as: TrustedActor, table: string, where = sql`true`) =>
    withTrustedActor(
      ctx.handle.owner,
      as,
      async (tx) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${where}`.execute(tx)).rows[0]!.n,
    );

  test('the original text: the owning agency’s analyst reads it; the co-ordinator, another agency’s analyst and a police practitioner read none', async () => {
    assert.ok((await count(actor(['analyst'], agencies.police!), 'intel_report_originals', sql`partnership_id = ${northmere}`)) >= 3);
    assert.equal(await count(actor(['coordinator'], agencies.partnership!), 'intel_report_originals'), 0, 'the co-ordinator');
    assert.equal(await count(actor(['coordinator'], agencies.police!), 'intel_report_originals'), 0, 'a co-ordinator even of the police');
    assert.equal(await count(actor(['analyst'], agencies.childrens_services!), 'intel_report_originals'), 0, 'another agency’s analyst');
    assert.equal(await count(actor(['practitioner'], agencies.police!), 'intel_report_originals'), 0, 'a police practitioner');
    // Nor may the co-ordinator write one, even for a report of their own agency.
    const [own] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM intel_reports WHERE submitting_agency_id = $1 LIMIT 1`, [agencies.partnership!]);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, actor(['coordinator'], agencies.partnership!), (tx) =>
        tx
          .insertInto('intel_report_originals')
          .values({ report_id: own!.id, partnership_id: northmere, agency_id: agencies.partnership!, original_text: 'smuggled' })
          .execute(),
      ),
      /row-level security/,
    );
  });

  test('handling code C: an unreleased report is read only by its agency’s intelligence roles, with its links; P and released C by both roles of any agency', async () => {
    const one = (id: string) => sql`id = ${id}`;
    const police = actor(['coordinator'], agencies.police!);
    const otherAnalyst = actor(['analyst'], agencies.childrens_services!);
    assert.equal(await count(police, 'intel_reports', one(seeded.takeaway)), 1, 'the police’s own intelligence role');
    assert.equal(await count(otherAnalyst, 'intel_reports', one(seeded.takeaway)), 0, 'another agency’s analyst');
    assert.equal(await count(actor(['coordinator'], agencies.partnership!), 'intel_reports', one(seeded.takeaway)), 0, 'the co-ordinator');
    assert.equal(await count(otherAnalyst, 'intel_report_links', sql`report_id = ${seeded.takeaway}`), 0, 'nor its links');
    assert.ok((await count(police, 'intel_report_links', sql`report_id = ${seeded.takeaway}`)) > 0);
    for (const id of [seeded.dean, seeded.taxi]) assert.equal(await count(otherAnalyst, 'intel_reports', one(id)), 1);
    assert.equal(await count(actor(['practitioner'], agencies.police!), 'intel_reports'), 0, 'a practitioner reads none');
    // A report is submitted as one's own agency only.
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, otherAnalyst, (tx) =>
        tx
          .insertInto('intel_reports')
          .values({
            partnership_id: northmere,
            source_evaluation: '1',
            intelligence_assessment: 'A',
            handling_code: 'P',
            obtained_on: '2026-10-01',
            submitting_agency_id: agencies.police!,
            officer_name: 'x',
            sanitised_text: 'x',
          })
          .execute(),
      ),
      /row-level security/,
    );
  });

  test('the database refuses a C report without conditions and a grade off the scale', async () => {
    const police = actor(['analyst'], agencies.police!);
    const insert = (values: Record<string, unknown>) =>
      withTrustedActor(ctx.handle.owner, police, (tx) =>
        tx
          .insertInto('intel_reports')
          .values({
            partnership_id: northmere,
            source_evaluation: '1',
            intelligence_assessment: 'A',
            handling_code: 'C',
            handling_conditions: null,
            obtained_on: '2026-10-01',
            submitting_agency_id: agencies.police!,
            officer_name: 'x',
            sanitised_text: 'x',
            ...values,
          })
          .execute(),
      );
    await assert.rejects(insert({}), /check constraint/);
    await assert.rejects(insert({ handling_code: 'P', handling_conditions: 'only police' }), /check constraint/);
    await assert.rejects(insert({ source_evaluation: '4', handling_conditions: 'x' }), /check constraint/);
    await assert.rejects(insert({ intelligence_assessment: 'F', handling_conditions: 'x' }), /check constraint/);
  });

  test('another partnership’s intelligence roles read none of the reports, originals or links', async () => {
    const [wbPolice] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'police'`, [westbrook]);
    const theirs = actor(['analyst', 'coordinator'], wbPolice!.id, westbrook);
    for (const table of ['intel_reports', 'intel_report_originals', 'intel_report_links']) {
      assert.equal(await count(theirs, table, sql`partnership_id = ${northmere}`), 0, table);
      assert.ok((await count(theirs, table, sql`partnership_id = ${westbrook}`)) > 0, `${table}: their own`);
    }
  });
});
