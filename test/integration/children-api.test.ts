import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes, can } from '../../src/authz/policy.ts';
import { apiTokenRoles } from '../../src/features/children/schema.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/** The partner API: tokens made on the admin page, the same permissions, RLS and audit as the pages. */
let ctx: TestContext;
let admin: Agent;
let northmere: string;
const agency: Record<string, string> = {};

before(async () => {
  ctx = await createTestContext();
  admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agency[a.kind] = a.id;
});
after(async () => ctx.close());

const issuers = new Map<string, Agent>();
/**
 * Issues a token as a demo account holding the roles (for its own agency), then approves it as the
 * administrator (H1): a token carries no more than its issuer holds and works once approved.
 */
async function createToken(name: string, issuerKey: string, roles: string[], approve = true, scopes: readonly string[] = apiScopes): Promise<string> {
  const email = `${issuerKey}.northmere@lantern.example`;
  if (!issuers.has(email)) issuers.set(email, await signIn(ctx.app, ctx.clock, ctx.account(email)));
  const issuer = issuers.get(email)!;
  await issuer.get('/admin/api-tokens');
  const r = await issuer.follow(issuer.post('/admin/api-tokens', { name, roles, scopes: [...scopes] }));
  assert.equal(r.statusCode, 200, r.body.slice(0, 200));
  const token = /id="api-token">([^<]+)</.exec(r.body)?.[1];
  assert.ok(token);
  if (approve) {
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM api_tokens WHERE name = $1`, [name]);
    await admin.get('/admin/api-tokens');
    assert.equal((await admin.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 302);
  }
  return token;
}

const api = (method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown, headers: Record<string, string> = {}) =>
  ctx.app.inject({
    method,
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });

describe('API tokens and the JSON API', () => {
  test('the token is shown once and only its hash is stored; creating it is audited', async () => {
    const token = await createToken('Police case system', 'police', ['practitioner']);
    const rows = await ctx.ownerQuery<{ token_hash: string }>(`SELECT token_hash FROM api_tokens WHERE name = 'Police case system'`);
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.token_hash, token);
    assert.match(rows[0]!.token_hash, /^[0-9a-f]{64}$/);
    const list = await admin.get('/admin/api-tokens');
    assert.ok(!list.body.includes(token), 'never shown again');
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'api_token.create'`))[0]!.n, 1);
  });

  test('no token, a wrong token or a session cookie gives 401', async () => {
    assert.equal((await api('GET', '/api/v1/children', null)).statusCode, 401);
    assert.equal((await api('GET', '/api/v1/children', 'lantern_not-a-real-token-at-all-xxxxxxxx')).statusCode, 401);
    const cookie = `lantern_session=${admin.cookie('lantern_session')}`;
    const r = await api('GET', '/api/v1/children', null, undefined, { cookie });
    assert.equal(r.statusCode, 401);
    assert.equal(r.json<{ error: { code: string } }>().error.code, 'LANTERN_E_UNAUTHENTICATED');
  });

  test('a practitioner token sees its agency’s children only, and every read is audited', async () => {
    const token = await createToken('Police reader', 'police', ['practitioner']);
    const r = await api('GET', '/api/v1/children?status=all&limit=100', token);
    assert.equal(r.statusCode, 200);
    const { children } = r.json<{ children: { id: string }[] }>();
    assert.ok(children.length > 0);
    const owned = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE owning_agency_id = $1 AND NOT restricted`, [agency.police]);
    const shared = await ctx.ownerQuery<{ id: string }>(`SELECT record_id::uuid AS id FROM record_shares WHERE agency_id = $1 AND revoked_at IS NULL`, [
      agency.police,
    ]);
    const allowed = new Set([...owned, ...shared].map((c) => c.id));
    for (const c of children) assert.ok(allowed.has(c.id), 'only police-held or shared children');
    const [other] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND owning_agency_id = $2 LIMIT 1`, [
      northmere,
      agency.education,
    ]);
    assert.equal((await api('GET', `/api/v1/children/${other!.id}`, token)).statusCode, 404);
    const [westbrookChild] = await ctx.ownerQuery<{ id: string }>(
      `SELECT c.id FROM children c JOIN partnerships p ON p.id = c.partnership_id WHERE p.code = 'westbrook' LIMIT 1`,
    );
    assert.equal((await api('GET', `/api/v1/children/${westbrookChild!.id}`, token)).statusCode, 404);
    const one = await api('GET', `/api/v1/children/${children[0]!.id}`, token);
    assert.equal(one.statusCode, 200);
    assert.match(one.json<{ date_of_birth: string }>().date_of_birth, /^\d{4}-\d{2}-\d{2}$/);
    const [audit] = await ctx.ownerQuery<{ actor_label: string; details: { via: string } }>(
      `SELECT actor_label, details FROM audit_events WHERE action = 'record.view' AND record_id = $1 ORDER BY id DESC LIMIT 1`,
      [children[0]!.id],
    );
    assert.equal(audit!.actor_label, 'api-token:Police reader');
    assert.equal(audit!.details.via, 'api');
  });

  test('a triage token searches by POST and raises a concern into the queue', async () => {
    const token = await createToken('MASH system', 'triage', ['triage_worker']);
    const search = await api('POST', '/api/v1/children/search', token, { name: 'Kayleigh Smith' });
    assert.equal(search.statusCode, 200);
    assert.ok(search.json<{ matches: { given_name: string }[] }>().matches.some((m) => m.given_name === 'Kayley'));
    assert.equal((await api('POST', '/api/v1/children/search', token, {})).statusCode, 400);
    const created = await api('POST', '/api/v1/concerns', token, {
      whatHappened: 'Referral from the police case system: girl found in a car at 2am.',
      where: 'Ring road lay-by',
    });
    assert.equal(created.statusCode, 201);
    const body = created.json<{ reference: string; id: string }>();
    assert.match(body.reference, /^CN-/);
    const [row] = await ctx.ownerQuery<{ source: string; raised_by_agency_id: string }>(`SELECT source, raised_by_agency_id FROM concerns WHERE id = $1`, [
      body.id,
    ]);
    assert.deepEqual(row, { source: 'partner_system', raised_by_agency_id: agency.childrens_services });
    const bad = await api('POST', '/api/v1/concerns', token, { whatHappened: 'short', extra: 'field' });
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json<{ error: { issues: unknown[] } }>().error.issues.length > 0);
    const list = await api('GET', '/api/v1/concerns?limit=10', token);
    assert.equal(list.statusCode, 200);
    assert.ok(list.json<{ concerns: { id: string }[] }>().concerns.some((c) => c.id === body.id));
  });

  test('each token role gets exactly the API routes its permissions allow', async () => {
    const routes: { method: 'GET' | 'POST'; url: string; permission: 'children.read' | 'concerns.raise'; body?: unknown }[] = [
      { method: 'GET', url: '/api/v1/children', permission: 'children.read' },
      { method: 'GET', url: `/api/v1/children/${crypto.randomUUID()}`, permission: 'children.read' },
      { method: 'POST', url: '/api/v1/children/search', permission: 'children.read', body: { name: 'Smith' } },
      { method: 'GET', url: '/api/v1/concerns', permission: 'children.read' },
      { method: 'POST', url: '/api/v1/concerns', permission: 'concerns.raise', body: { whatHappened: 'A concern raised in the sweep test.' } },
    ];
    for (const role of apiTokenRoles) {
      const issuerOf = { triage_worker: 'triage', practitioner: 'police', coordinator: 'coordinator', analyst: 'analyst' } as const;
      const token = await createToken(`Sweep ${role}`, issuerOf[role], [role]);
      for (const r of routes) {
        const response = await api(r.method, r.url, token, r.body);
        if (can({ userId: 'x', roles: [role] }, r.permission))
          assert.ok([200, 201, 404].includes(response.statusCode), `${role} ${r.method} ${r.url}: ${response.statusCode}`);
        else assert.equal(response.statusCode, 403, `${role} ${r.method} ${r.url}`);
      }
    }
  });

  test('a revoked token stops working at once', async () => {
    const token = await createToken('Short-lived', 'social-worker', ['practitioner']);
    assert.equal((await api('GET', '/api/v1/children', token)).statusCode, 200);
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM api_tokens WHERE name = 'Short-lived'`);
    await admin.get('/admin/api-tokens');
    assert.equal((await admin.post(`/admin/api-tokens/${row!.id}/revoke`, {})).statusCode, 302);
    assert.equal((await api('GET', '/api/v1/children', token)).statusCode, 401);
  });

  test('the OpenAPI document describes every API route', async () => {
    const r = await api('GET', '/api/openapi.json', null);
    assert.equal(r.statusCode, 200);
    const doc = r.json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>();
    assert.match(doc.openapi, /^3\./);
    // Every route's coverage is casework-api.test.ts's; the children's routes are here.
    for (const path of ['/api/v1/children', '/api/v1/children/search', '/api/v1/children/{id}', '/api/v1/concerns']) assert.ok(doc.paths[path], path);
    assert.ok(doc.paths['/api/v1/concerns']!.post && doc.paths['/api/v1/concerns']!.get);
    assert.ok(doc.components.schemas.NewConcern!.properties!.whatHappened, 'request schema generated from zod');
  });
});
