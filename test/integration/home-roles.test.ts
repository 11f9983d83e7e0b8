import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

/** Each role's home page summary (issue 15 §4), on the demo data. */
let ctx: TestContext;
let northmere: string;
let childNames: string[] = [];

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  childNames = (
    await ctx.ownerQuery<{ name: string }>(`SELECT given_name || ' ' || family_name AS name FROM children WHERE partnership_id = $1`, [northmere])
  ).map((c) => c.name);
});
after(async () => ctx.close());

const home = async (email: string, path = '/') => {
  const agent = await signIn(ctx.app, ctx.clock, ctx.account(email));
  if (path !== '/') assert.equal((await agent.get(path)).statusCode, 303, 'the language is chosen, then the page is shown again');
  const page = await agent.get('/');
  assert.equal(page.statusCode, 200);
  return page.body;
};

describe('home page by role', () => {
  test('a strategy lead sees actions overdue or Red, with links, and measures off target', async () => {
    const body = await home('strategy.northmere@lantern.example');
    assert.match(body, /id="strategy-lead-summary"/);
    assert.match(body, /Actions overdue or Red \(\d+\)/);
    assert.match(body, /Measures off target \(\d+\)/);
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM strategy_actions a JOIN strategy_plans p ON p.id = a.plan_id
        WHERE a.partnership_id = $1 AND a.archived_at IS NULL AND p.archived_at IS NULL
          AND (a.status = 'red' OR (a.due_on < '2026-11-02' AND a.status NOT IN ('blue', 'not-applicable')))`,
      [northmere],
    )) as [{ n: number }];
    assert.match(body, new RegExp(`Actions overdue or Red \\(${n}\\)`));
    if (n > 0) assert.match(body, /href="\/strategy\/actions\/[0-9a-f-]{36}"/);
    assert.doesNotMatch(body, /id="plan-status"/);
    assert.doesNotMatch(body, /id="cohort"/);
    for (const name of childNames) assert.ok(!body.includes(name), `no child named (${name})`);
  });

  test('a board member sees plan status by RAG and Blue and the latest quarterly report, and never a child', async () => {
    const body = await home('councillor.northmere@lantern.example');
    assert.match(body, /id="plan-status"/);
    assert.match(body, /<th scope="col" class="govuk-table__header govuk-table__header--numeric">Blue<\/th>/);
    assert.match(body, /href="\/strategy\/plans\/[0-9a-f-]{36}\/quarterly\?quarter=2026-07-01"/);
    assert.match(body, /Quarterly report for July to September 2026/);
    assert.doesNotMatch(body, /id="strategy-lead-summary"/);
    assert.doesNotMatch(body, /id="cohort"/);
    assert.doesNotMatch(body, /\/children\//);
    for (const name of childNames) assert.ok(!body.includes(name), `no child named (${name})`);
    const welsh = await home('councillor.northmere@lantern.example', '/?lang=cy');
    assert.match(welsh, /Statws y cynlluniau/);
  });

  test('a co-ordinator sees the cohort by risk level, new this week, and the meetings coming up', async () => {
    const body = await home('coordinator.northmere@lantern.example');
    assert.match(body, /id="cohort"/);
    assert.match(body, /id="cohort-counts"/);
    assert.match(body, /New in the last 7 days/);
    assert.match(body, /Meetings in the next 14 days/);
    assert.match(body, /id="upcoming-mace"/);
    assert.match(body, /id="needs-you"/, 'the worklist counts are still there');
    assert.doesNotMatch(body, /id="plan-status"/);
    assert.doesNotMatch(body, /id="strategy-lead-summary"/);
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM children WHERE partnership_id = $1 AND status = 'open'`, [
      northmere,
    ])) as [{ n: number }];
    const open = /Open children<\/dt>\s*<dd class="govuk-summary-list__value">([\d,]+)</.exec(body);
    assert.ok(open, 'open children shown');
    assert.ok(Number(open[1]!.replace(/,/g, '')) <= n, 'no more than the partnership’s open children');
  });

  test('other roles keep their home page without these summaries', async () => {
    const body = await home('triage.northmere@lantern.example');
    assert.match(body, /id="needs-you"/);
    assert.match(await home('analyst.northmere@lantern.example'), /Hello/);
    for (const id of ['strategy-lead-summary', 'plan-status', 'cohort']) assert.doesNotMatch(body, new RegExp(`id="${id}"`));
  });
});
