import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { builtInFrameworks, standardsOf } from '../../src/features/self-assessment/framework.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Board self-assessments (issue 15 §2): a framework's standards rated with a narrative, evidence linked
 * to the partnership's own records only, an improvement action added to the action plan with a
 * cross-reference back, completion locking the assessment, the year-on-year comparison, roles and audit.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agents: Record<string, Agent> = {};
const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => ctx.ownerQuery<R>(text, values);
const framework = builtInFrameworks.find((f) => f.id === 'cse-standards')!;
const standards = standardsOf(framework).map((s) => s.id);
const [s1, s2, s3] = standards as [string, string, string];

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await q<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  [{ id: westbrook }] = (await q<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'westbrook'`)) as [{ id: string }];
  for (const key of ['strategy', 'admin', 'councillor', 'police', 'coordinator'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const idOf = (location: string | undefined) => /^\/self-assessments\/([0-9a-f-]{36})$/.exec(location ?? '')![1]!;
const auditRows = async (id: string) =>
  (
    await q<{ action: string; details: Record<string, unknown> }>(
      `SELECT action, details FROM audit_events WHERE record_type = 'self_assessment' AND record_id = $1`,
      [id],
    )
  ).length;

async function start(agent: Agent, year: string, title = `CSE self-assessment ${year}`) {
  await agent.get('/self-assessments/new');
  const r = await agent.post('/self-assessments/new', { framework: `${framework.id}@${framework.version}`, year, title });
  assert.equal(r.statusCode, 302, r.body.slice(0, 2000));
  return idOf(r.headers.location);
}
async function rate(agent: Agent, id: string, standard: string, rating: string, extra: Record<string, string> = {}) {
  await agent.get(`/self-assessments/${id}/standards/${standard}`);
  return agent.post(`/self-assessments/${id}/standards/${standard}`, { rating, narrative: `Narrative for ${standard}`, ...extra });
}

describe('Board self-assessments', () => {
  let last: string; // 2025
  let current: string; // 2026

  test('the strategy lead starts an assessment; the year is one a framework; malformed input is 400', async () => {
    last = await start(agents.strategy!, '2025');
    const [row] = await q<{ framework_id: string; framework: { id: string }; partnership_id: string }>(
      `SELECT framework_id, framework, partnership_id FROM self_assessments WHERE id = $1`,
      [last],
    );
    assert.equal(row!.framework.id, 'cse-standards');
    assert.equal(row!.partnership_id, northmere);
    const again = await agents.strategy!.post('/self-assessments/new', { framework: `${framework.id}@${framework.version}`, year: '2025', title: 'Again' });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /There is already a self-assessment of this year/);
    assert.match(
      (await agents.strategy!.post('/self-assessments/new', { year: '2027', title: '' })).body,
      /Choose the framework[\s\S]*Enter the title of the self-assessment/,
    );
    for (const bad of [
      { framework: 'nope@1', year: '2025', title: 'x' },
      { framework: `${framework.id}@${framework.version}`, year: '25', title: 'x' },
      { framework: `${framework.id}@${framework.version}`, year: '2027', title: '' },
      { framework: '<script>', year: '2027', title: 'x' },
      { year: '2027', title: 'x' },
    ])
      assert.equal((await agents.strategy!.post('/self-assessments/new', bad)).statusCode, 400, JSON.stringify(bad));
    assert.equal(await auditRows(last), 1);
  });

  test('rating a standard: a value of the framework’s own scale, replaced when rated again; audited', async () => {
    assert.equal((await rate(agents.strategy!, last, s1, 'partly-met')).statusCode, 302);
    assert.equal((await rate(agents.strategy!, last, s2, 'fully-met')).statusCode, 302);
    const bad = await rate(agents.strategy!, last, s3, 'outstanding');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Choose a rating/);
    assert.equal((await rate(agents.strategy!, last, s3, '')).statusCode, 400);
    assert.equal((await rate(agents.strategy!, last, s3, 'not-met')).statusCode, 302);
    assert.equal((await rate(agents.strategy!, last, s3, 'partly-met', { improvementAction: 'Train every school DSL.' })).statusCode, 302);
    const rows = await q<{ standard_id: string; rating: string }>(
      `SELECT standard_id, rating FROM self_assessment_ratings WHERE assessment_id = $1 ORDER BY standard_id`,
      [last],
    );
    assert.deepEqual(
      rows.map((r) => `${r.standard_id}=${r.rating}`),
      [`${s1}=partly-met`, `${s2}=fully-met`, `${s3}=partly-met`],
    );
    assert.equal(await auditRows(last), 5);
    // Unknown standard, malformed ids: 404.
    assert.equal((await agents.strategy!.get(`/self-assessments/${last}/standards/9-9`)).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/self-assessments/${last}/standards/9-9`, { rating: 'fully-met' })).statusCode, 404);
    assert.equal((await agents.strategy!.get(`/self-assessments/${last}/standards/'x'`)).statusCode, 404);
    assert.equal((await agents.strategy!.get('/self-assessments/not-a-uuid')).statusCode, 404);
    assert.equal((await agents.strategy!.get('/self-assessments/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  });

  test('evidence links only to the partnership’s own plans, actions, measures and case audits, shown as links', async () => {
    const [plan] = await q<{ id: string; title: string }>(`SELECT id, title FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [northmere]);
    const [action] = await q<{ id: string }>(`SELECT id FROM strategy_actions WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [northmere]);
    const [measure] = await q<{ id: string; plan_id: string }>(`SELECT id, plan_id FROM strategy_measures WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [
      northmere,
    ]);
    const [theirs] = await q<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [westbrook]);
    assert.ok(plan && action && measure && theirs, 'the demo data has plans, actions and measures in both partnerships');
    const url = `/self-assessments/${last}/standards/${s1}/evidence`;
    const page = await agents.strategy!.get(`/self-assessments/${last}/standards/${s1}`);
    assert.match(page.body, new RegExp(`value="plan:${plan.id}"`));
    assert.doesNotMatch(page.body, new RegExp(theirs.id));
    const [audit] = await q<{ id: string }>(
      `INSERT INTO case_audits (partnership_id, title, period_start, period_end, tool_id, tool_version, tool, method, sample_size, seed)
       VALUES ($1, 'Themed audit for the Board', '2025-01-01', '2025-06-30', 'x', 1, '{}', 'random', 1, 1) RETURNING id`,
      [northmere],
    );
    for (const evidence of [`plan:${plan.id}`, `action:${action.id}`, `measure:${measure.id}`, `case_audit:${audit!.id}`])
      assert.equal((await agents.strategy!.post(url, { evidence })).statusCode, 302, evidence);
    const other = await agents.strategy!.post(url, { evidence: `plan:${theirs.id}` });
    assert.equal(other.statusCode, 400, 'another partnership’s plan');
    assert.match(other.body, /Choose one of the partnership’s records/);
    assert.equal((await agents.strategy!.post(url, { evidence: `plan:${plan.id}` })).statusCode, 400, 'twice');
    assert.equal((await agents.strategy!.post(url, { evidence: `child:${plan.id}` })).statusCode, 400, 'not a kind');
    assert.equal((await agents.strategy!.post(url, { evidence: 'plan:nope' })).statusCode, 400);
    const shown = await agents.councillor!.get(`/self-assessments/${last}/standards/${s1}`);
    assert.equal(shown.statusCode, 200);
    assert.match(shown.body, new RegExp(`href="/strategy/plans/${plan.id}"`));
    assert.match(shown.body, new RegExp(`href="/strategy/actions/${action.id}"`));
    assert.match(shown.body, new RegExp(`href="/strategy/plans/${measure.plan_id}/measures"`));
    assert.match(shown.body, new RegExp(`href="/case-audits/${audit!.id}"`));
    assert.doesNotMatch(shown.body, /Link the evidence/, 'a board member reads only');
    // Removing one: audited; another standard's evidence id is not found there.
    const [ev] = await q<{ id: string }>(`SELECT id FROM self_assessment_evidence WHERE assessment_id = $1 AND kind = 'measure'`, [last]);
    assert.equal((await agents.strategy!.post(`/self-assessments/${last}/standards/${s2}/evidence/${ev!.id}/remove`, {})).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/self-assessments/${last}/standards/${s1}/evidence/${ev!.id}/remove`, {})).statusCode, 302);
    const [{ n }] = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM self_assessment_evidence WHERE assessment_id = $1`, [last])) as [{ n: number }];
    assert.equal(n, 3);
    assert.equal(await auditRows(last), 10);
  });

  test('the database keeps evidence inside the partnership whatever the application does', async () => {
    const [theirs] = await q<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1 ORDER BY id LIMIT 1`, [westbrook]);
    await assert.rejects(
      q(`INSERT INTO self_assessment_evidence (partnership_id, assessment_id, standard_id, kind, plan_id) VALUES ($1, $2, $3, 'plan', $4)`, [
        northmere,
        last,
        s1,
        theirs!.id,
      ]),
    );
  });

  test('an improvement action goes into the action plan with a cross-reference both ways', async () => {
    const [plan] = await q<{ plan_id: string; outcome_ref: string }>(
      `SELECT a.plan_id, a.outcome_ref FROM strategy_actions a JOIN strategy_plans p ON p.id = a.plan_id
        WHERE p.partnership_id = $1 AND p.archived_at IS NULL ORDER BY a.id LIMIT 1`,
      [northmere],
    );
    const url = `/self-assessments/${last}/standards/${s3}/plan`;
    await agents.strategy!.get(`/self-assessments/${last}/standards/${s3}`);
    assert.equal(
      (await agents.strategy!.post(`/self-assessments/${last}/standards/${s1}/plan`, { planId: plan!.plan_id, actionRef: `${plan!.outcome_ref}y` })).statusCode,
      400,
      'no improvement action',
    );
    assert.equal((await agents.strategy!.post(url, { planId: plan!.plan_id, actionRef: 'x' })).statusCode, 400);
    assert.equal((await agents.strategy!.post(url, { planId: plan!.plan_id, actionRef: '99.9z' })).statusCode, 400, 'not an outcome of the plan');
    assert.equal((await agents.admin!.post(url, { planId: plan!.plan_id, actionRef: `${plan!.outcome_ref}y` })).statusCode, 403, 'the plan’s owner only');
    const ref = `${plan!.outcome_ref}y`;
    const r = await agents.strategy!.post(url, { planId: plan!.plan_id, actionRef: ref });
    assert.equal(r.statusCode, 302, r.body.slice(0, 2000));
    const [action] = await q<{ id: string; text: string; board_plan_ref: string; evidence_source: string }>(
      `SELECT id, text, board_plan_ref, evidence_source FROM strategy_actions WHERE plan_id = $1 AND action_ref = $2`,
      [plan!.plan_id, ref],
    );
    assert.equal(action!.text, 'Train every school DSL.');
    assert.match(action!.board_plan_ref, new RegExp(`Self-assessment 2025: CSE self-assessment 2025, standard ${s3}`));
    assert.equal(action!.evidence_source, `/self-assessments/${last}/standards/${s3}`);
    const [rating] = await q<{ strategy_action_id: string }>(
      `SELECT strategy_action_id FROM self_assessment_ratings WHERE assessment_id = $1 AND standard_id = $2`,
      [last, s3],
    );
    assert.equal(rating!.strategy_action_id, action!.id);
    assert.match((await agents.strategy!.get(`/self-assessments/${last}`)).body, new RegExp(`/strategy/actions/${action!.id}`));
    assert.equal((await agents.strategy!.post(url, { planId: plan!.plan_id, actionRef: `${plan!.outcome_ref}x` })).statusCode, 409, 'already in a plan');
    const [{ n }] = (await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'strategy_action' AND record_id = $1 AND action = 'record.create'`,
      [action!.id],
    )) as [{ n: number }];
    assert.equal(n, 1);
  });

  test('completing needs every standard rated, then the assessment is read-only (the database agrees)', async () => {
    await agents.strategy!.get(`/self-assessments/${last}`);
    const early = await agents.strategy!.post(`/self-assessments/${last}/complete`, {});
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /Rate every standard first/);
    for (const s of standards.slice(3)) assert.equal((await rate(agents.admin!, last, s, s.startsWith('6') ? 'not-assessed' : 'not-met')).statusCode, 302);
    assert.equal((await agents.admin!.post(`/self-assessments/${last}/complete`, {})).statusCode, 302);
    assert.equal((await q<{ status: string }>(`SELECT status FROM self_assessments WHERE id = $1`, [last]))[0]!.status, 'complete');
    assert.equal((await rate(agents.strategy!, last, s1, 'fully-met')).statusCode, 409);
    assert.equal((await agents.strategy!.post(`/self-assessments/${last}/complete`, {})).statusCode, 409);
    const page = await agents.strategy!.get(`/self-assessments/${last}/standards/${s1}`);
    assert.doesNotMatch(page.body, /Save the rating/);
    await assert.rejects(q(`UPDATE self_assessment_ratings SET rating = 'fully-met' WHERE assessment_id = $1`, [last]));
    await assert.rejects(q(`DELETE FROM self_assessment_evidence WHERE assessment_id = $1`, [last]));
    await assert.rejects(q(`UPDATE self_assessments SET status = 'draft', completed_at = NULL WHERE id = $1`, [last]));
  });

  test('the year-on-year comparison: per standard the change, per year the counts by rating', async () => {
    current = await start(agents.strategy!, '2026');
    await rate(agents.strategy!, current, s1, 'fully-met'); // partly → fully: improved
    await rate(agents.strategy!, current, s2, 'not-met'); // fully → not: worse
    await rate(agents.strategy!, current, s3, 'partly-met'); // partly → partly: same
    const r = await agents.councillor!.get(`/self-assessments/compare?framework=${framework.id}`);
    assert.equal(r.statusCode, 200);
    const cell = (standard: string, year: number) => new RegExp(`id="compare-${standard}"[\\s\\S]*?data-year="${year}">[\\s\\S]*?</td>`).exec(r.body)![0];
    assert.match(cell(s1, 2026), /data-change="improved"/);
    assert.match(cell(s2, 2026), /data-change="worse"/);
    assert.match(cell(s3, 2026), /data-change="same"/);
    const n = (rating: string, year: number) => new RegExp(`data-rating="${rating}" data-year="${year}">([^<]*)<`).exec(r.body)![1];
    const changed = (change: string, year: number) => new RegExp(`data-change="${change}" data-year="${year}">([^<]*)<`).exec(r.body)![1];
    assert.equal(n('partly-met', 2025), '2');
    assert.equal(n('fully-met', 2025), '1');
    assert.equal(n('not-assessed', 2025), String(standards.filter((s) => s.startsWith('6')).length));
    assert.equal(n('unrated', 2025), '0');
    assert.equal(n('fully-met', 2026), '1');
    assert.equal(n('unrated', 2026), String(standards.length - 3));
    assert.equal(changed('improved', 2026), '1');
    assert.equal(changed('worse', 2026), '1');
    assert.equal(changed('same', 2026), '1');
    // Unknown or malformed framework: 404 / 400.
    assert.equal((await agents.councillor!.get('/self-assessments/compare?framework=joint-inspection-themes')).statusCode, 404);
    assert.equal((await agents.councillor!.get('/self-assessments/compare?framework=%27x')).statusCode, 400);
    assert.equal((await agents.councillor!.get('/self-assessments/compare')).statusCode, 400);
  });

  test('roles: board members and the co-ordinator read; the strategy lead and administrator edit; others are refused', async () => {
    assert.equal((await agents.councillor!.get('/self-assessments')).statusCode, 200);
    assert.equal((await agents.coordinator!.get(`/self-assessments/${current}`)).statusCode, 200);
    assert.equal((await agents.police!.get('/self-assessments')).statusCode, 403);
    assert.equal((await agents.councillor!.get('/self-assessments/new')).statusCode, 403);
    assert.equal((await agents.councillor!.post(`/self-assessments/${current}/standards/${s1}`, { rating: 'not-met' })).statusCode, 403);
    assert.equal((await agents.coordinator!.post(`/self-assessments/${current}/complete`, {})).statusCode, 403);
    const list = await agents.councillor!.get('/self-assessments');
    assert.doesNotMatch(list.body, /Start a self-assessment/);
    assert.match(list.body, /href="\/self-assessments\/compare\?framework=cse-standards"/);
    assert.match((await agents.admin!.get('/self-assessments')).body, /Start a self-assessment/);
    // Another partnership sees none of them.
    const westbrookLead = await signIn(ctx.app, ctx.clock, ctx.account('strategy.westbrook@lantern.example'));
    assert.equal((await westbrookLead.get(`/self-assessments/${current}`)).statusCode, 404);
    assert.doesNotMatch((await westbrookLead.get('/self-assessments')).body, /CSE self-assessment 2026/);
  });

  test('in Welsh: the framework’s own Welsh words', async () => {
    const page = await agents.councillor!.follow(agents.councillor!.get(`/self-assessments/${current}?lang=cy`));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Arweinyddiaeth a llywodraethu/);
    assert.match(page.body, /Wedi’i gyflawni’n llawn/);
  });
});
