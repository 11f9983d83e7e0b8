import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpCode } from '../../src/auth/totp.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const bodyWithoutToken = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '');

describe('sign-in', () => {
  test('password then TOTP signs in and shows the home page', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('triage.northmere@lantern.example'));
    const home = await agent.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Northmere Safeguarding Children Partnership/);
    const audit = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'sign_in.success' AND actor_label = 'triage.northmere@lantern.example'`,
    );
    assert.equal(audit[0]!.n, 1);
  });

  test('a wrong password and an unknown account get the same answer', async () => {
    const known = new Agent(ctx.app);
    await known.get('/sign-in');
    const wrong = await known.post('/sign-in', { email: 'dpo.westbrook@lantern.example', password: 'not-the-password' });
    const unknown = new Agent(ctx.app);
    await unknown.get('/sign-in');
    const missing = await unknown.post('/sign-in', { email: 'nobody.at.all@lantern.example', password: 'not-the-password' });
    assert.equal(wrong.statusCode, missing.statusCode);
    assert.equal(
      bodyWithoutToken(wrong.body).replace('dpo.westbrook@lantern.example', 'X'),
      bodyWithoutToken(missing.body).replace('nobody.at.all@lantern.example', 'X'),
    );
    assert.match(wrong.body, /not recognised/);
  });

  test('five failures lock the account for 15 minutes, then it unlocks', async () => {
    const account = ctx.account('school.westbrook@lantern.example');
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    for (let i = 0; i < 5; i++) await agent.post('/sign-in', { email: account.email, password: `wrong-${i}` });
    const locked = await agent.post('/sign-in', { email: account.email, password: account.password });
    assert.equal(locked.statusCode, 200, 'the right password is refused while locked');
    assert.match(locked.body, /not recognised/);
    ctx.clock.advance(16 * 60_000);
    await signIn(ctx.app, ctx.clock, account);
  });

  test('a TOTP code cannot be used twice', async () => {
    const account = ctx.account('analyst.northmere@lantern.example');
    ctx.clock.advance(31_000);
    const code = await totpCode(account.totpSecret, ctx.clock.now());
    for (const expected of [302, 200]) {
      const agent = new Agent(ctx.app);
      await agent.get('/sign-in');
      await agent.post('/sign-in', { email: account.email, password: account.password });
      await agent.get('/sign-in/code');
      const r = await agent.post('/sign-in/code', { code });
      assert.equal(r.statusCode, expected);
    }
  });

  test('a signed-in page without a session redirects to sign-in', async () => {
    const r = await new Agent(ctx.app).get('/admin/users');
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/sign-in');
  });

  test('the session id changes at sign-in', async () => {
    const account = ctx.account('coordinator.northmere@lantern.example');
    const agent = new Agent(ctx.app);
    ctx.clock.advance(31_000);
    await agent.get('/sign-in');
    await agent.post('/sign-in', { email: account.email, password: account.password });
    const before = agent.cookie('lantern_session');
    await agent.get('/sign-in/code');
    await agent.post('/sign-in/code', { code: await totpCode(account.totpSecret, ctx.clock.now()) });
    assert.ok(before);
    assert.notEqual(agent.cookie('lantern_session'), before);
    // The pre-sign-in session cannot be replayed.
    const replay = new Agent(ctx.app);
    replay.setCookie('lantern_session', before);
    assert.equal((await replay.get('/')).statusCode, 302);
  });
});

describe('sessions', () => {
  test('15 minutes idle ends the session', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('police.northmere@lantern.example'));
    ctx.clock.advance(14 * 60_000);
    assert.equal((await agent.get('/')).statusCode, 200);
    ctx.clock.advance(16 * 60_000);
    const r = await agent.get('/');
    assert.equal(r.statusCode, 302);
    assert.equal(r.headers.location, '/sign-in');
  });

  test('12 hours ends the session however active', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('police.westbrook@lantern.example'));
    for (let i = 0; i < 71; i++) {
      ctx.clock.advance(10 * 60_000);
      assert.equal((await agent.get('/')).statusCode, 200, `still signed in after ${(i + 1) * 10} minutes`);
    }
    ctx.clock.advance(11 * 60_000);
    assert.equal((await agent.get('/')).statusCode, 302);
  });

  test('sign-out ends the session on the server at once', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
    const cookie = agent.cookie('lantern_session')!;
    await agent.get('/');
    const out = await agent.post('/sign-out', {});
    assert.equal(out.statusCode, 302, 'post/redirect/get');
    assert.equal(out.headers.location, '/signed-out');
    assert.equal((await agent.get('/signed-out')).statusCode, 200);
    const reuse = new Agent(ctx.app);
    reuse.setCookie('lantern_session', cookie);
    assert.equal((await reuse.get('/')).statusCode, 302);
  });

  test('disabling an account ends its sessions at once', async () => {
    const victim = await signIn(ctx.app, ctx.clock, ctx.account('councillor.northmere@lantern.example'));
    assert.equal((await victim.get('/')).statusCode, 200);
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'councillor.northmere@lantern.example'`);
    await admin.get('/admin/users');
    const r = await admin.post(`/admin/users/${row!.id}/disable`, {});
    assert.equal(r.statusCode, 302);
    assert.equal((await victim.get('/')).statusCode, 302);
  });
});

describe('forms and headers', () => {
  test('a form without its CSRF token is refused with a stable code', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const r = await agent.post('/admin/agencies', { name: 'Westbrook Housing', kind: 'voluntary' }, null);
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /LANTERN_E_CSRF/);
    const forged = await agent.post('/admin/agencies', { name: 'Westbrook Housing', kind: 'voluntary' }, 'forged-token');
    assert.equal(forged.statusCode, 403);
    const [n] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM agencies WHERE name = 'Westbrook Housing'`);
    assert.equal(n!.n, 0);
  });

  test('security headers and no-store on signed-in pages', async () => {
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('dpo.northmere@lantern.example'));
    const r = await agent.get('/audit');
    assert.equal(r.statusCode, 200);
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'same-origin');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['strict-transport-security'], undefined, 'no HSTS in local development');
    assert.doesNotMatch(r.body, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(r.body, /\sstyle="/, 'no inline style');
    const cookie = r.cookies.find((c) => c.name === 'lantern_session');
    assert.equal(cookie, undefined, 'the session cookie is not re-sent on every page');
  });
});
