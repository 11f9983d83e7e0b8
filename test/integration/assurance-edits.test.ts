import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { dateFields, shownDate, signIn, type Agent } from '../helpers/http.ts';

// Issue 15 §4: training courses, sessions and awareness campaigns can be edited, with the checks of
// their creation forms, the same roles, and an audit row naming what changed.

let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  for (const key of ['strategy', 'councillor', 'social-worker'])
    agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

const first = async (sql: string, params: unknown[] = [northmere]) => (await ctx.ownerQuery<{ id: string }>(sql, params))[0]!.id;
const lastUpdate = async (recordType: string, id: string) =>
  (
    await ctx.ownerQuery<{ details: { change: string; fields: string[]; changes: Record<string, { before: unknown; after: unknown }> } }>(
      `SELECT details FROM audit_events WHERE action = 'record.update' AND record_type = $1 AND record_id = $2 ORDER BY occurred_at DESC LIMIT 1`,
      [recordType, id],
    )
  )[0]?.details;
const updates = async (recordType: string, id: string) =>
  Number(
    (
      await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE action = 'record.update' AND record_type = $1 AND record_id = $2`, [
        recordType,
        id,
      ])
    )[0]!.n,
  );

describe('editing a training course', () => {
  test('the form shows the course; a change is saved (post/redirect/get, banner) and audited before → after', async () => {
    const id = await first(`SELECT id FROM training_courses WHERE partnership_id = $1 ORDER BY title LIMIT 1`);
    const [course] = await ctx.ownerQuery<{ title: string; kind: string }>(`SELECT title, kind FROM training_courses WHERE id = $1`, [id]);
    const listed = await agents.strategy!.get('/training');
    assert.match(listed.body, new RegExp(`href="/training/courses/${id}/edit"`), 'a Change link on the list of courses');
    const form = await agents.strategy!.get(`/training/courses/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Change course/);
    assert.ok(form.body.includes(`value="${course!.title.replace(/&/g, '&amp;')}"`) || form.body.includes(course!.title), 'the title is filled in');
    const r = await agents.strategy!.post(`/training/courses/${id}/edit`, {
      title: `${course!.title} (revised)`,
      kind: 'specialist',
      description: 'New words',
    });
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/training');
    assert.match((await agents.strategy!.get('/training')).body, /Course changed/);
    const [now] = await ctx.ownerQuery<{ title: string; kind: string }>(`SELECT title, kind FROM training_courses WHERE id = $1`, [id]);
    assert.equal(now!.title, `${course!.title} (revised)`);
    assert.equal(now!.kind, 'specialist');
    const details = await lastUpdate('training_course', id);
    assert.ok(details!.fields.includes('title') && details!.fields.includes('description'));
    assert.deepEqual(details!.changes.title, { before: course!.title, after: `${course!.title} (revised)` });
    assert.equal(details!.changes.description, undefined, 'the description is named, never copied');
    // Saving it unchanged writes nothing and no audit row.
    const n = await updates('training_course', id);
    await agents.strategy!.post(`/training/courses/${id}/edit`, { title: `${course!.title} (revised)`, kind: 'specialist', description: 'New words' });
    assert.equal(await updates('training_course', id), n);
  });

  test('invalid input is shown again (400) with what was typed; another course’s title is refused (409)', async () => {
    const [a, b] = await ctx.ownerQuery<{ id: string; title: string }>(
      `SELECT id, title FROM training_courses WHERE partnership_id = $1 ORDER BY title LIMIT 2`,
      [northmere],
    );
    const invalid = await agents.strategy!.post(`/training/courses/${a!.id}/edit`, { title: '', kind: 'nonsense', description: 'Kept words' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, /govuk-error-summary/);
    assert.match(invalid.body, /Kept words/);
    assert.match(invalid.body, new RegExp(`action="/training/courses/${a!.id}/edit"`));
    const clash = await agents.strategy!.post(`/training/courses/${a!.id}/edit`, { title: b!.title, kind: 'awareness', description: '' });
    assert.equal(clash.statusCode, 409);
    assert.match(clash.body, /A course with this title already exists/);
  });

  test('a board member and a social worker may not; another partnership’s course is not found', async () => {
    const id = await first(`SELECT id FROM training_courses WHERE partnership_id = $1 LIMIT 1`);
    const other = await first(`SELECT id FROM training_courses WHERE partnership_id <> $1 LIMIT 1`);
    for (const key of ['councillor', 'social-worker']) {
      assert.equal((await agents[key]!.get(`/training/courses/${id}/edit`)).statusCode, 403, key);
      assert.equal((await agents[key]!.post(`/training/courses/${id}/edit`, { title: 'X', kind: 'awareness' })).statusCode, 403, key);
    }
    assert.equal((await agents.strategy!.get(`/training/courses/${other}/edit`)).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/training/courses/${other}/edit`, { title: 'Smuggled', kind: 'awareness' })).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/training/courses/${other}/edit`, { title: '' })).statusCode, 404, 'not found before the form is checked');
    assert.equal((await agents.strategy!.get('/training/courses/not-a-uuid/edit')).statusCode, 404);
  });
});

describe('editing a training session', () => {
  test('the form shows the session with its date in day/month/year; a change is saved and audited (trainer named, not copied)', async () => {
    const id = await first(`SELECT id FROM training_sessions WHERE partnership_id = $1 ORDER BY held_on LIMIT 1`);
    const [s] = await ctx.ownerQuery<{ course_id: string; held_on: string; venue: string }>(
      `SELECT course_id, held_on::text AS held_on, venue FROM training_sessions WHERE id = $1`,
      [id],
    );
    assert.match((await agents.strategy!.get(`/training/sessions/${id}`)).body, new RegExp(`href="/training/sessions/${id}/edit"`));
    const form = await agents.strategy!.get(`/training/sessions/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.equal(shownDate(form.body, 'heldOn'), s!.held_on);
    const r = await agents.strategy!.post(`/training/sessions/${id}/edit`, {
      courseId: s!.course_id,
      ...dateFields('heldOn', '2025-02-03'),
      trainer: 'Sam Trainer',
      venue: s!.venue,
    });
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, `/training/sessions/${id}`);
    assert.match((await agents.strategy!.get(`/training/sessions/${id}`)).body, /Training session changed/);
    const [now] = await ctx.ownerQuery<{ held_on: string; trainer: string }>(`SELECT held_on::text AS held_on, trainer FROM training_sessions WHERE id = $1`, [
      id,
    ]);
    assert.deepEqual({ ...now }, { held_on: '2025-02-03', trainer: 'Sam Trainer' });
    const details = await lastUpdate('training_session', id);
    assert.ok(details!.fields.includes('heldOn') && details!.fields.includes('trainer'));
    assert.deepEqual(details!.changes.heldOn, { before: s!.held_on, after: '2025-02-03' });
    assert.equal(details!.changes.trainer, undefined);
    assert.doesNotMatch(JSON.stringify(details), /Sam Trainer/);
  });

  test('a date that is not a date is shown again (400) with the boxes as typed and the other fields kept', async () => {
    const id = await first(`SELECT id FROM training_sessions WHERE partnership_id = $1 ORDER BY held_on DESC LIMIT 1`);
    const [s] = await ctx.ownerQuery<{ course_id: string }>(`SELECT course_id FROM training_sessions WHERE id = $1`, [id]);
    const r = await agents.strategy!.post(`/training/sessions/${id}/edit`, {
      courseId: s!.course_id,
      ...dateFields('heldOn', '2025-02-30'),
      trainer: 'Typed trainer',
      venue: '',
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /govuk-error-summary/);
    assert.match(r.body, /href="#heldOn-day"/);
    assert.match(r.body, /href="#venue"/);
    assert.equal(shownDate(r.body, 'heldOn'), '2025-02-30');
    assert.match(r.body, /Typed trainer/);
    // A course from another partnership is not found.
    const otherCourse = await first(`SELECT id FROM training_courses WHERE partnership_id <> $1 LIMIT 1`);
    const smuggled = await agents.strategy!.post(`/training/sessions/${id}/edit`, {
      courseId: otherCourse,
      ...dateFields('heldOn', '2025-02-03'),
      trainer: 'T',
      venue: 'V',
    });
    assert.equal(smuggled.statusCode, 404);
  });

  test('a board member may not; another partnership’s session is not found', async () => {
    const id = await first(`SELECT id FROM training_sessions WHERE partnership_id = $1 LIMIT 1`);
    const other = await first(`SELECT id FROM training_sessions WHERE partnership_id <> $1 LIMIT 1`);
    assert.equal((await agents.councillor!.get(`/training/sessions/${id}/edit`)).statusCode, 403);
    assert.equal((await agents.councillor!.post(`/training/sessions/${id}/edit`, { trainer: 'X' })).statusCode, 403);
    assert.equal((await agents.strategy!.get(`/training/sessions/${other}/edit`)).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/training/sessions/${other}/edit`, { trainer: 'X' })).statusCode, 404);
  });
});

describe('editing an awareness campaign', () => {
  test('the form shows the campaign; a change is saved and audited before → after', async () => {
    const id = await first(`SELECT id FROM campaigns WHERE partnership_id = $1 ORDER BY starts_on LIMIT 1`);
    const [c] = await ctx.ownerQuery<{ title: string; audience: string; starts_on: string; people_reached: number }>(
      `SELECT title, audience, starts_on::text AS starts_on, people_reached FROM campaigns WHERE id = $1`,
      [id],
    );
    assert.match((await agents.strategy!.get(`/campaigns/${id}`)).body, new RegExp(`href="/campaigns/${id}/edit"`));
    assert.doesNotMatch((await agents.councillor!.get(`/campaigns/${id}`)).body, /\/edit"/, 'no Change link for a board member');
    const form = await agents.strategy!.get(`/campaigns/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.equal(shownDate(form.body, 'startsOn'), c!.starts_on);
    const r = await agents.strategy!.post(`/campaigns/${id}/edit`, {
      title: c!.title,
      audience: c!.audience,
      ...dateFields('startsOn', c!.starts_on),
      ...dateFields('endsOn', ''),
      peopleReached: String(c!.people_reached + 25),
      summary: 'Corrected summary',
    });
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, `/campaigns/${id}`);
    assert.match((await agents.strategy!.get(`/campaigns/${id}`)).body, /Campaign changed/);
    const details = await lastUpdate('campaign', id);
    assert.deepEqual(details!.changes.peopleReached, { before: String(c!.people_reached), after: String(c!.people_reached + 25) });
    assert.ok(details!.fields.includes('summary'));
    assert.equal(details!.changes.summary, undefined);
  });

  test('an end before the start is refused (400) with everything typed kept', async () => {
    const id = await first(`SELECT id FROM campaigns WHERE partnership_id = $1 ORDER BY starts_on DESC LIMIT 1`);
    const r = await agents.strategy!.post(`/campaigns/${id}/edit`, {
      title: 'Kept title',
      audience: 'hotels',
      ...dateFields('startsOn', '2026-05-01'),
      ...dateFields('endsOn', '2026-04-01'),
      peopleReached: '12',
      summary: 'Kept summary',
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /href="#endsOn-day"/);
    assert.match(r.body, /Kept title/);
    assert.match(r.body, /Kept summary/);
    assert.equal(shownDate(r.body, 'endsOn'), '2026-04-01');
  });

  test('a board member may not; another partnership’s campaign is not found', async () => {
    const id = await first(`SELECT id FROM campaigns WHERE partnership_id = $1 LIMIT 1`);
    const other = await first(`SELECT id FROM campaigns WHERE partnership_id <> $1 LIMIT 1`);
    assert.equal((await agents.councillor!.get(`/campaigns/${id}/edit`)).statusCode, 403);
    assert.equal((await agents.councillor!.post(`/campaigns/${id}/edit`, { title: 'X' })).statusCode, 403);
    assert.equal((await agents.strategy!.get(`/campaigns/${other}/edit`)).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/campaigns/${other}/edit`, { title: 'X' })).statusCode, 404);
  });
});
