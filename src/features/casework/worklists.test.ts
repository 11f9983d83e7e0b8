import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../../test/helpers/context.ts';
import { aChildInvolvement, aMissingEpisode, aPlanAction, aReturnInterview, aStrategyMeeting } from '../../../test/helpers/factories.ts';
import { signIn, type Agent } from '../../../test/helpers/http.ts';
import { demoAgencies, testChildren } from './test-setup.ts';

// Worklists are read most urgent first, a page at a time, with a count that stops at 1,000.

let ctx: TestContext;
let northmere: string;
let child: string;
let other: string;
let worker: Agent;
let coordinator: Agent;
let agencies: Record<string, string>;

before(async () => {
  ctx = await createTestContext();
  ({ northmere, agencies } = await demoAgencies(ctx));
  const insert = testChildren(ctx, 'Worklist', '2011-02-03');
  child = await insert(northmere, agencies['n:childrens_services']!, 'WL-TEST-1');
  other = await insert(northmere, agencies['n:childrens_services']!, 'WL-TEST-2');
  // 1,010 overdue actions on the first child (due 1 January 2024 onwards, one a day), two on the second.
  const action = (childId: string, description: string, dueOn: string) => ({
    partnership_id: northmere,
    child_id: childId,
    description,
    owner_name: 'Owner',
    agency_id: agencies['n:childrens_services']!,
    due_on: dueOn,
  });
  await aPlanAction.many(
    ctx,
    Array.from({ length: 1010 }, (_, n) =>
      action(child, `Bulk action ${String(n).padStart(4, '0')}`, new Date(Date.UTC(2024, 0, 1 + n)).toISOString().slice(0, 10)),
    ),
  );
  await aPlanAction.many(ctx, [action(other, 'Earliest of all', '2020-06-01'), action(other, 'Latest of all', '2026-11-01')]);
  const socialWorker = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'social-worker.northmere@lantern.example'`))[0]!.id;
  await aChildInvolvement(ctx, { partnership_id: northmere, child_id: other, agency_id: agencies['n:childrens_services']!, worker_user_id: socialWorker });
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
    const episode = await aMissingEpisode(ctx, {
      partnership_id: northmere,
      child_id: other,
      started_at: '2021-03-01T10:00:00Z',
      ended_at: '2021-03-02T10:00:00Z',
      ended_by: 'returned',
      risk_level: 'high',
    });
    const listed = async () => rowsOf((await coordinator.get('/worklists?show=interviews')).body, 'interviews').some((row) => /WL-TEST-2/.test(row));
    assert.equal(await listed(), true);
    await aReturnInterview(ctx, {
      partnership_id: northmere,
      child_id: other,
      episode_id: episode,
      offered_at: '2021-03-03T10:00:00Z',
      interviewer_agency_id: agencies['n:voluntary']!,
      outcome: 'declined',
    });
    assert.equal(await listed(), false);
    const [flag] = await ctx.ownerQuery<{ interview_recorded: boolean }>(`SELECT interview_recorded FROM missing_episodes WHERE id = $1`, [episode]);
    assert.equal(flag!.interview_recorded, true);
  });

  test('meeting reviews follow the latest meeting, including when a meeting is edited', async () => {
    const listed = async () => rowsOf((await coordinator.get('/worklists?show=meetings')).body, 'meetings').some((row) => /WL-TEST-1/.test(row));
    const meeting = (heldOn: string, riskLevel: string, nextReviewOn: string) =>
      aStrategyMeeting(ctx, {
        partnership_id: northmere,
        child_id: child,
        held_on: heldOn,
        attendees: 'A',
        decisions: 'B',
        risk_level: riskLevel,
        next_review_on: nextReviewOn,
      });
    const older = await meeting('2021-01-01', 'high', '2021-02-01');
    assert.equal(await listed(), true, 'a review date in the past is due');
    const newer = await meeting('2021-03-01', 'medium', '2099-01-01');
    assert.equal(await listed(), false, 'the later meeting set the next review far ahead');
    await ctx.ownerQuery(`UPDATE strategy_meetings SET next_review_on = '2021-04-01' WHERE id = $1`, [newer]);
    assert.equal(await listed(), true, 'editing the latest meeting brings its review forward');
    await ctx.ownerQuery(`UPDATE strategy_meetings SET held_on = '2020-12-01' WHERE id = $1`, [newer]);
    const [current] = await ctx.ownerQuery<{ meeting_id: string }>(`SELECT meeting_id FROM strategy_meeting_current WHERE child_id = $1`, [child]);
    assert.equal(current!.meeting_id, older, 'moving a meeting earlier makes the other the latest');
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
