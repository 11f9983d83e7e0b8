import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes } from '../../src/authz/policy.ts';
import { apiTokens } from '../helpers/api-tokens.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * The MACE API (issue 12 §4): meetings listed, read with their agenda, planned and their agenda built by
 * a partner system through the pages' service, with the pages' rules (the co-ordinator chairs, the
 * analyst reads) and the token's scopes mace:read / mace:write; restricted items are not given to a
 * token of another agency; every call audited naming the token; the OpenAPI document describes them.
 */
let ctx: TestContext;
let tokens: ReturnType<typeof apiTokens>;
let chair: { token: string; id: string };
let analyst: { token: string; id: string };

type Json = Record<string, unknown>;
const call = (...args: Parameters<ReturnType<typeof apiTokens>['call']>) => tokens.call(...args);

before(async () => {
  ctx = await createTestContext();
  tokens = apiTokens(ctx);
  chair = await tokens.createToken('MACE chair system', 'coordinator', ['coordinator']);
  analyst = await tokens.createToken('Police MACE reader', 'analyst', ['analyst']);
});
after(async () => ctx.close());

describe('MACE meetings through the API', () => {
  let meeting = '';

  test('the chair’s token plans a meeting and builds its agenda; each call audited with the token', async () => {
    const bad = await call('POST', '/api/v1/mace/meetings', chair.token, { title: '', held_on: '2027-02-30' });
    assert.equal(bad.statusCode, 400);
    const created = await call('POST', '/api/v1/mace/meetings', chair.token, { title: 'API MACE', held_on: '2027-04-01', venue: 'Online' });
    assert.equal(created.statusCode, 201, created.body);
    meeting = created.json<{ id: string }>().id;
    const built = await call('POST', `/api/v1/mace/meetings/${meeting}/agenda`, chair.token);
    assert.equal(built.statusCode, 200, built.body);
    const counts = built.json<{ victims: number; offenders: number; locations: number; cut_off: string }>();
    assert.ok(counts.victims > 0 && counts.offenders > 0, JSON.stringify(counts));
    assert.match(counts.cut_off, /^\d{4}-\d{2}-\d{2}$/);
    const audited = await ctx.ownerQuery<{ action: string }>(
      `SELECT action FROM audit_events WHERE details->>'apiToken' = $1 AND record_type = 'mace_meeting' ORDER BY seq`,
      [chair.id],
    );
    assert.deepEqual(
      audited.map((r) => r.action),
      ['record.create', 'record.update'],
    );
  });

  test('the analyst’s token reads the meetings and the agenda, but an item restricted to another agency is not given', async () => {
    const list = await call('GET', '/api/v1/mace/meetings', analyst.token);
    assert.equal(list.statusCode, 200);
    assert.ok(list.json<{ meetings: { id: string }[] }>().meetings.some((m) => m.id === meeting));
    const [item] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM mace_agenda_items WHERE meeting_id = $1 AND section = 'victims' ORDER BY id LIMIT 1`, [
      meeting,
    ]);
    await ctx.ownerQuery(
      `UPDATE mace_agenda_items SET restricted_to_agency_ids = ARRAY[(SELECT id FROM agencies a WHERE a.partnership_id = mace_agenda_items.partnership_id AND kind = 'health')] WHERE id = $1`,
      [item!.id],
    );
    const read = await call('GET', `/api/v1/mace/meetings/${meeting}`, analyst.token);
    assert.equal(read.statusCode, 200, read.body);
    const items = read.json<{ items: Json[] }>().items;
    assert.ok(items.length > 0);
    assert.ok(!items.some((i) => i.id === item!.id), 'the restricted item is not given to the police analyst');
    const full = (await call('GET', `/api/v1/mace/meetings/${meeting}`, chair.token)).json<{ items: Json[] }>().items;
    assert.ok(
      full.some((i) => i.id === item!.id),
      'the chair reads it',
    );
  });

  test('the analyst cannot write; a token without the MACE scopes, or of a role without MACE, is refused; malformed and unknown ids 404', async () => {
    assert.equal((await call('POST', '/api/v1/mace/meetings', analyst.token, { title: 'No', held_on: '2027-04-01' })).statusCode, 403);
    assert.equal((await call('POST', `/api/v1/mace/meetings/${meeting}/agenda`, analyst.token)).statusCode, 403);
    const narrow = await tokens.createToken('Chair without MACE scopes', 'coordinator', ['coordinator'], {
      scopes: apiScopes.filter((s) => !s.startsWith('mace:')),
    });
    assert.equal((await call('GET', '/api/v1/mace/meetings', narrow.token)).statusCode, 403);
    const practitioner = await tokens.createToken('Social work system', 'social-worker', ['practitioner']);
    assert.equal((await call('GET', '/api/v1/mace/meetings', practitioner.token)).statusCode, 403);
    assert.equal((await call('GET', '/api/v1/mace/meetings/not-a-uuid', chair.token)).statusCode, 404);
    assert.equal((await call('GET', `/api/v1/mace/meetings/${crypto.randomUUID()}`, chair.token)).statusCode, 404);
  });

  test('the OpenAPI document describes the MACE routes with their scopes', async () => {
    const doc = (await call('GET', '/api/openapi.json', null)).json<{ paths: Record<string, Record<string, Json>> }>();
    for (const path of ['/api/v1/mace/meetings', '/api/v1/mace/meetings/{id}', '/api/v1/mace/meetings/{id}/agenda']) assert.ok(doc.paths[path], path);
    assert.ok(doc.paths['/api/v1/mace/meetings']!.get && doc.paths['/api/v1/mace/meetings']!.post);
    assert.match(JSON.stringify(doc.paths['/api/v1/mace/meetings/{id}/agenda']), /mace:write/);
  });
});
