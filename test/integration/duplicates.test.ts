import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { actorOf } from '../../src/auth/service.ts';
import { withActor } from '../../src/db/context.ts';
import { matchNewChild, minimumTrainingRecords } from '../../src/features/linkage/live/service.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, demoAgency } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * The duplicate review queue, the batch run and entry-time matching (issue 14 §2): who sees which
 * queue, the demo pair, restricted records never disclosed, decisions kept and never asked again,
 * malformed input refused.
 */
let ctx: TestContext;
let northmere: string;
let restrictedId: string;
const agents: Record<string, Agent> = {};
const roles = ['triage', 'coordinator', 'analyst', 'social-worker', 'police', 'school', 'admin', 'strategy', 'councillor', 'dpo'];

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  const police = (await demoAgency(ctx, 'northmere', 'police')).id;
  // A restricted child held by the police and a near-duplicate of it that is not restricted (synthetic).
  restrictedId = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: police,
    given_name: 'Tamsin',
    family_name: 'Quellbrook',
    date_of_birth: '2012-03-04',
    restricted: true,
    restricted_reason: 'A relative works in the MASH',
  });
  await aChild(ctx, { partnership_id: northmere, owning_agency_id: police, given_name: 'Tamsyn', family_name: 'Quellbrook', date_of_birth: '2012-03-04' });
  // Two persons of concern who are one man under two spellings (synthetic).
  for (const given of ['Dean', 'Deane'])
    await ctx.ownerQuery(
      `INSERT INTO persons_of_concern (partnership_id, owning_agency_id, given_name, family_name, date_of_birth, aliases) VALUES ($1, $2, $3, 'Harrowgate', '1990-06-07', '{D}')`,
      [northmere, police, given],
    );
  for (const role of roles) agents[role] = await signIn(ctx.app, ctx.clock, ctx.account(`${role}.northmere@lantern.example`));
});
after(async () => ctx.close());

const pairOf = async (kind: string, a: string, b: string) =>
  (
    await ctx.ownerQuery<{ id: string; status: string }>(
      `SELECT p.id, p.status FROM duplicate_pairs p JOIN ${kind === 'child' ? 'children' : 'persons_of_concern'} l ON l.id = p.left_id
         JOIN ${kind === 'child' ? 'children' : 'persons_of_concern'} r ON r.id = p.right_id
        WHERE p.partnership_id = $1 AND p.record_kind = $2 AND ((l.given_name = $3 AND r.given_name = $4) OR (l.given_name = $4 AND r.given_name = $3))`,
      [northmere, kind, a, b],
    )
  )[0];

async function runBatch(agent: Agent, kind: 'child' | 'person') {
  await agent.get(`/duplicates?kind=${kind}`);
  const started = await agent.post('/duplicates/runs', { kind });
  assert.equal(started.statusCode, 302);
  const location = started.headers.location as string;
  assert.match(location, /^\/duplicates\/runs\/[0-9a-f-]{36}$/);
  await ctx.services.duplicates.settle();
  const page = await agent.get(location);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<progress id="run-progress"[^>]*value="100"/);
  assert.doesNotMatch(page.body, /http-equiv="refresh"/, 'a finished run no longer refreshes');
  return location;
}

describe('the duplicate review queue', () => {
  test('per role: children for triage and co-ordinators, persons for the intelligence roles, nothing for the others', async () => {
    const expected: Record<string, { child: number; person: number; nav: boolean }> = {
      triage: { child: 200, person: 403, nav: true },
      coordinator: { child: 200, person: 200, nav: true },
      analyst: { child: 403, person: 200, nav: true },
    };
    for (const role of roles) {
      const e = expected[role] ?? { child: 403, person: 403, nav: false };
      const agent = agents[role]!;
      assert.equal((await agent.get('/duplicates?kind=child')).statusCode, e.child, `${role} children`);
      assert.equal((await agent.get('/duplicates?kind=person')).statusCode, e.person, `${role} persons`);
      assert.equal((await agent.get('/duplicates')).statusCode, e.nav ? 200 : 403, `${role} queue`);
      const home = await agent.get('/');
      if (home.statusCode === 200) assert.equal(home.body.includes('href="/duplicates"'), e.nav, `${role} nav entry`);
    }
  });

  test('entry-time matching: Kayleigh Smith finds Kayley Smyth as likely, with a waterfall', async () => {
    const user = await ctx.sessionUser('triage.northmere@lantern.example');
    const [dob] = await ctx.ownerQuery<{ d: string }>(
      `SELECT to_char(date_of_birth, 'YYYY-MM-DD') AS d FROM children WHERE partnership_id = $1 AND reference = 'NM-0999'`,
      [northmere],
    );
    const matches = await withActor(ctx.services.db, actorOf(user), (tx) =>
      matchNewChild(tx, user.partnershipId, { givenName: 'Kayleigh', familyName: 'Smith', dateOfBirth: dob!.d, gender: 'female' }),
    );
    const kayley = matches.find((m) => m.reference === 'NM-0999');
    assert.ok(kayley, 'NM-0999 is a candidate');
    assert.equal(kayley.strength, 'likely');
    assert.ok(kayley.matchProbability >= 0.9);
    assert.deepEqual(
      kayley.waterfall.map((s) => s.column),
      ['prior', 'given_name', 'family_name', 'date_of_birth', 'sex', 'postcode'],
    );
    const sum = kayley.waterfall.reduce((a, s) => a + s.weight, 0);
    assert.ok(Math.abs(sum - kayley.matchWeight) < 1e-9, 'the waterfall adds up');
    // The restricted child held by the police is not a candidate for children’s services.
    const hidden = await withActor(ctx.services.db, actorOf(user), (tx) =>
      matchNewChild(tx, user.partnershipId, { givenName: 'Tamsin', familyName: 'Quellbrook', dateOfBirth: '2012-03-04' }),
    );
    assert.ok(!hidden.some((m) => m.id === restrictedId));
  });

  test('a batch run fills the queue: the demo pair is likely; restricted records are never in it', async () => {
    await runBatch(agents.coordinator!, 'child');
    const demo = await pairOf('child', 'Kayley', 'Kayleigh');
    assert.ok(demo, 'NM-0999 and NM-1004 are a pair');
    const queue = await agents.triage!.get('/duplicates?kind=child');
    assert.equal(queue.statusCode, 200);
    assert.ok(queue.body.includes(`/duplicates/pairs/${demo.id}`), 'listed for triage');
    assert.match(queue.body, /Kayley Smyth \(NM-0999\)|Kayleigh Smith \(NM-1004\)/);
    const rows = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM duplicate_pairs WHERE $1 IN (left_id, right_id)`, [restrictedId]);
    assert.equal(rows[0]!.n, 0, 'the run leaves restricted records out');
    // A pair with a restricted record (put there by hand) is neither listed nor shown.
    const [other] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND given_name = 'Tamsyn'`, [northmere]);
    const [l, r] = [restrictedId, other!.id].sort();
    const [planted] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO duplicate_pairs (partnership_id, record_kind, left_id, right_id, match_probability, match_weight, waterfall)
       VALUES ($1, 'child', $2, $3, 0.999, 12, '[]') RETURNING id`,
      [northmere, l, r],
    );
    for (const role of ['triage', 'coordinator']) {
      const page = await agents[role]!.get('/duplicates?kind=child');
      assert.ok(!page.body.includes(planted!.id), `${role}: not listed`);
      assert.ok(!page.body.includes('Quellbrook'), `${role}: nothing of the restricted record`);
      assert.equal((await agents[role]!.get(`/duplicates/pairs/${planted!.id}`)).statusCode, 404, `${role}: not shown`);
    }
    const audit = await ctx.ownerQuery(`SELECT 1 FROM audit_events WHERE action = 'record.create' AND record_type = 'linkage_run' AND partnership_id = $1`, [
      northmere,
    ]);
    assert.equal(audit.length, 1, 'starting the run is audited');
    const params = await ctx.ownerQuery(`SELECT 1 FROM linkage_parameters WHERE partnership_id = $1 AND record_kind = 'child'`, [northmere]);
    assert.equal(params.length, 0, 'too few records to train on: the built-in parameters stay (minimumTrainingRecords)');
  });

  test('a decision is kept, audited, offers the merge when the same, and is never asked again', async () => {
    const demo = (await pairOf('child', 'Kayley', 'Kayleigh'))!;
    const triage = agents.triage!;
    const page = await triage.get(`/duplicates/pairs/${demo.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Kayley/);
    assert.match(page.body, /<caption[^>]*>How each detail raised or lowered the match<\/caption>/);
    const viewed = await ctx.ownerQuery(`SELECT 1 FROM audit_events WHERE action = 'record.view' AND record_type = 'duplicate_pair' AND record_id = $1`, [
      demo.id,
    ]);
    assert.equal(viewed.length, 1);
    const missing = await triage.post(`/duplicates/pairs/${demo.id}`, { note: 'x' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /href="#decision">Select whether these records are the same person/);
    assert.equal((await triage.post(`/duplicates/pairs/${demo.id}`, { decision: 'maybe' })).statusCode, 400);
    assert.equal((await triage.post(`/duplicates/pairs/${demo.id}`, { decision: 'same', note: 'x'.repeat(2001) })).statusCode, 400);
    const saved = await triage.post(`/duplicates/pairs/${demo.id}`, { decision: 'same', note: 'Same school, same date of birth.' });
    assert.equal(saved.statusCode, 302);
    const after = await triage.get(`/duplicates/pairs/${demo.id}`);
    assert.match(after.body, /id="merge-link" href="\/children\/[0-9a-f-]{36}\/merge\/[0-9a-f-]{36}"/);
    assert.equal((await triage.post(`/duplicates/pairs/${demo.id}`, { decision: 'different' })).statusCode, 409, 'decided once');
    const decided = await ctx.ownerQuery(`SELECT 1 FROM audit_events WHERE action = 'record.update' AND record_type = 'duplicate_pair' AND record_id = $1`, [
      demo.id,
    ]);
    assert.equal(decided.length, 1);
    assert.ok(!(await triage.get('/duplicates?kind=child')).body.includes(demo.id), 'no longer in the queue');
    // Another run keeps the decision: the pair is not proposed again.
    await runBatch(agents.triage!, 'child');
    assert.equal((await pairOf('child', 'Kayley', 'Kayleigh'))!.status, 'same');
    assert.ok(!(await triage.get('/duplicates?kind=child')).body.includes(demo.id));
  });

  test('persons of concern: the intelligence roles’ queue, not the triage worker’s', async () => {
    await runBatch(agents.analyst!, 'person');
    const pair = await pairOf('person', 'Dean', 'Deane');
    assert.ok(pair, 'Dean and Deane Harrowgate are a pair');
    assert.ok((await agents.analyst!.get('/duplicates?kind=person')).body.includes(pair.id));
    assert.equal((await agents.triage!.get(`/duplicates/pairs/${pair.id}`)).statusCode, 404);
    await agents.coordinator!.get(`/duplicates/pairs/${pair.id}`);
    assert.equal((await agents.coordinator!.post(`/duplicates/pairs/${pair.id}`, { decision: 'same' })).statusCode, 302);
    assert.match((await agents.coordinator!.get(`/duplicates/pairs/${pair.id}`)).body, /href="\/intelligence\/persons\/[0-9a-f-]{36}\/merge\/[0-9a-f-]{36}"/);
    assert.equal((await agents.triage!.post('/duplicates/runs', { kind: 'person' })).statusCode, 403);
  });

  test('entry-time matching of a new person of concern: Deane Harrowgait is shown Dean and Deane first, nothing saved until confirmed', async () => {
    const analyst = agents.analyst!;
    const police = (await demoAgency(ctx, 'northmere', 'police')).id;
    const form = {
      givenName: 'Deane',
      familyName: 'Harrowgait',
      aliases: 'Dee',
      'dateOfBirth-day': '7',
      'dateOfBirth-month': '6',
      'dateOfBirth-year': '1990',
      status: 'active',
      owningAgencyId: police,
    };
    const count = async () =>
      Number((await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM persons_of_concern WHERE family_name = 'Harrowgait'`))[0]!.n);
    await analyst.get('/intelligence/persons/new');
    const warned = await analyst.post('/intelligence/persons/new', form);
    assert.equal(warned.statusCode, 200);
    assert.match(warned.body, /id="duplicates"/);
    assert.match(warned.body, /Likely the same person|Possibly the same person/);
    assert.match(warned.body, /Harrowgate/);
    assert.match(warned.body, /<table/, 'a waterfall for each');
    assert.equal(await count(), 0, 'nothing saved yet');
    // The list is a search of personal data: audited, with whom it disclosed.
    const [search] = await ctx.ownerQuery<{ details: { purpose: string; results: number } }>(
      `SELECT details FROM audit_events WHERE action = 'search' AND record_type = 'person_of_concern' AND details->>'purpose' = 'entry-time matching' ORDER BY seq DESC LIMIT 1`,
    );
    assert.ok(search && search.details.results >= 2);
    const saved = await analyst.post('/intelligence/persons/new', { ...form, confirmNew: 'yes' });
    assert.equal(saved.statusCode, 302);
    assert.equal(await count(), 1);
    // Someone unlike anyone held is saved at once.
    const other = await analyst.post('/intelligence/persons/new', {
      ...form,
      givenName: 'Ptolemy',
      familyName: 'Wrexcombe',
      aliases: '',
      'dateOfBirth-year': '1971',
    });
    assert.equal(other.statusCode, 302);
  });

  test('malformed input: 400 or 404, never 500', async () => {
    const c = agents.coordinator!;
    await c.get('/duplicates');
    assert.equal((await c.get('/duplicates/pairs/not-a-uuid')).statusCode, 404);
    assert.equal((await c.get(`/duplicates/pairs/${crypto.randomUUID()}`)).statusCode, 404);
    assert.equal((await c.post(`/duplicates/pairs/${crypto.randomUUID()}`, { decision: 'same' })).statusCode, 404);
    assert.equal((await c.get(`/duplicates/runs/${crypto.randomUUID()}`)).statusCode, 404);
    assert.equal((await c.get('/duplicates/runs/nope')).statusCode, 404);
    assert.equal((await c.get('/duplicates?kind=dog')).statusCode, 400);
    assert.equal((await c.get('/duplicates?page=0')).statusCode, 400);
    assert.equal((await c.get('/duplicates?kind=child&page=999')).statusCode, 404);
    assert.equal((await c.post('/duplicates/runs', { kind: 'dog' })).statusCode, 400);
  });

  test('a run over enough records trains and stores the model; entry-time matching then uses it', async () => {
    const police = (await demoAgency(ctx, 'northmere', 'police')).id;
    // 1,200 synthetic persons: 40 given names × 30 family names, dates spread over 20 years.
    await ctx.ownerQuery(
      `INSERT INTO persons_of_concern (partnership_id, owning_agency_id, given_name, family_name, date_of_birth, aliases)
       SELECT $1, $2, 'Given' || chr(65 + (i % 26)) || chr(65 + (i / 26) % 26), 'Family' || chr(65 + (i % 30)) || chr(75 + (i / 30) % 10),
              date '1980-01-01' + (i * 7919 % 7300), '{}'
         FROM generate_series(1, ${minimumTrainingRecords + 200}) AS i`,
      [northmere, police],
    );
    await runBatch(agents.analyst!, 'person');
    const [stored] = await ctx.ownerQuery<{ records: number }>(`SELECT records FROM linkage_parameters WHERE partnership_id = $1 AND record_kind = 'person'`, [
      northmere,
    ]);
    assert.ok(stored && stored.records >= minimumTrainingRecords, 'the run stored the model it trained');
  });

  test('a run cut off by a restart gives way to a new one once silent for ten minutes', async () => {
    const [stuck] = await ctx.ownerQuery<{ id: string }>(
      `INSERT INTO linkage_runs (partnership_id, record_kind, status, step, progress, started_at, updated_at)
       VALUES ($1, 'child', 'running', 'training', 25, $2::timestamptz - interval '1 hour', $2::timestamptz - interval '1 hour') RETURNING id`,
      [northmere, ctx.clock.now().toISOString()],
    );
    const c = agents.coordinator!;
    await c.get('/duplicates?kind=child');
    const started = await c.post('/duplicates/runs', { kind: 'child' });
    assert.equal(started.statusCode, 302);
    assert.ok(!(started.headers.location as string).includes(stuck!.id), 'a new run, not the stuck one');
    const [old] = await ctx.ownerQuery<{ status: string; error: string }>(`SELECT status, error FROM linkage_runs WHERE id = $1`, [stuck!.id]);
    assert.deepEqual(old, { status: 'failed', error: 'interrupted' });
    const page = await c.get(`/duplicates/runs/${stuck!.id}`);
    assert.match(page.body, /was cut off/);
    await ctx.services.duplicates.settle();
  });
});
