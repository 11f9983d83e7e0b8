import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../../../test/helpers/context.ts';
import { aConcern } from '../../../test/helpers/factories.ts';
import { dateBox, dateFields, shownDate, signIn, type Agent } from '../../../test/helpers/http.ts';
import { riskToolDefinition } from '../../../test/helpers/risk-tools.ts';
import { demoAgencies, newEpisodeForm, newMeetingForm, returnInterviewForm, signedIn, testChildren } from './test-setup.ts';

let ctx: TestContext;
let northmere: string;
let westbrook: string;
let csChild: string; // owned by Northmere children's services
let eduChild: string; // owned by Northmere education, not shared
let westChild: string;
let agents: Record<string, Agent>;
let agencies: Record<string, string>;

async function auditCount(childId: string, action?: string): Promise<number> {
  const rows = await ctx.ownerQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'child' AND record_id = $1 ${action ? 'AND action = $2' : ''}`,
    action ? [childId, action] : [childId],
  );
  return rows[0]!.n;
}

before(async () => {
  ctx = await createTestContext();
  ({ northmere, westbrook, agencies } = await demoAgencies(ctx));
  const insert = testChildren(ctx, 'Casework', '2012-05-01');
  csChild = await insert(northmere, agencies['n:childrens_services']!, 'CW-TEST-1');
  eduChild = await insert(northmere, agencies['n:education']!, 'CW-TEST-2');
  westChild = await insert(westbrook, agencies['w:childrens_services']!, 'CW-TEST-3');
  agents = await signedIn(ctx, ['social-worker', 'school', 'councillor', 'analyst', 'coordinator', 'admin']);
});
after(async () => ctx.close());

const pages = ['assessments', 'assessments/new', 'missing', 'meetings', 'notes', 'chronology'];

describe('casework: who may see a child’s casework', () => {
  test('a practitioner of the owning agency sees every page, and each view is audited', async () => {
    for (const page of pages) {
      const before = await auditCount(csChild, 'record.view');
      const r = await agents['social-worker']!.get(`/children/${csChild}/${page}`);
      assert.equal(r.statusCode, 200, page);
      assert.match(r.body, /CW-TEST-1/);
      assert.equal(await auditCount(csChild, 'record.view'), before + 1, `${page} leaves one view row`);
    }
  });

  test('a practitioner of another agency gets 404 on a child not shared with them, and nothing is audited as a view', async () => {
    for (const page of pages) {
      const r = await agents.school!.get(`/children/${csChild}/${page}`);
      assert.equal(r.statusCode, 404, page);
      assert.doesNotMatch(r.body, /CW-TEST-1/);
    }
    const post = await agents.school!.post(`/children/${csChild}/notes`, { body: 'should not land' });
    assert.equal(post.statusCode, 404);
    const notes = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM case_notes WHERE child_id = $1`, [csChild]);
    assert.equal(notes[0]!.n, 0);
  });

  test('the owning agency of another child sees it; the other partnership’s child is not found even for partnership-wide roles', async () => {
    assert.equal((await agents.school!.get(`/children/${eduChild}/chronology`)).statusCode, 200);
    assert.equal((await agents['social-worker']!.get(`/children/${eduChild}/chronology`)).statusCode, 404);
    assert.equal((await agents.coordinator!.get(`/children/${eduChild}/chronology`)).statusCode, 200);
    for (const page of pages) assert.equal((await agents.coordinator!.get(`/children/${westChild}/${page}`)).statusCode, 404, page);
  });

  test('board members get 403 everywhere; analysts read but cannot write; administrators have no casework', async () => {
    for (const page of [...pages, '../../worklists', '../../risk-tools']) {
      const r = await agents.councillor!.get(`/children/${csChild}/${page}`);
      assert.equal(r.statusCode, 403, page);
      assert.doesNotMatch(r.body, /CW-TEST-1|Testchild/);
    }
    assert.equal((await agents.analyst!.get(`/children/${csChild}/assessments`)).statusCode, 200);
    assert.equal((await agents.analyst!.get(`/children/${csChild}/assessments/new`)).statusCode, 403);
    assert.equal((await agents.analyst!.post(`/children/${csChild}/notes`, { body: 'x' })).statusCode, 403);
    assert.equal((await agents.admin!.get(`/children/${csChild}/assessments`)).statusCode, 403);
    assert.equal((await agents.admin!.get('/risk-tools')).statusCode, 200);
    assert.equal((await agents['social-worker']!.get('/risk-tools')).statusCode, 403);
  });
});

describe('casework: recording', () => {
  test('a risk assessment is scored from the tool, explained, and stored with the worker’s own judgement', async () => {
    const agent = agents['social-worker']!;
    const form = await agent.get(`/children/${csChild}/assessments/new`);
    const toolId = /name="toolId" value="([^"]+)"/.exec(form.body)![1]!;
    const base = {
      toolId,
      ...dateFields('assessedOn', '2026-11-01'),
      assessorAgencyId: agencies['n:childrens_services']!,
      knownToSocialCare: 'yes',
      inCare: 'no',
      childProtectionPlan: 'no',
      youthJustice: 'no',
      'answer-v-missing-history': 'ever',
    };
    const significant = /name="answer-(s-[a-z-]+)" type="checkbox" value="current"/.exec(form.body)?.[1];
    assert.ok(significant, 'the form offers time windows as checkboxes');
    const answers = { ...base, [`answer-${significant}`]: ['current', 'past6to12'] };
    const preview = await agent.post(`/children/${csChild}/assessments/new`, { ...answers, step: 'score' });
    assert.equal(preview.statusCode, 200);
    assert.match(preview.body, /Score: 7 points/);
    assert.match(preview.body, /never replaces/);
    const missing = await agent.post(`/children/${csChild}/assessments/new`, { ...answers, step: 'save' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Choose the risk level you judge right/);
    assert.match(preview.body, /The tool maps this score to: Low risk/);
    assert.match(preview.body, /value="low" checked/, 'the judgement is pre-filled with the level the score suggests');
    const rowsBefore = await auditCount(csChild);
    const creates = await auditCount(csChild, 'record.create');
    const saved = await agent.post(`/children/${csChild}/assessments/new`, {
      ...answers,
      step: 'save',
      judgementLevel: 'medium',
      judgementReasons: 'Disclosure at school.',
    });
    assert.equal(saved.statusCode, 302);
    assert.equal(await auditCount(csChild, 'record.create'), creates + 1);
    assert.equal(await auditCount(csChild), rowsBefore + 1, 'saving leaves exactly its one audit row');
    const [row] = await ctx.ownerQuery<{
      id: string;
      score_total: number;
      score_category: string;
      score_level: string;
      judgement_level: string;
      review_due_on: string;
      tool_version: number;
    }>(`SELECT id, score_total, score_category, score_level, judgement_level, review_due_on::text, tool_version FROM risk_assessments WHERE child_id = $1`, [
      csChild,
    ]);
    assert.deepEqual(
      { ...row, id: undefined },
      { id: undefined, score_total: 7, score_category: 'mild', score_level: 'low', judgement_level: 'medium', review_due_on: '2027-01-31', tool_version: 1 },
    );
    const detail = await agent.get(saved.headers.location as string);
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /Mild risk \(suggests Low risk\)/);
    assert.match(detail.body, /subtotal/);
    const list = await agent.get(`/children/${csChild}/assessments`);
    assert.match(list.body, /first assessed as Medium risk/);
    // The judgement is the child's current level, everywhere, with its source and date.
    const [child] = await ctx.ownerQuery<{ current_risk_level: string; current_risk_source: string; current_risk_source_id: string; current_risk_on: string }>(
      `SELECT current_risk_level, current_risk_source, current_risk_source_id, current_risk_on::text FROM children WHERE id = $1`,
      [csChild],
    );
    assert.deepEqual(child, {
      current_risk_level: 'medium',
      current_risk_source: 'assessment',
      current_risk_source_id: row!.id,
      current_risk_on: '2026-11-01',
    });
    assert.match((await agent.get(`/children/${csChild}`)).body, /Medium risk – judged in the risk assessment of 1 November 2026/);
  });

  test('missing episodes: a change of type closes one and opens another; a return makes the interview due in 72 hours', async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${csChild}/missing`);
    const bad = await agent.post(`/children/${csChild}/missing`, newEpisodeForm('2026-02-30'));
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#startDate-day">Start date must be a real date/);
    assert.equal(shownDate(bad.body, 'startDate'), '2026-02-30', 'the boxes show what was typed');
    const noTime = await agent.post(`/children/${csChild}/missing`, newEpisodeForm('2026-10-30', { 'startDate-month': '', startTime: '' }));
    assert.match(noTime.body, /href="#startDate-month">Start date must include a month/);
    assert.match(noTime.body, /href="#startTime">Enter the time the episode started/);
    assert.match(dateBox(noTime.body, 'startDate', 'month'), /govuk-input--error/, 'the month box is highlighted');
    assert.doesNotMatch(dateBox(noTime.body, 'startDate', 'day'), /govuk-input--error/, 'the day box is not');
    assert.match(dateBox(noTime.body, 'startDate', 'day'), /value="30"/, 'what was typed is shown again');
    assert.match(dateBox(noTime.body, 'startDate', 'day'), /inputmode="numeric"/);
    const created = await agent.post(`/children/${csChild}/missing`, newEpisodeForm('2026-10-30', { reportedBy: 'Foster carer' }));
    assert.equal(created.statusCode, 302);
    const [open] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM missing_episodes WHERE child_id = $1`, [csChild]);
    const changed = await agent.post(`/children/${csChild}/missing/${open!.id}/type`, {
      newType: 'missing',
      ...dateFields('changeDate', '2026-10-30'),
      changeTime: '23:30',
    });
    assert.equal(changed.statusCode, 302);
    const rows = await ctx.ownerQuery<{ id: string; episode_type: string; ended_by: string | null; previous_episode_id: string | null }>(
      `SELECT id, episode_type, ended_by, previous_episode_id FROM missing_episodes WHERE child_id = $1 ORDER BY started_at, created_at`,
      [csChild],
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.ended_by, 'type_changed');
    assert.equal(rows[1]!.episode_type, 'missing');
    assert.equal(rows[1]!.previous_episode_id, rows[0]!.id);
    const early = await agent.post(`/children/${csChild}/missing/${rows[1]!.id}/return`, { ...dateFields('returnDate', '2026-10-29'), returnTime: '10:00' });
    assert.equal(early.statusCode, 409);
    const returned = await agent.post(`/children/${csChild}/missing/${rows[1]!.id}/return`, {
      ...dateFields('returnDate', '2026-10-31'),
      returnTime: '08:15',
      whereFound: 'Bus station',
    });
    assert.equal(returned.statusCode, 302);

    // The test clock says 2 November 09:00; 72 hours after 31 October 08:15 is 3 November 08:15.
    const worklist = async () => (await agent.get('/worklists?show=interviews')).body;
    assert.doesNotMatch(await worklist(), /CW-TEST-1/);
    ctx.clock.advance(2 * 86_400_000);
    agents['social-worker'] = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
    const again = agents['social-worker'];
    assert.match((await again.get('/worklists?show=interviews')).body, /CW-TEST-1/);

    const ended = await again.post(`/children/${csChild}/missing/${rows[0]!.id}/type`, {
      newType: 'missing',
      ...dateFields('changeDate', '2026-10-31'),
      changeTime: '09:00',
    });
    assert.equal(ended.statusCode, 409, 'an ended episode cannot change type');
    assert.match(ended.body, /already ended/);
    await again.get(`/children/${csChild}/missing/${rows[1]!.id}/interview`);
    const incomplete = await again.post(`/children/${csChild}/missing/${rows[1]!.id}/interview`, {
      ...dateFields('offeredDate', '2026-11-01'),
      offeredTime: '25:00',
    });
    assert.equal(incomplete.statusCode, 400);
    assert.match(incomplete.body, /Enter who offered the interview/);
    const tooEarly = await again.post(`/children/${csChild}/missing/${rows[1]!.id}/interview`, returnInterviewForm('2026-10-30', agencies['n:voluntary']!));
    assert.equal(tooEarly.statusCode, 409);
    assert.match(tooEarly.body, /cannot be offered before the child returned/);
    const interview = await again.post(
      `/children/${csChild}/missing/${rows[1]!.id}/interview`,
      returnInterviewForm('2026-11-01', agencies['n:voluntary']!, {
        outcome: 'accepted',
        learned: 'Met older youths at the park',
        places: 'Skate park\nBus station\n',
        people: 'A man called J',
      }),
    );
    assert.equal(interview.statusCode, 302);
    const [ri] = await ctx.ownerQuery<{ places_mentioned: string[]; people_mentioned: string[] }>(
      `SELECT places_mentioned, people_mentioned FROM return_interviews WHERE child_id = $1`,
      [csChild],
    );
    assert.deepEqual(ri, { places_mentioned: ['Skate park', 'Bus station'], people_mentioned: ['A man called J'] });
    assert.doesNotMatch((await again.get('/worklists?show=interviews')).body, /CW-TEST-1/);
  });

  test('strategy meeting, plan action and its completion, a case note, and the journey', async () => {
    const agent = agents['social-worker']!;
    await agent.get(`/children/${csChild}/meetings`);
    const invalid = await agent.post(`/children/${csChild}/meetings`, { meetingKind: 'meeting', ...dateFields('heldOn', '2026-11-01') });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /Choose at least one agency that attended/);
    const meeting = await agent.post(
      `/children/${csChild}/meetings`,
      newMeetingForm('2026-11-01', [agencies['n:childrens_services']!, agencies['n:police']!], {
        attendees: 'Social worker, DC',
        decisions: 'Safety plan',
        riskLevel: 'high',
        ...dateFields('nextReviewOn', '2026-11-03'),
      }),
    );
    assert.equal(meeting.statusCode, 302);
    const action = await agent.post(`/children/${csChild}/actions`, {
      description: 'Visit the flat with police',
      ownerName: 'DC Test',
      agencyId: agencies['n:police']!,
      ...dateFields('dueOn', '2026-11-01'),
      meetingId: '',
    });
    assert.equal(action.statusCode, 302);
    assert.match((await agent.get('/worklists?show=meetings')).body, /CW-TEST-1/);
    assert.match((await agent.get('/worklists?show=actions')).body, /Visit the flat with police/);
    const [a] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM plan_actions WHERE child_id = $1`, [csChild]);
    const updates = await auditCount(csChild, 'record.update');
    assert.equal((await agent.post(`/children/${csChild}/actions/${a!.id}/done`, {})).statusCode, 302);
    assert.equal(await auditCount(csChild, 'record.update'), updates + 1);
    assert.doesNotMatch((await agent.get('/worklists?show=actions')).body, /Visit the flat with police/);

    assert.equal((await agent.post(`/children/${csChild}/notes`, { body: '  ' })).statusCode, 400);
    assert.equal((await agent.post(`/children/${csChild}/notes`, { body: 'Spoke with the child' })).statusCode, 302);
    assert.match((await agent.get(`/children/${csChild}/notes`)).body, /Spoke with the child/);

    // The children feature's concern and triage decision open the journey (visible to the agency asked to act).
    await aConcern(ctx, {
      partnership_id: northmere,
      reference: 'CW-CONCERN-1',
      source: 'professional',
      received_at: '2026-10-01T10:00:00Z',
      deadline_at: '2026-10-02T10:00:00Z',
      what_happened: 'Seen getting into cars after school',
      child_id: csChild,
      decision: 'cse_concern',
      risk_level: 'high',
      decided_at: '2026-10-01T16:00:00Z',
      acting_agency_id: agencies['n:childrens_services']!,
    });
    assert.equal((await agent.get(`/children/${csChild}/timeline`)).headers.location, `/children/${csChild}/chronology`, 'the old journey link arrives');
    const timeline = await agent.get(`/children/${csChild}/chronology`);
    assert.match(timeline.body, /Concern CW-CONCERN-1 received[\s\S]*Triage decision[\s\S]*Risk assessment/);
    for (const step of ['Risk assessment', 'Missing or absent episode', 'Strategy meeting', 'Plan action agreed', 'Plan action done', 'Case note']) {
      assert.match(timeline.body, new RegExp(step), step);
    }
  });

  test('worklists accept filters and sorting, and show my children', async () => {
    const agent = agents['social-worker']!;
    for (const q of ['', '?sort=child', '?sort=due-desc&show=reviews', `?agency=${agencies['n:childrens_services']}`, '?show=nonsense&sort=bad&agency=x']) {
      const r = await agent.get(`/worklists${q}`);
      assert.equal(r.statusCode, 200, q);
    }
    assert.match((await agent.get('/worklists?show=children')).body, /CW-TEST-1/);
    const triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    const queue = await triage.get('/worklists?show=triage&sort=due');
    assert.equal(queue.statusCode, 200);
    assert.match(queue.body, /Triage due/);
    assert.doesNotMatch((await agent.get(`/worklists?show=children&agency=${agencies['n:education']}`)).body, /CW-TEST-1/);
  });
});

describe('casework: risk tools', () => {
  test('a coordinator loads a licensed definition; problems are listed readably', async () => {
    // Earlier tests moved the clock on by days, past the session's absolute time-out.
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.northmere@lantern.example'));
    const page = await agent.get('/risk-tools');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /cse-screening/);
    const notJson = await agent.post('/risk-tools', { definition: '{ not json' });
    assert.equal(notJson.statusCode, 400);
    assert.match(notJson.body, /not valid JSON/);
    const invalid = await agent.post('/risk-tools', { definition: JSON.stringify({ id: 'Bad Id', version: 0 }) });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /lowercase letters/);
    const definition = riskToolDefinition('local-tool', 2, 'Local licensed tool', 'A test tool');
    const loaded = await agent.post('/risk-tools', { definition: JSON.stringify(definition) });
    assert.equal(loaded.statusCode, 302);
    assert.match((await agent.get('/risk-tools')).body, /Local licensed tool/);
    const clash = await agent.post('/risk-tools', { definition: JSON.stringify(definition) });
    assert.equal(clash.statusCode, 400);
    assert.match(clash.body, /already loaded/);
    const westbrookTools = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM risk_tools WHERE partnership_id = $1 AND tool_key = 'local-tool'`,
      [westbrook],
    );
    assert.equal(westbrookTools[0]!.n, 0, 'loaded into the acting partnership only');
  });
});
