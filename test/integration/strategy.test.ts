import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { isTaggedPdf, pdfFillColours, pdfStructureTypes, pdfText } from '../helpers/pdf.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn, dateFields } from '../helpers/http.ts';

let ctx: TestContext;
const agents: Record<string, Agent> = {};
let northmerePlan: string;
let westbrookPlan: string;

const actionId = async (plan: string, ref: string) =>
  (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_actions WHERE plan_id = $1 AND action_ref = $2`, [plan, ref]))[0]!.id;
const auditRows = (action: string, recordId: string) =>
  ctx.ownerQuery<{ actor_label: string; details: Record<string, unknown> }>(
    `SELECT actor_label, details FROM audit_events WHERE action = $1 AND record_id = $2 ORDER BY seq`,
    [action, recordId],
  );

/** Posts a multipart form the way a browser does, with the CSRF token as a form field. */
async function postFile(agent: Agent, url: string, fileName: string, content: Buffer, contentType: string) {
  const boundary = `----lantern${crypto.randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrfToken}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const cookie = (agent as unknown as { cookieHeader(): string }).cookieHeader();
  return ctx.app.inject({ method: 'POST', url, payload: body, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` } });
}

before(async () => {
  ctx = await createTestContext();
  for (const [key, email] of Object.entries({
    lead: 'strategy.northmere@lantern.example',
    socialWorker: 'social-worker.northmere@lantern.example',
    police: 'police.northmere@lantern.example',
    councillor: 'councillor.northmere@lantern.example',
    westbrookLead: 'strategy.westbrook@lantern.example',
  }))
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(email));
  const plans = await ctx.ownerQuery<{ id: string; code: string }>(
    `SELECT p.id, ps.code FROM strategy_plans p JOIN partnerships ps ON ps.id = p.partnership_id`,
  );
  northmerePlan = plans.find((p) => p.code === 'northmere')!.id;
  westbrookPlan = plans.find((p) => p.code === 'westbrook')!.id;
});
after(async () => ctx.close());

describe('strategy plans', () => {
  test('the Welsh plan reproduces the seed 001 return and says where it comes from', async () => {
    const r = await agents.lead!.get(`/strategy/plans/${northmerePlan}`);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /reproduced from a public council report/);
    assert.match(r.body, /Awaiting guidance from Welsh Government\./);
    assert.match(r.body, /Completed/, 'Blue is explained');
    assert.match(r.body, /Overdue/);
    assert.match(r.body, /Welsh Government reporting template/);
  });

  test('a board member reads plans and reports, sees no staff names, and cannot change anything', async () => {
    const councillor = agents.councillor!;
    const names = await ctx.ownerQuery<{ display_name: string }>(
      `SELECT display_name FROM users u JOIN partnerships p ON p.id = u.partnership_id WHERE p.code = 'northmere'`,
    );
    const action = await actionId(northmerePlan, '3.1a');
    for (const url of [
      `/strategy/plans/${northmerePlan}`,
      `/strategy/actions/${action}`,
      `/strategy/plans/${northmerePlan}/quarterly`,
      `/strategy/plans/${northmerePlan}/smart`,
    ]) {
      const r = await councillor.get(url);
      assert.equal(r.statusCode, 200, url);
      for (const n of names) assert.ok(!r.body.replace(/lantern-header__who">[^<]*</, '').includes(n.display_name), `${url} names ${n.display_name}`);
    }
    assert.equal((await councillor.get(`/strategy/actions/${action}/progress`)).statusCode, 403);
    assert.equal(
      (await councillor.post(`/strategy/actions/${action}/progress`, { quarterStart: '2026-10-01', status: 'red', narrative: 'x y z' })).statusCode,
      403,
    );
    assert.equal((await councillor.get(`/strategy/actions/${action}/edit`)).statusCode, 403);
    const docx = await councillor.get(`/strategy/plans/${northmerePlan}/export/quarterly.docx`);
    assert.equal(docx.statusCode, 200);
  });

  test('an action lead records progress on their own action only, and it is audited with history kept', async () => {
    const own = await actionId(northmerePlan, '3.1a');
    const other = await actionId(northmerePlan, '1.3a');
    const worker = agents.socialWorker!;
    await worker.get(`/strategy/actions/${own}/progress`);
    const r = await worker.post(`/strategy/actions/${own}/progress`, {
      quarterStart: '2026-10-01',
      status: 'amber',
      narrative: 'Two multi-agency meetings held; one case escalated.',
      statusNote: '',
    });
    assert.equal(r.statusCode, 302, r.body.slice(0, 300));
    const [row] = await ctx.ownerQuery<{ status: string }>(`SELECT status FROM strategy_actions WHERE id = $1`, [own]);
    assert.equal(row!.status, 'amber');
    const history = await ctx.ownerQuery(`SELECT quarter_start FROM strategy_action_updates WHERE action_id = $1`, [own]);
    assert.ok(history.length >= 2, 'the earlier quarter’s narrative is kept');
    const audits = await auditRows('record.update', own);
    assert.equal(audits.at(-1)!.actor_label, 'social-worker.northmere@lantern.example');
    assert.equal((await worker.get(`/strategy/actions/${other}/progress`)).statusCode, 403);
    const refused = await worker.post(`/strategy/actions/${other}/progress`, { quarterStart: '2026-10-01', status: 'red', narrative: 'Not mine to say.' });
    assert.equal(refused.statusCode, 403);
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM strategy_action_updates WHERE action_id = $1 AND narrative = 'Not mine to say.'`, [other])).length, 0);
  });

  test('an action past its due date cannot stay Green without a note', async () => {
    const overdue = await actionId(northmerePlan, '1.6b');
    const lead = agents.lead!;
    await ctx.ownerQuery(`UPDATE strategy_actions SET due_on = '2026-09-30' WHERE id = $1`, [overdue]);
    await lead.get(`/strategy/actions/${overdue}/progress`);
    const refused = await lead.post(`/strategy/actions/${overdue}/progress`, {
      quarterStart: '2026-10-01',
      status: 'green',
      narrative: 'Going well.',
      currentValue: '250',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /can only stay Green with a note/);
    assert.match(refused.body, /govuk-error-summary/);
    const accepted = await lead.post(`/strategy/actions/${overdue}/progress`, {
      quarterStart: '2026-10-01',
      status: 'green',
      narrative: 'Going well.',
      currentValue: '250',
      statusNote: 'The Board extended the date to March.',
    });
    assert.equal(accepted.statusCode, 302);
    const [row] = await ctx.ownerQuery<{ current_value: string }>(`SELECT current_value FROM strategy_actions WHERE id = $1`, [overdue]);
    assert.equal(Number(row!.current_value), 250);
  });

  test('the other partnership sees nothing of the plan', async () => {
    const westbrook = agents.westbrookLead!;
    const action = await actionId(northmerePlan, '1.3a');
    for (const url of [
      `/strategy/plans/${northmerePlan}`,
      `/strategy/actions/${action}`,
      `/strategy/plans/${northmerePlan}/export/plan.csv`,
      `/strategy/actions/${action}/edit`,
    ]) {
      assert.equal((await westbrook.get(url)).statusCode, 404, url);
    }
    const list = await westbrook.get('/strategy');
    assert.doesNotMatch(list.body, /2025 to 2027/);
    assert.match(list.body, /Prevent, Protect, Pursue 2026 to 2028/);
  });

  test('the SMART check shows findings beside the form and in the plan report', async () => {
    const westbrook = agents.westbrookLead!;
    const report = await westbrook.get(`/strategy/plans/${westbrookPlan}/smart`);
    assert.equal(report.statusCode, 200);
    assert.match(report.body, /vague-word/);
    assert.match(report.body, /Acronym not explained/);
    const weak = await actionId(westbrookPlan, '1.1b');
    const form = await westbrook.get(`/strategy/actions/${weak}/edit`);
    assert.match(form.body, /SMART check/);
    assert.match(form.body, /no-number-in-measure|no-success-measure/);
    const checked = await westbrook.post(`/strategy/actions/${weak}/edit`, {
      actionRef: '1.1b',
      text: 'Raise awareness of child sexual exploitation with 300 frontline staff each quarter.',
      leadTitle: 'Workforce development manager',
      successMeasure: '300 frontline staff attend a briefing each quarter',
      targetValue: '300',
      measureUnit: 'staff',
      evidenceSource: 'Quarterly training report',
      ...dateFields('dueOn', '2027-03-31'),
      intent: 'check',
    });
    assert.equal(checked.statusCode, 200);
    assert.doesNotMatch(checked.body, /vague-word/);
    const [unchanged] = await ctx.ownerQuery<{ text: string }>(`SELECT text FROM strategy_actions WHERE id = $1`, [weak]);
    assert.match(unchanged!.text, /Regularly/, 'checking does not save');
  });

  test('the glossary feeds the acronym rule', async () => {
    const westbrook = agents.westbrookLead!;
    await westbrook.get('/strategy/glossary');
    const before = await westbrook.get(`/strategy/plans/${westbrookPlan}/smart`);
    assert.match(before.body, /“CSE”/);
    assert.equal((await westbrook.post('/strategy/glossary', { term: 'CSE', expansion: 'child sexual exploitation' })).statusCode, 302);
    const after = await westbrook.get(`/strategy/plans/${westbrookPlan}/smart`);
    assert.doesNotMatch(after.body, /“CSE”/);
  });
});

describe('the SMART check, sharper (issue 15 §3)', () => {
  test('the plan report applies the new rules to Westbrook’s seeded actions', async () => {
    const report = await agents.westbrookLead!.get(`/strategy/plans/${westbrookPlan}/smart`);
    assert.equal(report.statusCode, 200);
    // 1.1b “Regularly raise awareness of CSE with a number of frontline staff.”: the action text.
    assert.match(report.body, /Vague quantity<\/span>\s*<span class="govuk-body-s">\(action: “a number of”\)/);
    // 2.4a, Green past its due date with “Tender out.”
    assert.match(report.body, /Status not supported by the update/);
    assert.match(report.body, /and “Tender out\.” does not show it is on track/);
    // 1.1b’s update “Awareness sessions continue.”
    assert.match(report.body, /Vague progress update<\/span>\s*<span class="govuk-body-s">\(progress update: “continue”\)/);
    // The findings table has one column per heading, and no example date long past.
    const headings = [...report.body.matchAll(/<th scope="col" class="govuk-table__header[^"]*">([^<]+)<\/th>/g)].map((m) => m[1]);
    assert.equal(new Set(headings).size, headings.length, headings.join(' | '));
    assert.ok(headings.includes('Number of actions') && headings.includes('Which actions'));
    assert.doesNotMatch(report.body, /2017/);
  });

  test('a plan that asks for a Board plan cross-reference flags actions without one; the setting is audited', async () => {
    const westbrook = agents.westbrookLead!;
    const before = await westbrook.get(`/strategy/plans/${westbrookPlan}/smart`);
    assert.doesNotMatch(before.body, /No Board plan cross-reference<\/span>/);
    const form = await westbrook.get(`/strategy/plans/${westbrookPlan}/edit`);
    assert.match(form.body, /name="requiresBoardPlanRef"/);
    const [plan] = await ctx.ownerQuery<Record<string, string>>(
      `SELECT p.title, p.framework_id, p.period_start::text, p.period_end::text, p.review_cycle, p.owning_body, p.accountable_to FROM strategy_plans p WHERE id = $1`,
      [westbrookPlan],
    );
    const saved = await westbrook.post(`/strategy/plans/${westbrookPlan}/edit`, {
      title: plan!.title!,
      frameworkId: plan!.framework_id!,
      ...dateFields('periodStart', plan!.period_start!),
      ...dateFields('periodEnd', plan!.period_end!),
      reviewCycle: plan!.review_cycle!,
      owningBody: plan!.owning_body!,
      accountableTo: plan!.accountable_to!,
      requiresBoardPlanRef: 'yes',
    });
    assert.equal(saved.statusCode, 302, saved.body);
    const [row] = await ctx.ownerQuery<{ requires_board_plan_ref: boolean }>(`SELECT requires_board_plan_ref FROM strategy_plans WHERE id = $1`, [
      westbrookPlan,
    ]);
    assert.equal(row!.requires_board_plan_ref, true);
    const audits = await auditRows('record.update', westbrookPlan);
    assert.deepEqual(audits.at(-1)!.details.requiresBoardPlanRef, { from: false, to: true });
    const after = await westbrook.get(`/strategy/plans/${westbrookPlan}/smart`);
    // 1.1b has no Board plan reference; 1.1a has “Board priority 2”.
    assert.match(after.body, /No Board plan cross-reference<\/span>/);
    const weak = await actionId(westbrookPlan, '1.1b');
    const action = await westbrook.get(`/strategy/actions/${weak}`);
    assert.match(action.body, /This plan asks each action to refer to the Board’s plan/);
  });

  test('a finding most of Northmere’s actions share is given once, with the list', async () => {
    const report = await agents.lead!.get(`/strategy/plans/${northmerePlan}/smart`);
    assert.equal(report.statusCode, 200);
    assert.match(report.body, /Findings common to most actions/);
    const common = /<h2 class="govuk-heading-m">Findings common to most actions<\/h2>([\s\S]*?)<h2/.exec(report.body)?.[1] ?? '';
    const [, count, of] = /(\d+) of (\d+) actions/.exec(common) ?? [];
    assert.ok(Number(count) * 2 > Number(of), `${count} of ${of}`);
    // Not repeated under each action.
    const perAction = report.body.slice(report.body.indexOf('Findings by action'));
    const groupedRule = /<span class="govuk-!-font-weight-bold">([^<]+)<\/span>:/.exec(common)?.[1];
    assert.ok(groupedRule);
    assert.doesNotMatch(perAction, new RegExp(`font-weight-bold">${groupedRule}</span>`));
  });
});

describe('returns follow the framework (issue 15 §4)', () => {
  test('an English partnership is not offered the Welsh Government return; a Welsh one is', async () => {
    const westbrook = await agents.westbrookLead!.get(`/strategy/plans/${westbrookPlan}`);
    assert.equal(westbrook.statusCode, 200);
    assert.doesNotMatch(westbrook.body, /Welsh Government reporting template/);
    assert.match(westbrook.body, /export\/plan\.xlsx/);
    for (const document of ['return.docx', 'return.xlsx']) {
      assert.equal((await agents.westbrookLead!.get(`/strategy/plans/${westbrookPlan}/export/${document}`)).statusCode, 404, document);
    }
    const northmere = await agents.lead!.get(`/strategy/plans/${northmerePlan}`);
    assert.match(northmere.body, /Welsh Government reporting template/);
    assert.equal((await agents.lead!.get(`/strategy/plans/${northmerePlan}/export/return.xlsx`)).statusCode, 200);
  });
});

describe('archive and restore (issue 15 §4)', () => {
  test('an action is archived, hidden from the plan and its checks, then restored; never deleted; both audited', async () => {
    const lead = agents.westbrookLead!;
    const id = await actionId(westbrookPlan, '2.4a');
    assert.match((await lead.get(`/strategy/plans/${westbrookPlan}`)).body, /href="\/strategy\/actions\/[^"]+">2\.4a</);
    const archived = await lead.post(`/strategy/actions/${id}/archive`, {});
    assert.equal(archived.statusCode, 302);
    assert.equal(archived.headers.location, `/strategy/actions/${id}`);
    const plan = await lead.get(`/strategy/plans/${westbrookPlan}`);
    assert.doesNotMatch(plan.body, />2\.4a</, 'hidden from the plan by default');
    assert.match(plan.body, /See archived actions \(1\)/);
    const shown = await lead.get(`/strategy/plans/${westbrookPlan}?show=archived`);
    assert.match(shown.body, /Archived actions[\s\S]*>2\.4a</);
    assert.doesNotMatch((await lead.get(`/strategy/plans/${westbrookPlan}/smart`)).body, /Tender out/, 'left out of the SMART check');
    const page = await lead.get(`/strategy/actions/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /This action was archived on/);
    assert.match(page.body, /Restore this action/);
    const [row] = await ctx.ownerQuery<{ archived_at: Date | null; n: string }>(
      `SELECT archived_at, (SELECT count(*) FROM strategy_action_updates WHERE action_id = $1)::text AS n FROM strategy_actions WHERE id = $1`,
      [id],
    );
    assert.ok(row!.archived_at, 'kept, marked archived');
    assert.ok(Number(row!.n) > 0, 'history kept');
    assert.equal((await lead.post(`/strategy/actions/${id}/restore`, {})).statusCode, 302);
    assert.match((await lead.get(`/strategy/plans/${westbrookPlan}`)).body, />2\.4a</);
    const lifecycle = (await auditRows('record.update', id)).map((r) => r.details.lifecycle).filter(Boolean);
    assert.deepEqual(lifecycle, ['archived', 'restored']);
  });

  test('a plan is archived and restored; only a strategy lead may; malformed ids are 404', async () => {
    const lead = agents.westbrookLead!;
    assert.equal((await lead.post(`/strategy/plans/${westbrookPlan}/archive`, {})).statusCode, 302);
    const list = await lead.get('/strategy');
    assert.doesNotMatch(list.body, new RegExp(`/strategy/plans/${westbrookPlan}"`));
    assert.match(list.body, /See archived plans/);
    assert.match((await lead.get('/strategy?show=archived')).body, new RegExp(`/strategy/plans/${westbrookPlan}"`));
    assert.match((await lead.get(`/strategy/plans/${westbrookPlan}`)).body, /This plan was archived on/);
    assert.equal((await lead.post(`/strategy/plans/${westbrookPlan}/restore`, {})).statusCode, 302);
    assert.match((await lead.get('/strategy')).body, new RegExp(`/strategy/plans/${westbrookPlan}"`));
    assert.deepEqual((await auditRows('record.update', westbrookPlan)).map((r) => r.details.lifecycle).filter(Boolean), ['archived', 'restored']);
    // A councillor (board member) reads plans but cannot archive them; another partnership cannot see them.
    assert.equal((await agents.councillor!.post(`/strategy/plans/${northmerePlan}/archive`, {})).statusCode, 403);
    assert.equal((await agents.lead!.post(`/strategy/plans/${westbrookPlan}/archive`, {})).statusCode, 404);
    assert.equal((await lead.post('/strategy/plans/not-a-uuid/archive', {})).statusCode, 404);
    assert.equal((await lead.get('/strategy?show=everything')).statusCode, 400);
    const [row] = await ctx.ownerQuery<{ archived_at: Date | null }>(`SELECT archived_at FROM strategy_plans WHERE id = $1`, [northmerePlan]);
    assert.equal(row!.archived_at, null);
  });
});

describe('plans and governance', () => {
  test('a strategy lead adds an agency’s own plan and changes its review dates and governance; both are audited', async () => {
    const lead = agents.lead!;
    const page = await lead.get('/strategy/plans/new');
    const frameworkId =
      /<option value="([0-9a-f-]{36})"[^>]*>National Action Plan/.exec(page.body)?.[1] ??
      (
        await ctx.ownerQuery<{ id: string }>(
          `SELECT f.id FROM strategy_frameworks f JOIN partnerships p ON p.id = f.partnership_id WHERE p.code = 'northmere' AND f.key LIKE 'wales%'`,
        )
      )[0]!.id;
    const [police] = await ctx.ownerQuery<{ id: string }>(
      `SELECT a.id FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.code = 'northmere' AND a.kind = 'police'`,
    );
    const missing = await lead.post('/strategy/plans/new', { title: '' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Enter a title/);
    const form = {
      title: 'Police CSE plan 2026 to 2027',
      frameworkId,
      agencyId: police!.id,
      ...dateFields('periodStart', '2026-04-01'),
      ...dateFields('periodEnd', '2027-03-31'),
      reviewCycle: 'quarterly',
      ...dateFields('nextReviewOn', '2026-12-01'),
      namedReview: 'October review',
      owningBody: 'Police CSE lead',
      accountableTo: 'Safeguarding Children Board',
      linkedPlans: 'Force control strategy',
    };
    const created = await lead.post('/strategy/plans/new', form);
    assert.equal(created.statusCode, 302);
    const planId = String(created.headers.location).split('/').pop()!;
    await lead.get(`/strategy/plans/${planId}/edit`);
    const edited = await lead.post(`/strategy/plans/${planId}/edit`, { ...form, reviewCycle: 'six-monthly', accountableTo: 'Police and Crime Commissioner' });
    assert.equal(edited.statusCode, 302);
    const shown = await lead.get(`/strategy/plans/${planId}`);
    assert.match(shown.body, /Police and Crime Commissioner/);
    assert.match(shown.body, /Every 6 months/);
    assert.equal((await auditRows('record.create', planId)).length, 1);
    assert.equal((await auditRows('record.update', planId)).length, 1);
    assert.equal((await agents.police!.get(`/strategy/plans/${planId}/edit`)).statusCode, 403);
  });
});

describe('performance measures', () => {
  test('measures show a server-drawn chart beside the data table; the strategy lead adds one and enters values, audited', async () => {
    const councillor = agents.councillor!;
    const page = await councillor.get(`/strategy/plans/${northmerePlan}/measures`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<svg aria-hidden="true"/);
    assert.match(page.body, /Staff trained in child sexual exploitation awareness/);
    assert.match(page.body, /July to September 2026/);
    assert.doesNotMatch(page.body, /<svg[^>]* style=|<script(?! type="module" src)/, 'nothing the CSP would block');
    assert.doesNotMatch(page.body, /Save value/, 'board members read only');
    assert.equal((await councillor.post(`/strategy/plans/${northmerePlan}/measures`, { name: 'x' })).statusCode, 403);

    const lead = agents.lead!;
    await lead.get(`/strategy/plans/${northmerePlan}/measures`);
    const bad = await lead.post(`/strategy/plans/${northmerePlan}/measures`, { name: 'Children with a plan', targetValue: 'lots' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter the target as a number/);
    const added = await lead.post(`/strategy/plans/${northmerePlan}/measures`, {
      name: 'Children at risk with a multi-agency plan',
      unit: '%',
      baselineValue: '70',
      ...dateFields('baselinePeriod', '2026-04-01'),
      targetValue: '100',
      direction: 'up',
      frequency: 'quarterly',
      ownerTitle: 'Exploitation team manager',
      evidenceSource: 'Exploitation team monthly report',
    });
    assert.equal(added.statusCode, 302);
    const [measure] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_measures WHERE name = 'Children at risk with a multi-agency plan'`);
    assert.equal((await lead.post(`/strategy/measures/${measure!.id}/values`, { periodStart: '2026-07-01', value: 'many' })).statusCode, 400);
    assert.equal((await lead.post(`/strategy/measures/${measure!.id}/values`, { periodStart: '2026-07-01', value: '82' })).statusCode, 302);
    assert.equal((await lead.post(`/strategy/measures/${measure!.id}/values`, { periodStart: '2026-07-01', value: '85', note: 'Corrected' })).statusCode, 302);
    const audits = await auditRows('record.update', measure!.id);
    assert.deepEqual(
      audits.map((a) => a.details.value),
      [
        { from: null, to: '82' },
        { from: '82.00', to: '85' },
      ],
    );
    const shown = await lead.get(`/strategy/plans/${northmerePlan}/measures`);
    assert.match(shown.body, /Children at risk with a multi-agency plan/);
    assert.match(shown.body, />85%</, 'the value with its unit, for people');
    assert.equal((await agents.westbrookLead!.post(`/strategy/measures/${measure!.id}/values`, { periodStart: '2026-07-01', value: '1' })).statusCode, 404);
  });
});

/** The quarterly report's training section: compliance by agency and overall against the target, sessions held; no names. */
async function assertTrainingSection(text: string, kind: string) {
  const [measure] = await ctx.ownerQuery<{ title: string; target_percent: number }>(
    `SELECT m.title, m.target_percent FROM training_measures m JOIN partnerships p ON p.id = m.partnership_id WHERE p.code = 'northmere' ORDER BY m.created_at, m.window_months, m.title LIMIT 1`,
  );
  for (const part of [
    'Training',
    measure!.title,
    `Target ${measure!.target_percent}%`,
    'All agencies',
    'Training sessions held in July to September 2026',
    'Performance measures',
  ]) {
    assert.ok(text.includes(part), `${kind} quarterly report has “${part}”`);
  }
  const sessions = await ctx.ownerQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM training_sessions s JOIN partnerships p ON p.id = s.partnership_id WHERE p.code = 'northmere' AND s.held_on BETWEEN '2026-07-01' AND '2026-09-30'`,
  );
  if (sessions[0]!.n > 0) assert.ok(!text.includes('No training sessions were held in this quarter.'), `${kind}: sessions of the quarter are counted`);
  const people = await ctx.ownerQuery<{ display_name: string }>(`SELECT display_name FROM training_staff UNION SELECT display_name FROM users`);
  for (const p of people) assert.ok(!text.includes(p.display_name), `${kind} names nobody (${p.display_name})`);
}

describe('exports and import', () => {
  test('every document downloads, opens and leaves an export audit row', async () => {
    const lead = agents.lead!;
    for (const document of ['return.docx', 'return.xlsx', 'plan.xlsx', 'plan.csv', 'quarterly.docx', 'quarterly.pdf']) {
      const r = await lead.get(`/strategy/plans/${northmerePlan}/export/${document}?quarter=2026-07-01`);
      assert.equal(r.statusCode, 200, document);
      assert.match(String(r.headers['content-disposition']), /attachment/);
      const body = r.rawPayload;
      if (document.endsWith('.xlsx')) {
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(body as unknown as ArrayBuffer);
        assert.ok(book.worksheets.length >= 2);
      } else if (document.endsWith('.docx')) {
        const xml = await (await JSZip.loadAsync(body)).file('word/document.xml')!.async('string');
        assert.match(xml, document.startsWith('return') ? /Awaiting guidance from Welsh Government/ : /Quarterly progress report/);
        if (document.startsWith('quarterly')) await assertTrainingSection(xml.replace(/<[^>]+>/g, ' '), 'DOCX');
      } else if (document.endsWith('.pdf')) {
        // The page printed by Chromium: tagged, with the page's tables, its status colours and figures for people.
        assert.equal(body.subarray(0, 5).toString(), '%PDF-');
        assert.ok(isTaggedPdf(body), 'the quarterly report PDF is tagged');
        const structure = pdfStructureTypes(body);
        for (const tag of ['Table', 'TH', 'TD', 'H1', 'H2']) assert.ok(structure.has(tag), `the PDF tags a ${tag}`);
        const text = pdfText(body);
        await assertTrainingSection(text, 'PDF');
        assert.ok(text.includes('Status of all actions'), 'the status table');
        assert.doesNotMatch(text, /\d\.00 |\b\d{4}-\d{2}-\d{2}\b/, 'no "400.00" figures or ISO dates');
        // The RAG tags keep the page's colours (the tags' own backgrounds, not only black on white).
        const colours = pdfFillColours(body);
        assert.ok([...colours].filter((c) => !/^(000000|ffffff|0b0c0c)$/.test(c)).length >= 3, `status colours: ${[...colours].join(' ')}`);
      } else {
        assert.match(body.toString('utf8'), /"Action id"/);
      }
    }
    const audits = await auditRows('export', northmerePlan);
    assert.deepEqual(
      audits.slice(-6).map((a) => a.details.document),
      ['return.docx', 'return.xlsx', 'plan.xlsx', 'plan.csv', 'quarterly.docx', 'quarterly.pdf'],
    );
  });

  test('an XLSX plan is previewed with row errors, then imported', async () => {
    const lead = agents.westbrookLead!;
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Plan');
    sheet.addRow(['Action id', 'Action', 'Lead (post)', 'Due date', 'Success measure', 'Target', 'RAG status']);
    sheet.addRow([
      '1.3a',
      'Run 4 parent sessions on the signs of exploitation.',
      'Early help manager',
      new Date('2027-01-31T00:00:00Z'),
      'Parents attending',
      80,
      'Amber',
    ]);
    sheet.addRow(['7.1a', 'Not in the framework', '', 'soon', '', '', 'Purple']);
    const file = Buffer.from(await book.xlsx.writeBuffer());
    await lead.get(`/strategy/plans/${westbrookPlan}/import`);
    const bad = await postFile(
      lead,
      `/strategy/plans/${westbrookPlan}/import`,
      'plan.xlsx',
      file,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Row 3/);
    assert.match(bad.body, /Outcome 7\.1 is not in the framework/);
    sheet.spliceRows(3, 1);
    const good = await postFile(
      lead,
      `/strategy/plans/${westbrookPlan}/import`,
      'plan.xlsx',
      Buffer.from(await book.xlsx.writeBuffer()),
      'application/octet-stream',
    );
    assert.equal(good.statusCode, 200, good.body.slice(0, 500));
    const rows = /name="rows" value="([^"]+)"/
      .exec(good.body)![1]!
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&#39;/g, "'");
    lead.csrfToken = /name="_csrf" value="([^"]+)"/.exec(good.body)![1]!;
    const done = await lead.follow(lead.post(`/strategy/plans/${westbrookPlan}/import/confirm`, { rows }));
    assert.equal(done.statusCode, 200);
    assert.match(done.body, /1 actions added/);
    const [saved] = await ctx.ownerQuery<{ due_on: string; status: string; target_value: string }>(
      `SELECT due_on::text, status, target_value FROM strategy_actions WHERE plan_id = $1 AND action_ref = '1.3a'`,
      [westbrookPlan],
    );
    assert.deepEqual([saved!.due_on, saved!.status, Number(saved!.target_value)], ['2027-01-31', 'amber', 80]);
  });

  test('multipart posts still need the CSRF token', async () => {
    const lead = agents.westbrookLead!;
    const saved = lead.csrfToken;
    lead.csrfToken = 'forged';
    const r = await postFile(lead, `/strategy/plans/${westbrookPlan}/import`, 'plan.csv', Buffer.from('Action id,Action\n1.1a,Train staff\n'), 'text/csv');
    lead.csrfToken = saved;
    assert.equal(r.statusCode, 403);
  });

  test('a partnership loads its own framework from JSON, checked before it is stored', async () => {
    const lead = agents.westbrookLead!;
    await lead.get('/strategy/frameworks');
    const broken = {
      key: 'own',
      name: 'Own',
      source: 'us',
      isExample: false,
      strands: [{ key: 'prevent', number: 1, title: 'Prevent', outcome: 'x' }],
      outcomes: [{ id: '2.1', strandKey: 'prevent', text: 'y', actionIds: ['2.1a'] }],
    };
    const bad = await postFile(lead, '/strategy/frameworks', 'own.json', Buffer.from(JSON.stringify(broken)), 'application/json');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /should start with its strand number/);
    broken.outcomes[0]!.id = '1.1';
    broken.outcomes[0]!.actionIds = ['1.1a'];
    const good = await postFile(lead, '/strategy/frameworks', 'own.json', Buffer.from(JSON.stringify(broken)), 'application/json');
    assert.equal(good.statusCode, 302);
  });
});
