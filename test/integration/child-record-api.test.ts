import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';

/**
 * Correcting a child's record details through the API (issue 10 §6): PATCH /api/v1/children/{id}
 * calls the record edit page's service (records.updateDetails), so the same rules apply (a placement
 * is kept only while the child is looked after; a restricted record is out of a token's reach, so
 * restricting stays on the page) — with children.write and the children:write scope; the fields given change,
 * the others keep their values; one audit row names the token and the fields that changed.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let northmere: string;
const agency: Record<string, string> = {};
let child: string;
let worker: { token: string; id: string };

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);
const body = <T = Json>(r: { json: <J>() => J }) => r.json<T>();
const columns = async (id: string) =>
  (
    await ctx.ownerQuery<Json>(
      `SELECT school, first_language, education_status, send, gender, ethnicity, aliases, flag_cce, restricted, restricted_reason FROM children WHERE id = $1`,
      [id],
    )
  )[0]!;

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
  child = await aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: agency.childrens_services!,
    given_name: 'Api',
    family_name: 'Record',
    gender: 'female',
    ethnicity: 'white_british',
    school: 'Riverside High School',
  });
  // The kind of support sits beside the open SEND flag (DECISIONS 29).
  await ctx.ownerQuery(`INSERT INTO child_flags (partnership_id, child_id, kind, started_on, source) VALUES ($1, $2, 'send', '2026-01-05', 'SENCo')`, [
    northmere,
    child,
  ]);
  await ctx.ownerQuery(`UPDATE children SET send = 'sen_support' WHERE id = $1`, [child]);
  worker = await tokens.createToken('Children’s services record system', 'social-worker', ['practitioner']);
});
after(async () => ctx.close());

describe('correcting a child’s record through the API', () => {
  test('the fields given change and the others keep their values; the child reads back as corrected; one audit row names the changes', async () => {
    const audits = async () =>
      (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE details->>'apiToken' = $1`, [worker.id]))[0]!.n;
    const before = await audits();
    const r = await call('PATCH', `/api/v1/children/${child}`, worker.token, {
      school: 'Northmere College',
      educationStatus: 'alternative_provision',
      aliases: ['Annie'],
      flagCce: true,
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(body<{ changed: string[] }>(r).changed.sort(), ['aliases', 'education_status', 'flag_cce', 'school']);
    assert.deepEqual(await columns(child), {
      school: 'Northmere College',
      first_language: null,
      education_status: 'alternative_provision',
      send: 'sen_support',
      gender: 'female',
      ethnicity: 'white_british',
      aliases: ['Annie'],
      flag_cce: true,
      restricted: false,
      restricted_reason: null,
    });
    assert.equal(await audits(), before + 1, 'one audit row for the correction');
    const [audit] = await ctx.ownerQuery<{ action: string; record_id: string; actor_label: string; details: { changed: string[] } }>(
      `SELECT action, record_id, actor_label, details FROM audit_events WHERE details->>'apiToken' = $1 ORDER BY id DESC LIMIT 1`,
      [worker.id],
    );
    assert.deepEqual([audit!.action, audit!.record_id, audit!.actor_label], ['record.update', child, 'api-token:Children’s services record system']);
    assert.deepEqual(audit!.details.changed.sort(), ['aliases', 'education_status', 'flag_cce', 'school']);

    const read = body<Json>(await call('GET', `/api/v1/children/${child}`, worker.token));
    assert.deepEqual([read.school, read.education_status, read.send, read.open_flags], ['Northmere College', 'alternative_provision', 'sen_support', ['send']]);

    const cleared = await call('PATCH', `/api/v1/children/${child}`, worker.token, { school: null, gender: null });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.deepEqual([(await columns(child)).school, (await columns(child)).gender, (await columns(child)).ethnicity], [null, null, 'white_british']);
  });

  test('invalid corrections are 400 with the fields named, and nothing changes', async () => {
    const was = await columns(child);
    for (const [what, payload] of [
      ['nothing to correct', {}],
      ['an unknown field', { school: 'x', dateOfBirth: '2010-01-01' }],
      ['an unknown gender', { gender: 'unknown' }],
      ['lifting a restriction', { restricted: false }],
      ['too long', { school: 'x'.repeat(201) }],
      ['not JSON', '{"school":'],
    ] as const) {
      const r = await call('PATCH', `/api/v1/children/${child}`, worker.token, payload);
      assert.equal(r.statusCode, 400, `${what}: ${r.body}`);
      assert.equal(body<{ error: { code: string } }>(r).error.code, 'LANTERN_E_VALIDATION', what);
    }
    assert.deepEqual(await columns(child), was);
  });

  test('a restriction is not placed through the API (the page’s, by the owning agency); a restricted child is not found', async () => {
    const restricted = await aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agency.childrens_services!,
      restricted: true,
      restricted_reason: 'A synthetic restriction',
    });
    const r = await call('PATCH', `/api/v1/children/${child}`, worker.token, { restricted: true, restrictedReason: 'A relative works in the service' });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal((await columns(child)).restricted, false);
    assert.equal((await call('PATCH', `/api/v1/children/${restricted}`, worker.token, { school: 'x' })).statusCode, 404, 'even for the owning agency');
    assert.equal((await columns(restricted)).school, null);
  });

  test('scopes, roles, agencies and partnerships decide; malformed ids are 404; nothing is written', async () => {
    const westbrookChild = (
      await ctx.ownerQuery<{ id: string }>(`SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'westbrook' LIMIT 1`)
    )[0]!.id;
    const unshared = await aChild(ctx, { partnership_id: northmere, owning_agency_id: agency.childrens_services! });
    const readOnly = await tokens.createToken('Children reader', 'social-worker', ['practitioner'], { scopes: ['children:read'] });
    const analyst = await tokens.createToken('Analyst record reader', 'analyst', ['analyst']);
    const school = await tokens.createToken('School record system', 'school', ['practitioner']);
    const pending = await tokens.createToken('Record system not approved', 'social-worker', ['practitioner'], { approve: false });
    const was = await columns(child);
    const correction = { school: 'Somewhere else' };

    const scoped = await call('PATCH', `/api/v1/children/${child}`, readOnly.token, correction);
    assert.equal(scoped.statusCode, 403, 'children:read cannot correct');
    assert.equal(body<{ error: { code: string } }>(scoped).error.code, 'LANTERN_E_FORBIDDEN');
    assert.equal((await call('GET', `/api/v1/children/${child}`, readOnly.token)).statusCode, 200, 'but reads');
    assert.equal((await call('PATCH', `/api/v1/children/${child}`, analyst.token, correction)).statusCode, 403, 'an analyst’s role cannot write');
    assert.equal((await call('PATCH', `/api/v1/children/${unshared}`, school.token, correction)).statusCode, 404, 'another agency without access');
    assert.equal((await call('PATCH', `/api/v1/children/${westbrookChild}`, worker.token, correction)).statusCode, 404, 'another partnership');
    assert.equal((await call('PATCH', `/api/v1/children/${child}`, pending.token, correction)).statusCode, 401, 'unapproved');
    assert.equal((await call('PATCH', `/api/v1/children/${child}`, null, correction)).statusCode, 401, 'no token');
    for (const url of ['/api/v1/children/not-a-uuid', "/api/v1/children/1'or'1", `/api/v1/children/${'x'.repeat(500)}`]) {
      const r = await call('PATCH', url, worker.token, correction);
      assert.equal(r.statusCode, 404, url);
      assert.equal(body<{ error: { code: string } }>(r).error.code, 'LANTERN_E_NOT_FOUND');
    }
    assert.deepEqual(await columns(child), was);
    const [{ n }] = (await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'record.update' AND details->>'apiToken' IN ($1, $2, $3)`,
      [readOnly.id, analyst.id, school.id],
    )) as [{ n: number }];
    assert.equal(n, 0, 'no change audited for a refused token');
  });

  test('the OpenAPI document describes the correction with its scope', async () => {
    const doc = body<{ paths: Record<string, Record<string, { security: Record<string, string[]>[]; requestBody?: unknown }>> }>(
      await call('GET', '/api/openapi.json', null),
    );
    const patch = doc.paths['/api/v1/children/{id}']?.patch;
    assert.ok(patch?.requestBody, 'described with its body');
    assert.deepEqual(patch.security, [{ bearerToken: ['children:write'] }]);
  });
});
