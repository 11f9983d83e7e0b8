import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatDateTime } from '../../src/dates.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/** API tokens last 30, 90 (the default), 180 or 365 days; the list shows when; the API refuses an expired token. */
let ctx: TestContext;
let police: string;
const day = 86_400_000;

before(async () => {
  ctx = await createTestContext();
  police = (
    await ctx.ownerQuery<{ id: string }>(
      `SELECT a.id FROM agencies a JOIN partnerships p ON p.id = a.partnership_id WHERE p.code = 'northmere' AND a.kind = 'police'`,
    )
  )[0]!.id;
});
after(async () => ctx.close());

let approver: Agent | undefined;
const admin = () => signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
/** Tokens are issued by someone holding the roles (a police practitioner) and approved by an administrator (H1). */
const issuer = () => signIn(ctx.app, ctx.clock, ctx.account('police.northmere@lantern.example'));

async function createToken(agent: Agent, name: string, form: Record<string, string> = {}) {
  await agent.get('/admin/api-tokens');
  const r = await agent.follow(agent.post('/admin/api-tokens', { name, roles: 'practitioner', scopes: 'children:read', ...form }));
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  const token = /id="api-token">([^<]+)</.exec(r.body)?.[1];
  assert.ok(token);
  const [row] = await ctx.ownerQuery<{ id: string; expires_at: Date; agency_id: string }>(`SELECT id, expires_at, agency_id FROM api_tokens WHERE name = $1`, [
    name,
  ]);
  assert.equal(row!.agency_id, police, 'the issuer’s agency');
  approver ??= await admin();
  await approver.get('/admin/api-tokens');
  assert.equal((await approver.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 302);
  return { token, body: r.body, id: row!.id, expiresAt: new Date(row!.expires_at) };
}
const children = (token: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/children', headers: { authorization: `Bearer ${token}` } });

describe('API token expiry', () => {
  test('the form offers 30, 90, 180 and 365 days with 90 chosen; an unknown choice is refused', async () => {
    const agent = await issuer();
    const page = await agent.get('/admin/api-tokens');
    for (const days of ['30', '90', '180', '365']) assert.ok(page.body.includes(`value="${days}"`), days);
    assert.match(page.body, /name="expiresInDays" type="radio" value="90" checked/);
    const refused = await agent.post('/admin/api-tokens', { name: 'Week-long token', roles: 'practitioner', scopes: 'children:read', expiresInDays: '7' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /govuk-error-summary/);
    assert.match(refused.body, /Choose how long the token lasts/);
    assert.ok(refused.body.includes('href="#expiresInDays"'));
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM api_tokens WHERE name = 'Week-long token'`)).length, 0);
  });

  test('a token lasts the days chosen (90 by default); the list and the audit row show when it expires', async () => {
    const agent = await issuer();
    const created = ctx.clock.now();
    const standard = await createToken(agent, 'Default lifetime');
    assert.equal(standard.expiresAt.getTime(), created.getTime() + 90 * day);
    assert.match(standard.body, /id="token-expiry">It expires on/);
    const yearlyCreated = ctx.clock.now();
    const yearly = await createToken(agent, 'Yearly token', { expiresInDays: '365' });
    assert.equal(yearly.expiresAt.getTime(), yearlyCreated.getTime() + 365 * day);
    const [audit] = await ctx.ownerQuery<{ details: { expiresInDays: number; expiresAt: string } }>(
      `SELECT details FROM audit_events WHERE action = 'api_token.create' AND record_id = $1`,
      [yearly.id],
    );
    assert.deepEqual(audit!.details.expiresInDays, 365);
    assert.equal(new Date(audit!.details.expiresAt).getTime(), yearly.expiresAt.getTime());
    const list = await agent.get('/admin/api-tokens');
    const expiry = formatDateTime(yearly.expiresAt);
    assert.ok(list.body.includes(expiry), `the list shows ${expiry}`);
  });

  test('an expired token is refused by the API (the test clock moves past its expiry)', async () => {
    const agent = await issuer();
    const { token, id } = await createToken(agent, 'Thirty days', { expiresInDays: '30' });
    assert.equal((await children(token)).statusCode, 200);
    ctx.clock.advance(29 * day);
    assert.equal((await children(token)).statusCode, 200, 'still valid on day 29');
    ctx.clock.advance(day + 1000);
    const refused = await children(token);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'LANTERN_E_UNAUTHENTICATED');
    const list = await (await admin()).get('/admin/api-tokens');
    const row = list.body.slice(list.body.indexOf('<td class="govuk-table__cell">Thirty days</td>'));
    assert.match(row.slice(0, row.indexOf('</tr>')), /Expired/);
    assert.ok(!row.slice(0, row.indexOf('</tr>')).includes(`/admin/api-tokens/${id}/revoke`), 'nothing to revoke once expired');
  });
});

describe('API tokens always expire', () => {
  test('a token without an expiry cannot be stored', async () => {
    const [admin] = await ctx.ownerQuery<{ id: string; partnership_id: string }>(
      `SELECT id, partnership_id FROM users WHERE email = 'admin.northmere@lantern.example'`,
    );
    await assert.rejects(
      ctx.ownerQuery(
        `INSERT INTO api_tokens (partnership_id, agency_id, name, token_hash, roles, created_by)
      VALUES ($1, $2, 'No expiry', 'not-a-real-hash', ARRAY['practitioner'], $3)`,
        [admin!.partnership_id, police, admin!.id],
      ),
      /expires_at/,
    );
  });
});
