import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { withActor } from '../../src/db/context.ts';
import { actorOf } from '../../src/auth/service.ts';
import { searchServices } from '../../src/features/assurance/directory.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aDirectoryService } from '../helpers/factories.ts';
import { dateBox, dateFields, shownDate, signIn, type Agent } from '../helpers/http.ts';

let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  for (const key of ['strategy', 'councillor', 'social-worker', 'admin'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const auditCount = async (action: string, recordType: string) =>
  Number((await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE action = $1 AND record_type = $2`, [action, recordType]))[0]!.n);
const percentOf = (html: string) => /id="overall-compliance">([\d.]+)%/.exec(html)?.[1];
const outstandingCount = (html: string) => Number(/(\d+) (?:person|people) not trained/.exec(html)?.[1] ?? -1);

function multipart(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = '----lanternTestBoundary';
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  if (file)
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="register.csv"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`;
  body += `--${boundary}--\r\n`;
  return { payload: body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(agent: Agent, url: string, csv: string, csrf: string | null) {
  await agent.get(url);
  const { payload, contentType } = multipart(csrf === null ? {} : { _csrf: csrf ?? agent.csrfToken }, { name: 'file', content: csv });
  return ctx.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType, cookie: agentCookies(agent) } });
}
const agentCookies = (agent: Agent) => (agent as unknown as { cookieHeader(): string }).cookieHeader();

async function awarenessSessionOn(date: string) {
  const [row] = await ctx.ownerQuery<{ id: string }>(
    `SELECT s.id FROM training_sessions s JOIN training_courses c ON c.id = s.course_id
    WHERE s.partnership_id = $1 AND c.kind = 'awareness' AND s.held_on = $2`,
    [northmere, date],
  );
  return row!.id;
}

describe('assurance: training', () => {
  test('the demo seed has 191 trained staff in Northmere, as seed 001 reported', async () => {
    const [r] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(DISTINCT a.staff_id)::int AS n FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
      JOIN training_courses c ON c.id = s.course_id WHERE a.partnership_id = $1 AND c.kind = 'awareness'`,
      [northmere],
    );
    assert.equal(r!.n, 191);
  });

  test('a board member sees compliance figures but not the list of people', async () => {
    const page = await agents.councillor!.get('/training/compliance');
    assert.equal(page.statusCode, 200);
    assert.ok(percentOf(page.body), 'a percentage is shown');
    assert.doesNotMatch(page.body, /\/training\/outstanding/);
    assert.equal((await agents.councillor!.get('/training/outstanding')).statusCode, 403);
    assert.doesNotMatch((await agents.councillor!.get('/training')).body, /\/training\/sessions\//, 'no links to attendance lists');
  });

  test('the outstanding list is audited', async () => {
    const before = await auditCount('record.view', 'training_outstanding');
    const page = await agents.strategy!.get('/training/outstanding');
    assert.equal(page.statusCode, 200);
    assert.ok(outstandingCount(page.body) > 0);
    assert.equal(await auditCount('record.view', 'training_outstanding'), before + 1);
  });

  test('importing attendance from CSV: preview with row errors, then the figure rises and the list shrinks', async () => {
    const strategy = agents.strategy!;
    const sessionId = await awarenessSessionOn('2024-10-15');
    const percentBefore = Number(percentOf((await strategy.get('/training/compliance')).body));
    const outstandingBefore = outstandingCount((await strategy.get('/training/outstanding')).body);
    const csv = [
      'name,email,agency,role',
      "Triage Worker,triage.northmere@lantern.example,Northmere Council Children's Services,MASH triage social worker",
      'Police Officer,police.northmere@lantern.example,Fenland Valley Police,Detective constable',
      'Nobody,,Atlantis Agency,',
    ].join('\n');
    const url = `/training/sessions/${sessionId}/import`;
    const preview = await upload(strategy, url, csv, undefined as unknown as string);
    assert.equal(preview.statusCode, 200, preview.body.slice(0, 500));
    assert.match(preview.body, /The agency does not match an agency in Lantern/);
    assert.match(preview.body, /2 rows can be imported/);
    const csvField = /name="csv" value="([^"]*)"/
      .exec(preview.body)![1]!
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
    const importsBefore = await auditCount('import', 'training_session');
    const posted = await strategy.post(`${url}/confirm`, { csv: csvField }, /name="_csrf" value="([^"]+)"/.exec(preview.body)![1]);
    assert.equal(posted.statusCode, 302, 'post/redirect/get');
    const confirmed = await strategy.get(posted.headers.location as string);
    assert.equal(confirmed.statusCode, 200);
    assert.match(confirmed.body, /2 added/);
    assert.equal(await auditCount('import', 'training_session'), importsBefore + 1);
    const percentAfter = Number(percentOf((await strategy.get('/training/compliance')).body));
    const outstandingAfter = outstandingCount((await strategy.get('/training/outstanding')).body);
    assert.ok(percentAfter > percentBefore, `${percentBefore} → ${percentAfter}`);
    assert.equal(outstandingAfter, outstandingBefore - 2);
  });

  test('property: any uploaded file gets a preview page, never a server error', async () => {
    const sessionId = await awarenessSessionOn('2024-10-15');
    const url = `/training/sessions/${sessionId}/import`;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (content) => {
        const r = await upload(agents.strategy!, url, `name,agency\n${content}`, undefined as unknown as string);
        assert.equal(r.statusCode, 200);
      }),
      { numRuns: 15 },
    );
  });

  test('an upload without the CSRF token is refused; without a file it is a validation error', async () => {
    const sessionId = await awarenessSessionOn('2024-10-15');
    const refused = await upload(agents.strategy!, `/training/sessions/${sessionId}/import`, 'name,agency\n', null);
    assert.equal(refused.statusCode, 403);
    const empty = await agents.strategy!.post(`/training/sessions/${sessionId}/import`, {});
    assert.equal(empty.statusCode, 400);
  });

  test('viewing a session’s attendance list and adding a person are audited', async () => {
    const sessionId = await awarenessSessionOn('2024-10-15');
    const views = await auditCount('record.view', 'training_session');
    assert.equal((await agents.strategy!.get(`/training/sessions/${sessionId}`)).statusCode, 200);
    assert.equal(await auditCount('record.view', 'training_session'), views + 1);
    const [agency] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'health'`, [northmere]);
    const creates = await auditCount('record.create', 'training_attendance');
    const r = await agents.strategy!.post(`/training/sessions/${sessionId}/attendance`, {
      name: 'Pat Example',
      agencyId: agency!.id,
      ...dateFields('startedOn', '2024-09-20'),
    });
    assert.equal(r.statusCode, 302);
    assert.equal(await auditCount('record.create', 'training_attendance'), creates + 1);
    const invalid = await agents.strategy!.post(`/training/sessions/${sessionId}/attendance`, { name: '' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /govuk-error-summary/);
  });
});

describe('assurance: partnership separation', () => {
  test('another partnership’s session, campaign, service and recommendation are not found', async () => {
    const q = async (sql: string) => (await ctx.ownerQuery<{ id: string }>(`${sql} WHERE t.partnership_id <> $1 LIMIT 1`, [northmere]))[0]!.id;
    const urls = [
      `/training/sessions/${await q('SELECT t.id FROM training_sessions t')}`,
      `/campaigns/${await q('SELECT t.id FROM campaigns t')}`,
      `/directory/${await q('SELECT t.id FROM directory_services t')}`,
      `/scrutiny/recommendations/${await q('SELECT t.id FROM scrutiny_recommendations t')}`,
      `/scrutiny/${await q('SELECT t.id FROM scrutiny_bodies t')}`,
    ];
    for (const url of urls) assert.equal((await agents.strategy!.get(url)).statusCode, 404, url);
    const session = urls[0]!;
    assert.equal(
      (await agents.strategy!.post(`${session}/attendance`, { name: 'Smuggled', agencyId: '00000000-0000-0000-0000-000000000000' })).statusCode,
      404,
    );
  });
});

describe('assurance: services directory', () => {
  test('every staff role can search; filters narrow the results', async () => {
    const all = await agents['social-worker']!.get('/directory');
    assert.equal(all.statusCode, 200);
    assert.match(all.body, /15 services/);
    const narrowed = await agents['social-worker']!.get('/directory?q=return+home&age=12');
    assert.match(narrowed.body, /1 service\b/);
    assert.equal((await agents['social-worker']!.get('/directory?age=99')).statusCode, 400);
    assert.equal((await agents['social-worker']!.get('/directory/new')).statusCode, 403);
  });

  test('searchServices can be used inside another feature’s transaction, and its wildcards are escaped', async () => {
    // Unescaped, `%` and `_` would match every service, and `Quillon_Quay` this one (`_` matching the space).
    await aDirectoryService(ctx, { partnership_id: northmere, name: 'Quillon Quay drop-in, open 100% of weekends', area: 'Quillon Quay' });
    const strategyLead = await ctx.sessionUser('strategy.northmere@lantern.example');
    const search = (filter: Parameters<typeof searchServices>[1]) =>
      withActor(ctx.handle.db, actorOf(strategyLead), async (tx) => (await searchServices(tx, filter)).map((s) => s.name));
    assert.ok((await search({})).length > 2, 'the directory has other services');
    assert.deepEqual(await search({ q: '%' }), ['Quillon Quay drop-in, open 100% of weekends'], 'a % is a percent sign');
    assert.deepEqual(await search({ q: '100%' }), ['Quillon Quay drop-in, open 100% of weekends']);
    assert.deepEqual(await search({ q: '_' }), [], 'an _ is an underscore');
    assert.deepEqual(await search({ q: 'Quillon_Quay' }), []);
    assert.deepEqual(await search({ q: '\\' }), [], 'a backslash is a backslash');
    assert.deepEqual(await search({ area: 'Quillon%' }), [], 'the area filter escapes them too');
    assert.deepEqual(await search({ area: 'Quillon Quay' }), ['Quillon Quay drop-in, open 100% of weekends']);
  });

  test('a strategy lead adds a service and it can be found', async () => {
    await agents.strategy!.get('/directory/new');
    const r = await agents.strategy!.post('/directory/new', {
      name: 'Northmere Test Mentoring',
      provider: 'Test charity',
      description: 'Mentoring',
      forWhom: 'Girls at risk',
      ageFrom: '12',
      ageTo: '17',
      referralRoute: 'Form',
      contact: '0300 000 0000',
      area: 'Quillon Quay',
    });
    assert.equal(r.statusCode, 302);
    assert.match((await agents['social-worker']!.get('/directory?q=mentoring')).body, /Northmere Test Mentoring/);
  });
});

describe('assurance: scrutiny and campaigns', () => {
  test('a strategy lead records a response; a board member reads it but cannot change it', async () => {
    const [rec] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM scrutiny_recommendations WHERE partnership_id = $1 AND reference = 'R8'`, [northmere]);
    const url = `/scrutiny/recommendations/${rec!.id}`;
    await agents.strategy!.get(url);
    const invalid = await agents.strategy!.post(url, { status: 'green' });
    assert.equal(invalid.statusCode, 400);
    const before = await auditCount('record.update', 'scrutiny_recommendation');
    const saved = await agents.strategy!.post(url, {
      response: 'partly_accepted',
      responseText: 'Links to the community safety plan added',
      owner: 'Strategy lead',
      ...dateFields('dueOn', '2027-03-31'),
      status: 'amber',
      evidenceSource: 'Strategy appendix B',
    });
    assert.equal(saved.statusCode, 302);
    assert.equal(await auditCount('record.update', 'scrutiny_recommendation'), before + 1);
    const read = await agents.councillor!.get(url);
    assert.equal(read.statusCode, 200);
    assert.match(read.body, /Partly accepted/);
    assert.doesNotMatch(read.body, /Save the response/);
    await agents.councillor!.get('/scrutiny');
    assert.equal((await agents.councillor!.post(url, { response: 'rejected', status: 'red' })).statusCode, 403);
  });

  test('a campaign’s dates are GOV.UK date inputs: specific messages, the boxes in error, what was typed kept', async () => {
    await agents.strategy!.get('/campaigns/new');
    const form = { title: 'Hotel staff awareness', audience: 'hotels', peopleReached: '40', summary: 'Typed summary' };
    const empty = await agents.strategy!.post('/campaigns/new', { ...form, ...dateFields('startsOn', ''), ...dateFields('endsOn', '') });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /href="#startsOn-day">Enter the date the campaign starts/);
    assert.doesNotMatch(empty.body, /href="#endsOn/, 'the end date may be left empty');
    const impossible = await agents.strategy!.post('/campaigns/new', {
      ...form,
      ...dateFields('startsOn', '2026-04-31'),
      'endsOn-day': '3',
      'endsOn-month': '',
      'endsOn-year': '',
    });
    assert.match(impossible.body, /href="#startsOn-day">Start date must be a real date/);
    assert.match(impossible.body, /href="#endsOn-month">End date must include a month and year/);
    assert.equal(shownDate(impossible.body, 'startsOn'), '2026-04-31');
    assert.match(dateBox(impossible.body, 'endsOn', 'day'), /value="3"/);
    assert.doesNotMatch(dateBox(impossible.body, 'endsOn', 'day'), /govuk-input--error/);
    assert.match(dateBox(impossible.body, 'endsOn', 'year'), /govuk-input--error/);
    const backwards = await agents.strategy!.post('/campaigns/new', {
      ...form,
      ...dateFields('startsOn', '2026-05-01'),
      ...dateFields('endsOn', '2026-04-01'),
    });
    assert.match(backwards.body, /href="#endsOn-day">/);
  });

  test('the task group page shows Blue for complete and flags overdue recommendations', async () => {
    const [body] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM scrutiny_bodies WHERE partnership_id = $1 AND kind = 'task_group'`, [northmere]);
    const page = await agents.councillor!.get(`/scrutiny/${body!.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /govuk-tag--blue">Blue/);
    assert.match(page.body, /Overdue/);
  });

  test('feedback tallies give counts and percentages', async () => {
    const [q] = await ctx.ownerQuery<{ id: string; campaign_id: string }>(
      `SELECT q.id, q.campaign_id FROM campaign_questions q WHERE q.partnership_id = $1 AND q.scale = 'yes_no' ORDER BY q.text LIMIT 1`,
      [northmere],
    );
    await agents.strategy!.get(`/campaigns/${q!.campaign_id}`);
    const r = await agents.strategy!.post(`/campaigns/${q!.campaign_id}/tallies`, { questionId: q!.id, yes: '3', no: '1' });
    assert.equal(r.statusCode, 302);
    // The strategy lead reads the raw figures, marked not for publication; a councillor gets them
    // controlled (issue 13 §2): 3 of 4 are counts from 1 to 5, so they and their shares are c.
    const lead = await agents.strategy!.get(`/campaigns/${q!.campaign_id}`);
    assert.match(lead.body, /75%/);
    assert.match(lead.body, /25%/);
    assert.match(lead.body, /Not for publication/);
    const page = await agents.councillor!.get(`/campaigns/${q!.campaign_id}`);
    assert.doesNotMatch(page.body, /75%|25%/);
    assert.match(page.body, /c: a count from 1 to 5 is not shown/);
    assert.equal((await agents['social-worker']!.get('/campaigns')).statusCode, 403);
  });
});
