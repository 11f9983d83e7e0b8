import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const idOf = async (email: string) => (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = $1`, [email]))[0]!.id;

describe('administration', () => {
  test('an administrator adds a person who then signs in with the one-time password', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const page = await admin.get('/admin/users/new');
    assert.equal(page.statusCode, 200);
    const agencyId = /<option value="([0-9a-f-]{36})">Westbrook Health Board/.exec(page.body)![1]!;
    const bad = await admin.post('/admin/users/new', { displayName: '', email: 'not-an-email', agencyId: '', roles: [] });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    assert.match(bad.body, /Choose at least one role/);
    const posted = await admin.post('/admin/users/new', { displayName: 'Sam Nurse', email: 'Sam.Nurse@lantern.example', agencyId, roles: ['practitioner'] });
    assert.equal(posted.statusCode, 302, 'post/redirect/get');
    const created = await admin.get(posted.headers.location as string);
    assert.equal(created.statusCode, 200);
    const password = /id="initial-password">([^<]+)</.exec(created.body)![1]!;
    const again = await admin.post('/admin/users/new', { displayName: 'Sam Nurse', email: 'sam.nurse@lantern.example', agencyId, roles: ['practitioner'] });
    assert.equal(again.statusCode, 409);
    const result = await ctx.services.auth.signInWithPassword('sam.nurse@lantern.example', password, { clientAddress: '127.0.0.1', userAgent: null });
    assert.deepEqual(result.ok && result.stage, 'enrol');
    const [row] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'user.create'`);
    assert.ok(row!.n >= 1);
  });

  test('changing a person’s roles ends their sessions', async () => {
    const person = await signIn(ctx.app, ctx.clock, ctx.account('school.westbrook@lantern.example'));
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const id = await idOf('school.westbrook@lantern.example');
    const form = await admin.get(`/admin/users/${id}`);
    const agencyId = /<option value="([0-9a-f-]{36})" selected>/.exec(form.body)![1]!;
    const r = await admin.post(`/admin/users/${id}`, { displayName: 'School Lead', agencyId, roles: ['practitioner', 'strategy_lead'] });
    assert.equal(r.statusCode, 302);
    assert.equal((await person.get('/')).statusCode, 302, 'signed out by the change');
  });

  test('an administrator cannot disable themself', async () => {
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    await admin.get('/admin/users');
    const r = await admin.post(`/admin/users/${await idOf('admin.northmere@lantern.example')}/disable`, {});
    assert.equal(r.statusCode, 409);
  });

  test('grants under a sharing agreement: given by the sharing partnership, revocable, and switching follows them', async () => {
    const northmereAdmin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    const page = await northmereAdmin.get('/admin/sharing');
    assert.equal(page.statusCode, 200);
    const agreementId = /action="\/admin\/sharing\/([0-9a-f-]{36})\/grants"/.exec(page.body)![1]!;
    assert.match(page.body, /coordinator\.westbrook@lantern\.example/, 'existing grantees are listed');
    const unknown = await northmereAdmin.post(`/admin/sharing/${agreementId}/grants`, { email: 'triage.northmere@lantern.example', roles: ['practitioner'] });
    assert.equal(unknown.statusCode, 400, 'only people of the recipient partnership can be granted');
    const ok = await northmereAdmin.post(`/admin/sharing/${agreementId}/grants`, { email: 'police.westbrook@lantern.example', roles: ['practitioner'] });
    assert.equal(ok.statusCode, 302);

    const officer = await signIn(ctx.app, ctx.clock, ctx.account('police.westbrook@lantern.example'));
    const home = await officer.get('/');
    assert.match(home.body, /Work in another partnership/);
    const northmereId = /<option value="([0-9a-f-]{36})">Northmere Safeguarding Children Partnership/.exec(home.body)![1]!;
    assert.equal((await officer.post('/account/partnership', { partnershipId: northmereId })).statusCode, 302);
    assert.match((await officer.get('/')).body, /You are working in Northmere/);

    // The recipient's administrator sees the agreement but cannot grant under it.
    const westbrookAdmin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const theirs = await westbrookAdmin.get('/admin/sharing');
    assert.doesNotMatch(theirs.body, new RegExp(`/admin/sharing/${agreementId}/grants`));
    const sneaky = await westbrookAdmin.post(`/admin/sharing/${agreementId}/grants`, { email: 'school.westbrook@lantern.example', roles: ['analyst'] });
    assert.equal(sneaky.statusCode, 400);

    const officerId = await idOf('police.westbrook@lantern.example');
    const [grant] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnership_access_grants WHERE user_id = $1`, [officerId]);
    assert.equal((await northmereAdmin.post(`/admin/sharing/grants/${grant!.id}/revoke`, {})).statusCode, 302);
    assert.equal((await officer.get('/')).statusCode, 302, 'acting under a revoked grant ends the session');
  });
});
