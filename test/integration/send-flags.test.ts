import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sendOptions } from '../../src/features/children/schema.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * One truth for special educational needs and disability (DECISIONS 29): whether the child has SEND is
 * the SEND flag, with dates and a source; the record's SEND field names only the kind of support, and
 * only while that flag is open — not through the form, not through the API, not in the database (0262),
 * not after the flag ends (the kind is cleared with it), and not after the migration reconciled the old
 * values with the flags.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let triage: Agent;
let northmere: string;
const agency: Record<string, string> = {};
let worker: { token: string; id: string };

const sendOf = async (id: string) =>
  (await ctx.ownerQuery<{ send: string | null; open_flags: string[] }>(`SELECT send, open_flags FROM children WHERE id = $1`, [id]))[0]!;
const aNorthmereChild = (values: Record<string, unknown> = {}) =>
  aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services!, ...values });
const editForm = (send: string) => ({ send, gender: 'female' });
const openSendFlag = (child: string) =>
  ctx.ownerQuery(`INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source) VALUES ($1, $2, 'send', '2026-01-05', 'SENCo')`, [
    northmere,
    child,
  ]);
const issuePaths = (response: Awaited<ReturnType<ReturnType<typeof apiTokens>['call']>>) =>
  response.json<{ error: { issues: { path: string }[] } }>().error.issues.map((i) => i.path);

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  triage = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
  worker = await tokens.createToken('SEND truth system', 'social-worker', ['practitioner']);
});
after(async () => ctx.close());

describe('one truth for SEND', () => {
  test('the seeded data: every child whose record names a kind of support has the open SEND flag, and the demo still has both', async () => {
    const [row] = await ctx.ownerQuery<{ old: number; without: number; kinds: number }>(
      `SELECT count(*) FILTER (WHERE send IN ('none', 'not_known'))::int AS old,
              count(*) FILTER (WHERE send IS NOT NULL AND NOT open_flags @> ARRAY['send'])::int AS without,
              count(*) FILTER (WHERE send IS NOT NULL)::int AS kinds
         FROM children`,
    );
    assert.deepEqual([row!.old, row!.without], [0, 0]);
    assert.ok(row!.kinds > 0, 'the demo children with SEND name their kind of support beside the flag');
    assert.deepEqual([...sendOptions].sort(), ['disability', 'ehcp', 'sen_support']);
    // Opening the SEND flags in the children seed kept the children's drawn legal status for the flags seed.
    const [kept] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM children c
        WHERE c.open_flags @> ARRAY['send'] AND c.open_flags && ARRAY['looked_after', 'child_protection_plan', 'child_in_need', 'youth_justice']`,
    );
    assert.ok(kept!.n > 0);
  });

  test('the database refuses the old words and a kind of support without the open SEND flag', async () => {
    const id = await aNorthmereChild();
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET send = 'ehcp' WHERE id = $1`, [id]), /children_send_beside_flag/);
    await assert.rejects(aNorthmereChild({ send: 'sen_support' }), /children_send_beside_flag/, 'nor a new child');
    await openSendFlag(id);
    for (const value of ['none', 'not_known'])
      await assert.rejects(ctx.ownerQuery(`UPDATE children SET send = $1 WHERE id = $2`, [value, id]), /children_send_kind/, 'not even beside the flag');
    await ctx.ownerQuery(`UPDATE children SET send = 'ehcp' WHERE id = $1`, [id]);
    assert.deepEqual(await sendOf(id), { send: 'ehcp', open_flags: ['send'] });
  });

  test('the record form and the API refuse a kind of support without the flag; ending the flag clears it', async () => {
    const id = await aNorthmereChild();
    const form = await triage.get(`/children/${id}/edit`);
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /name="send"[^]*value="none"[^]*<\/select>/);
    assert.match(form.body, /value="ehcp"/);
    assert.match(form.body, /Whether the child has special educational needs or a disability is the flag/);
    assert.equal((await triage.post(`/children/${id}/edit`, editForm('none'))).statusCode, 400, 'the old word');

    const refused = await triage.post(`/children/${id}/edit`, editForm('ehcp'));
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /no open flag for disability or special educational needs: add the flag before recording the kind of support/);
    assert.match(refused.body, /href="#send"/);
    assert.equal((await sendOf(id)).send, null);

    const viaApi = await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { send: 'ehcp' });
    assert.equal(viaApi.statusCode, 400, viaApi.body);
    assert.deepEqual(issuePaths(viaApi), ['send']);
    const oldWord = await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { send: 'none' });
    assert.equal(oldWord.statusCode, 400, oldWord.body);
    assert.deepEqual(issuePaths(oldWord), ['send']);
    assert.equal((await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { school: 'Northmere High School' })).statusCode, 200, 'other fields');

    // The flag first (dated, sourced): then the kind of support is the record's to say.
    const added = await tokens.call('POST', `/api/v1/children/${id}/flags`, worker.token, {
      kind: 'send',
      startedOn: '2026-01-05',
      source: 'School special educational needs co-ordinator',
    });
    assert.equal(added.statusCode, 201, added.body);
    assert.match((await triage.get(`/children/${id}`)).body, /Yes: the kind of support is not recorded/);
    assert.equal((await triage.post(`/children/${id}/edit`, editForm('ehcp'))).statusCode, 302);
    assert.deepEqual(await sendOf(id), { send: 'ehcp', open_flags: ['send'] });
    assert.match((await triage.get(`/children/${id}`)).body, /Education, health and care plan/);
    const patched = await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { send: 'disability' });
    assert.equal(patched.statusCode, 200, patched.body);
    const read = await tokens.call('GET', `/api/v1/children/${id}`, worker.token);
    assert.equal(read.statusCode, 200, read.body);
    const child = read.json<{ send: string | null; open_flags: string[] }>();
    assert.deepEqual([child.send, child.open_flags], ['disability', ['send']]);

    // Ending the flag ends the kind of support with it, in the same statement.
    const [{ flag }] = (await ctx.ownerQuery<{ flag: string }>(`SELECT id AS flag FROM child_flags WHERE child_id = $1 AND ended_on IS NULL`, [id])) as [
      { flag: string },
    ];
    const ended = await tokens.call('POST', `/api/v1/children/${id}/flags/${flag}/end`, worker.token, { endedOn: '2026-02-01' });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.deepEqual(await sendOf(id), { send: null, open_flags: [] });
    assert.equal((await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { send: 'disability' })).statusCode, 400);
    assert.equal((await tokens.call('PATCH', `/api/v1/children/${id}`, worker.token, { send: null })).statusCode, 200, 'clearing is always fine');
  });

  test('the record form speaks Welsh for the rule', async () => {
    const id = await aNorthmereChild();
    const welsh = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    welsh.setCookie('lantern_lang', 'cy');
    const refused = await welsh.post(`/children/${id}/edit`, editForm('sen_support'));
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /ychwanegwch y faner cyn cofnodi’r math o gymorth/);
  });

  test('the migration (0262) reconciles old values: opens the flag for a named kind, keeps a newer ending, clears the old words', async () => {
    // The data as it was before 0262: the old words allowed, a kind of support beside no flag.
    await ctx.handle.execScript(`ALTER TABLE children DROP CONSTRAINT children_send_kind;
      ALTER TABLE children DROP CONSTRAINT children_send_beside_flag;
      ALTER TABLE children ADD CONSTRAINT children_send_check CHECK (send IN ('none', 'sen_support', 'ehcp', 'disability', 'not_known'))`);
    const updated = '2026-03-01T12:00:00Z';
    const kindNoFlag = await aNorthmereChild({ send: 'ehcp' });
    const kindOpenFlag = await aNorthmereChild();
    const endedBefore = await aNorthmereChild();
    const endedSince = await aNorthmereChild();
    const noneBesideFlag = await aNorthmereChild();
    const notKnown = await aNorthmereChild({ send: 'not_known' });
    const flag = (child: string, endedAt: string | null) =>
      ctx.ownerQuery(
        `INSERT INTO child_flags (partnership_id, child_id, kind, started_on, ended_on, ended_at, source) VALUES ($1, $2, 'send', '2025-09-01', $3::date, $4, 'Test')`,
        [northmere, child, endedAt?.slice(0, 10) ?? null, endedAt],
      );
    await flag(kindOpenFlag, null);
    await flag(endedBefore, '2026-02-01T09:00:00Z');
    await flag(endedSince, '2026-04-01T09:00:00Z');
    await flag(noneBesideFlag, null);
    // Set after the flags, as an old row could have them (today's trigger would clear a kind beside no flag).
    for (const [id, send] of [
      [kindOpenFlag, 'sen_support'],
      [endedBefore, 'disability'],
      [endedSince, 'ehcp'],
      [noneBesideFlag, 'none'],
    ] as const)
      await ctx.ownerQuery(`UPDATE children SET send = $1 WHERE id = $2`, [send, id]);
    await ctx.ownerQuery(`UPDATE children SET updated_at = $1 WHERE id = ANY($2::uuid[])`, [
      updated,
      [kindNoFlag, kindOpenFlag, endedBefore, endedSince, noneBesideFlag, notKnown],
    ]);

    await ctx.handle.execScript(fs.readFileSync(new URL('../../src/features/children/migrations/0262_send_flag_one_truth.sql', import.meta.url), 'utf8'));

    const flags = async (child: string) =>
      (
        await ctx.ownerQuery<{ open: boolean; started_on: string; source: string; added: number }>(
          `SELECT f.ended_on IS NULL AS open, to_char(f.started_on, 'YYYY-MM-DD') AS started_on, f.source,
                  (SELECT count(*)::int FROM child_flag_changes x WHERE x.flag_id = f.id AND x.change = 'added') AS added
             FROM child_flags f WHERE f.child_id = $1 AND f.kind = 'send' ORDER BY f.started_on, f.created_at`,
          [child],
        )
      ).map((f) => `${f.open ? 'open' : 'ended'}:${f.source === 'Test' ? 'test' : `${f.started_on}:${f.source}:${f.added}`}`);
    const carried = "open:2026-03-01:Carried over from the child's SEND record:1";
    assert.deepEqual(await flags(kindNoFlag), [carried]);
    assert.deepEqual(await sendOf(kindNoFlag), { send: 'ehcp', open_flags: ['send'] }, 'the kind stays beside its new flag');
    assert.deepEqual(await flags(kindOpenFlag), ['open:test'], 'already open: no second flag');
    assert.equal((await sendOf(kindOpenFlag)).send, 'sen_support');
    assert.deepEqual(await flags(endedBefore), ['ended:test', carried], 'the record named a kind after the flag ended');
    assert.equal((await sendOf(endedBefore)).send, 'disability');
    assert.deepEqual(await flags(endedSince), ['ended:test'], 'the flag ended after the record last changed: the ending stands');
    assert.deepEqual(await sendOf(endedSince), { send: null, open_flags: [] });
    assert.deepEqual(await sendOf(noneBesideFlag), { send: null, open_flags: ['send'] }, 'the flag is the truth: "none" goes');
    assert.deepEqual(await flags(notKnown), []);
    assert.equal((await sendOf(notKnown)).send, null);
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM children WHERE send IN ('none', 'not_known') OR (send IS NOT NULL AND NOT open_flags @> ARRAY['send'])`,
    )) as [{ n: number }];
    assert.equal(n, 0);
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET send = 'none' WHERE id = $1`, [kindNoFlag]), /children_send_kind/);
    await assert.rejects(ctx.ownerQuery(`UPDATE children SET send = 'ehcp' WHERE id = $1`, [notKnown]), /children_send_beside_flag/);
  });
});
