import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { totpCode } from '../../src/auth/totp.ts';
import { refusalsPerWindow, refusalWindowMinutes } from '../../src/audit/refusals.ts';
import { withTrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild } from '../helpers/factories.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * Regression tests for the November 2026 security review (issue 8) that have no file of their own:
 * H1 tokens, H2 restrictions, H3 and M1 second factor, M7 refusals and addresses, M8 the account,
 * L1 what lists disclosed, L2 who manages shares. (M6: request-identity.test.ts; M2, L5:
 * separation-of-duties.test.ts; M3: client-address.test.ts; M4: the upload tests; M5:
 * audit-anchor.test.ts; L3, L4: malformed-input.test.ts and children-api.test.ts.)
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
const agency: Record<string, string> = {};
const agents = new Map<string, Agent>();
/** A signed-in agent for a demo account, signed in again when the test clock has ended its session. */
const as = async (key: string) => {
  const email = key.includes('@') ? key : `${key}.northmere@lantern.example`;
  const known = agents.get(email);
  if (known && (await known.get('/account')).statusCode === 200) return known;
  agents.set(email, await signIn(ctx.app, ctx.clock, ctx.account(email)));
  return agents.get(email)!;
};
const origin = { clientAddress: '198.51.100.7', userAgent: 'review-test' };
const minute = 60_000;

before(async () => {
  ctx = await createTestContext();
  const ps = await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`);
  northmere = ps.find((p) => p.code === 'northmere')!.id;
  westbrook = ps.find((p) => p.code === 'westbrook')!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string; partnership_id: string }>(`SELECT id, kind, partnership_id FROM agencies`)) {
    agency[`${a.partnership_id === northmere ? 'n' : 'w'}:${a.kind}`] = a.id;
  }
});
after(async () => ctx.close());

async function restrictedChild(owner: 'police' | 'childrens_services'): Promise<string> {
  return aChild(ctx, {
    partnership_id: northmere,
    owning_agency_id: agency[`n:${owner}`]!,
    reference: `SR-${crypto.randomBytes(3).toString('hex')}`,
    given_name: 'Rhian',
    family_name: 'Testwood',
    date_of_birth: null,
    restricted: true,
    restricted_reason: 'Related to a member of staff',
  });
}
const isRestricted = async (id: string) =>
  (await ctx.ownerQuery<{ restricted: boolean }>(`SELECT restricted FROM children WHERE id = $1`, [id]))[0]!.restricted;

describe('H3, M1: the second factor', () => {
  test('wrong codes accumulate across password steps and lock the account; the right code is then refused', async () => {
    const account = ctx.account('analyst.northmere@lantern.example');
    let wrong = 0;
    let lockedAt = -1;
    for (let round = 0; round < 6 && lockedAt < 0; round++) {
      const step = await ctx.services.auth.signInWithPassword(account.email, account.password, origin);
      if (!step.ok) {
        lockedAt = wrong;
        break;
      }
      for (let i = 0; i < 4; i++) {
        const r = await ctx.services.auth.completeSecondFactor(step.token, '000000', origin);
        assert.equal(r.ok, false);
        wrong++;
      }
    }
    assert.equal(lockedAt, 8, 'the password step is refused once five wrong codes have locked the account (two rounds of four)');
    // A pending session from before the lock cannot finish either, even with the right code.
    ctx.clock.advance(31_000);
    const [pending] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM sign_in_throttle WHERE key LIKE 'totp:%' AND locked_until IS NOT NULL`,
    );
    assert.ok(pending!.n >= 1);
    // The address counted the code failures too.
    const [address] = await ctx.ownerQuery<{ failures: number }>(`SELECT failures FROM sign_in_throttle WHERE key = $1`, [
      `addr:${crypto.createHash('sha256').update(origin.clientAddress).digest('hex')}`,
    ]);
    assert.ok(address!.failures >= 5, `address failures ${address!.failures}`);
    // Locks expire: after the window the right password and code sign in.
    ctx.clock.advance(16 * minute);
    const step = await ctx.services.auth.signInWithPassword(account.email, account.password, { ...origin, clientAddress: '198.51.100.8' });
    assert.ok(step.ok);
    const done = await ctx.services.auth.completeSecondFactor(step.token, await totpCode(account.totpSecret, ctx.clock.now()), {
      ...origin,
      clientAddress: '198.51.100.8',
    });
    assert.equal(done.ok, true);
  });

  test('one code works once, even sent on four pending sign-ins at the same moment', async () => {
    const account = ctx.account('school.northmere@lantern.example');
    ctx.clock.advance(31_000);
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const step = await ctx.services.auth.signInWithPassword(account.email, account.password, origin);
      assert.ok(step.ok);
      tokens.push(step.token);
    }
    const code = await totpCode(account.totpSecret, ctx.clock.now());
    const results = await Promise.all(tokens.map((t) => ctx.services.auth.completeSecondFactor(t, code, origin)));
    assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results.map((r) => r.ok)));
  });
});

describe('M8: issued passwords and the account page', () => {
  async function createPerson(email: string): Promise<string> {
    const admin = await as('admin');
    const form = await admin.get('/admin/users/new');
    const agencyId = /<option value="([0-9a-f-]{36})"/.exec(form.body)![1]!;
    const created = await admin.follow(admin.post('/admin/users/new', { displayName: 'Robin Issued', email, agencyId, roles: ['practitioner'] }));
    assert.equal(created.statusCode, 200, created.body.slice(0, 300));
    return /id="initial-password">([^<]+)</.exec(created.body)![1]!;
  }

  test('the first sign-in with an issued password forces a change, needing the password and a code', async () => {
    const email = `robin.${crypto.randomBytes(3).toString('hex')}@lantern.example`;
    const issued = await createPerson(email);
    const [row] = await ctx.ownerQuery<{ must_change_password: boolean; password_expires_at: Date }>(
      `SELECT must_change_password, password_expires_at FROM users WHERE email = $1`,
      [email],
    );
    assert.equal(row!.must_change_password, true);
    assert.equal(new Date(row!.password_expires_at).getTime(), ctx.clock.now().getTime() + 72 * 60 * minute);
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    assert.equal((await agent.post('/sign-in', { email, password: issued })).headers.location, '/sign-in/enrol');
    const enrol = await agent.get('/sign-in/enrol');
    const secret = /<code[^>]*>([A-Z2-7 ]+)<\/code>/.exec(enrol.body)![1]!.replace(/ /g, '');
    const enrolled = await agent.post('/sign-in/enrol', { code: await totpCode(secret, ctx.clock.now()) });
    assert.equal(enrolled.headers.location, '/account/password');
    // Nothing else opens until the password is changed.
    assert.equal((await agent.get('/children')).headers.location, '/account/password');
    assert.equal((await agent.get('/')).headers.location, '/account/password');
    const page = await agent.get('/account/password');
    assert.match(page.body, /one-time password from your administrator/);
    ctx.clock.advance(31_000);
    const wrongCode = await agent.post('/account/password', {
      currentPassword: issued,
      newPassword: 'a walk along the estuary at dawn',
      confirmPassword: 'a walk along the estuary at dawn',
      code: '000000',
    });
    assert.equal(wrongCode.statusCode, 400);
    assert.match(wrongCode.body, /The code was not recognised/);
    const wrongPassword = await agent.post('/account/password', {
      currentPassword: 'not it at all',
      newPassword: 'a walk along the estuary at dawn',
      confirmPassword: 'a walk along the estuary at dawn',
      code: await totpCode(secret, ctx.clock.now()),
    });
    assert.match(wrongPassword.body, /The current password is not right/);
    ctx.clock.advance(31_000);
    const changed = await agent.post('/account/password', {
      currentPassword: issued,
      newPassword: 'a walk along the estuary at dawn',
      confirmPassword: 'a walk along the estuary at dawn',
      code: await totpCode(secret, ctx.clock.now()),
    });
    assert.equal(changed.statusCode, 302);
    assert.equal(changed.headers.location, '/');
    assert.equal((await agent.get('/')).statusCode, 200);
    const [after] = await ctx.ownerQuery<{ must_change_password: boolean; password_expires_at: Date | null }>(
      `SELECT must_change_password, password_expires_at FROM users WHERE email = $1`,
      [email],
    );
    assert.deepEqual(after, { must_change_password: false, password_expires_at: null });
    assert.equal((await ctx.services.auth.signInWithPassword(email, issued, origin)).ok, false, 'the issued password no longer works');
    assert.equal((await ctx.services.auth.signInWithPassword(email, 'a walk along the estuary at dawn', origin)).ok, true);
    const audited = await ctx.ownerQuery<{ action: string }>(
      `SELECT action FROM audit_events WHERE actor_label = $1 AND action LIKE 'password.%' ORDER BY id`,
      [email],
    );
    assert.deepEqual(
      audited.map((a) => a.action),
      ['password.change_failure', 'password.change_failure', 'password.change'],
    );
  });

  test('an issued password expires after 72 hours', async () => {
    const email = `late.${crypto.randomBytes(3).toString('hex')}@lantern.example`;
    const issued = await createPerson(email);
    ctx.clock.advance(72 * 60 * minute + minute);
    const agent = new Agent(ctx.app);
    await agent.get('/sign-in');
    const r = await agent.post('/sign-in', { email, password: issued });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /one-time password has expired/);
  });

  test('a person sees their live sessions and ends one; it stops working at once', async () => {
    const account = ctx.account('police.northmere@lantern.example');
    const here = await signIn(ctx.app, ctx.clock, account);
    const elsewhere = await signIn(ctx.app, ctx.clock, account);
    const page = await here.get('/account');
    assert.equal(page.statusCode, 200);
    const ids = [...page.body.matchAll(/action="\/account\/sessions\/([0-9a-f]{24})\/end"/g)].map((m) => m[1]!);
    assert.ok(ids.length >= 2);
    assert.match(page.body, /This session/);
    // The other session is the one not marked as this one: end sessions until `elsewhere` is signed out.
    for (const id of ids) {
      const row = page.body.slice(page.body.lastIndexOf('<tr', page.body.indexOf(id)), page.body.indexOf(id));
      if (row.includes('This session')) continue;
      const ended = await here.post(`/account/sessions/${id}/end`, {});
      assert.equal(ended.statusCode, 302, `ending ${id} of ${ids.join(', ')}`);
    }
    assert.equal((await elsewhere.get('/children')).headers.location, '/sign-in');
    assert.equal((await here.get('/account')).statusCode, 200);
    assert.equal((await here.post('/account/sessions/000000000000000000000000/end', {})).statusCode, 404);
  });
});

describe('H1: API tokens', () => {
  test('an administrator cannot issue itself a token; a person issues only their own roles for their own agency', async () => {
    const admin = await as('admin');
    const page = await admin.get('/admin/api-tokens');
    assert.match(page.body, /You hold no casework role/);
    assert.equal((await admin.post('/admin/api-tokens', { name: 'Admin back door', roles: ['coordinator'], scopes: ['children:read'] })).statusCode, 403);
    const police = await as('police');
    await police.get('/admin/api-tokens');
    assert.equal((await police.post('/admin/api-tokens', { name: 'Too much', roles: ['coordinator'], scopes: ['children:read'] })).statusCode, 403);
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM api_tokens WHERE name IN ('Admin back door', 'Too much')`)).length, 0);
    // The database refuses the same, whoever calls: another agency, roles the issuer lacks, or self-approval.
    const [p] = await ctx.ownerQuery<{ id: string; agency_id: string }>(`SELECT id, agency_id FROM users WHERE email = 'police.northmere@lantern.example'`);
    const asPolice = { partnershipId: northmere, agencyId: p!.agency_id, userId: p!.id, roles: ['practitioner'], label: 'police' };
    const insert = (agencyId: string, roles: string[]) =>
      withTrustedActor(ctx.handle.owner, asPolice, (tx) =>
        sql`INSERT INTO api_tokens
      (partnership_id, agency_id, name, token_hash, roles, created_by, expires_at) VALUES (${northmere}, ${agencyId}, 'direct', ${crypto.randomUUID()},
      ${sql.val(roles)}::text[], ${p!.id}, now() + interval '30 days')`.execute(tx),
      );
    await assert.rejects(insert(agency['n:childrens_services']!, ['practitioner']), /at most its issuer/);
    await assert.rejects(insert(p!.agency_id, ['coordinator']), /at most its issuer/);
    await insert(p!.agency_id, ['practitioner']);
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, { ...asPolice, roles: ['practitioner', 'partnership_admin'] }, (tx) =>
        sql`UPDATE api_tokens SET approved_by = ${p!.id}, approved_at = now() WHERE name = 'direct'`.execute(tx),
      ),
      /approved once|second_person/,
    );
  });

  test('a token works only once approved, never reads a restricted record, and its audit rows name the issuer', async () => {
    const restricted = await restrictedChild('police');
    const police = await as('police');
    await police.get('/admin/api-tokens');
    const created = await police.follow(
      police.post('/admin/api-tokens', {
        name: 'Police system',
        roles: ['practitioner'],
        scopes: ['children:read', 'concerns:read', 'concerns:write'],
      }),
    );
    const token = /id="api-token">([^<]+)</.exec(created.body)![1]!;
    const api = (url: string) => ctx.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await api('/api/v1/children')).statusCode, 401, 'not yet approved');
    const [row] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM api_tokens WHERE name = 'Police system'`);
    assert.equal((await police.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 403, 'the issuer cannot approve');
    const admin = await as('admin');
    await admin.get('/admin/api-tokens');
    assert.equal((await admin.post(`/admin/api-tokens/${row!.id}/approve`, {})).statusCode, 302);
    const list = await api('/api/v1/children?status=all&limit=100');
    assert.equal(list.statusCode, 200);
    assert.ok(!list.json<{ children: { id: string }[] }>().children.some((c) => c.id === restricted), 'the restricted child is not listed');
    assert.equal((await api(`/api/v1/children/${restricted}`)).statusCode, 404, 'even a token of the owning agency');
    // The police practitioner themself, in the owning agency, reads it.
    assert.equal((await police.get(`/children/${restricted}`)).statusCode, 200);
    const [audit] = await ctx.ownerQuery<{ actor_user_id: string; actor_label: string; details: { apiToken: string } }>(
      `SELECT actor_user_id, actor_label, details FROM audit_events WHERE action = 'search' AND actor_label = 'api-token:Police system' ORDER BY id DESC LIMIT 1`,
    );
    const [issuer] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'police.northmere@lantern.example'`);
    assert.equal(audit!.actor_user_id, issuer!.id);
    assert.equal(audit!.details.apiToken, row!.id);
  });
});

describe('H2: lifting a restriction', () => {
  test('a break-glass grant does not let anyone lift a restriction, by the form or in the database', async () => {
    const id = await restrictedChild('police');
    const coordinator = await as('coordinator');
    await coordinator.get(`/children/${id}`);
    assert.equal((await coordinator.post(`/children/${id}/break-glass`, { reason: 'Strategy meeting this afternoon about her' })).statusCode, 302);
    const page = await coordinator.get(`/children/${id}`);
    assert.doesNotMatch(page.body, /Lift the restriction/);
    await coordinator.get(`/children/${id}/edit`);
    await coordinator.post(`/children/${id}/edit`, { flagCse: 'yes' });
    assert.equal(await isRestricted(id), true, 'saving the form without “restricted” keeps it');
    assert.equal((await coordinator.post(`/children/${id}/lift-restriction`, { reason: 'I think everyone should see it now' })).statusCode, 404);
    assert.equal(await isRestricted(id), true);
    const [c] = await ctx.ownerQuery<{ id: string; agency_id: string }>(
      `SELECT id, agency_id FROM users WHERE email = 'coordinator.northmere@lantern.example'`,
    );
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, { partnershipId: northmere, agencyId: c!.agency_id, userId: c!.id, roles: ['coordinator'], label: 'x' }, (tx) =>
        sql`UPDATE children SET restricted = false WHERE id = ${id}::uuid`.execute(tx),
      ),
      /lifted only with a reason/,
    );
    const triage = await as('triage');
    assert.match((await triage.get(`/children/${id}`)).body, /This record is restricted/, 'still closed to others');
  });

  test('the owning agency lifts it with a reason; the DPO is alerted, and can lift one too', async () => {
    const id = await restrictedChild('police');
    const police = await as('police');
    const page = await police.get(`/children/${id}`);
    assert.match(page.body, /Lift the restriction/);
    const short = await police.post(`/children/${id}/lift-restriction`, { reason: 'ok' });
    assert.equal(short.statusCode, 400);
    assert.equal(await isRestricted(id), true);
    assert.equal((await police.post(`/children/${id}/lift-restriction`, { reason: 'The member of staff has left the service' })).statusCode, 302);
    assert.equal(await isRestricted(id), false);
    const other = await restrictedChild('childrens_services');
    const dpo = await as('dpo');
    const alerts = await dpo.get('/break-glass');
    assert.match(alerts.body, /The member of staff has left the service/);
    const [audit] = await ctx.ownerQuery<{ reason: string }>(`SELECT reason FROM audit_events WHERE action = 'record.unrestrict' AND record_id = $1`, [id]);
    assert.equal(audit!.reason, 'The member of staff has left the service');
    assert.match(alerts.body, new RegExp((await ctx.ownerQuery<{ reference: string }>(`SELECT reference FROM children WHERE id = $1`, [other]))[0]!.reference));
    await dpo.get('/break-glass');
    assert.equal((await dpo.post(`/break-glass/restricted/${other}/lift`, { reason: 'Checked with the owning team: no longer needed' })).statusCode, 302);
    assert.equal(await isRestricted(other), false);
  });

  test('the DPO acknowledges a break-glass grant; the person who broke glass cannot clear it', async () => {
    const id = await restrictedChild('police');
    const coordinator = await as('coordinator');
    await coordinator.get(`/children/${id}`);
    assert.equal((await coordinator.post(`/children/${id}/break-glass`, { reason: 'Urgent: she is missing tonight' })).statusCode, 302);
    const [grant] = await ctx.ownerQuery<{ id: string; user_id: string; agency_id: string }>(
      `SELECT g.id, g.user_id, u.agency_id FROM break_glass_grants g JOIN users u ON u.id = g.user_id WHERE g.child_id = $1`,
      [id],
    );
    let changed = 0;
    try {
      const own = await withTrustedActor(
        ctx.handle.owner,
        { partnershipId: northmere, agencyId: grant!.agency_id, userId: grant!.user_id, roles: ['coordinator'], label: 'x' },
        (tx) => sql`UPDATE break_glass_grants SET acknowledged_at = now(), acknowledged_by = ${grant!.user_id}::uuid WHERE id = ${grant!.id}::uuid`.execute(tx),
      );
      changed = Number(own.numAffectedRows ?? 0);
    } catch {
      // refused outright: also right
    }
    assert.equal(changed, 0, 'the grant holder changes no grant');
    const dpo = await as('dpo');
    assert.match((await dpo.get('/break-glass')).body, /Urgent: she is missing tonight/);
    assert.equal((await dpo.post(`/break-glass/${grant!.id}/acknowledge`, {})).statusCode, 302);
    const [after] = await ctx.ownerQuery<{ acknowledged_at: Date | null }>(`SELECT acknowledged_at FROM break_glass_grants WHERE id = $1`, [grant!.id]);
    assert.ok(after!.acknowledged_at, 'acknowledged');
    assert.equal((await dpo.post(`/break-glass/${grant!.id}/acknowledge`, {})).statusCode, 404, 'once');
    const [audit] = await ctx.ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE action = 'break_glass.acknowledge' AND record_id = $1`, [
      grant!.id,
    ]);
    assert.equal(Number(audit!.n), 1);
  });
});

describe('M7: refusals and where requests came from', () => {
  test('a refused page and a record out of reach leave a row with the address; a flood is counted, not written', async () => {
    // A session of its own: the count of refusals is per session.
    const police = await signIn(ctx.app, ctx.clock, ctx.account('police.northmere@lantern.example'));
    const count = async () =>
      (
        await ctx.ownerQuery<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE action = 'access.refused' AND actor_label = 'police.northmere@lantern.example'`,
        )
      )[0]!.n;
    const before = await count();
    assert.equal((await police.get('/admin/users')).statusCode, 403);
    const [w] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 LIMIT 1`, [westbrook]);
    assert.equal((await police.get(`/children/${w!.id}`)).statusCode, 404);
    assert.equal(await count(), before + 2);
    const [row] = await ctx.ownerQuery<{ record_id: string; client_address: string; user_agent: string; details: { status: number; route: string } }>(
      `SELECT record_id, client_address, user_agent, details FROM audit_events WHERE action = 'access.refused' ORDER BY id DESC LIMIT 1`,
    );
    assert.deepEqual(
      { ...row, details: { status: row!.details.status, route: row!.details.route } },
      { record_id: w!.id, client_address: '127.0.0.1', user_agent: 'lightMyRequest', details: { status: 404, route: '/children/:id' } },
    );
    for (let i = 0; i < refusalsPerWindow + 10; i++) assert.equal((await police.get('/admin/users')).statusCode, 403);
    assert.equal(await count(), before + refusalsPerWindow, 'at most the window’s limit is written');
    ctx.clock.advance(refusalWindowMinutes * minute);
    assert.equal((await police.get('/admin/users')).statusCode, 403);
    assert.equal(await count(), before + refusalsPerWindow + 1);
    const [carried] = await ctx.ownerQuery<{ details: { suppressedBefore?: number } }>(
      `SELECT details FROM audit_events WHERE action = 'access.refused' ORDER BY id DESC LIMIT 1`,
    );
    assert.equal(carried!.details.suppressedBefore, 12, 'the refusals only counted are carried on the next row');
  });

  test('views, searches and changes record the client address and user agent', async () => {
    const triage = await as('triage');
    const marker = await ctx.ownerQuery<{ id: string }>(`SELECT max(id)::text AS id FROM audit_events`);
    await triage.get('/children');
    await triage.post('/children/search', { name: 'Smith' });
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE partnership_id = $1 AND NOT restricted LIMIT 1`, [northmere]);
    await triage.get(`/children/${child!.id}`);
    const rows = await ctx.ownerQuery<{ action: string; client_address: string | null; user_agent: string | null }>(
      `SELECT action, client_address, user_agent FROM audit_events WHERE id > $1 AND actor_label = 'triage.northmere@lantern.example'`,
      [marker[0]!.id],
    );
    assert.ok(rows.length >= 3);
    for (const r of rows) assert.ok(r.client_address && r.user_agent, `${r.action} has an address and agent`);
  });
});

describe('L1: what lists, searches and worklists disclosed', () => {
  test('a child shown in a list appears in its own access log and in the DPO’s record filter', async () => {
    const coordinator = await as('coordinator');
    const list = await coordinator.get('/children');
    const id = /href="\/children\/([0-9a-f-]{36})"/.exec(list.body)![1]!;
    const [row] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'search' AND disclosed_ids @> ARRAY[$1]::uuid[]`,
      [id],
    );
    assert.ok(row!.n >= 1);
    const page = await coordinator.get(`/children/${id}`);
    const panel = page.body.slice(page.body.indexOf('access-log-heading'));
    assert.match(panel, /Searched/);
    const dpo = await as('dpo');
    const trail = await dpo.get(`/audit?recordId=${id}`);
    assert.match(trail.body, /Searched/);
  });
});

describe('L2: who manages a child’s shares', () => {
  test('an agency that only received a share can neither share it on nor stop the owner’s shares', async () => {
    const [child] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM children WHERE partnership_id = $1 AND owning_agency_id = $2 AND NOT restricted LIMIT 1`,
      [northmere, agency['n:police']],
    );
    const police = await as('police');
    await police.get(`/children/${child!.id}`);
    assert.equal(
      (await police.post(`/children/${child!.id}/share`, { shareAgencyId: agency['n:education']!, lawfulBasis: 'Education safeguarding lead for the school' }))
        .statusCode,
      302,
    );
    const [share] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM record_shares WHERE record_id = $1 AND agency_id = $2`, [
      child!.id,
      agency['n:education'],
    ]);
    const school = await as('school');
    const page = await school.get(`/children/${child!.id}`);
    assert.equal(page.statusCode, 200, 'the school reads the shared record');
    assert.doesNotMatch(page.body, /action="\/children\/[^"]+\/share"/);
    assert.equal(
      (await school.post(`/children/${child!.id}/share`, { shareAgencyId: agency['n:health']!, lawfulBasis: 'Passing it on to health' })).statusCode,
      403,
    );
    assert.equal((await school.post(`/children/${child!.id}/shares/${share!.id}/stop`, { stopReason: 'Not mine to stop but trying' })).statusCode, 403);
    const [still] = await ctx.ownerQuery<{ revoked_at: Date | null }>(`SELECT revoked_at FROM record_shares WHERE id = $1`, [share!.id]);
    assert.equal(still!.revoked_at, null);
  });

  test('a share with a neighbouring partnership names the agencies there that read it', async () => {
    const [child] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM children WHERE partnership_id = $1 AND owning_agency_id = $2 AND NOT restricted ORDER BY reference DESC LIMIT 1`,
      [northmere, agency['n:childrens_services']],
    );
    const [agreement] = await ctx.ownerQuery<{ id: string }>(
      `SELECT id FROM sharing_agreements WHERE partnership_id = $1 AND recipient_partnership_id = $2 AND ends_on IS NULL`,
      [northmere, westbrook],
    );
    const sw = await as('social-worker');
    await sw.get(`/children/${child!.id}`);
    const none = await sw.post(`/children/${child!.id}/share-partnership`, {
      agreementId: agreement!.id,
      partnershipBasis: 'Cross-border strategy discussion',
    });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Choose at least one agency to receive the record/);
    const shared = await sw.post(`/children/${child!.id}/share-partnership`, {
      agreementId: agreement!.id,
      partnershipBasis: 'Cross-border strategy discussion',
      recipientAgencyIds: [agency['w:police']!],
    });
    assert.equal(shared.statusCode, 302, shared.body.slice(shared.body.indexOf('govuk-error-summary'), shared.body.indexOf('govuk-error-summary') + 800));
    const sees = async (email: string) => (await (await as(email)).get(`/children/${child!.id}`)).statusCode;
    assert.equal(await sees('police.westbrook@lantern.example'), 200, 'the named agency');
    assert.equal(await sees('school.westbrook@lantern.example'), 404, 'another agency there');
    assert.equal(await sees('coordinator.westbrook@lantern.example'), 200, 'a partnership-wide role there');
    const foreign = await sw.post(`/children/${child!.id}/share-partnership`, {
      agreementId: agreement!.id,
      partnershipBasis: 'Cross-border strategy discussion',
      recipientAgencyIds: [agency['n:education']!],
    });
    assert.equal(foreign.statusCode, 404, 'an agency that is not the receiving partnership’s');
  });
});
