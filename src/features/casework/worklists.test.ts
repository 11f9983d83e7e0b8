import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../../test/helpers/context.ts';
import { signIn, type Agent } from '../../../test/helpers/http.ts';

// Worklists are read most urgent first, a page at a time, with a count that stops at 1,000.

let ctx: TestContext;
let northmere: string;
let child: string;
let other: string;
let worker: Agent;
let coordinator: Agent;
const agencies: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere])) {
    agencies[a.kind] = a.id;
  }
  const insert = async (ref: string) => (await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, date_of_birth)
     VALUES ($1, $2, $3, 'Worklist', 'Testchild', '2011-02-03') RETURNING id`, [northmere, agencies.childrens_services, ref]))[0]!.id;
  child = await insert('WL-TEST-1');
  other = await insert('WL-TEST-2');
  // 1,010 overdue actions on the first child (due 1 January 2024 onwards, one a day), two on the second.
  await ctx.ownerQuery(`INSERT INTO plan_actions (partnership_id, child_id, description, owner_name, agency_id, due_on)
    SELECT $1, $2, 'Bulk action ' || lpad(n::text, 4, '0'), 'Owner', $3, DATE '2024-01-01' + n FROM generate_series(0, 1009) n`,
  [northmere, child, agencies.childrens_services]);
  await ctx.ownerQuery(`INSERT INTO plan_actions (partnership_id, child_id, description, owner_name, agency_id, due_on)
    VALUES ($1, $2, 'Earliest of all', 'Owner', $3, '2020-06-01'), ($1, $2, 'Latest of all', 'Owner', $3, '2026-11-01')`,
  [northmere, other, agencies.childrens_services]);
  const socialWorker = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
  await ctx.ownerQuery(`INSERT INTO child_involvements (partnership_id, child_id, agency_id, worker_user_id) VALUES ($1, $2, $3, $4)`,
    [northmere, other, agencies.childrens_services, socialWorker]);
  worker = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
  coordinator = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
});
after(async () => ctx.close());

const rowsOf = (html: string, list: string) => {
  const table = new RegExp(`<table class="govuk-table" id="list-${list}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  return [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).slice(1);
};

describe('worklists', () => {
  test('one list shows fifty rows, most urgent first, counts to 1,000 and pages on', async () => {
    const first = await coordinator.get('/worklists?show=actions');
    assert.equal(first.statusCode, 200);
    const rows = rowsOf(first.body, 'actions');
    assert.equal(rows.length, 50);
    assert.match(rows[0]!, /Earliest of all/);
    assert.match(rows[1]!, /Bulk action 0000/);
    assert.match(first.body, /Plan actions overdue \(1,000 or more\)/);
    assert.match(first.body, /Showing 1 to 50 of 1,000 or more/);
    assert.match(first.body, /href="\/worklists\?show=actions&amp;sort=due&amp;whose=all&amp;page=2"/);

    const second = rowsOf((await coordinator.get('/worklists?show=actions&page=2')).body, 'actions');
    assert.equal(second.length, 50);
    assert.match(second[0]!, /Bulk action 0049/);

    const latest = rowsOf((await coordinator.get('/worklists?show=actions&sort=due-desc')).body, 'actions');
    assert.match(latest[0]!, /Latest of all/);
  });

  test('the overview shows the ten most urgent of each list and links to the rest', async () => {
    const r = await coordinator.get('/worklists');
    assert.equal(r.statusCode, 200);
    assert.equal(rowsOf(r.body, 'actions').length, 10);
    assert.match(r.body, /The 10 most urgent are shown/);
    assert.match(r.body, /href="\/worklists\?show=actions&amp;sort=due&amp;whose=all"/);
    for (const list of ['children', 'triage', 'reviews', 'interviews', 'meetings']) assert.match(r.body, new RegExp(`id="list-${list}"`));
  });

  test('“allocated to me” keeps only the worker’s allocated children', async () => {
    const mine = await worker.get('/worklists?show=actions&whose=mine');
    const rows = rowsOf(mine.body, 'actions');
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => /WL-TEST-2/.test(row)));
    assert.match(mine.body, /Plan actions overdue \(2\)/);
    const all = rowsOf((await worker.get('/worklists?show=actions&whose=all')).body, 'actions');
    assert.ok(all.some((row) => /WL-TEST-1/.test(row)));
  });

  test('an episode leaves the interviews list when its interview is recorded, by trigger', async () => {
    const [episode] = await ctx.ownerQuery<{ id: string }>(`INSERT INTO missing_episodes (partnership_id, child_id, episode_type, started_at, ended_at, ended_by, reported_by, risk_level)
      VALUES ($1, $2, 'missing', '2021-03-01T10:00:00Z', '2021-03-02T10:00:00Z', 'returned', 'Carer', 'high') RETURNING id`, [northmere, other]);
    const listed = async () => rowsOf((await coordinator.get('/worklists?show=interviews')).body, 'interviews').some((row) => /WL-TEST-2/.test(row));
    assert.equal(await listed(), true);
    await ctx.ownerQuery(`INSERT INTO return_interviews (partnership_id, child_id, episode_id, offered_at, interviewer_name, interviewer_agency_id, independent_of_placement, outcome)
      VALUES ($1, $2, $3, '2021-03-03T10:00:00Z', 'Interviewer', $4, true, 'declined')`, [northmere, other, episode!.id, agencies.voluntary]);
    assert.equal(await listed(), false);
    const [flag] = await ctx.ownerQuery<{ interview_recorded: boolean }>(`SELECT interview_recorded FROM missing_episodes WHERE id = $1`, [episode!.id]);
    assert.equal(flag!.interview_recorded, true);
  });

  test('meeting reviews follow the latest meeting, including when a meeting is edited', async () => {
    const listed = async () => rowsOf((await coordinator.get('/worklists?show=meetings')).body, 'meetings').some((row) => /WL-TEST-1/.test(row));
    const [older] = await ctx.ownerQuery<{ id: string }>(`INSERT INTO strategy_meetings (partnership_id, child_id, meeting_kind, held_on, attendees, decisions, risk_level, next_review_on)
      VALUES ($1, $2, 'meeting', '2021-01-01', 'A', 'B', 'high', '2021-02-01') RETURNING id`, [northmere, child]);
    assert.equal(await listed(), true, 'a review date in the past is due');
    const [newer] = await ctx.ownerQuery<{ id: string }>(`INSERT INTO strategy_meetings (partnership_id, child_id, meeting_kind, held_on, attendees, decisions, risk_level, next_review_on)
      VALUES ($1, $2, 'meeting', '2021-03-01', 'A', 'B', 'medium', '2099-01-01') RETURNING id`, [northmere, child]);
    assert.equal(await listed(), false, 'the later meeting set the next review far ahead');
    await ctx.ownerQuery(`UPDATE strategy_meetings SET next_review_on = '2021-04-01' WHERE id = $1`, [newer!.id]);
    assert.equal(await listed(), true, 'editing the latest meeting brings its review forward');
    await ctx.ownerQuery(`UPDATE strategy_meetings SET held_on = '2020-12-01' WHERE id = $1`, [newer!.id]);
    const [current] = await ctx.ownerQuery<{ meeting_id: string }>(`SELECT meeting_id FROM strategy_meeting_current WHERE child_id = $1`, [child]);
    assert.equal(current!.meeting_id, older!.id, 'moving a meeting earlier makes the other the latest');
  });

  test('a worker of another agency sees none of a child they cannot see', async () => {
    const school = await signIn(ctx.app, ctx.clock, ctx.account('school.northmere@lantern.example'));
    const r = await school.get('/worklists?show=actions');
    assert.equal(r.statusCode, 200);
    assert.doesNotMatch(r.body, /WL-TEST-/);
  });

  test('the home page counts what needs the worker and links to the lists', async () => {
    const home = await worker.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /What needs you/);
    const row = /Plan actions overdue for children allocated to you<\/dt>\s*<dd class="govuk-summary-list__value">(\d+)<\/dd>/.exec(home.body);
    assert.ok(row, 'a count for plan actions');
    const list = await worker.get('/worklists?show=actions&whose=mine');
    assert.match(list.body, new RegExp(`Plan actions overdue \\(${row[1]}\\)`), 'the same number as the list');
    assert.match(home.body, /href="\/worklists\?show=actions&amp;whose=mine"/);
    assert.doesNotMatch(home.body, /Concerns waiting for a triage decision/, 'a social worker does not triage');
    const triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    assert.match((await triage.get('/')).body, /Concerns waiting for a triage decision/);
    const councillor = await signIn(ctx.app, ctx.clock, ctx.account('councillor.northmere@lantern.example'));
    assert.doesNotMatch((await councillor.get('/')).body, /What needs you/, 'board members have no worklists');
  });
});
