import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { educationStatuses } from '../../src/features/children/schema.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * One truth for education (DECISIONS 27): missing from education and elective home education are
 * flags, with dates and a source; the record's education status is the setting and can never say
 * either, nor "in education" while either flag is open — not through the form, not through the API,
 * not in the database (0261), and not after the migration moved the old values to flags.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let triage: Agent;
let northmere: string;
const agency: Record<string, string> = {};
let worker: { token: string; id: string };

const statusOf = async (id: string) =>
  (
    await ctx.ownerQuery<{ education_status: string | null; open_flags: string[] }>(`SELECT education_status, open_flags FROM children WHERE id = $1`, [id])
  )[0]!;
const aNorthmereChild = (values: Record<string, unknown> = {}) =>
  aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services!, ...values });
const editForm = (educationStatus: string) => ({ educationStatus, gender: 'female' });

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
  worker = await tokens.createToken('Education truth system', 'social-worker', ['practitioner']);
});
after(async () => ctx.close());

describe('one truth for education', () => {
  test('the seeded and migrated data: no child’s record says missing education or home education, nor in education beside such a flag', async () => {
    const [row] = await ctx.ownerQuery<{ old: number; beside: number; flagged: number }>(
      `SELECT count(*) FILTER (WHERE education_status IN ('missing_education', 'elective_home'))::int AS old,
              count(*) FILTER (WHERE education_status = 'in_education' AND open_flags && ARRAY['missing_education', 'elective_home_education'])::int AS beside,
              count(*) FILTER (WHERE open_flags && ARRAY['missing_education', 'elective_home_education'])::int AS flagged
         FROM children`,
    );
    assert.deepEqual([row!.old, row!.beside], [0, 0]);
    assert.ok(row!.flagged > 0, 'the demo still has children out of school, as flags');
    assert.deepEqual([...educationStatuses].sort(), ['alternative_provision', 'employment_training', 'excluded', 'in_education', 'neet']);
  });

  test('the database refuses the old values and "in education" beside an open flag', async () => {
    const id = await aNorthmereChild();
    for (const value of ['missing_education', 'elective_home'])
      await assert.rejects(ctx.ownerQuery(`UPDATE children SET education_status = $1 WHERE id = $2`, [value, id]), /children_education_setting/);
    await ctx.ownerQuery(
      `INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source) VALUES ($1, $2, 'elective_home_education', '2026-01-05', 'Letter')`,
      [northmere, id],
    );
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET education_status = 'in_education' WHERE id = $1`, [id]), /children_education_beside_flags/);
    await ctx.ownerQuery(`UPDATE children SET education_status = 'excluded' WHERE id = $1`, [id]);
    assert.equal((await statusOf(id)).education_status, 'excluded', 'a setting beside the flag is fine');
  });

  test('the record form no longer offers or accepts the flags’ values, and refuses "in education" while such a flag is open', async () => {
    const id = await aNorthmereChild({ education_status: 'in_education' });
    const form = await triage.get(`/children/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /value="missing_education"|value="elective_home"/);
    assert.match(form.body, /value="excluded"/);
    for (const value of ['missing_education', 'elective_home']) {
      const r = await triage.post(`/children/${id}/edit`, editForm(value));
      assert.equal(r.statusCode, 400, value);
      assert.match(r.body, /govuk-error-summary/);
    }
    assert.equal((await statusOf(id)).education_status, 'in_education');

    // A missing-from-education flag clears "in education" in the statement that adds it.
    const added = await tokens.call('POST', `/api/v1/children/${id}/flags`, worker.token, {
      kind: 'missing_education',
      startedOn: '2026-01-05',
      source: 'School attendance officer',
    });
    assert.equal(added.statusCode, 201, added.body);
    assert.deepEqual(await statusOf(id), { education_status: null, open_flags: ['missing_education'] });

    const refused = await triage.post(`/children/${id}/edit`, editForm('in_education'));
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /end the flag before recording them as in education/);
    assert.match(refused.body, /href="#educationStatus"/);
    assert.equal((await statusOf(id)).education_status, null);
    assert.equal((await triage.post(`/children/${id}/edit`, editForm('alternative_provision'))).statusCode, 302, 'a setting that does not contradict it');

    // The child page shows the setting and the open flag together.
    const page = await triage.get(`/children/${id}`);
    assert.match(page.body, /Alternative provision; Missing from education/);

    // The API refuses the same, on the same field.
    const viaApi = await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { educationStatus: 'in_education' });
    assert.equal(viaApi.statusCode, 400, viaApi.body);
    assert.deepEqual(
      viaApi.json<{ error: { issues: { path: string }[] } }>().error.issues.map((i) => i.path),
      ['educationStatus'],
    );
    assert.equal((await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { educationStatus: 'missing_education' })).statusCode, 400);

    // Once the flag ends, "in education" is the setting again.
    const [{ flag }] = (await ctx.ownerQuery<{ flag: string }>(`SELECT id AS flag FROM child_flags WHERE child_id = $1 AND ended_on IS NULL`, [id])) as [
      { flag: string },
    ];
    const ended = await tokens.call('POST', `/api/v1/children/${id}/flags/${flag}/end`, worker.token, { endedOn: '2026-02-01' });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal((await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { educationStatus: 'in_education' })).statusCode, 200);
    assert.equal((await statusOf(id)).education_status, 'in_education');
  });

  test('the migration (0261) moves old values to flags: opens the flag where none is open, keeps an ending newer than the record, clears the status', async () => {
    // The data as it was before 0261: the old values allowed, flags that disagree with the record.
    await ctx.handle.execScript(`ALTER TABLE children DROP CONSTRAINT children_education_setting;
      ALTER TABLE children DROP CONSTRAINT children_education_beside_flags;
      ALTER TABLE children ADD CONSTRAINT children_education_status_check CHECK (education_status IN ('in_education', 'missing_education', 'excluded',
        'elective_home', 'alternative_provision', 'employment_training', 'neet'))`);
    const updated = '2026-03-01T12:00:00Z';
    const noFlag = await aNorthmereChild({ education_status: 'missing_education', updated_at: updated });
    const openFlag = await aNorthmereChild({ education_status: 'elective_home', updated_at: updated });
    const endedBefore = await aNorthmereChild({ education_status: 'missing_education', updated_at: updated });
    const endedSince = await aNorthmereChild({ education_status: 'missing_education', updated_at: updated });
    const inSchoolFlagged = await aNorthmereChild({ education_status: 'in_education', updated_at: updated });
    const flag = (child: string, kind: string, endedAt: string | null) =>
      ctx.ownerQuery(
        `INSERT INTO child_flags (partnership_id, child_id, kind, started_on, ended_on, ended_at, source) VALUES ($1, $2, $3, '2025-09-01', $4::date, $5, 'Test')`,
        [northmere, child, kind, endedAt?.slice(0, 10) ?? null, endedAt],
      );
    await flag(openFlag, 'elective_home_education', null);
    await flag(endedBefore, 'missing_education', '2026-02-01T09:00:00Z');
    await flag(endedSince, 'missing_education', '2026-04-01T09:00:00Z');
    await ctx.ownerQuery(`UPDATE children SET updated_at = $1 WHERE id = ANY($2::uuid[])`, [updated, [noFlag, openFlag, endedBefore, endedSince]]);
    await ctx.ownerQuery(`ALTER TABLE children DISABLE TRIGGER USER`); // 0130's trigger would keep open_flags; set them as an old row had them
    await ctx.ownerQuery(`UPDATE children SET education_status = 'in_education', open_flags = ARRAY['missing_education'] WHERE id = $1`, [inSchoolFlagged]);
    await ctx.ownerQuery(`ALTER TABLE children ENABLE TRIGGER USER`);

    await ctx.handle.execScript(fs.readFileSync(new URL('../../src/features/children/migrations/0261_education_flags_one_truth.sql', import.meta.url), 'utf8'));

    const flags = async (child: string) =>
      (
        await ctx.ownerQuery<{ kind: string; open: boolean; started_on: string; source: string; added: number }>(
          `SELECT f.kind, f.ended_on IS NULL AS open, to_char(f.started_on, 'YYYY-MM-DD') AS started_on, f.source,
                  (SELECT count(*)::int FROM child_flag_changes x WHERE x.flag_id = f.id AND x.change = 'added') AS added
             FROM child_flags f WHERE f.child_id = $1 ORDER BY f.started_on, f.created_at`,
          [child],
        )
      ).map((f) => `${f.kind}:${f.open ? 'open' : 'ended'}:${f.source === 'Test' ? 'test' : `${f.started_on}:${f.source}:${f.added}`}`);
    assert.deepEqual(await flags(noFlag), ["missing_education:open:2026-03-01:Carried over from the child's education status:1"]);
    assert.deepEqual(await flags(openFlag), ['elective_home_education:open:test'], 'already open: no second flag');
    assert.deepEqual(
      await flags(endedBefore),
      ['missing_education:ended:test', "missing_education:open:2026-03-01:Carried over from the child's education status:1"],
      'the record said so after the flag ended',
    );
    assert.deepEqual(await flags(endedSince), ['missing_education:ended:test'], 'the flag ended after the record last changed: the ending stands');
    for (const id of [noFlag, openFlag, endedBefore, endedSince, inSchoolFlagged]) assert.equal((await statusOf(id)).education_status, null, id);
    assert.deepEqual((await statusOf(noFlag)).open_flags, ['missing_education'], 'the record’s open flags follow');
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM children WHERE education_status IN ('missing_education', 'elective_home')`,
    )) as [{ n: number }];
    assert.equal(n, 0);
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET education_status = 'elective_home' WHERE id = $1`, [noFlag]), /children_education_setting/);
  });
});
