import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withTrustedActor, type TrustedActor } from '../../src/db/context.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Security review findings M2 (separation of duties), L5 (which emails exist elsewhere) and the
 * audit filter that put staff emails in URLs. Each rule is checked over HTTP and, where the
 * database enforces it too, by a statement sent straight to the database as the acting user.
 */
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

interface Person {
  id: string;
  partnership_id: string;
  agency_id: string;
  roles: string[];
}
const person = async (email: string) => (await ctx.ownerQuery<Person>(`SELECT id, partnership_id, agency_id, roles FROM users WHERE email = $1`, [email]))[0]!;
const rolesOf = async (email: string) => (await person(email)).roles;
/** The acting context a request of this person would have. */
const actorFor = async (email: string): Promise<TrustedActor> => {
  const p = await person(email);
  return { userId: p.id, partnershipId: p.partnership_id, agencyId: p.agency_id, roles: p.roles, label: email };
};
const asUser = async (email: string, statement: ReturnType<typeof sql>) =>
  withTrustedActor(ctx.handle.owner, await actorFor(email), (tx) => statement.execute(tx));

const agents = new Map<string, Agent>();
const as = async (email: string) => {
  if (!agents.has(email)) agents.set(email, await signIn(ctx.app, ctx.clock, ctx.account(email)));
  return agents.get(email)!;
};
const agencyOn = (body: string) => /<option value="([0-9a-f-]{36})" selected>/.exec(body)?.[1] ?? /<option value="([0-9a-f-]{36})">/.exec(body)![1]!;
const summary = (body: string) => /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '';

const nAdmin = 'admin.northmere@lantern.example';
const sysadmin = 'sysadmin.northmere@lantern.example';

describe('nobody changes their own roles', () => {
  test('the form shows an administrator’s own roles and agency without letting them change them', async () => {
    const admin = await as(nAdmin);
    const { id } = await person(nAdmin);
    const page = await admin.get(`/admin/users/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /You cannot change your own roles or agency/);
    assert.doesNotMatch(page.body, /type="checkbox"[^>]*name="roles"|name="roles"[^>]*type="checkbox"/);
    assert.doesNotMatch(page.body, /<select[^>]*name="agencyId"/);
  });

  test('a posted change of one’s own roles or agency is a form error and changes nothing', async () => {
    const admin = await as(nAdmin);
    const me = await person(nAdmin);
    const page = await admin.get(`/admin/users/${me.id}`);
    assert.equal(page.statusCode, 200);
    const more = await admin.post(`/admin/users/${me.id}`, { displayName: 'Admin', agencyId: me.agency_id, roles: ['partnership_admin', 'coordinator'] });
    assert.equal(more.statusCode, 403);
    assert.match(summary(more.body), /You cannot change your own roles or agency/);
    const [other] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND id <> $2 LIMIT 1`, [
      me.partnership_id,
      me.agency_id,
    ]);
    const moved = await admin.post(`/admin/users/${me.id}`, { displayName: 'Admin', agencyId: other!.id, roles: ['partnership_admin'] });
    assert.equal(moved.statusCode, 403);
    assert.deepEqual(await rolesOf(nAdmin), ['partnership_admin']);
    assert.equal((await person(nAdmin)).agency_id, me.agency_id);
    // Their own name, with roles and agency as they are, is still theirs to correct.
    const fine = await admin.post(`/admin/users/${me.id}`, { displayName: 'Admin Renamed', agencyId: me.agency_id, roles: ['partnership_admin'] });
    assert.equal(fine.statusCode, 302);
  });

  test('a system administrator cannot give themself roles either', async () => {
    const admin = await as(sysadmin);
    const me = await person(sysadmin);
    const r = await admin.post(`/admin/users/${me.id}`, { displayName: 'Sys', agencyId: me.agency_id, roles: ['system_admin', 'dpo'] });
    assert.equal(r.statusCode, 403);
    assert.deepEqual(await rolesOf(sysadmin), ['system_admin']);
  });

  test('the database refuses a direct change of one’s own roles, agency or grant', async () => {
    await assert.rejects(asUser(nAdmin, sql`UPDATE users SET roles = '{partnership_admin,coordinator}' WHERE id = lantern_user()`), /own roles/);
    await assert.rejects(asUser(sysadmin, sql`UPDATE users SET roles = '{system_admin,dpo}' WHERE id = lantern_user()`), /own roles/);
    await assert.rejects(asUser(nAdmin, sql`UPDATE users SET roles = '{coordinator}' WHERE id = lantern_user()`), /own roles/);
    const me = await person(nAdmin);
    await assert.rejects(
      asUser(nAdmin, sql`UPDATE users SET agency_id = (SELECT id FROM agencies WHERE id <> ${me.agency_id}::uuid LIMIT 1) WHERE id = lantern_user()`),
      /own agency/,
    );
    // What is not a role or an agency stays theirs to change.
    await asUser(nAdmin, sql`UPDATE users SET display_name = 'Renamed by self' WHERE id = lantern_user()`);
    assert.deepEqual(await rolesOf(nAdmin), ['partnership_admin']);

    // A Westbrook co-ordinator acting in Northmere under a grant cannot widen that grant.
    const coordinator = await person('coordinator.westbrook@lantern.example');
    const northmere = (await person(nAdmin)).partnership_id;
    const asGrantee: TrustedActor = {
      userId: coordinator.id,
      partnershipId: northmere,
      agencyId: coordinator.agency_id,
      roles: ['coordinator'],
      label: 'coordinator.westbrook@lantern.example',
    };
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, asGrantee, (tx) =>
        sql`UPDATE partnership_access_grants SET roles = '{coordinator,analyst}' WHERE user_id = lantern_user()`.execute(tx),
      ),
      /own roles/,
    );
  });

  test('a request role without an acting user cannot change roles; the owner (CLI, seed) can', async () => {
    const { id, partnership_id } = await person('triage.northmere@lantern.example');
    // A context with no person in it (as an API token's is), even one holding an administrator's role.
    const nobody: TrustedActor = { userId: null, partnershipId: partnership_id, agencyId: null, roles: ['partnership_admin'], label: 'nobody' };
    await assert.rejects(
      withTrustedActor(ctx.handle.owner, nobody, (tx) => sql`UPDATE users SET roles = '{triage_worker,coordinator}' WHERE id = ${id}::uuid`.execute(tx)),
      /without an acting user/,
    );
    await ctx.ownerQuery(`UPDATE users SET roles = '{triage_worker,analyst}' WHERE id = $1`, [id]);
    await ctx.ownerQuery(`UPDATE users SET roles = '{triage_worker}' WHERE id = $1`, [id]);
  });
});

describe('only a system administrator gives the DPO and system administrator roles', () => {
  test('a partnership administrator is not offered them and cannot create such an account', async () => {
    const admin = await as(nAdmin);
    const form = await admin.get('/admin/users/new');
    assert.doesNotMatch(form.body, /value="dpo"|value="system_admin"/);
    assert.match(form.body, /value="coordinator"/);
    for (const role of ['dpo', 'system_admin']) {
      const r = await admin.post('/admin/users/new', {
        displayName: 'Hopeful',
        email: `hopeful.${role}@lantern.example`,
        agencyId: agencyOn(form.body),
        roles: [role],
      });
      assert.equal(r.statusCode, 403, role);
      assert.match(summary(r.body), /Only a system administrator can give or take away/);
      assert.equal((await ctx.ownerQuery(`SELECT 1 FROM users WHERE email = $1`, [`hopeful.${role}@lantern.example`])).length, 0);
    }
  });

  test('a partnership administrator cannot add them to an account, and editing a DPO keeps their role', async () => {
    const admin = await as(nAdmin);
    const school = await person('school.northmere@lantern.example');
    await admin.get(`/admin/users/${school.id}`);
    const r = await admin.post(`/admin/users/${school.id}`, { displayName: 'School', agencyId: school.agency_id, roles: ['practitioner', 'system_admin'] });
    assert.equal(r.statusCode, 403);
    assert.match(summary(r.body), /Only a system administrator/);
    assert.deepEqual(await rolesOf('school.northmere@lantern.example'), ['practitioner']);

    // The DPO's own role is named, not offered; saving their details keeps it.
    const dpo = await person('dpo.northmere@lantern.example');
    const page = await admin.get(`/admin/users/${dpo.id}`);
    assert.match(page.body, /They also have roles only a system administrator can change: Data protection officer/);
    const saved = await admin.post(`/admin/users/${dpo.id}`, { displayName: 'Data Officer', agencyId: dpo.agency_id, jobTitle: 'DPO' });
    assert.equal(saved.statusCode, 302);
    assert.deepEqual(await rolesOf('dpo.northmere@lantern.example'), ['dpo']);
  });

  test('a partnership administrator cannot grant them under a sharing agreement', async () => {
    const admin = await as(nAdmin);
    const page = await admin.get('/admin/sharing');
    const agreementId = /action="\/admin\/sharing\/([0-9a-f-]{36})\/grants"/.exec(page.body)![1]!;
    const r = await admin.post(`/admin/sharing/${agreementId}/grants`, { email: 'school.westbrook@lantern.example', roles: ['analyst', 'dpo'] });
    assert.equal(r.statusCode, 403);
    assert.match(summary(r.body), /Only a system administrator/);
    const school = await person('school.westbrook@lantern.example');
    assert.equal((await ctx.ownerQuery(`SELECT 1 FROM partnership_access_grants WHERE user_id = $1`, [school.id])).length, 0);
  });

  test('a grant with the DPO role, given by a system administrator, is not a partnership administrator’s to end or trim', async () => {
    const sys = await as(sysadmin);
    const page = await sys.get('/admin/sharing');
    const agreementId = /action="\/admin\/sharing\/([0-9a-f-]{36})\/grants"/.exec(page.body)![1]!;
    assert.equal(
      (await sys.post(`/admin/sharing/${agreementId}/grants`, { email: 'school.westbrook@lantern.example', roles: ['analyst', 'dpo'] })).statusCode,
      302,
    );
    const school = await person('school.westbrook@lantern.example');
    const grantRoles = async () =>
      (
        await ctx.ownerQuery<{ roles: string[]; revoked_at: Date | null }>(`SELECT roles, revoked_at FROM partnership_access_grants WHERE user_id = $1`, [
          school.id,
        ])
      )[0]!;
    assert.deepEqual((await grantRoles()).roles, ['analyst', 'dpo']);

    const admin = await as(nAdmin);
    const [grant] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnership_access_grants WHERE user_id = $1`, [school.id]);
    await admin.get('/admin/sharing');
    const revoke = await admin.post(`/admin/sharing/grants/${grant!.id}/revoke`, {});
    assert.equal(revoke.statusCode, 403);
    assert.match(summary(revoke.body), new RegExp(`href="#revoke-${grant!.id}">Only a system administrator`));
    // Changing the casework roles of that grant keeps the DPO role the administrator cannot see.
    assert.equal(
      (await admin.post(`/admin/sharing/${agreementId}/grants`, { email: 'school.westbrook@lantern.example', roles: ['coordinator'] })).statusCode,
      302,
    );
    const after = await grantRoles();
    assert.deepEqual(after.roles, ['coordinator', 'dpo']);
    assert.equal(after.revoked_at, null);
    assert.equal((await sys.post(`/admin/sharing/grants/${grant!.id}/revoke`, {})).statusCode, 302);
  });

  test('the database refuses the same from a partnership administrator', async () => {
    const school = await person('school.northmere@lantern.example');
    const dpo = await person('dpo.northmere@lantern.example');
    await assert.rejects(asUser(nAdmin, sql`UPDATE users SET roles = '{practitioner,dpo}' WHERE id = ${school.id}::uuid`), /only a system administrator/);
    await assert.rejects(asUser(nAdmin, sql`UPDATE users SET roles = '{practitioner}' WHERE id = ${dpo.id}::uuid`), /only a system administrator/);
    await assert.rejects(
      asUser(
        nAdmin,
        sql`INSERT INTO users (partnership_id, agency_id, email, display_name, roles)
      VALUES (${school.partnership_id}::uuid, ${school.agency_id}::uuid, 'direct.sysadmin@lantern.example', 'Direct', '{system_admin}')`,
      ),
      /only a system administrator/,
    );
    const [grant] = await ctx.ownerQuery<{ id: string }>(
      `SELECT g.id FROM partnership_access_grants g JOIN users u ON u.id = g.user_id WHERE u.email = 'coordinator.westbrook@lantern.example'`,
    );
    await assert.rejects(
      asUser(nAdmin, sql`UPDATE partnership_access_grants SET roles = '{coordinator,system_admin}' WHERE id = ${grant!.id}::uuid`),
      /only a system administrator/,
    );
    // Casework roles are an administrator's to give.
    await asUser(nAdmin, sql`UPDATE users SET roles = '{practitioner,analyst}' WHERE id = ${school.id}::uuid`);
    await asUser(nAdmin, sql`UPDATE users SET roles = '{practitioner}' WHERE id = ${school.id}::uuid`);
  });

  test('a system administrator is offered them and can give them, on the page and in the database', async () => {
    const admin = await as(sysadmin);
    const form = await admin.get('/admin/users/new');
    assert.match(form.body, /value="dpo"/);
    assert.match(form.body, /value="system_admin"/);
    const created = await admin.post('/admin/users/new', {
      displayName: 'Second DPO',
      email: 'dpo2.northmere@lantern.example',
      agencyId: agencyOn(form.body),
      roles: ['dpo'],
    });
    assert.equal(created.statusCode, 302, 'post/redirect/get to the page showing the issued password');
    assert.deepEqual(await rolesOf('dpo2.northmere@lantern.example'), ['dpo']);
    const analyst = await person('analyst.northmere@lantern.example');
    await admin.get(`/admin/users/${analyst.id}`);
    const r = await admin.post(`/admin/users/${analyst.id}`, { displayName: 'Analyst', agencyId: analyst.agency_id, roles: ['analyst', 'system_admin'] });
    assert.equal(r.statusCode, 302);
    assert.deepEqual(await rolesOf('analyst.northmere@lantern.example'), ['system_admin', 'analyst']);
    await asUser(sysadmin, sql`UPDATE users SET roles = '{analyst}' WHERE id = ${analyst.id}::uuid`);
    assert.deepEqual(await rolesOf('analyst.northmere@lantern.example'), ['analyst']);
  });
});

describe('the DPO sees who gave which roles to whom', () => {
  test('a casework role given by an administrator leaves its own audit row and shows on the DPO’s page', async () => {
    const admin = await as(nAdmin);
    const police = await person('police.northmere@lantern.example');
    await admin.get(`/admin/users/${police.id}`);
    const r = await admin.post(`/admin/users/${police.id}`, { displayName: 'Police', agencyId: police.agency_id, roles: ['practitioner', 'coordinator'] });
    assert.equal(r.statusCode, 302);
    const rows = await ctx.ownerQuery<{ actor_label: string; details: { from: string[]; to: string[]; added: string[]; subject: string } }>(
      `SELECT actor_label, details FROM audit_events WHERE action = 'user.roles_granted' AND record_id = $1`,
      [police.id],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor_label, nAdmin);
    assert.deepEqual(rows[0]!.details.from, ['practitioner']);
    assert.deepEqual(rows[0]!.details.to, ['practitioner', 'coordinator']);
    assert.deepEqual(rows[0]!.details.added, ['coordinator']);
    assert.equal(rows[0]!.details.subject, 'police.northmere@lantern.example');

    // A grant under a sharing agreement is listed too.
    const sharing = await admin.get('/admin/sharing');
    const agreementId = /action="\/admin\/sharing\/([0-9a-f-]{36})\/grants"/.exec(sharing.body)![1]!;
    assert.equal(
      (await admin.post(`/admin/sharing/${agreementId}/grants`, { email: 'triage.westbrook@lantern.example', roles: ['triage_worker'] })).statusCode,
      302,
    );

    const dpo = await as('dpo.northmere@lantern.example');
    const audit = await dpo.get('/audit');
    assert.match(audit.body, /href="\/audit\/roles-granted"/);
    const page = await dpo.get('/audit/roles-granted');
    assert.equal(page.statusCode, 200);
    const policeRow =
      /<tr class="govuk-table__row">(?:(?!<\/tr>)[\s\S])*police\.northmere@lantern\.example(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(page.body)?.[0] ?? '';
    assert.match(policeRow, /admin\.northmere@lantern\.example/);
    assert.match(policeRow, /Exploitation co-ordinator/);
    assert.match(page.body, /triage\.westbrook@lantern\.example<br><span class="govuk-body-s">under a sharing agreement/);
    // The DPO and system administrator accounts the system administrator gave are marked.
    assert.match(page.body, /dpo2\.northmere@lantern\.example[\s\S]*?Highest role/);
    const [viewed] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.view' AND details->>'view' = 'roles_granted'`,
    );
    assert.equal(viewed!.n, 1);
    assert.equal((await admin.get('/audit/roles-granted')).statusCode, 403, 'administrators do not read it');
  });
});

describe('an email in use anywhere gets one answer', () => {
  test('own partnership, other partnership and a race all get the same form error; a fresh email is accepted', async () => {
    const admin = await as(nAdmin);
    const form = await admin.get('/admin/users/new');
    const agencyId = agencyOn(form.body);
    const attempt = (email: string) => admin.post('/admin/users/new', { displayName: 'Someone', email, agencyId, roles: ['practitioner'] });

    const own = await attempt('coordinator.northmere@lantern.example');
    const other = await attempt('coordinator.westbrook@lantern.example');
    assert.equal(own.statusCode, 409);
    assert.equal(other.statusCode, own.statusCode);
    assert.equal(summary(other.body), summary(own.body));
    assert.match(summary(own.body), /This email address cannot be used for a new account/);
    assert.doesNotMatch(summary(other.body), /westbrook|another partnership|already/i);

    // The race: the email is taken between the check and the insert. The unique index answers the same way.
    await ctx.ownerQuery(`ALTER FUNCTION lantern_email_available(text) RENAME TO lantern_email_available_real`);
    await ctx.ownerQuery(`CREATE FUNCTION lantern_email_available(p_email text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$`);
    await ctx.ownerQuery(`GRANT EXECUTE ON FUNCTION lantern_email_available(text) TO lantern_app`);
    try {
      const raced = await attempt('coordinator.westbrook@lantern.example');
      assert.equal(raced.statusCode, own.statusCode);
      assert.equal(summary(raced.body), summary(own.body));
    } finally {
      await ctx.ownerQuery(`DROP FUNCTION lantern_email_available(text)`);
      await ctx.ownerQuery(`ALTER FUNCTION lantern_email_available_real(text) RENAME TO lantern_email_available`);
    }

    const fresh = await attempt('fresh.person@lantern.example');
    assert.equal(fresh.statusCode, 302, 'saved: post/redirect/get');
  });
});

describe('the audit filter keeps emails out of URLs', () => {
  test('the form posts; the page it leads to names the person by id', async () => {
    const dpo = await as('dpo.northmere@lantern.example');
    const page = await dpo.get('/audit');
    assert.match(page.body, /<form method="post" action="\/audit"/);
    assert.doesNotMatch(page.body, /method="get"/);

    const r = await dpo.post('/audit', { actorEmail: nAdmin, action: 'user' });
    assert.equal(r.statusCode, 303);
    const location = String(r.headers.location);
    const { id } = await person(nAdmin);
    assert.equal(location, `/audit?action=user&actor=${id}`);
    assert.doesNotMatch(location, /@|%40|lantern\.example/);
    const filtered = await dpo.get(location);
    assert.equal(filtered.statusCode, 200);
    assert.match(filtered.body, /name="actorEmail"[^>]*value="admin\.northmere@lantern\.example"/, 'the form shows whom the page is filtered by');
    const whoCells = [
      ...filtered.body.matchAll(/<tr class="govuk-table__row">\s*<td class="govuk-table__cell">[^<]*<\/td>\s*<td class="govuk-table__cell">([^<]*)<\/td>/g),
    ].map((m) => m[1]);
    assert.ok(whoCells.length > 0);
    assert.deepEqual([...new Set(whoCells)], [nAdmin]);
    assert.doesNotMatch(filtered.body, /href="\/audit\?[^"]*(@|%40)/);

    // Someone of the other partnership who worked here under a grant is found by the trail's rows.
    const coordinator = await as('coordinator.westbrook@lantern.example');
    const home = await coordinator.get('/');
    const northmereId = /<option value="([0-9a-f-]{36})">Northmere Safeguarding Children Partnership/.exec(home.body)![1]!;
    assert.equal((await coordinator.post('/account/partnership', { partnershipId: northmereId })).statusCode, 302);
    const cross = await dpo.post('/audit', { actorEmail: 'coordinator.westbrook@lantern.example' });
    assert.equal(cross.statusCode, 303);
    assert.equal(cross.headers.location, `/audit?actor=${(await person('coordinator.westbrook@lantern.example')).id}`);

    const unknown = await dpo.post('/audit', { actorEmail: 'nobody@lantern.example' });
    assert.equal(unknown.statusCode, 400);
    assert.match(summary(unknown.body), /No one with this email address/);
    assert.equal((await dpo.get(`/audit?actor=${encodeURIComponent(nAdmin)}`)).statusCode, 400, 'an email in the address is not used');
    const [logged] = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'audit.view' AND details::text LIKE '%@lantern.example%'`,
    );
    assert.equal(logged!.n, 0, 'the audit row of the page view holds the id, not the email');
  });
});
