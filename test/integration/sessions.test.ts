import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';
import { securityEventRetentionDays } from '../../src/security-events.ts';

// Issue 16 §1: an administrator sees and ends one person's sessions; a person sees their own
// sign-in history and signs out their other sessions.

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const person = async (email: string) =>
  (
    await ctx.ownerQuery<{ id: string; partnership_id: string; agency_id: string }>(`SELECT id, partnership_id, agency_id FROM users WHERE email = $1`, [email])
  )[0]!;
/** Whether the agent is still signed in: the home page, not a redirect to sign in. */
const signedIn = async (agent: Agent) => (await agent.get('/')).statusCode === 200;
const shownSessions = (html: string) => [...html.matchAll(/\/sessions\/([0-9a-f]{24})\/end"/g)].map((m) => m[1]!);
const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

describe('a person’s own sessions and sign-in history', () => {
  test('sign-ins and failed attempts are listed for their owner only, with how and from where', async () => {
    const email = 'social-worker.westbrook@lantern.example';
    const other = 'police.westbrook@lantern.example';
    // A failed attempt on each account, from addresses and browsers of their own.
    await ctx.services.auth.signInWithPassword(email, 'not the password at all', { clientAddress: '203.0.113.10', userAgent: firefox });
    await ctx.services.auth.signInWithPassword(other, 'not the password either', { clientAddress: '203.0.113.77', userAgent: null });
    const agent = await signIn(ctx.app, ctx.clock, ctx.account(email));
    const page = await agent.get('/account');
    assert.equal(page.statusCode, 200);
    const history = /<table class="govuk-table" data-sign-in-history>([\s\S]*?)<\/table>/.exec(page.body)![1]!;
    assert.match(history, /data-outcome="success"[\s\S]*Password, then authenticator app/);
    assert.match(history, /data-outcome="failure"[\s\S]*203\.0\.113\.10[\s\S]*Firefox on Linux/);
    assert.doesNotMatch(page.body, /203\.0\.113\.77/, 'another person’s attempt is not shown');
    const otherAgent = await signIn(ctx.app, ctx.clock, ctx.account(other));
    const theirs = await otherAgent.get('/account');
    assert.match(theirs.body, /203\.0\.113\.77/);
    assert.doesNotMatch(theirs.body, /203\.0\.113\.10/);
    // Stored with the account's partnership, and append-only for the request role.
    const { id } = await person(email);
    const rows = await ctx.ownerQuery<{ outcome: string; method: string; second_factor: string | null }>(
      `SELECT outcome, method, second_factor FROM sign_in_events WHERE user_id = $1 ORDER BY occurred_at`,
      [id],
    );
    assert.deepEqual(
      rows.map((r) => `${r.outcome}:${r.method}:${r.second_factor ?? ''}`),
      ['failure:password:', 'success:password:totp'],
    );
    const [privileges] = await ctx.ownerQuery<{ app: boolean; update: boolean }>(
      `SELECT has_table_privilege('lantern_app', 'sign_in_events', 'SELECT') AS app, has_table_privilege('lantern_auth', 'sign_in_events', 'UPDATE') AS update`,
    );
    assert.deepEqual(privileges, { app: false, update: false });
  });

  test('the history is kept as long as the security alerts: the hourly prune removes what is older than a year', async () => {
    const { id } = await person('social-worker.westbrook@lantern.example');
    const [user] = await ctx.ownerQuery<{ partnership_id: string }>(`SELECT partnership_id FROM users WHERE id = $1`, [id]);
    for (const days of [400, 300])
      await ctx.ownerQuery(
        `INSERT INTO sign_in_events (partnership_id, user_id, occurred_at, outcome, method) VALUES ($1, $2, now() - make_interval(days => $3), 'failure', 'password')`,
        [user!.partnership_id, id, days],
      );
    const ages = async () =>
      (
        await ctx.ownerQuery<{ days: number }>(
          `SELECT round(extract(epoch FROM now() - occurred_at) / 86400)::int AS days FROM sign_in_events WHERE user_id = $1 AND occurred_at < now() - interval '200 days' ORDER BY 1`,
          [id],
        )
      ).map((r) => r.days);
    assert.deepEqual(await ages(), [300, 400]);
    await ctx.ownerQuery(`SELECT lantern_prune_security_events(${securityEventRetentionDays})`);
    assert.deepEqual(await ages(), [300], 'older than 365 days: gone; younger: kept');
  });

  test('“sign out your other sessions” ends the others and keeps this one', async () => {
    const account = ctx.account('triage.westbrook@lantern.example');
    const phone = await signIn(ctx.app, ctx.clock, account);
    const laptop = await signIn(ctx.app, ctx.clock, account);
    const page = await laptop.get('/account');
    assert.equal(shownSessions(page.body).length, 2);
    const r = await laptop.post('/account/sessions/end-others', {});
    assert.equal(r.statusCode, 302);
    assert.match((await laptop.get(r.headers.location as string)).body, /Your other sessions have ended/);
    assert.equal(await signedIn(laptop), true);
    assert.equal(await signedIn(phone), false, 'the other browser is signed out');
    assert.equal(shownSessions((await laptop.get('/account')).body).length, 1);
  });
});

describe('an administrator and a person’s sessions', () => {
  test('lists them, ends one (that browser is signed out), then all; audited as a security event', async () => {
    const email = 'school.westbrook@lantern.example';
    const { id } = await person(email);
    const first = await signIn(ctx.app, ctx.clock, ctx.account(email));
    const second = await signIn(ctx.app, ctx.clock, ctx.account(email));
    const third = await signIn(ctx.app, ctx.clock, ctx.account(email));
    const admin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const page = await admin.get(`/admin/users/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Where this person is signed in/);
    assert.match(page.body, /Password, then authenticator app/);
    const shown = shownSessions(page.body);
    assert.equal(shown.length, 3);

    // The newest is listed first: ending it signs the third browser out, and only that one.
    const ended = await admin.post(`/admin/users/${id}/sessions/${shown[0]}/end`, {});
    assert.equal(ended.statusCode, 302);
    assert.equal(ended.headers.location, `/admin/users/${id}#sessions`);
    assert.match((await admin.get(`/admin/users/${id}`)).body, /The session has ended. That device is signed out./);
    assert.equal(await signedIn(third), false);
    assert.equal(await signedIn(first), true);
    assert.equal(await signedIn(second), true);
    // Ended once: again is not found.
    assert.equal((await admin.post(`/admin/users/${id}/sessions/${shown[0]}/end`, {})).statusCode, 404);

    const all = await admin.post(`/admin/users/${id}/sessions/end-all`, {});
    assert.equal(all.statusCode, 302);
    assert.match((await admin.get(all.headers.location as string)).body, /All of this person’s sessions have ended/);
    assert.equal(await signedIn(first), false);
    assert.equal(await signedIn(second), false);
    assert.match((await admin.get(`/admin/users/${id}`)).body, /This person is not signed in anywhere/);

    const audited = await ctx.ownerQuery<{ details: { all: boolean } }>(
      `SELECT details FROM audit_events WHERE action = 'session.end_by_admin' AND record_id = $1 ORDER BY id`,
      [id],
    );
    assert.deepEqual(
      audited.map((a) => a.details.all),
      [false, true],
    );
    const events = await ctx.ownerQuery(`SELECT 1 FROM security_events WHERE event = 'session.ended_by_admin' AND record_id = $1`, [id]);
    assert.equal(events.length, 2);
    const viewed = await ctx.ownerQuery(`SELECT 1 FROM audit_events WHERE action = 'record.view' AND record_type = 'user' AND record_id = $1`, [id]);
    assert.ok(viewed.length >= 1, 'reading the sessions is audited');
  });

  test('another partnership’s administrator can neither see nor end them; nor can someone who is not an administrator', async () => {
    const email = 'police.westbrook@lantern.example';
    const target = await person(email);
    const browser = await signIn(ctx.app, ctx.clock, ctx.account(email));
    const westbrookAdmin = await signIn(ctx.app, ctx.clock, ctx.account('admin.westbrook@lantern.example'));
    const [shown] = shownSessions((await westbrookAdmin.get(`/admin/users/${target.id}`)).body);
    assert.ok(shown);

    const northmereAdmin = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
    assert.equal((await northmereAdmin.get(`/admin/users/${target.id}`)).statusCode, 404);
    assert.equal((await northmereAdmin.post(`/admin/users/${target.id}/sessions/${shown}/end`, {})).statusCode, 404);
    assert.equal((await northmereAdmin.post(`/admin/users/${target.id}/sessions/end-all`, {})).statusCode, 404);
    const colleague = await signIn(ctx.app, ctx.clock, ctx.account('coordinator.westbrook@lantern.example'));
    assert.equal((await colleague.get(`/admin/users/${target.id}`)).statusCode, 403);
    assert.equal((await colleague.post(`/admin/users/${target.id}/sessions/end-all`, {})).statusCode, 403);
    assert.equal((await westbrookAdmin.post(`/admin/users/${target.id}/sessions/not-a-session/end`, {})).statusCode, 404);
    assert.equal(await signedIn(browser), true, 'still signed in');

    // The database refuses too: the functions answer only an administrator of the person's partnership.
    const northmere = await person('admin.northmere@lantern.example');
    const as = (p: { id: string; partnership_id: string; agency_id: string }, roles: TrustedActor['roles']): TrustedActor => ({
      userId: p.id,
      partnershipId: p.partnership_id,
      agencyId: p.agency_id,
      roles,
      label: 'sessions test',
    });
    const probe = (actor: TrustedActor) =>
      withTrustedActor(ctx.handle.owner, actor, async (tx) => ({
        listed: (await sql<{ shown_id: string }>`SELECT shown_id FROM lantern_user_sessions(${target.id}::uuid)`.execute(tx)).rows.length,
        ended: (await sql<{ ended: boolean }>`SELECT lantern_end_user_session(${target.id}::uuid, ${shown}, 'test', now()) AS ended`.execute(tx)).rows[0]!
          .ended,
      }));
    const own = await person('admin.westbrook@lantern.example');
    const listedForOwn = await withTrustedActor(ctx.handle.owner, as(own, ['partnership_admin']), async (tx) =>
      (await sql<{ shown_id: string }>`SELECT shown_id FROM lantern_user_sessions(${target.id}::uuid)`.execute(tx)).rows.map((r) => r.shown_id),
    );
    assert.ok(listedForOwn.includes(shown), 'their own administrator is answered');
    assert.deepEqual(await probe(as(northmere, ['partnership_admin', 'system_admin'])), { listed: 0, ended: false });
    const westbrookPractitioner = await person('coordinator.westbrook@lantern.example');
    assert.deepEqual(await probe(as(westbrookPractitioner, ['coordinator', 'practitioner'])), { listed: 0, ended: false });
    assert.equal(await signedIn(browser), true, 'still signed in after the refused calls');
  });
});
