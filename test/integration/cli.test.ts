import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';

/**
 * The CLI against a real data folder (embedded) or a fresh server database: seed, create a user,
 * verify the audit trail, tamper with it, and see `audit verify` name the row and exit non-zero.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-cli-'));
const template = process.env.LANTERN_TEST_TEMPLATE_INFO
  ? (JSON.parse(fs.readFileSync(process.env.LANTERN_TEST_TEMPLATE_INFO, 'utf8')) as { kind: string; adminUrl?: string })
  : null;
const serverUrl = template?.kind === 'server' ? template.adminUrl! : null;
const dbName = `lantern_t_${Math.floor(Date.now() / 1000)}_cli${process.pid}`;
let env: Record<string, string> = { LANTERN_DATA_DIR: dir, LANTERN_LOG_LEVEL: 'silent' };

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (serverUrl) {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
});

const lantern = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/lantern.mjs', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

async function ownerQuery(text: string) {
  if (serverUrl) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL });
    await c.connect();
    await c.query(text);
    await c.end();
    return;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(path.join(dir, 'pgdata'));
  await db.exec(text);
  await db.close();
}

test('seed, user create, audit verify, and tamper detection from the command line', async () => {
  if (serverUrl) {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    env = { ...env, DATABASE_URL: url.toString() };
  }
  const seeded = lantern('seed');
  assert.equal(seeded.status, 0, seeded.stderr);
  const accounts = JSON.parse(fs.readFileSync(path.join(dir, 'demo-accounts.json'), 'utf8')) as { email: string; totpSecret: string }[];
  assert.ok(accounts.length >= 20);
  assert.ok(accounts.every((a) => /@lantern\.example$/.test(a.email) && a.totpSecret.length >= 16));

  const created = lantern('user', 'create', '--email', 'new.person@lantern.example', '--name', 'New Person', '--partnership', 'northmere',
    '--agency', 'Northmere Partnership Team', '--role', 'strategy_lead');
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /one-time password: lantern-/);

  const ok = lantern('audit', 'verify');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /audit trail intact: [1-9]\d* rows/);

  await ownerQuery(`ALTER TABLE audit_events DISABLE TRIGGER USER; UPDATE audit_events SET actor_label = 'someone else' WHERE action = 'user.create'; ALTER TABLE audit_events ENABLE TRIGGER USER;`);
  const broken = lantern('audit', 'verify');
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /BROKEN at chain [0-9a-f-]+, seq 1 \(row id \d+\): hash_mismatch/);

  const code = lantern('totp', accounts[0]!.totpSecret);
  assert.match(code.stdout.trim(), /^\d{6}$/);
});

test('an unreachable database stops the CLI with one clear line and status 1, not a stack trace', () => {
  // Port 1 on loopback: nothing listens there. The password must not be printed.
  const unreachable = { ...process.env, LANTERN_DATA_DIR: dir, LANTERN_LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres:synthetic-secret@127.0.0.1:1/x' };
  for (const command of ['migrate', 'serve']) {
    const r = spawnSync(process.execPath, ['bin/lantern.mjs', command], { env: unreachable, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, `${command}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), 'Lantern cannot start: the database at 127.0.0.1:1 is unreachable (ECONNREFUSED)', command);
    assert.doesNotMatch(r.stdout + r.stderr, /synthetic-secret|\n\s+at /);
  }
});
