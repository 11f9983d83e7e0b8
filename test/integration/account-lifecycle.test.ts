import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionUser } from '../../src/auth/service.ts';
import { disableDormantFromCli, importPeopleFromCli } from '../../src/cli/accounts.ts';
import { onSecurityEvent, type SecurityEventLine } from '../../src/security-events.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aSession, demoAgency, demoPartnership } from '../helpers/factories.ts';
import { signIn, type Agent } from '../helpers/http.ts';

/**
 * Account lifecycle (issue 16 §1, migration 0630): the 90-day dormant rule (89 against 91 days), notice,
 * disabling after 14 days by the page's button and the command line, sessions ended, a sign-in
 * withdrawing the notice; the joiners and leavers CSV (preview changes nothing, apply, the same file
 * twice changes nothing, each row's refusal, a role the administrator may not give, leavers' sessions
 * ended, a malformed file refused with 400).
 */
let ctx: TestContext;
let northmere: string;
let police: { id: string; name: string };
let admin: SessionUser;
let adminAgent: Agent;
const day = 24 * 60 * 60 * 1000;

before(async () => {
  ctx = await createTestContext();
  northmere = await demoPartnership(ctx, 'northmere');
  const agency = await demoAgency(ctx, 'northmere', 'police');
  police = { id: agency.id, name: (await ctx.ownerQuery<{ name: string }>('SELECT name FROM agencies WHERE id = $1', [agency.id]))[0]!.name };
  adminAgent = await signIn(ctx.app, ctx.clock, ctx.account('admin.northmere@lantern.example'));
  admin = await ctx.sessionUser('admin.northmere@lantern.example');
});
after(async () => ctx.close());

const ago = (days: number) => new Date(ctx.clock.now().getTime() - days * day);

/** A synthetic person of the police agency, last signed in `signedInDaysAgo` days ago (null: never), made `createdDaysAgo` days ago. */
async function person(label: string, signedInDaysAgo: number | null, createdDaysAgo = 400): Promise<{ id: string; email: string }> {
  const email = `${label}.${crypto.randomBytes(3).toString('hex')}@lantern.example`;
  const rows = await ctx.ownerQuery<{ id: string }>(
    `INSERT INTO users (partnership_id, agency_id, email, display_name, roles, created_at, last_signed_in_at)
     VALUES ($1, $2, $3, 'Synthetic Person', ARRAY['practitioner'], $4, $5) RETURNING id`,
    [northmere, police.id, email, ago(createdDaysAgo), signedInDaysAgo === null ? null : ago(signedInDaysAgo)],
  );
  return { id: rows[0]!.id, email };
}

const userRow = async (id: string) =>
  (
    await ctx.ownerQuery<{
      disabled_at: Date | null;
      dormant_notice_at: Date | null;
      last_signed_in_at: Date | null;
      roles: string[];
      password_hash: string | null;
    }>('SELECT disabled_at, dormant_notice_at, last_signed_in_at, roles, password_hash FROM users WHERE id = $1', [id])
  )[0]!;
const liveSessions = async (userId: string) =>
  Number((await ctx.ownerQuery<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE user_id = $1 AND ended_at IS NULL', [userId]))[0]!.n);
const auditCount = async (action: string, recordId: string) =>
  Number((await ctx.ownerQuery<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE action = $1 AND record_id = $2', [action, recordId]))[0]!.n);

describe('dormant accounts', () => {
  test('89 days without a sign-in is not dormant, 91 is; never signed in counts from the account’s making', async () => {
    const recent = await person('recent', 89);
    const old = await person('old', 91);
    const neverOld = await person('never-old', null, 91);
    const neverNew = await person('never-new', null, 89);
    const page = await adminAgent.get('/admin/people/dormant');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`data-email="${old.email}"`));
    assert.ok(page.body.includes(`data-email="${neverOld.email}"`));
    assert.ok(!page.body.includes(`data-email="${recent.email}"`));
    assert.ok(!page.body.includes(`data-email="${neverNew.email}"`));
    await ctx.ownerQuery('UPDATE users SET disabled_at = now() WHERE id = ANY($1::uuid[])', [[recent.id, old.id, neverOld.id, neverNew.id]]);
  });

  test('notice, then disabled when 14 days have passed (button and command line): sessions end, audited, security event', async () => {
    const a = await person('dormant-a', 120);
    const b = await person('dormant-b', 200);
    await aSession(ctx, { partnership_id: northmere, user_id: a.id });
    await adminAgent.get('/admin/people/dormant');
    const given = await adminAgent.post('/admin/people/dormant/notice', {});
    assert.equal(given.statusCode, 302);
    assert.equal(given.headers.location, '/admin/people/dormant');
    assert.ok((await userRow(a.id)).dormant_notice_at);
    assert.equal(await auditCount('user.dormant_notice', a.id), 1);
    // Giving notice again changes nothing for those who have it.
    await adminAgent.post('/admin/people/dormant/notice', {});
    assert.equal(await auditCount('user.dormant_notice', a.id), 1);

    // 13 days after notice: nothing is disabled.
    await ctx.ownerQuery('UPDATE users SET dormant_notice_at = $2 WHERE id = ANY($1::uuid[])', [[a.id, b.id], ago(13)]);
    assert.equal(await ctx.services.lifecycle.disableDormant(ctx.services.lifecycle.acting(admin)), 0);
    assert.equal((await userRow(a.id)).disabled_at, null);

    // 14 days after notice: the page's button disables them, ending sessions at once.
    await ctx.ownerQuery('UPDATE users SET dormant_notice_at = $2 WHERE id = $1', [a.id, ago(14)]);
    const events: SecurityEventLine[] = [];
    const stop = onSecurityEvent((e) => events.push(e));
    try {
      const page = await adminAgent.get('/admin/people/dormant');
      assert.ok(page.body.includes('id="disable-dormant"'));
      const disabled = await adminAgent.post('/admin/people/dormant/disable', {});
      assert.equal(disabled.statusCode, 302);
    } finally {
      stop();
    }
    assert.ok((await userRow(a.id)).disabled_at);
    assert.equal((await userRow(b.id)).disabled_at, null, 'b is still within its notice');
    assert.equal(await liveSessions(a.id), 0);
    assert.equal(await auditCount('user.disable', a.id), 1);
    assert.ok(events.some((e) => e.event === 'account.disabled' && e.record_id === a.id));

    // The command line does the same, with the same rule.
    await ctx.ownerQuery('UPDATE users SET dormant_notice_at = $2 WHERE id = $1', [b.id, ago(15)]);
    assert.equal(await disableDormantFromCli(ctx.handle.owner, ctx.clock, { partnership: 'northmere', as: admin.email }), 1);
    assert.ok((await userRow(b.id)).disabled_at);
    assert.equal(await auditCount('user.disable', b.id), 1);
  });

  test('signing in records the time and withdraws the notice', async () => {
    const account = ctx.account('social-worker.northmere@lantern.example');
    const id = (await ctx.ownerQuery<{ id: string }>('SELECT id FROM users WHERE email = $1', [account.email]))[0]!.id;
    await ctx.ownerQuery('UPDATE users SET last_signed_in_at = $2, dormant_notice_at = $3 WHERE id = $1', [id, ago(120), ago(20)]);
    await signIn(ctx.app, ctx.clock, account);
    const row = await userRow(id);
    assert.equal(row.dormant_notice_at, null);
    assert.equal(row.last_signed_in_at?.getTime(), ctx.clock.now().getTime());
    assert.equal(await ctx.services.lifecycle.disableDormant(ctx.services.lifecycle.acting(admin)), 0);
    assert.equal((await userRow(id)).disabled_at, null);
  });

  test('the administrator’s own account is never disabled by themselves', async () => {
    await ctx.ownerQuery('UPDATE users SET last_signed_in_at = $2 WHERE id = $1', [admin.userId, ago(200)]);
    await ctx.services.lifecycle.giveDormantNotice(ctx.services.lifecycle.acting(admin));
    assert.equal((await userRow(admin.userId)).dormant_notice_at, null, 'no notice to oneself');
    await ctx.ownerQuery('UPDATE users SET dormant_notice_at = $2 WHERE id = $1', [admin.userId, ago(30)]);
    assert.equal(await ctx.services.lifecycle.disableDormant(ctx.services.lifecycle.acting(admin)), 0);
    assert.equal((await userRow(admin.userId)).disabled_at, null);
    await ctx.ownerQuery('UPDATE users SET last_signed_in_at = $2, dormant_notice_at = NULL WHERE id = $1', [admin.userId, ctx.clock.now()]);
  });

  test('a practitioner may not see the page or press the buttons', async () => {
    const practitioner = await signIn(ctx.app, ctx.clock, ctx.account('social-worker.northmere@lantern.example'));
    assert.equal((await practitioner.get('/admin/people/dormant')).statusCode, 403);
    assert.equal((await practitioner.post('/admin/people/dormant/disable', {})).statusCode, 403);
  });
});

describe('joiners and leavers feed', () => {
  const heading = 'email,given_name,family_name,agency,role,action';

  test('preview changes nothing; apply creates, changes and disables; the same file again changes nothing', async () => {
    const changing = await person('changing', 1);
    const leaver = await person('leaver', 1);
    await aSession(ctx, { partnership_id: northmere, user_id: leaver.id });
    const joiner = `joiner.${crypto.randomBytes(3).toString('hex')}@lantern.example`;
    const csv = [
      heading,
      `${joiner},Jo,Joiner,${police.name},practitioner;triage_worker,join`,
      `${changing.email},Synthetic,Person,${police.name},coordinator,change`,
      `${leaver.email},,,,,leave`,
      `not-an-email,A,B,${police.name},practitioner,join`,
      `x.${joiner},A,B,No Such Agency,practitioner,join`,
      `y.${joiner},A,B,${police.name},wizard,join`,
      `z.${joiner},A,B,${police.name},system_admin,join`,
      `${joiner},Jo,Joiner,${police.name},practitioner,join`,
      `w.${joiner},A,B,${police.name},practitioner,promote`,
      `admin.westbrook@lantern.example,A,B,${police.name},practitioner,join`,
    ].join('\n');
    await adminAgent.get('/admin/people/import');
    const preview = await adminAgent.postMultipart('/admin/people/import', {}, { field: 'csvFile', filename: 'hr.csv', content: csv });
    assert.equal(preview.statusCode, 200, preview.body.slice(0, 500));
    const kinds = [...preview.body.matchAll(/data-kind="(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual(kinds, ['create', 'change', 'disable', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    const en = JSON.parse(fs.readFileSync('src/i18n/locales/en/lifecycle.json', 'utf8')) as { reasons: Record<string, string> };
    for (const reason of ['invalidEmail', 'unknownAgency', 'unknownRole', 'roleNotGrantable', 'duplicateEmail', 'unknownAction', 'emailInUse']) {
      assert.ok(preview.body.includes(en.reasons[reason]!.replace(/'/g, '&#39;')), reason);
    }
    assert.ok(preview.body.includes('You cannot give one of these roles'));
    assert.ok(preview.body.includes('There is no agency of that name in this partnership'));
    // Nothing has changed yet.
    assert.equal((await ctx.ownerQuery('SELECT 1 FROM users WHERE email = $1', [joiner])).length, 0);
    assert.equal((await userRow(leaver.id)).disabled_at, null);

    const applied = await adminAgent.post('/admin/people/import/apply', { csv });
    assert.equal(applied.statusCode, 302);
    assert.equal(applied.headers.location, '/admin/people/import');
    const banner = await adminAgent.get('/admin/people/import');
    assert.ok(banner.body.includes('1 new accounts, 1 changed, 1 leavers disabled'), 'success banner with counts');

    const created = (
      await ctx.ownerQuery<{ id: string; password_hash: string | null; roles: string[] }>('SELECT id, password_hash, roles FROM users WHERE email = $1', [
        joiner,
      ])
    )[0]!;
    assert.equal(created.password_hash, null, 'a joiner has no password: single sign-on by email');
    assert.deepEqual(created.roles, ['triage_worker', 'practitioner']);
    assert.equal(await auditCount('user.create', created.id), 1);
    assert.deepEqual((await userRow(changing.id)).roles, ['coordinator']);
    assert.ok((await userRow(leaver.id)).disabled_at);
    assert.equal(await liveSessions(leaver.id), 0, 'the leaver’s sessions ended at once');
    assert.equal(await auditCount('user.disable', leaver.id), 1);
    assert.equal((await ctx.ownerQuery('SELECT 1 FROM users WHERE email = $1', [`z.${joiner}`])).length, 0, 'no system administrator was made');

    // The same file again, from the command line as a nightly job would: nothing changes.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-feed-')), 'hr.csv');
    fs.writeFileSync(file, csv);
    const again = await importPeopleFromCli(ctx.handle.owner, ctx.clock, { partnership: 'northmere', as: admin.email, file, apply: true });
    assert.ok(again.ok);
    assert.match(again.lines.at(-1)!, /applied: 0 new, 0 changed, 0 leavers disabled, 3 unchanged, 7 refused/);
    assert.equal(await auditCount('user.create', created.id), 1);
    assert.equal(await auditCount('user.disable', leaver.id), 1);
    assert.equal(await auditCount('user.update', changing.id), 1);
  });

  test('a leaver who comes back is enabled again by join; change leaves a disabled account disabled', async () => {
    const returning = await person('returning', 1);
    const gone = await person('gone', 1);
    await ctx.ownerQuery('UPDATE users SET disabled_at = now() WHERE id = ANY($1::uuid[])', [[returning.id, gone.id]]);
    const acting = ctx.services.lifecycle.acting(admin);
    const csv = [
      heading,
      `${returning.email},Synthetic,Person,${police.name},practitioner,join`,
      `${gone.email},Synthetic,Person,${police.name},coordinator,change`,
    ].join('\n');
    const result = await ctx.services.lifecycle.applyFeed(acting, csv, 'page');
    assert.ok(result.ok);
    assert.deepEqual(result.plan.counts, { create: 0, change: 2, disable: 0, unchanged: 0, rejected: 0 });
    assert.equal((await userRow(returning.id)).disabled_at, null);
    assert.equal(await auditCount('user.enable', returning.id), 1);
    assert.ok((await userRow(gone.id)).disabled_at, 'a change does not enable');
    assert.deepEqual((await userRow(gone.id)).roles, ['coordinator']);
    const again = await ctx.services.lifecycle.applyFeed(acting, csv, 'page');
    assert.ok(again.ok);
    assert.equal(again.plan.counts.unchanged, 2);
  });

  test('a large file (over 16 KB) is read in a worker thread, as every upload is, with the same preview', async () => {
    const acting = ctx.services.lifecycle.acting(admin);
    const rows = Array.from({ length: 1_500 }, (_, i) => `large.${i}@lantern.example,Synthetic,Person ${i},${police.name},practitioner,join`);
    const csv = [heading, ...rows].join('\n');
    assert.ok(Buffer.byteLength(csv) > 16 * 1024, 'over the in-thread limit');
    const before = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM users`))[0]!.n;
    const preview = await ctx.services.lifecycle.previewFeed(acting, csv);
    assert.ok(preview.ok);
    assert.deepEqual(preview.plan.counts, { create: 1_500, change: 0, disable: 0, unchanged: 0, rejected: 0 });
    assert.equal((await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM users`))[0]!.n, before, 'a preview changes nothing');
    const unclosed = await ctx.services.lifecycle.previewFeed(acting, `${csv}\n"unclosed,${'x'.repeat(20_000)}`);
    assert.equal(unclosed.ok, false, 'a large malformed file is refused by the worker too');
  });

  test('the command line acts as a named administrator: a joiner made and audited under their name; anyone else refused', async () => {
    const joiner = `cli.${crypto.randomBytes(3).toString('hex')}@lantern.example`;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-feed-')), 'hr.csv');
    fs.writeFileSync(file, [heading, `${joiner},Cli,Joiner,${police.name},practitioner,join`].join('\n'));
    const preview = await importPeopleFromCli(ctx.handle.owner, ctx.clock, { partnership: 'northmere', as: admin.email, file, apply: false });
    assert.match(preview.lines.at(-1)!, /preview .*: 1 new/);
    assert.equal((await ctx.ownerQuery('SELECT 1 FROM users WHERE email = $1', [joiner])).length, 0);
    const applied = await importPeopleFromCli(ctx.handle.owner, ctx.clock, { partnership: 'northmere', as: admin.email, file, apply: true });
    assert.match(applied.lines.at(-1)!, /applied: 1 new/);
    const rows = await ctx.ownerQuery<{ actor_user_id: string }>(
      `SELECT a.actor_user_id FROM audit_events a JOIN users u ON u.id = a.record_id::uuid WHERE a.action = 'user.create' AND u.email = $1`,
      [joiner],
    );
    assert.deepEqual(
      rows.map((r) => r.actor_user_id),
      [admin.userId],
    );
    await assert.rejects(
      importPeopleFromCli(ctx.handle.owner, ctx.clock, { partnership: 'northmere', as: 'social-worker.northmere@lantern.example', file, apply: true }),
      /No enabled administrator/,
    );
  });

  test('the administrator cannot disable their own account from a file', async () => {
    const csv = [heading, `${admin.email},,,,,leave`].join('\n');
    const result = await ctx.services.lifecycle.previewFeed(ctx.services.lifecycle.acting(admin), csv);
    assert.ok(result.ok);
    assert.equal(result.plan.outcomes[0]!.kind, 'rejected');
  });

  test('a malformed file is a 400 on the page and nothing is applied', async () => {
    await adminAgent.get('/admin/people/import');
    const noHeading = await adminAgent.postMultipart('/admin/people/import', { csv: 'a,b,c\n1,2,3' });
    assert.equal(noHeading.statusCode, 400);
    assert.ok(noHeading.body.includes('govuk-error-summary'));
    const unclosed = `${heading}\n"unclosed@lantern.example,A,B,${police.name},practitioner,join`;
    const bad = await adminAgent.postMultipart('/admin/people/import', {}, { field: 'csvFile', filename: 'hr.csv', content: unclosed });
    assert.equal(bad.statusCode, 400);
    const apply = await adminAgent.post('/admin/people/import/apply', { csv: unclosed });
    assert.equal(apply.statusCode, 400);
    assert.equal((await adminAgent.post('/admin/people/import/apply', {})).statusCode, 400);
    assert.equal((await ctx.ownerQuery("SELECT 1 FROM users WHERE email LIKE 'unclosed%'")).length, 0);
    const tooBig = await adminAgent.postMultipart('/admin/people/import', {}, { field: 'csvFile', filename: 'hr.csv', content: 'x'.repeat(300 * 1024) });
    assert.equal(tooBig.statusCode, 400);
  });
});
