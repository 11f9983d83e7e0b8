import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import type { SessionUser } from '../../src/auth/service.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';
import { pdfText } from '../helpers/pdf.ts';

/**
 * Disclosure control of the aggregates a board member already saw (issue 13 §2): the measures page,
 * the quarterly report and its documents, training compliance by agency and campaign figures. Each
 * test first finds a small figure in the demo data as the strategy lead sees it (raw, marked "Not for
 * publication"), then checks the councillor gets `c` for it, and that a total does not give it away.
 */
let ctx: TestContext;
let councillor: Agent;
let lead: Agent;
let leadUser: SessionUser;
let councillorUser: SessionUser;
let plan: string;
const small = (v: unknown) => typeof v === 'number' && v >= 1 && v <= 5;
const note = /c: a count from 1 to 5 is not shown/;
const docxText = async (payload: Buffer) =>
  (await (await JSZip.loadAsync(payload)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const escape = (s: string) =>
  s
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/'/g, "(?:'|&#39;)")
    .replace(/&/g, '&(?:amp;)?');

/** In each column of a table with a total row, a withheld cell is never the only one withheld (it would be the total less the rest). */
function assertNoLoneWithheld(rows: readonly Record<string, unknown>[], total: Record<string, unknown>, columns: readonly string[]) {
  for (const column of columns) {
    const withheld = [...rows, total].filter((r) => r[column] === 'c').length;
    assert.notEqual(withheld, 1, `${column}: a lone withheld cell could be worked out from the total`);
  }
}

before(async () => {
  ctx = await createTestContext();
  const northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  plan = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1 ORDER BY created_at LIMIT 1`, [northmere]))[0]!.id;
  councillor = await signIn(ctx.app, ctx.clock, ctx.account('councillor.northmere@lantern.example'));
  lead = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
  leadUser = await ctx.sessionUser('strategy.northmere@lantern.example');
  councillorUser = await ctx.sessionUser('councillor.northmere@lantern.example');
});

after(async () => {
  await ctx?.close();
});

describe('disclosure control of what board members see (issue 13 §2)', () => {
  test('measures: a small computed figure is raw for the strategy lead and c for the councillor, on the page and in its chart', async () => {
    const raw = await ctx.services.strategy.measures.listMeasures(leadUser, plan);
    const found = raw.measures.flatMap((m) =>
      m.points.filter((p) => (p.of ? small(p.of.part) || small(p.of.whole) : m.computed && small(p.value))).map((p) => ({ m, p })),
    );
    assert.ok(found.length > 0, 'the demo plan has a computed measure with a count from 1 to 5');
    const { m, p } = found[0]!;
    assert.equal(raw.disclosure.notForPublication, true);

    const controlled = await ctx.services.strategy.measures.listMeasures(councillorUser, plan);
    const cm = controlled.measures.find((x) => x.id === m.id)!;
    const cp = cm.points.find((x) => x.period === p.period)!;
    assert.equal(cp.value, 'c');
    assert.equal(cp.withheld, true);
    if (p.of) assert.ok(cp.of!.part === 'c' || cp.of!.whole === 'c');
    // The chart has a gap there: it is drawn from the controlled points (no value for a withheld one).
    assert.equal(cm.onTrack === null || typeof cm.latest?.value === 'number', true);

    const leadPage = await lead.get(`/strategy/plans/${plan}/measures`);
    assert.equal(leadPage.statusCode, 200);
    assert.match(leadPage.body, /Not for publication/);
    const page = await councillor.get(`/strategy/plans/${plan}/measures`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Not for publication/);
    assert.match(page.body, note);
    assert.match(page.body, /A gap in a chart is a figure not shown/);
    if (p.of) {
      assert.match(leadPage.body, new RegExp(`${p.of.part} of ${p.of.whole}`));
      assert.doesNotMatch(page.body, new RegExp(`\\b${p.of.part} of ${p.of.whole}\\b`));
    }
    // No computed figure's basis shows a count from 1 to 5 to the councillor.
    assert.doesNotMatch(page.body, /\b[1-5] of \d+|\b\d+ of [1-5]\b/);
  });

  test('the quarterly report, its PDF and its DOCX show the councillor c for small training counts, and the all-agencies total does not give them away', async () => {
    const quarter = ctx.services.strategy.plans.currentQuarter();
    const raw = await ctx.services.strategy.exports.quarterlyReport(leadUser, plan, quarter, 'en');
    const rawRows = raw.training.compliance.flatMap((c) => c.byAgency.map((a) => ({ c, a })));
    const found = rawRows.find(({ a }) => small(a.due) || small(a.onTime));
    assert.ok(found, 'the demo training has an agency with from 1 to 5 staff due or trained on time');
    assert.equal(raw.disclosure.notForPublication, true);

    const report = await ctx.services.strategy.exports.quarterlyReport(councillorUser, plan, quarter, 'en');
    assert.equal(report.disclosure.controlled, true);
    const compliance = report.training.compliance.find((c) => c.title === found.c.title)!;
    const row = compliance.byAgency.find((a) => a.agency === found.a.agency)!;
    if (small(found.a.due)) assert.equal(row.due, 'c');
    if (small(found.a.onTime)) assert.equal(row.onTime, 'c');
    assert.equal(row.percentage, 'c');
    assertNoLoneWithheld(compliance.byAgency, compliance.overall, ['due', 'onTime']);
    for (const m of report.performanceMeasures) assert.doesNotMatch(m.basis, /\b[1-5] of|of [1-5]\b/);

    const page = await councillor.get(`/strategy/plans/${plan}/quarterly?quarter=${quarter}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, note);
    assert.match(
      page.body,
      new RegExp(
        `${escape(found.a.agency)}</td><td class="govuk-table__cell govuk-table__cell--numeric">${row.due}</td><td class="govuk-table__cell govuk-table__cell--numeric">${row.onTime}</td><td class="govuk-table__cell govuk-table__cell--numeric">c</td>`,
      ),
    );
    const leadPage = await lead.get(`/strategy/plans/${plan}/quarterly?quarter=${quarter}`);
    assert.match(leadPage.body, /Not for publication/);
    assert.match(leadPage.body, new RegExp(`${escape(found.a.agency)}</td><td class="govuk-table__cell govuk-table__cell--numeric">${found.a.due}</td>`));

    // Documents are for publication: controlled whoever downloads them, the strategy lead included.
    for (const agent of [councillor, lead]) {
      const docx = await agent.get(`/strategy/plans/${plan}/export/quarterly.docx?quarter=${quarter}`);
      assert.equal(docx.statusCode, 200);
      const text = await docxText(docx.rawPayload);
      assert.match(text, note);
      assert.match(text, new RegExp(`${escape(found.a.agency)} ${row.due} ${row.onTime} c `));
      const pdf = await agent.get(`/strategy/plans/${plan}/export/quarterly.pdf?quarter=${quarter}`);
      assert.equal(pdf.statusCode, 200);
      const pdfWords = pdfText(pdf.rawPayload).replace(/\s+/g, ' ');
      assert.match(pdfWords, /c: a count from 1 to 5 is not shown/);
      assert.doesNotMatch(pdfWords, /Not for publication/);
      if (small(found.a.due)) assert.doesNotMatch(pdfWords, new RegExp(`${escape(found.a.agency)} ${found.a.due} `));
    }
  });

  test('training compliance by agency: a small count is c for the councillor, with complements so the totals do not reveal it', async () => {
    const raw = await ctx.services.assurance.trainingMeasures.compliance(leadUser, {}, false);
    const columns = ['due', 'onTime', 'late', 'outstanding', 'notDue'] as const;
    const found = raw.rows.find((r) => columns.some((c) => small(r.figures[c])));
    assert.ok(found, 'the demo training has an agency with a count from 1 to 5');
    const column = columns.find((c) => small(found.figures[c]))!;
    const leadPage = await lead.get('/training/compliance');
    assert.match(leadPage.body, /Not for publication/);

    const shown = await ctx.services.assurance.trainingMeasures.compliance(councillorUser, {}, false);
    const row = shown.rows.find((r) => r.agency.id === found.agency.id)!;
    assert.equal(row.figures[column], 'c');
    assertNoLoneWithheld(
      shown.rows.map((r) => r.figures as unknown as Record<string, unknown>),
      shown.overall as unknown as Record<string, unknown>,
      columns,
    );
    // Within the row, due = on time + late + outstanding: one withheld figure alone would be the difference.
    assert.notEqual(['due', 'onTime', 'late', 'outstanding'].filter((c) => row.figures[c as (typeof columns)[number]] === 'c').length, 1);

    const page = await councillor.get('/training/compliance');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, note);
    const html = new RegExp(`<th scope="row" class="govuk-table__header">${escape(found.agency.name)}</th>([\\s\\S]*?)</tr>`).exec(page.body)![1]!;
    const cells = [...html.matchAll(/govuk-table__cell--numeric">([^<]*)</g)].map((x) => x[1]);
    assert.equal(cells[columns.indexOf(column)], 'c');
    for (const cell of cells.slice(0, 5)) assert.ok(cell === 'c' || cell === '0' || Number(cell) > 5, `no count from 1 to 5 (${cell})`);
  });

  test('campaigns: a small answer tally is c for the councillor, and so is a second figure so the responses total does not give it away', async () => {
    const { campaigns } = await ctx.services.assurance.campaigns.listCampaigns(leadUser);
    let found: { id: string; question: string; answer: string } | null = null;
    for (const c of campaigns) {
      const detail = await ctx.services.assurance.campaigns.getCampaign(leadUser, c.id);
      for (const q of detail.feedback) {
        const a = q.answers.find((x) => small(x.count));
        if (a && !found) found = { id: c.id, question: q.id, answer: a.answer };
      }
    }
    assert.ok(found, 'a demo campaign has an answer given by from 1 to 5 people');
    const detail = await ctx.services.assurance.campaigns.getCampaign(councillorUser, found.id);
    const q = detail.feedback.find((x) => x.id === found.question)!;
    assert.equal(q.answers.find((a) => a.answer === found.answer)!.count, 'c');
    assert.notEqual([...q.answers.map((a) => a.count), q.total].filter((v) => v === 'c').length, 1);
    const page = await councillor.get(`/campaigns/${found.id}`);
    assert.match(page.body, note);
    const table = new RegExp(`id="question-${found.question}">([\\s\\S]*?)</table>`).exec(page.body)![1]!;
    for (const cell of table.matchAll(/govuk-table__cell--numeric">([^<%]*)</g)) assert.ok(!small(Number(cell[1])), `no count from 1 to 5 (${cell[1]})`);

    // People reached: the list and a campaign's page agree, and no audience total is left with one withheld campaign.
    const list = await ctx.services.assurance.campaigns.listCampaigns(councillorUser);
    for (const row of list.totals) {
      const parts = list.campaigns.filter((c) => c.audience === row.audience).map((c) => c.people_reached);
      assert.notEqual([...parts, row.reached].filter((v) => v === 'c').length, 1);
    }
    for (const c of list.campaigns) assert.ok(!small(c.people_reached));
  });
});
