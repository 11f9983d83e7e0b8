import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCode } from '../../src/auth/totp.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent } from '../helpers/http.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';

// Single sign-on (issue 16 §1) against a real OpenID Connect provider on loopback (oidc-provider).
const publicUrl = 'http://localhost:3000';
let ctx: TestContext;
let idp: TestProvider;

before(async () => {
  idp = await startTestProvider({ redirectUri: `${publicUrl}/sign-in/oidc/callback` });
  ctx = await createTestContext({
    configOverrides: {
      LANTERN_PUBLIC_URL: publicUrl,
      LANTERN_OIDC_ISSUER: idp.issuer,
      LANTERN_OIDC_CLIENT_ID: idp.clientId,
      LANTERN_OIDC_CLIENT_SECRET: idp.clientSecret,
    },
  });
});
after(async () => {
  await ctx.close();
  await idp.close();
});

/** Starts single sign-on from the sign-in page; the provider's answer as the callback URL, and the agent holding the state cookie. */
async function startSignIn(login: TestProvider['nextLogin']): Promise<{ agent: Agent; callback: string }> {
  const agent = new Agent(ctx.app);
  const page = await agent.get('/sign-in');
  assert.match(page.body, /Sign in with your organisation account/);
  const start = await agent.post('/sign-in/oidc', {});
  assert.equal(start.statusCode, 302, start.body.slice(0, 500));
  const location = String(start.headers.location);
  assert.ok(location.startsWith(idp.issuer), location);
  const query = new URL(location).searchParams;
  assert.equal(query.get('code_challenge_method'), 'S256');
  assert.ok(query.get('state') && query.get('nonce') && query.get('code_challenge'));
  assert.equal(query.get('redirect_uri'), `${publicUrl}/sign-in/oidc/callback`);
  idp.nextLogin = login;
  return { agent, callback: await idp.authorize(location) };
}

const audits = (label: string, action: string) =>
  ctx.ownerQuery<{ details: Record<string, unknown> }>(`SELECT details FROM audit_events WHERE actor_label = $1 AND action = $2 ORDER BY occurred_at`, [
    label,
    action,
  ]);

describe('single sign-on with OpenID Connect', () => {
  test('the provider’s second factor is honoured: straight to the home page, audited, identity bound', async () => {
    const email = 'triage.northmere@lantern.example';
    idp.accounts.set('sub-triage', { email: email.toUpperCase(), emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-triage', amr: ['pwd', 'mfa'] });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 302, back.body.slice(0, 800));
    assert.equal(back.headers.location, '/');
    const home = await agent.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Northmere Safeguarding Children Partnership/);
    const rows = await audits(email, 'sign_in.success');
    assert.equal(rows.at(-1)!.details.method, 'oidc');
    const links = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM oidc_identities WHERE subject = 'sub-triage'`);
    assert.equal(links[0]!.n, 1);
  });

  test('without the provider’s second factor, Lantern asks for its own', async () => {
    const account = ctx.account('analyst.northmere@lantern.example');
    idp.accounts.set('sub-analyst', { email: account.email, emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-analyst', amr: ['pwd'] });
    const back = await agent.get(callback);
    assert.equal(back.headers.location, '/sign-in/code');
    assert.equal((await agent.get('/')).headers.location, '/sign-in', 'not signed in yet');
    await agent.get('/sign-in/code');
    ctx.clock.advance(31_000);
    const code = await agent.post('/sign-in/code', { code: await totpCode(account.totpSecret, ctx.clock.now()) });
    assert.equal(code.headers.location, '/');
    assert.equal((await agent.get('/')).statusCode, 200);
  });

  test('a replayed code signs nobody in, with or without the original state cookie', async () => {
    idp.accounts.set('sub-dpo', { email: 'dpo.westbrook@lantern.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-dpo', amr: ['mfa'] });
    const stateCookie = agent.cookie('lantern_oidc')!;
    assert.ok(stateCookie);
    assert.equal((await agent.get(callback)).headers.location, '/');
    // The same callback again in the same browser: the state is gone.
    const again = await agent.get(callback);
    assert.equal(again.statusCode, 403);
    assert.match(again.body, /data-reason="expired"/);
    // An attacker who kept the state cookie too: the provider refuses the used code.
    const thief = new Agent(ctx.app);
    thief.setCookie('lantern_oidc', stateCookie);
    const replay = await thief.get(callback);
    assert.equal(replay.statusCode, 403);
    assert.match(replay.body, /data-reason="rejected"/);
    assert.equal(thief.cookie('lantern_session'), undefined);
  });

  test('an ID token for another audience is refused', async () => {
    idp.accounts.set('sub-aud', { email: 'school.westbrook@lantern.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-aud', amr: ['mfa'] });
    idp.tamper = (claims) => ({ ...claims, aud: 'someone-else', azp: 'someone-else' });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /data-reason="rejected"/);
    assert.equal(agent.cookie('lantern_session'), undefined);
    assert.equal(idp.tamper, null, 'the token endpoint was called and its answer tampered with');
  });

  test('an ID token with the wrong nonce is refused', async () => {
    idp.accounts.set('sub-nonce', { email: 'school.westbrook@lantern.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-nonce', amr: ['mfa'] });
    idp.tamper = (claims) => ({ ...claims, nonce: 'a-nonce-from-another-sign-in' });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /data-reason="rejected"/);
    assert.equal(agent.cookie('lantern_session'), undefined);
  });

  test('a callback whose state is not the one started is refused', async () => {
    idp.accounts.set('sub-state', { email: 'school.westbrook@lantern.example', emailVerified: true });
    const first = await startSignIn({ accountId: 'sub-state', amr: ['mfa'] });
    const second = await startSignIn({ accountId: 'sub-state', amr: ['mfa'] });
    // The first sign-in's answer delivered to the browser that started the second (login CSRF).
    const crossed = await second.agent.get(first.callback);
    assert.equal(crossed.statusCode, 403);
    assert.equal(second.agent.cookie('lantern_session'), undefined);
  });

  test('an unknown email gets a clear refusal, audited, and no account is made', async () => {
    idp.accounts.set('sub-stranger', { email: 'stranger@elsewhere.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-stranger', amr: ['mfa'] });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /There is no Lantern account for the email address your organisation gave/);
    assert.equal(agent.cookie('lantern_session'), undefined);
    const rows = await audits('stranger@elsewhere.example', 'sign_in.failure');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.details.reason, 'unknown_account');
    assert.equal(rows[0]!.details.step, 'oidc');
    const users = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE email = 'stranger@elsewhere.example'`);
    assert.equal(users[0]!.n, 0);
  });

  test('an email the provider has not verified opens no account', async () => {
    idp.accounts.set('sub-unverified', { email: 'school.westbrook@lantern.example', emailVerified: false });
    const { agent, callback } = await startSignIn({ accountId: 'sub-unverified', amr: ['mfa'] });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /data-reason="unverified_email"/);
    assert.equal(agent.cookie('lantern_session'), undefined);
  });

  test('once bound, an account is not opened by another subject with the same email', async () => {
    // sub-triage was bound to the triage account in the first test.
    idp.accounts.set('sub-impostor', { email: 'triage.northmere@lantern.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-impostor', amr: ['mfa'] });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /data-reason="identity_mismatch"/);
  });

  test('a disabled account is refused', async () => {
    await ctx.ownerQuery(`UPDATE users SET disabled_at = now() WHERE email = 'school.westbrook@lantern.example'`);
    idp.accounts.set('sub-disabled', { email: 'school.westbrook@lantern.example', emailVerified: true });
    const { agent, callback } = await startSignIn({ accountId: 'sub-disabled', amr: ['mfa'] });
    const back = await agent.get(callback);
    assert.equal(back.statusCode, 403);
    assert.match(back.body, /data-reason="unknown_account"/);
    await ctx.ownerQuery(`UPDATE users SET disabled_at = NULL WHERE email = 'school.westbrook@lantern.example'`);
  });
});

describe('single sign-on configuration', () => {
  const base = { LANTERN_PUBLIC_URL: 'https://lantern.example.org', LANTERN_OIDC_CLIENT_ID: 'lantern', LANTERN_OIDC_CLIENT_SECRET: 'a-long-enough-secret' };
  test('all three settings or none; the redirect URI is on Lantern’s own address', () => {
    assert.equal(loadConfig({}).oidc, undefined);
    assert.throws(() => loadConfig({ LANTERN_OIDC_ISSUER: 'https://login.example.org/' }), /give all three, or none/);
    const config = loadConfig({ ...base, LANTERN_OIDC_ISSUER: 'https://login.example.org/' });
    assert.equal(config.oidc?.redirectUri, 'https://lantern.example.org/sign-in/oidc/callback');
    assert.equal(config.oidc?.insecureLoopback, false);
  });
  test('an http:// issuer only on loopback outside production', () => {
    assert.equal(loadConfig({ ...base, LANTERN_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.insecureLoopback, true);
    assert.throws(() => loadConfig({ ...base, LANTERN_OIDC_ISSUER: 'http://login.example.org/' }), /http:\/\/ is accepted only on a loopback address/);
    assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production', LANTERN_OIDC_ISSUER: 'http://127.0.0.1:9000' }), /LANTERN_OIDC_ISSUER: must be https/);
  });
  test('without a public address there is no redirect URI', () => {
    assert.throws(
      () => loadConfig({ LANTERN_OIDC_ISSUER: 'https://login.example.org/', LANTERN_OIDC_CLIENT_ID: 'x', LANTERN_OIDC_CLIENT_SECRET: 'a-long-enough-secret' }),
      /LANTERN_PUBLIC_URL: needed/,
    );
  });
  test('without configuration there is no single sign-on service (the sign-in page and routes check it)', () => {
    assert.equal(loadConfig({ NODE_ENV: 'test' }).oidc, undefined);
  });
});
