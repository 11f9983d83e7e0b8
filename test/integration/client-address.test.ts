import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * Client addresses come from trusted proxies only (LANTERN_TRUSTED_PROXIES), and the JSON API is
 * rate limited per token (LANTERN_API_RATE_LIMIT). One server trusts no proxy and allows five
 * API requests a minute; another trusts 127.0.0.1, the address every injected request comes from.
 */
let direct: TestContext;
let proxied: TestContext;

before(async () => {
  direct = await createTestContext({ configOverrides: { LANTERN_API_RATE_LIMIT: '5' } });
  proxied = await createTestContext({ configOverrides: { LANTERN_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' } });
});
after(async () => {
  await direct?.close();
  await proxied?.close();
});

let addressCounter = 0;
/** A different documentation address (RFC 5737) each time. */
const anotherAddress = () => `203.0.113.${(addressCounter++ % 250) + 1}`;

/** Posts a form as the agent would (its cookies and CSRF token), with extra headers. */
function postForm(ctx: TestContext, agent: Agent, url: string, form: Record<string, string>, headers: Record<string, string>) {
  const cookie = ['lantern_csrf', 'lantern_session']
    .filter((name) => agent.cookie(name))
    .map((name) => `${name}=${agent.cookie(name)}`)
    .join('; ');
  return ctx.app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams({ ...form, _csrf: agent.csrfToken }).toString(),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

async function auditedAddress(ctx: TestContext, email: string): Promise<string | null> {
  const rows = await ctx.ownerQuery<{ client_address: string | null }>(
    `SELECT client_address FROM audit_events WHERE actor_label = $1 ORDER BY id DESC LIMIT 1`,
    [email],
  );
  return rows[0]?.client_address ?? null;
}

async function reportConcerns(ctx: TestContext, addressFor: (i: number) => string): Promise<number[]> {
  const northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  const agent = new Agent(ctx.app);
  await agent.get('/report');
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await postForm(
      ctx,
      agent,
      '/report',
      { partnershipId: northmere, whatHappened: `A worry reported from a park, number ${i}.`, anonymous: 'yes' },
      { 'x-forwarded-for': addressFor(i) },
    );
    statuses.push(r.statusCode);
  }
  return statuses;
}

/** A practitioner issues a token with their own role; an administrator approves it (H1). */
async function apiToken(ctx: TestContext, name: string): Promise<string> {
  const issuer = await signIn(ctx.app, ctx.clock, ctx.account('police.northmere@lantern.example'));
  await issuer.get('/admin/api-tokens');
  const created = await issuer.follow(issuer.post('/admin/api-tokens', { name, roles: 'practitioner', scopes: 'children:read' }));
  const token = /id="api-token">([^<]+)</.exec(created.body)?.[1];
  assert.ok(token, created.body.slice(0, 300));
  const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM api_tokens WHERE name = $1`, [name]);
  const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  await admin.get('/admin/api-tokens');
  assert.equal((await admin.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 302);
  return token;
}

const api = (ctx: TestContext, token: string | null, headers: Record<string, string> = {}) =>
  ctx.app.inject({ method: 'GET', url: '/api/v1/children', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

describe('the JSON API is limited per token (LANTERN_API_RATE_LIMIT, five a minute here)', () => {
  test('a token over the limit gets 429 LANTERN_E_RATE_LIMITED with Retry-After; another token still gets 200', async () => {
    const busy = await apiToken(direct, 'Busy system');
    const quiet = await apiToken(direct, 'Quiet system');
    const statuses: number[] = [];
    // Each request claims another address: the token, not the address, is what is counted.
    for (let i = 0; i < 5; i++) statuses.push((await api(direct, busy, { 'x-forwarded-for': anotherAddress() })).statusCode);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const refused = await api(direct, busy);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'LANTERN_E_RATE_LIMITED');
    assert.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 60, `Retry-After ${refused.headers['retry-after']}`);
    assert.equal((await api(direct, quiet)).statusCode, 200);
  });

  test('requests without a valid token are limited per address, whatever token they make up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await api(direct, `lantern_made-up-token-number-${i}-xxxxxxxxxxxx`, { 'x-forwarded-for': anotherAddress() })).statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
  });
});

describe('with no trusted proxy, X-Forwarded-For is ignored', () => {
  test('the audited client address is the connection’s, not the header’s', async () => {
    const agent = new Agent(direct.app);
    await agent.get('/sign-in');
    await postForm(direct, agent, '/sign-in', { email: 'nobody.two@lantern.example', password: 'wrong' }, { 'x-forwarded-for': '203.0.113.77' });
    assert.equal(await auditedAddress(direct, 'nobody.two@lantern.example'), '127.0.0.1');
  });

  test('a sixth public concern is refused even when each claims another address', async () => {
    const statuses = await reportConcerns(direct, () => anotherAddress());
    assert.deepEqual(statuses, [302, 302, 302, 302, 302, 429]);
  });

  test('the per-address sign-in throttle holds when each attempt claims another address', async () => {
    const agent = new Agent(direct.app);
    await agent.get('/sign-in');
    // 50 failures from one address (each for a different unknown account, so no account locks).
    for (let i = 0; i < 50; i++) {
      await postForm(direct, agent, '/sign-in', { email: `stuffed.${i}@example.invalid`, password: 'guess' }, { 'x-forwarded-for': anotherAddress() });
    }
    const account = direct.account('analyst.northmere@lantern.example');
    const r = await postForm(direct, agent, '/sign-in', { email: account.email, password: account.password }, { 'x-forwarded-for': anotherAddress() });
    assert.equal(r.statusCode, 200, 'the right password is refused while the address is locked');
    assert.notEqual(r.headers.location, '/sign-in/code');
    assert.equal(await auditedAddress(direct, account.email), '127.0.0.1');
    direct.clock.advance(16 * 60_000);
  });
});

describe('with 127.0.0.1 trusted (LANTERN_TRUSTED_PROXIES), its X-Forwarded-For is the client address', () => {
  test('the audited address is the forwarded one', async () => {
    const agent = new Agent(proxied.app);
    await agent.get('/sign-in');
    await postForm(proxied, agent, '/sign-in', { email: 'nobody.three@lantern.example', password: 'wrong' }, { 'x-forwarded-for': '203.0.113.78' });
    assert.equal(await auditedAddress(proxied, 'nobody.three@lantern.example'), '203.0.113.78');
  });

  test('a trusted proxy’s header is read only back to the first untrusted hop', async () => {
    // The client wrote 198.51.100.1 itself; 203.0.113.79 reached the proxy at 127.0.0.1, which is trusted, and is not.
    const agent = new Agent(proxied.app);
    await agent.get('/sign-in');
    await postForm(
      proxied,
      agent,
      '/sign-in',
      { email: 'nobody.four@lantern.example', password: 'wrong' },
      { 'x-forwarded-for': '198.51.100.1, 203.0.113.79' },
    );
    assert.equal(await auditedAddress(proxied, 'nobody.four@lantern.example'), '203.0.113.79');
  });

  test('public concerns are counted per forwarded address', async () => {
    assert.deepEqual(await reportConcerns(proxied, () => anotherAddress()), [302, 302, 302, 302, 302, 302]);
    assert.deepEqual(await reportConcerns(proxied, () => '198.51.100.9'), [302, 302, 302, 302, 302, 429]);
  });
});
