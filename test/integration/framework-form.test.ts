import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

// Issue 15 §4: a framework can be created and changed in a form, not only loaded as JSON.

let ctx: TestContext;
let northmere: string;
const agents: Record<string, Agent> = {};

before(async () => {
  ctx = await createTestContext();
  [{ id: northmere }] = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`)) as [{ id: string }];
  for (const key of ['strategy', 'councillor']) agents[key] = await signIn(ctx.app, ctx.clock, ctx.account(`${key}.northmere@lantern.example`));
});
after(async () => ctx.close());

/** A small framework as the form posts it: two strands, three outcomes. */
const form = (key: string): Record<string, string> => ({
  key,
  nameEn: 'Northmere local plan',
  nameCy: 'Cynllun lleol Northmere',
  source: 'Written by the partnership',
  'strands-0-number': '1',
  'strands-0-key': 'find',
  'strands-0-titleEn': 'Find',
  'strands-0-outcomeEn': 'Children at risk are found early',
  'strands-1-number': '2',
  'strands-1-key': 'help',
  'strands-1-titleEn': 'Help',
  'strands-1-titleCy': 'Helpu',
  'strands-1-outcomeEn': 'Children are helped',
  'strands-2-number': '',
  'outcomes-0-id': '1.1',
  'outcomes-0-strandKey': 'find',
  'outcomes-0-textEn': 'Staff know the signs',
  'outcomes-0-actionIds': '1.1a, 1.1b',
  'outcomes-1-id': '2.1',
  'outcomes-1-strandKey': 'help',
  'outcomes-1-textEn': 'Services are there',
  'outcomes-1-actionIds': '2.1a',
  'outcomes-2-id': '2.2',
  'outcomes-2-strandKey': 'help',
  'outcomes-2-textEn': 'Families are supported',
  'outcomes-2-actionIds': '2.2a',
});

const frameworkRow = async (key: string) =>
  (
    await ctx.ownerQuery<{ id: string; definition: { name: unknown; strands: { key: string; title: unknown }[]; outcomes: { id: string }[] } }>(
      `SELECT id, definition FROM strategy_frameworks WHERE partnership_id = $1 AND key = $2`,
      [northmere, key],
    )
  )[0];
const audits = async (action: string, id: string) =>
  ctx.ownerQuery<{ details: Record<string, unknown> }>(
    `SELECT details FROM audit_events WHERE action = $1 AND record_type = 'strategy_framework' AND record_id = $2 ORDER BY occurred_at`,
    [action, id],
  );

describe('a framework in a form', () => {
  test('a strategy lead creates one: “Add another” posts back a blank row; saved, it is listed and audited', async () => {
    const blank = await agents.strategy!.get('/strategy/frameworks/new');
    assert.equal(blank.statusCode, 200);
    assert.match(blank.body, /name="strands-0-key"/);
    assert.doesNotMatch(blank.body, /name="strands-1-key"/);
    const more = await agents.strategy!.post('/strategy/frameworks/new', { ...form('northmere-local'), more: 'strand' });
    assert.equal(more.statusCode, 200, 'nothing saved');
    assert.match(more.body, /name="strands-3-key"/, 'one more blank row');
    assert.match(more.body, /value="Families are supported"|Families are supported/);
    assert.equal(await frameworkRow('northmere-local'), undefined);

    const saved = await agents.strategy!.post('/strategy/frameworks/new', form('northmere-local'));
    assert.equal(saved.statusCode, 302);
    assert.equal(saved.headers.location, '/strategy/frameworks');
    const row = await frameworkRow('northmere-local');
    assert.ok(row);
    assert.deepEqual(row.definition.name, { en: 'Northmere local plan', cy: 'Cynllun lleol Northmere' });
    assert.deepEqual(
      row.definition.strands.map((s) => s.title),
      [{ en: 'Find' }, { en: 'Help', cy: 'Helpu' }],
    );
    assert.equal((await audits('record.create', row.id)).length, 1);
    const list = await agents.strategy!.get('/strategy/frameworks');
    assert.match(list.body, /Framework added/);
    assert.match(list.body, new RegExp(`href="/strategy/frameworks/${row.id}/edit"`));
    // The key is the partnership's to give once.
    const again = await agents.strategy!.post('/strategy/frameworks/new', form('northmere-local'));
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already loaded/);
  });

  test('problems are shown on their fields (400) with everything typed kept', async () => {
    const r = await agents.strategy!.post('/strategy/frameworks/new', {
      ...form('Bad Key'),
      'outcomes-1-id': '3.1',
      'outcomes-2-actionIds': '2.2a, 9.9z',
      'strands-1-number': '1',
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /govuk-error-summary/);
    assert.match(r.body, /href="#key"/);
    assert.match(r.body, /href="#strands-1-number"/);
    assert.match(r.body, /href="#outcomes-2-actionIds"/);
    assert.match(r.body, /Families are supported/);
    assert.match(r.body, /value="Bad Key"/);
  });

  test('a framework is changed: reworded, a strand renamed, an unused outcome removed; ids that plans name stay', async () => {
    await agents.strategy!.post('/strategy/frameworks/new', form('northmere-edit'));
    const row = (await frameworkRow('northmere-edit'))!;
    const page = await agents.strategy!.get(`/strategy/frameworks/${row.id}/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /value="Helpu"/);
    const changed = await agents.strategy!.post(`/strategy/frameworks/${row.id}/edit`, {
      ...form('ignored'),
      'strands-1-titleEn': 'Support',
      'outcomes-2-remove': 'yes',
    });
    assert.equal(changed.statusCode, 302);
    const now = (await frameworkRow('northmere-edit'))!;
    assert.deepEqual(
      now.definition.outcomes.map((o) => o.id),
      ['1.1', '2.1'],
    );
    assert.deepEqual(now.definition.strands[1]!.title, { en: 'Support', cy: 'Helpu' });
    const [audit] = await audits('record.update', row.id);
    assert.deepEqual(audit!.details.outcomes, { added: [], removed: ['2.2'] });
    assert.ok((audit!.details.fields as string[]).includes('strands'));

    // A plan's action names 2.1a: outcome 2.1 can be reworded but not removed.
    const [plan] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO strategy_plans (partnership_id, framework_id, title, period_start, period_end) VALUES ($1, $2, 'Local plan', '2026-04-01', '2027-03-31') RETURNING id`,
      [northmere, row.id],
    );
    await ctx.ownerQuery(
      `INSERT INTO strategy_actions (partnership_id, plan_id, action_ref, outcome_ref, text) VALUES ($1, $2, '2.1a', '2.1', 'Map services')`,
      [northmere, plan!.id],
    );
    const shown = await agents.strategy!.get(`/strategy/frameworks/${row.id}/edit`);
    assert.match(shown.body, /1 plan uses this framework/);
    const refused = await agents.strategy!.post(`/strategy/frameworks/${row.id}/edit`, {
      ...form('ignored'),
      'outcomes-1-remove': 'yes',
      'outcomes-2-remove': 'yes',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /2\.1 is named by an action in a plan on this framework/);
    const reworded = await agents.strategy!.post(`/strategy/frameworks/${row.id}/edit`, {
      ...form('ignored'),
      'outcomes-1-textEn': 'Services are there when needed',
      'outcomes-2-remove': 'yes',
    });
    assert.equal(reworded.statusCode, 302);
  });

  test('a built-in framework says why it is not changed here; a board member may not; another partnership’s is not found', async () => {
    const [builtIn] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_frameworks WHERE partnership_id = $1 AND built_in LIMIT 1`, [northmere]);
    const page = await agents.strategy!.get(`/strategy/frameworks/${builtIn!.id}/edit`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /built into Lantern/);
    assert.doesNotMatch(page.body, /name="strands-0-key"/);
    assert.equal((await agents.strategy!.post(`/strategy/frameworks/${builtIn!.id}/edit`, form('x'))).statusCode, 409);
    assert.equal((await agents.councillor!.get('/strategy/frameworks/new')).statusCode, 403);
    assert.equal((await agents.councillor!.get(`/strategy/frameworks/${builtIn!.id}/edit`)).statusCode, 403);
    assert.equal((await agents.councillor!.post('/strategy/frameworks/new', form('board'))).statusCode, 403);
    const [other] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_frameworks WHERE partnership_id <> $1 LIMIT 1`, [northmere]);
    assert.equal((await agents.strategy!.get(`/strategy/frameworks/${other!.id}/edit`)).statusCode, 404);
    assert.equal((await agents.strategy!.post(`/strategy/frameworks/${other!.id}/edit`, form('x'))).statusCode, 404);
  });
});
