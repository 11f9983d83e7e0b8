import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../../test/helpers/context.ts';
import { dateFields, shownDate, type Agent } from '../../../test/helpers/http.ts';
import { demoAgencies, newEpisodeForm, newMeetingForm, returnInterviewForm, signedIn, testChildren } from './test-setup.ts';

// Correcting what was recorded on a child: strategy meetings, missing episodes and plan actions.
// The test clock starts at 2 November 2026 09:00 UTC (GMT, so UK time is the same).

let ctx: TestContext;
let childId: string; // owned by Northmere children's services
let otherChildId: string; // another Northmere child of the same agency
let agencies: Record<string, string>;
let agents: Record<string, Agent>;

type AuditRow = { action: string; details: Record<string, unknown> };
const lastAudit = async (childOf: string): Promise<AuditRow> =>
  (
    await ctx.ownerQuery<AuditRow>(`SELECT action, details FROM audit_events WHERE record_type = 'child' AND record_id = $1 ORDER BY seq DESC LIMIT 1`, [
      childOf,
    ])
  )[0]!;
const auditCount = async (childOf: string) =>
  (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'child' AND record_id = $1`, [childOf]))[0]!.n;

/** The worklist's row for the test child, or null when the child is not on that list. */
async function worklistRow(agent: Agent, show: string): Promise<string | null> {
  const page = await agent.get(`/worklists?show=${show}`);
  assert.equal(page.statusCode, 200);
  const table = new RegExp(`<table class="govuk-table" id="list-${show}">([\\s\\S]*?)</table>`).exec(page.body)?.[1] ?? '';
  return [...table.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!).find((row) => row.includes('CW-EDIT-1')) ?? null;
}

/** The value a text or date input shows. */
const inputValue = (html: string, id: string) => new RegExp(`id="${id}" name="[^"]+" type="[^"]+"[^>]*? value="([^"]*)"`).exec(html)?.[1];

before(async () => {
  ctx = await createTestContext();
  let northmere: string;
  ({ northmere, agencies } = await demoAgencies(ctx));
  const insert = testChildren(ctx, 'Edit', '2011-03-14');
  childId = await insert(northmere, agencies['n:childrens_services']!, 'CW-EDIT-1');
  otherChildId = await insert(northmere, agencies['n:childrens_services']!, 'CW-EDIT-2');
  agents = await signedIn(ctx, ['social-worker', 'school', 'analyst']);
});
after(async () => ctx.close());

describe('casework edits: a strategy meeting', () => {
  let meetingId: string;
  const valid = () => newMeetingForm('2026-10-20', [agencies['n:childrens_services']!, agencies['n:police']!], { ...dateFields('nextReviewOn', '2027-01-15') });

  before(async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/meetings`);
    assert.equal((await agent.post(`/children/${childId}/meetings`, valid())).statusCode, 302);
    meetingId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_meetings WHERE child_id = $1`, [childId]))[0]!.id;
  });

  test('the meeting links to its edit page, which shows the recorded values and is audited as a view', async () => {
    const agent = agents['social-worker']!;
    const list = await agent.get(`/children/${childId}/meetings`);
    assert.match(list.body, new RegExp(`href="/children/${childId}/meetings/${meetingId}/edit"`));
    const before = await auditCount(childId);
    const page = await agent.get(`/children/${childId}/meetings/${meetingId}/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /CW-EDIT-1/);
    assert.equal(shownDate(page.body, 'heldOn'), '2026-10-20');
    assert.equal(shownDate(page.body, 'nextReviewOn'), '2027-01-15');
    assert.match(page.body, new RegExp(`name="attendingAgencyIds" type="checkbox" value="${agencies['n:police']}" checked`));
    assert.match(page.body, /Disruption notice for the flat on Canal Street<\/textarea>/);
    assert.match(page.body, /name="_csrf"/);
    assert.equal(await auditCount(childId), before + 1);
    assert.deepEqual(await lastAudit(childId), { action: 'record.view', details: { page: 'meeting_edit', id: meetingId } });
  });

  test('the same rules as a new meeting: mistakes are listed and the page keeps what was typed', async () => {
    const agent = agents['social-worker']!;
    const r = await agent.post(`/children/${childId}/meetings/${meetingId}/edit`, {
      ...valid(),
      attendingAgencyIds: [],
      decisions: 'Typed but not saved',
      ...dateFields('nextReviewOn', '2026-10-01'),
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /govuk-error-summary/);
    assert.match(r.body, /href="#attendingAgencyIds">Choose at least one agency that attended/);
    assert.match(r.body, /Typed but not saved<\/textarea>/);
    const [row] = await ctx.ownerQuery<{ decisions: string }>(`SELECT decisions FROM strategy_meetings WHERE id = $1`, [meetingId]);
    assert.equal(row!.decisions, valid().decisions, 'nothing saved');
    const review = await agent.post(`/children/${childId}/meetings/${meetingId}/edit`, { ...valid(), ...dateFields('nextReviewOn', '2026-10-01') });
    assert.equal(review.statusCode, 400);
    assert.match(review.body, /The review date must be after the meeting/);
  });

  /** The change both tests post: the second posts it again, so nothing changes. */
  const changedMeeting = () => ({
    ...valid(),
    riskLevel: 'high',
    decisions: 'Child Abduction Warning Notice served',
    attendingAgencyIds: [agencies['n:childrens_services']!],
    ...dateFields('nextReviewOn', '2026-11-05'),
  });

  test('a change is saved and audited by field: before → after, free text named but never copied', async () => {
    const agent = agents['social-worker']!;
    const r = await agent.post(`/children/${childId}/meetings/${meetingId}/edit`, changedMeeting());
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, `/children/${childId}/meetings#meeting-${meetingId}`);
    const [row] = await ctx.ownerQuery<{ risk_level: string; decisions: string; next_review_on: string; attending_agency_ids: string[] }>(
      `SELECT risk_level, decisions, next_review_on::text, attending_agency_ids FROM strategy_meetings WHERE id = $1`,
      [meetingId],
    );
    assert.deepEqual(row, {
      risk_level: 'high',
      decisions: 'Child Abduction Warning Notice served',
      next_review_on: '2026-11-05',
      attending_agency_ids: [agencies['n:childrens_services']],
    });
    const audit = await lastAudit(childId);
    assert.equal(audit.action, 'record.update');
    assert.deepEqual(audit.details.fields, ['attendingAgencyIds', 'decisions', 'riskLevel', 'nextReviewOn']);
    assert.deepEqual(audit.details.changes, {
      attendingAgencyIds: { before: [agencies['n:childrens_services'], agencies['n:police']], after: [agencies['n:childrens_services']] },
      riskLevel: { before: 'medium', after: 'high' },
      nextReviewOn: { before: '2027-01-15', after: '2026-11-05' },
    });
    assert.doesNotMatch(JSON.stringify(audit.details), /Canal Street|Abduction/);
    assert.match((await agent.get(`/children/${childId}/meetings`)).body, /Child Abduction Warning Notice served/);
  });

  test('saving without a change leaves no change row', async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/meetings/${meetingId}/edit`);
    const before = await auditCount(childId);
    const r = await agent.post(`/children/${childId}/meetings/${meetingId}/edit`, changedMeeting());
    assert.equal(r.statusCode, 302);
    assert.equal(await auditCount(childId), before);
  });

  test('the next review date drives the “meeting reviews due” worklist', async () => {
    const agent = agents['social-worker']!;
    const edit = (nextReviewOn: string) =>
      agent.post(`/children/${childId}/meetings/${meetingId}/edit`, { ...valid(), ...dateFields('nextReviewOn', nextReviewOn) });
    // Due 5 November: within the week ahead of 2 November.
    assert.match((await worklistRow(agent, 'meetings')) ?? '', /5 November 2026/);
    assert.equal((await edit('2026-12-20')).statusCode, 302);
    assert.equal(await worklistRow(agent, 'meetings'), null, 'a review weeks away is not due');
    assert.equal((await edit('2026-11-09')).statusCode, 302);
    assert.match((await worklistRow(agent, 'meetings')) ?? '', /9 November 2026/, 'a review a week away is due');
    assert.equal((await edit('')).statusCode, 302);
    assert.equal(await worklistRow(agent, 'meetings'), null, 'no review date, nothing due');
    const [row] = await ctx.ownerQuery<{ next_review_on: string | null }>(`SELECT next_review_on FROM strategy_meetings WHERE id = $1`, [meetingId]);
    assert.equal(row!.next_review_on, null);
    assert.equal((await edit('2026-10-25')).statusCode, 302);
    assert.match((await worklistRow(agent, 'meetings')) ?? '', /25 October 2026/, 'a passed review is due');
  });

  test('other agencies, other children and read-only roles cannot edit', async () => {
    const url = `/children/${childId}/meetings/${meetingId}/edit`;
    await agents.school!.get('/');
    assert.equal((await agents.school!.get(url)).statusCode, 404);
    assert.equal((await agents.school!.post(url, { ...valid(), riskLevel: 'low' })).statusCode, 404);
    assert.equal((await agents.analyst!.get(url)).statusCode, 403);
    assert.equal((await agents['social-worker']!.get(`/children/${otherChildId}/meetings/${meetingId}/edit`)).statusCode, 404);
    assert.equal(
      (await agents['social-worker']!.post(`/children/${otherChildId}/meetings/${meetingId}/edit`, { ...valid(), riskLevel: 'low' })).statusCode,
      404,
    );
    const [row] = await ctx.ownerQuery<{ risk_level: string }>(`SELECT risk_level FROM strategy_meetings WHERE id = $1`, [meetingId]);
    assert.equal(row!.risk_level, 'medium');
  });
});

describe('casework edits: a missing episode', () => {
  let episodeId: string;
  const fields = (over: Record<string, string> = {}) => ({
    ...dateFields('startDate', '2026-10-30'),
    startTime: '21:00',
    ...dateFields('endDate', '2026-10-31'),
    endTime: '08:15',
    reportedBy: 'Foster carer',
    whereFound: '',
    riskLevel: 'medium',
    policeReference: 'MP/2026/001',
    ...over,
  });
  const edit = (over: Record<string, string> = {}, id = episodeId) => agents['social-worker']!.post(`/children/${childId}/missing/${id}/edit`, fields(over));

  before(async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/missing`);
    assert.equal((await agent.post(`/children/${childId}/missing`, { episodeType: 'missing', ...fields() })).statusCode, 302);
    episodeId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM missing_episodes WHERE child_id = $1`, [childId]))[0]!.id;
  });

  test('the edit page shows the times in UK time and offers no way to change the type', async () => {
    const agent = agents['social-worker']!;
    const list = await agent.get(`/children/${childId}/missing`);
    assert.match(list.body, new RegExp(`href="/children/${childId}/missing/${episodeId}/edit"`));
    assert.match(list.body, /Offer by 3 Nov 2026, 08:15/);
    const page = await agent.get(`/children/${childId}/missing/${episodeId}/edit`);
    assert.equal(page.statusCode, 200);
    assert.equal(shownDate(page.body, 'startDate'), '2026-10-30');
    assert.equal(inputValue(page.body, 'startTime'), '21:00');
    assert.equal(shownDate(page.body, 'endDate'), '2026-10-31');
    assert.equal(inputValue(page.body, 'endTime'), '08:15');
    assert.doesNotMatch(page.body, /name="episodeType"|name="newType"/);
    assert.match(page.body, /must be offered by 3 Nov 2026, 08:15/);
    assert.deepEqual(await lastAudit(childId), { action: 'record.view', details: { page: 'episode_edit', id: episodeId } });
  });

  test('times are checked: a real date and time, the end not before the start, nothing in the future, a return kept', async () => {
    const cases: [Record<string, string>, RegExp, string][] = [
      [{ startTime: '25:00' }, /Start time must be a real time on the 24-hour clock, like 21:30/, 'startTime'],
      [{ ...dateFields('startDate', '2026-02-30') }, /Start date must be a real date/, 'startDate-day'],
      [{ 'startDate-month': '' }, /Start date must include a month/, 'startDate-month'],
      [{ ...dateFields('endDate', '2026-10-29') }, /The end must be after the start/, 'endDate-day'],
      [{ ...dateFields('endDate', '2026-11-02'), endTime: '09:30' }, /The return cannot be in the future/, 'endDate-day'],
      [{ ...dateFields('startDate', '2026-11-03') }, /The start cannot be in the future/, 'startDate-day'],
      [{ ...dateFields('endDate', ''), endTime: '' }, /Enter the date and time the child returned/, 'endDate-day'],
      [{ reportedBy: ' ' }, /Enter who reported it/, 'reportedBy'],
    ];
    for (const [over, message, field] of cases) {
      const r = await edit({ ...over, whereFound: 'Typed place' });
      assert.equal(r.statusCode, 400, JSON.stringify(over));
      assert.match(r.body, message);
      assert.match(r.body, new RegExp(`govuk-error-summary[\\s\\S]*href="#${field}"`));
      assert.match(r.body, /value="Typed place"/, 'what was typed is shown again');
    }
    const [row] = await ctx.ownerQuery<{ where_found: string | null }>(`SELECT where_found FROM missing_episodes WHERE id = $1`, [episodeId]);
    assert.equal(row!.where_found, null, 'nothing saved');
  });

  test('moving the return moves the 72-hour interview deadline and the worklist with it; the type stays', async () => {
    const agent = agents['social-worker']!;
    assert.equal(await worklistRow(agent, 'interviews'), null, 'due 3 November 08:15: not yet overdue');
    const r = await agent.post(`/children/${childId}/missing/${episodeId}/edit`, {
      ...fields({
        ...dateFields('startDate', '2026-10-28'),
        startTime: '20:00',
        ...dateFields('endDate', '2026-10-29'),
        endTime: '07:00',
        whereFound: 'Flat above the takeaway',
      }),
      episodeType: 'absent',
    });
    assert.equal(r.statusCode, 302);
    const audit = await lastAudit(childId);
    const [row] = await ctx.ownerQuery<{ episode_type: string; started_at: Date | string; ended_at: Date | string; ended_by: string }>(
      `SELECT episode_type, started_at, ended_at, ended_by FROM missing_episodes WHERE id = $1`,
      [episodeId],
    );
    assert.equal(row!.episode_type, 'missing', 'the type is not edited directly');
    assert.equal(new Date(row!.started_at).toISOString(), '2026-10-28T20:00:00.000Z');
    assert.equal(new Date(row!.ended_at).toISOString(), '2026-10-29T07:00:00.000Z');
    assert.equal(row!.ended_by, 'returned');
    // 72 hours after 29 October 07:00 is 1 November 07:00: overdue on 2 November.
    assert.match((await worklistRow(agent, 'interviews')) ?? '', /1 Nov 2026, 07:00/);
    const list = await agent.get(`/children/${childId}/missing`);
    assert.match(list.body, /Offer by 1 Nov 2026, 07:00/);

    assert.equal(audit.action, 'record.update');
    assert.deepEqual(audit.details.fields, ['startedAt', 'endedAt', 'whereFound']);
    assert.deepEqual(audit.details.changes, {
      startedAt: { before: '2026-10-30T21:00:00.000Z', after: '2026-10-28T20:00:00.000Z' },
      endedAt: { before: '2026-10-31T08:15:00.000Z', after: '2026-10-29T07:00:00.000Z' },
    });
    assert.doesNotMatch(JSON.stringify(audit.details), /takeaway/);

    // Moved back later, the interview is no longer overdue.
    assert.equal((await edit({ whereFound: 'Flat above the takeaway' })).statusCode, 302);
    assert.equal(await worklistRow(agent, 'interviews'), null);
  });

  test('once an interview is offered, the return cannot move past it', async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/missing/${episodeId}/interview`);
    assert.equal(
      (await agent.post(`/children/${childId}/missing/${episodeId}/interview`, returnInterviewForm('2026-11-01', agencies['n:voluntary']!))).statusCode,
      302,
    );
    const r = await edit({ ...dateFields('endDate', '2026-11-01'), endTime: '12:00' });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /The return cannot be after the return interview was offered/);
    assert.equal((await edit({ ...dateFields('endDate', '2026-11-01'), endTime: '09:00' })).statusCode, 302);
  });

  test('a change of type still ends one episode and opens another; the moment of the change is not edited', async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/missing`);
    assert.equal(
      (
        await agent.post(
          `/children/${childId}/missing`,
          newEpisodeForm('2026-11-01', { startTime: '20:00', reportedBy: 'Residential worker', riskLevel: 'high' }),
        )
      ).statusCode,
      302,
    );
    const [absent] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM missing_episodes WHERE child_id = $1 AND ended_at IS NULL`, [childId]);
    assert.equal(
      (
        await agent.post(`/children/${childId}/missing/${absent!.id}/type`, {
          newType: 'missing',
          ...dateFields('changeDate', '2026-11-01'),
          changeTime: '22:00',
        })
      ).statusCode,
      302,
    );
    const [missing] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM missing_episodes WHERE previous_episode_id = $1`, [absent!.id]);

    const closedPage = await agent.get(`/children/${childId}/missing/${absent!.id}/edit`);
    assert.doesNotMatch(closedPage.body, /id="endDate"/);
    assert.match(closedPage.body, /ended when its type changed, at 1 Nov 2026, 22:00/);
    const tooLate = await edit({ ...dateFields('startDate', '2026-11-01'), startTime: '23:00', ...dateFields('endDate', ''), endTime: '' }, absent!.id);
    assert.equal(tooLate.statusCode, 400);
    assert.match(tooLate.body, /The start must be before the episode ended/);
    assert.equal(
      (await edit({ ...dateFields('startDate', '2026-11-01'), startTime: '19:30', ...dateFields('endDate', '2026-11-02'), endTime: '08:00' }, absent!.id))
        .statusCode,
      302,
    );

    const openPage = await agent.get(`/children/${childId}/missing/${missing!.id}/edit`);
    assert.doesNotMatch(openPage.body, /id="startDate"/);
    assert.match(openPage.body, /started when the type of the episode before it changed, at 1 Nov 2026, 22:00/);
    // Asked for a return time, the open episode ends as a return; its asked-for start is ignored.
    assert.equal(
      (await edit({ ...dateFields('startDate', '2026-10-01'), startTime: '00:00', ...dateFields('endDate', '2026-11-02'), endTime: '06:30' }, missing!.id))
        .statusCode,
      302,
    );

    const rows = await ctx.ownerQuery<{ id: string; episode_type: string; started_at: Date | string; ended_at: Date | string | null; ended_by: string | null }>(
      `SELECT id, episode_type, started_at, ended_at, ended_by FROM missing_episodes WHERE id IN ($1, $2) ORDER BY started_at`,
      [absent!.id, missing!.id],
    );
    assert.deepEqual(
      rows.map((r) => [r.episode_type, new Date(r.started_at).toISOString(), r.ended_at && new Date(r.ended_at).toISOString(), r.ended_by]),
      [
        ['absent', '2026-11-01T19:30:00.000Z', '2026-11-01T22:00:00.000Z', 'type_changed'],
        ['missing', '2026-11-01T22:00:00.000Z', '2026-11-02T06:30:00.000Z', 'returned'],
      ],
    );
    assert.match((await agent.get(`/children/${childId}/missing`)).body, /Offer by 5 Nov 2026, 06:30/);
  });

  test('other agencies and read-only roles cannot edit an episode', async () => {
    const url = `/children/${childId}/missing/${episodeId}/edit`;
    assert.equal((await agents.school!.get(url)).statusCode, 404);
    assert.equal((await agents.school!.post(url, fields({ riskLevel: 'low' }))).statusCode, 404);
    assert.equal((await agents.analyst!.get(url)).statusCode, 403);
    assert.equal((await agents['social-worker']!.get(`/children/${otherChildId}/missing/${episodeId}/edit`)).statusCode, 404);
  });
});

describe('casework edits: a plan action', () => {
  let actionId: string;
  const valid = () => ({
    description: 'Visit the address with police',
    ownerName: 'DC Test',
    agencyId: agencies['n:police']!,
    ...dateFields('dueOn', '2026-12-01'),
  });

  before(async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${childId}/meetings`);
    assert.equal((await agent.post(`/children/${childId}/actions`, { ...valid(), meetingId: '' })).statusCode, 302);
    actionId = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM plan_actions WHERE child_id = $1`, [childId]))[0]!.id;
  });

  test('the plan links to the edit page; mistakes are listed and what was typed is kept', async () => {
    const agent = agents['social-worker']!;
    assert.match((await agent.get(`/children/${childId}/meetings`)).body, new RegExp(`href="/children/${childId}/actions/${actionId}/edit"`));
    const page = await agent.get(`/children/${childId}/actions/${actionId}/edit`);
    assert.equal(page.statusCode, 200);
    assert.equal(shownDate(page.body, 'dueOn'), '2026-12-01');
    assert.deepEqual(await lastAudit(childId), { action: 'record.view', details: { page: 'action_edit', id: actionId } });
    const bad = await agent.post(`/children/${childId}/actions/${actionId}/edit`, {
      ...valid(),
      description: '',
      ...dateFields('dueOn', '2026-02-30'),
      ownerName: 'Typed owner',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#description">Describe the action/);
    assert.match(bad.body, /href="#dueOn-day">Due date must be a real date/);
    assert.equal(shownDate(bad.body, 'dueOn'), '2026-02-30', 'the boxes show what was typed');
    assert.match(bad.body, /value="Typed owner"/);
    const foreign = await agent.post(`/children/${childId}/actions/${actionId}/edit`, { ...valid(), agencyId: agencies['w:police']! });
    assert.equal(foreign.statusCode, 400, 'another partnership’s agency');
    assert.match(foreign.body, /href="#agencyId">Choose an agency/);
  });

  test('a change is saved, audited by field, and the overdue worklist follows the due date', async () => {
    const agent = agents['social-worker']!;
    assert.equal(await worklistRow(agent, 'actions'), null);
    const r = await agent.post(`/children/${childId}/actions/${actionId}/edit`, {
      ...valid(),
      description: 'Visit the flat with police and housing',
      ...dateFields('dueOn', '2026-10-28'),
    });
    assert.equal(r.statusCode, 302);
    assert.match((await worklistRow(agent, 'actions')) ?? '', /Visit the flat with police and housing/);
    const audit = await lastAudit(childId);
    assert.equal(audit.action, 'record.update');
    assert.deepEqual(audit.details, {
      record: 'plan_action',
      id: actionId,
      change: 'edited',
      fields: ['description', 'dueOn'],
      changes: { dueOn: { before: '2026-12-01', after: '2026-10-28' } },
    });
  });

  test('an action marked done by mistake can be marked not done again, audited', async () => {
    const agent = agents['social-worker']!;
    assert.equal((await agent.post(`/children/${childId}/actions/${actionId}/done`, {})).statusCode, 302);
    assert.equal(await worklistRow(agent, 'actions'), null);
    const plan = await agent.get(`/children/${childId}/meetings`);
    assert.match(plan.body, new RegExp(`action="/children/${childId}/actions/${actionId}/not-done"`));
    const reopened = await agent.post(`/children/${childId}/actions/${actionId}/not-done`, {});
    assert.equal(reopened.statusCode, 302);
    assert.deepEqual(await lastAudit(childId), { action: 'record.update', details: { record: 'plan_action', id: actionId, change: 'not_done' } });
    const [row] = await ctx.ownerQuery<{ done_at: Date | null }>(`SELECT done_at FROM plan_actions WHERE id = $1`, [actionId]);
    assert.equal(row!.done_at, null);
    assert.match((await worklistRow(agent, 'actions')) ?? '', /Visit the flat with police and housing/, 'overdue again');
    assert.equal((await agent.post(`/children/${childId}/actions/${actionId}/not-done`, {})).statusCode, 404, 'an open action is not “not done” twice');
  });

  test('other agencies and read-only roles cannot change an action', async () => {
    assert.equal((await agents.school!.post(`/children/${childId}/actions/${actionId}/not-done`, {})).statusCode, 404);
    assert.equal((await agents.school!.get(`/children/${childId}/actions/${actionId}/edit`)).statusCode, 404);
    assert.equal((await agents.analyst!.post(`/children/${childId}/actions/${actionId}/edit`, valid())).statusCode, 403);
    assert.equal((await agents['social-worker']!.post(`/children/${otherChildId}/actions/${actionId}/edit`, valid())).statusCode, 404);
  });
});
