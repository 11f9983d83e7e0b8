import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../src/auth/service.ts';
import { SecretBox } from '../../src/auth/secrets.ts';
import { withActor, withAnonymous, withAuth } from '../../src/db/context.ts';
import { assertServingLogin } from '../../src/db/logins.ts';
import { createTestContext, testSecretsKey, type TestContext } from '../helpers/context.ts';

/**
 * Security review M6: a statement inside a request cannot become someone else. The probes run in a
 * real request transaction (withActor on the request pool) and try what an injected statement would:
 * switch role, rewrite the context settings, change another partnership, read secrets, forge audit rows.
 */
let ctx: TestContext;
let northmere: string;
let westbrook: string;
let triage: SessionUser;
let admin: SessionUser;
let westbrookChildren: number;

before(async () => {
  ctx = await createTestContext();
  const ps = await ctx.ownerQuery<{ id: string; code: string }>(`SELECT id, code FROM partnerships`);
  northmere = ps.find((p) => p.code === 'northmere')!.id;
  westbrook = ps.find((p) => p.code === 'westbrook')!.id;
  triage = await ctx.sessionUser('triage.northmere@lantern.example');
  admin = await ctx.sessionUser('admin.northmere@lantern.example');
  westbrookChildren = (await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM children WHERE partnership_id = $1`, [westbrook]))[0]!.n;
});
after(async () => ctx.close());

const asTriage = <T>(fn: Parameters<typeof withActor<T>>[2]) => withActor(ctx.handle.db, actorOf(triage), fn);
const count = async (tx: Parameters<Parameters<typeof withActor>[2]>[0], table: string, partnershipId: string) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE partnership_id = ${partnershipId}`.execute(tx)).rows[0]!.n;

describe('who a request is, as the database knows it', () => {
  test('the probes mean something: the other partnership has children, and the acting one sees its own', async () => {
    assert.ok(westbrookChildren > 0);
    assert.ok((await asTriage((tx) => count(tx, 'children', northmere))) > 0);
    assert.equal(await asTriage((tx) => count(tx, 'children', westbrook)), 0);
  });

  test('rewriting the context settings inside a request shows nothing of another partnership', async () => {
    const seen = await asTriage(async (tx) => {
      // The settings the context used to be read from, set as an injected statement would.
      await sql`SELECT set_config('lantern.partnership_id', ${westbrook}, true), set_config('lantern.scope', 'partnership', true),
        set_config('lantern.agency_id', ${crypto.randomUUID()}, true), set_config('lantern.user_id', ${crypto.randomUUID()}, true)`.execute(tx);
      return count(tx, 'children', westbrook);
    });
    assert.equal(seen, 0);
    // A made-up context id finds no context at all: nothing is visible, not even the acting partnership's.
    const guessed = await asTriage(async (tx) => {
      await sql`SELECT set_config('lantern.ctx', ${crypto.randomUUID()}, true)`.execute(tx);
      return count(tx, 'children', northmere);
    });
    assert.equal(guessed, 0);
  });

  test('a context does not outlive its transaction on the same connection', async () => {
    await asTriage((tx) => count(tx, 'children', northmere));
    const after = await withAnonymous(ctx.handle.db, (tx) => count(tx, 'children', northmere));
    assert.equal(after, 0);
  });

  test('only a live, fully signed-in session or an issued token opens a context', async () => {
    for (const probe of [
      sql`SELECT lantern_begin_session('not-a-session', null, null)`,
      sql`SELECT lantern_begin_session(${crypto.createHash('sha256').update('guess').digest('hex')}, null, null)`,
      sql`SELECT lantern_begin_api_token('not-a-token', null, null)`,
      sql`SELECT lantern_begin_trusted(${westbrook}::uuid, null, null, ARRAY['coordinator'], 'forged')`,
    ]) {
      await assert.rejects(
        withAnonymous(ctx.handle.db, (tx) => probe.execute(tx)),
        /no live|permission denied/,
      );
    }
    // A session that has ended no longer opens one, even if a request still holds it.
    const ended = await ctx.sessionUser('social-worker.northmere@lantern.example');
    await ctx.ownerQuery(`UPDATE sessions SET ended_at = now(), ended_reason = 'test' WHERE id = $1`, [ended.sessionId]);
    await assert.rejects(
      withActor(ctx.handle.db, actorOf(ended), (tx) => count(tx, 'children', northmere)),
      /credential not live/,
    );
  });

  test('the request role cannot change another partnership, nor its own unless an administrator', async () => {
    const rename = (user: SessionUser, id: string) =>
      withActor(ctx.handle.db, actorOf(user), async (tx) =>
        Number((await tx.updateTable('partnerships').set({ name: 'Renamed' }).where('id', '=', id).executeTakeFirst()).numUpdatedRows),
      );
    assert.equal(await rename(admin, westbrook), 0, 'another partnership');
    assert.equal(await rename(triage, northmere), 0, 'own partnership, not an administrator');
    const [before] = await ctx.ownerQuery<{ name: string }>(`SELECT name FROM partnerships WHERE id = $1`, [northmere]);
    assert.equal(
      await withActor(ctx.handle.db, actorOf(admin), async (tx) =>
        Number((await tx.updateTable('partnerships').set({ name: before!.name }).where('id', '=', northmere).executeTakeFirst()).numUpdatedRows),
      ),
      1,
      'own partnership, as its administrator',
    );
    const [w] = await ctx.ownerQuery<{ name: string }>(`SELECT name FROM partnerships WHERE id = $1`, [westbrook]);
    assert.notEqual(w!.name, 'Renamed');
  });

  test('secrets are not readable by the request role', async () => {
    for (const probe of [
      sql`SELECT password_hash FROM users LIMIT 1`,
      sql`SELECT totp_secret FROM users LIMIT 1`,
      sql`SELECT id FROM sessions LIMIT 1`,
      sql`SELECT token_hash FROM api_tokens LIMIT 1`,
      sql`SELECT * FROM sign_in_throttle LIMIT 1`,
      sql`SELECT * FROM lantern_request_context`,
    ]) {
      await assert.rejects(
        asTriage((tx) => probe.execute(tx)),
        /permission denied/,
        probe.compile(ctx.handle.db).sql,
      );
    }
    // Sign-in's own role reads them; what it reads of a TOTP secret is sealed, not the secret.
    const stored = await withAuth(ctx.handle.auth, (tx) =>
      tx.selectFrom('users').select(['id', 'totp_secret']).where('email', '=', 'triage.northmere@lantern.example').executeTakeFirstOrThrow(),
    );
    const plain = ctx.account('triage.northmere@lantern.example').totpSecret;
    assert.ok(stored.totp_secret && SecretBox.isSealed(stored.totp_secret) && !stored.totp_secret.includes(plain));
    assert.equal(new SecretBox(testSecretsKey()).open(stored.id, stored.totp_secret), plain);
    assert.equal(new SecretBox(crypto.randomBytes(32)).open(stored.id, stored.totp_secret), null, 'another key opens nothing');
    const [other] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM users WHERE email = 'police.northmere@lantern.example'`);
    assert.equal(new SecretBox(testSecretsKey()).open(other!.id, stored.totp_secret), null, 'copied onto another account it opens nothing');
  });

  test('audit rows cannot be forged: the actor, address and agent come from the context', async () => {
    await assert.rejects(
      asTriage((tx) =>
        sql`INSERT INTO audit_events (partnership_id, chain_id, seq, actor_label, action, prev_hash, hash)
      VALUES (${northmere}, ${northmere}, 0, 'someone else', 'record.view', '', '')`.execute(tx),
      ),
      /permission denied/,
    );
    await assert.rejects(
      asTriage((tx) => sql`SELECT lantern_audit('record.view', 'child', 'x', null, '{}', null, ${westbrook}::uuid, null)`.execute(tx)),
      /not the acting context/,
    );
    await assert.rejects(
      asTriage((tx) => sql`SELECT lantern_audit('record.view', 'child', 'x', null, '{}', null, null, ${admin.userId}::uuid)`.execute(tx)),
      /not the acting context/,
    );
    const marker = `probe-${crypto.randomUUID()}`;
    await asTriage((tx) => sql`SELECT lantern_audit('record.view', 'probe', ${marker}, null, '{}', null, null, null)`.execute(tx));
    const [row] = await ctx.ownerQuery<{ actor_user_id: string; actor_label: string; partnership_id: string; client_address: string; user_agent: string }>(
      `SELECT actor_user_id, actor_label, partnership_id, client_address, user_agent FROM audit_events WHERE record_id = $1`,
      [marker],
    );
    assert.deepEqual(row, {
      actor_user_id: triage.userId,
      actor_label: triage.email,
      partnership_id: northmere,
      client_address: '192.0.2.10',
      user_agent: 'lantern-test',
    });
  });

  test('the request role cannot become another role', async (t) => {
    // PGlite has one connection, opened as its superuser; requests SET ROLE there (docs/SECURITY.md).
    if (ctx.handle.kind === 'embedded') return t.skip('embedded: one superuser connection');
    for (const probe of [
      sql`SELECT set_config('role', 'postgres', true)`,
      sql`SET LOCAL ROLE postgres`,
      sql`SET LOCAL ROLE lantern_auth`,
      sql`SET SESSION AUTHORIZATION postgres`,
    ]) {
      await assert.rejects(
        asTriage((tx) => probe.execute(tx)),
        /permission denied|must be/,
      );
    }
    // RESET ROLE returns to the login itself, which is no more than lantern_app.
    const who = await asTriage(async (tx) => {
      await sql`RESET ROLE`.execute(tx);
      return (await sql<{ u: string; s: boolean }>`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS s`.execute(tx))
        .rows[0]!;
    });
    assert.deepEqual(who, { u: 'lantern_web', s: false });
    await assert.rejects(
      withAnonymous(ctx.handle.db, async (tx) => {
        await sql`RESET ROLE`.execute(tx);
        await sql`SELECT password_hash FROM users`.execute(tx);
      }),
      /permission denied/,
    );
  });

  test('no connection serving requests or sign-in is a superuser or the owner', async () => {
    await asTriage((tx) => count(tx, 'children', northmere));
    await ctx.services.auth.actingOptions(triage.userId);
    if (ctx.handle.kind === 'embedded') return;
    const serving = await ctx.ownerQuery<{ usename: string; rolsuper: boolean; owner: boolean }>(`
      SELECT DISTINCT a.usename, r.rolsuper,
             EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = a.usename) AS owner
        FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
       WHERE a.datname = current_database() AND a.application_name IN ('lantern-requests', 'lantern-sign-in')`);
    assert.deepEqual(serving.map((r) => r.usename).sort(), ['lantern_signin', 'lantern_web']);
    assert.ok(serving.every((r) => !r.rolsuper && !r.owner));
  });

  test('Lantern refuses to serve through a login that could step outside row-level security', () => {
    const fine = { login: 'lantern_web', superuser: false, ownsTables: false, memberOfOwner: false, canBecome: ['lantern_app'] };
    assert.doesNotThrow(() => assertServingLogin(fine, 'requests'));
    assert.throws(() => assertServingLogin({ ...fine, login: 'postgres', superuser: true }, 'requests'), /superuser/);
    assert.throws(() => assertServingLogin({ ...fine, ownsTables: true }, 'requests'), /owns the tables/);
    assert.throws(() => assertServingLogin({ ...fine, canBecome: ['lantern_app', 'lantern_auth'] }, 'requests'), /can become lantern_auth/);
    assert.throws(() => assertServingLogin({ ...fine, canBecome: [] }, 'requests'), /not a member of lantern_app/);
  });
});
