import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { londonDate } from '../../src/dates.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';

/**
 * Cohort flags through the API (issue 10 §6): a partner system adds, ends and corrects a child's
 * flags with the flags page's rules (one open flag per kind, no future dates, an end after the
 * start, a reason for a correction); the child's record follows; the scopes flags:read / flags:write
 * and the roles' permissions decide; every call leaves an audit row naming the token.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
const agency: Record<string, string> = {};
let child: string;
let worker: { token: string; id: string };
let today: string;

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);
const body = <T = Json>(r: { json: <J>() => J }) => r.json<T>();
const auditCount = async (tokenId: string) =>
  (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE details->>'apiToken' = $1`, [tokenId]))[0]!.n;
const daysAgo = (n: number) => londonDate(new Date(ctx.clock.now().getTime() - n * 86_400_000));

type Flag = {
  id: string;
  kind: string;
  started_on: string;
  ended_on: string | null;
  placing_authority: string | null;
  placed_out_of_area: boolean;
  source: string;
};
type Flags = { flags: Flag[]; changes: { flag_id: string; change: string; reason: string | null }[] };

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  today = londonDate(ctx.clock.now());
  const northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  child = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services!, given_name: 'Api', family_name: 'Flags' });
  worker = await tokens.createToken('Children’s services flags system', 'social-worker', ['practitioner']);
});
after(async () => ctx.close());

describe('cohort flags through the API', () => {
  test('a token adds a looked-after flag, the child record follows, a second open one is a conflict; ending and correcting keep the history', async () => {
    const audits = await auditCount(worker.id);
    const added = await call('POST', `/api/v1/children/${child}/flags`, worker.token, {
      kind: 'looked_after',
      startedOn: daysAgo(30),
      source: 'Children’s services case record',
      sourceAgencyId: agency.childrens_services,
      placingAuthority: 'Westbrook Council',
      placedHereByOtherAuthority: true,
      nrmDecision: 'awaiting',
    });
    assert.equal(added.statusCode, 201, added.body);
    const { id } = body<{ id: string }>(added);
    assert.equal(await auditCount(worker.id), audits + 1, 'one audit row names the token');

    const record = body<{ looked_after: boolean }>(await call('GET', `/api/v1/children/${child}`, worker.token));
    assert.equal(record.looked_after, true, 'the child record reads the open flag');

    const listed = body<Flags>(await call('GET', `/api/v1/children/${child}/flags`, worker.token));
    const flag = listed.flags.find((f) => f.id === id)!;
    assert.deepEqual([flag.kind, flag.started_on, flag.ended_on, flag.placing_authority], ['looked_after', daysAgo(30), null, 'Westbrook Council']);
    assert.ok(listed.changes.some((c) => c.flag_id === id && c.change === 'added'));
    assert.equal(listed.flags.filter((f) => f.kind === 'trafficking_nrm').length, 0, 'an NRM decision on another kind is dropped');

    const again = await call('POST', `/api/v1/children/${child}/flags`, worker.token, { kind: 'looked_after', startedOn: daysAgo(2), source: 'Duplicate' });
    assert.equal(again.statusCode, 409, again.body);
    assert.equal(body<{ error: { issues: { path: string }[] } }>(again).error.issues[0]!.path, 'kind');

    const early = await call('POST', `/api/v1/children/${child}/flags/${id}/end`, worker.token, { endedOn: daysAgo(40) });
    assert.equal(early.statusCode, 400, 'an end before the start');
    assert.equal(body<{ error: { issues: { path: string; message: string }[] } }>(early).error.issues[0]!.path, 'endedOn');
    const ended = await call('POST', `/api/v1/children/${child}/flags/${id}/end`, worker.token, { endedOn: today, reason: 'Returned home' });
    assert.equal(ended.statusCode, 200, ended.body);
    assert.equal(body<Flags>(ended).flags.find((f) => f.id === id)!.ended_on, today);
    assert.equal((await call('POST', `/api/v1/children/${child}/flags/${id}/end`, worker.token, { endedOn: today })).statusCode, 409, 'already ended');
    assert.equal(body<{ looked_after: boolean }>(await call('GET', `/api/v1/children/${child}`, worker.token)).looked_after, false);

    const correction = {
      startedOn: daysAgo(31),
      endedOn: today,
      source: 'Children’s services case record',
      sourceAgencyId: agency.childrens_services,
      placingAuthority: 'Westbrook Council',
      placedHereByOtherAuthority: true,
      placedOutOfArea: false,
      reason: 'The placement began a day earlier',
    };
    const corrected = await call('PUT', `/api/v1/children/${child}/flags/${id}`, worker.token, correction);
    assert.equal(corrected.statusCode, 200, corrected.body);
    assert.deepEqual(body<{ changed: string[] }>(corrected).changed, ['started_on']);
    const noReason = await call('PUT', `/api/v1/children/${child}/flags/${id}`, worker.token, { ...correction, reason: undefined });
    assert.equal(noReason.statusCode, 400, 'a correction needs its reason');
    const history = body<Flags>(await call('GET', `/api/v1/children/${child}/flags`, worker.token)).changes.filter((c) => c.flag_id === id);
    assert.deepEqual(history.map((c) => c.change).sort(), ['added', 'corrected', 'ended']);
    assert.equal(history.find((c) => c.change === 'corrected')!.reason, 'The placement began a day earlier');
  });

  test('malformed flags are 400 and write nothing: an unknown kind, a future start, no source, an impossible date, an unknown field', async () => {
    const count = async () => (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM child_flags WHERE child_id = $1`, [child]))[0]!.n;
    const before = await count();
    for (const payload of [
      { kind: 'gang_member', startedOn: daysAgo(1), source: 'x' },
      { kind: 'child_in_need', startedOn: londonDate(new Date(ctx.clock.now().getTime() + 3 * 86_400_000)), source: 'x' },
      { kind: 'child_in_need', startedOn: daysAgo(1), source: '  ' },
      { kind: 'child_in_need', startedOn: '2026-02-30', source: 'x' },
      { kind: 'child_in_need', startedOn: daysAgo(1), source: 'x', colour: 'red' },
    ]) {
      const r = await call('POST', `/api/v1/children/${child}/flags`, worker.token, payload);
      assert.equal(r.statusCode, 400, `${JSON.stringify(payload)}: ${r.body}`);
      assert.ok(body<{ error: { issues: unknown[] } }>(r).error.issues.length > 0);
    }
    assert.equal(
      (await call('POST', `/api/v1/children/${child}/flags/not-a-uuid/end`, worker.token, { endedOn: today })).statusCode,
      404,
      'a malformed id is no record',
    );
    assert.equal((await call('POST', `/api/v1/children/${child}/flags/${crypto.randomUUID()}/end`, worker.token, { endedOn: today })).statusCode, 404);
    assert.equal(await count(), before, 'nothing written');
  });

  test('scopes and roles decide: flags:read cannot write (403), children:read alone cannot read flags (403), an analyst cannot write, another agency without access gets 404', async () => {
    const flag = { kind: 'substance_misuse', startedOn: daysAgo(3), source: 'Young people’s drug service' };
    const readOnly = await tokens.createToken('Flags reader', 'social-worker', ['practitioner'], { scopes: ['children:read', 'flags:read'] });
    const read = await call('GET', `/api/v1/children/${child}/flags`, readOnly.token);
    assert.equal(read.statusCode, 200, read.body);
    const refused = await call('POST', `/api/v1/children/${child}/flags`, readOnly.token, flag);
    assert.equal(refused.statusCode, 403);
    assert.equal(body<{ error: { code: string } }>(refused).error.code, 'LANTERN_E_FORBIDDEN');
    const childrenOnly = await tokens.createToken('Children reader', 'social-worker', ['practitioner'], { scopes: ['children:read'] });
    assert.equal((await call('GET', `/api/v1/children/${child}/flags`, childrenOnly.token)).statusCode, 403);
    const analyst = await tokens.createToken('Flags analyst', 'analyst', ['analyst']);
    assert.equal((await call('POST', `/api/v1/children/${child}/flags`, analyst.token, flag)).statusCode, 403);
    const police = await tokens.createToken('Police flags system', 'police', ['practitioner']);
    assert.equal((await call('GET', `/api/v1/children/${child}/flags`, police.token)).statusCode, 404, 'not shared with the police');
    assert.equal((await call('POST', `/api/v1/children/${child}/flags`, police.token, flag)).statusCode, 404);
  });
});
