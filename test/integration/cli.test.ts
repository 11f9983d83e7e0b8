import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
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

/** Runs the CLI; a last argument that is an object adds to the environment. */
const lantern = (...args: (string | Record<string, string>)[]) => {
  const extra = typeof args.at(-1) === 'object' ? (args.pop() as Record<string, string>) : {};
  return spawnSync(process.execPath, ['bin/lantern.mjs', ...(args as string[])], {
    env: { ...process.env, ...env, ...extra },
    encoding: 'utf8',
    timeout: 120_000,
  });
};

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

  const created = lantern(
    'user',
    'create',
    '--email',
    'new.person@lantern.example',
    '--name',
    'New Person',
    '--partnership',
    'northmere',
    '--agency',
    'Northmere Partnership Team',
    '--role',
    'strategy_lead',
  );
  assert.equal(created.status, 0, created.stderr);
  assert.match(created.stdout, /one-time password: lantern-/);
  // A refused command exits 1 on both databases (the embedded one's shutdown used to reset it to 0).
  const unknownAgency = lantern(
    'user',
    'create',
    '--email',
    'another.person@lantern.example',
    '--name',
    'Another Person',
    '--partnership',
    'northmere',
    '--agency',
    'No such agency',
    '--role',
    'practitioner',
  );
  assert.equal(unknownAgency.status, 1, unknownAgency.stderr);
  assert.match(unknownAgency.stderr, /No agency "No such agency"/);

  const ok = lantern('audit', 'verify');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /audit trail intact: [1-9]\d* rows/);
  // No anchor yet: a warning, unless anchors are required.
  assert.match(ok.stderr, /warning: no audit anchors: .*audit-anchors\.jsonl does not exist/);
  const required = lantern('audit', 'verify', '--require-anchor');
  assert.equal(required.status, 1);
  assert.match(required.stderr, /audit anchors MISSING/);

  const anchored = lantern('audit', 'anchor');
  assert.equal(anchored.status, 0, anchored.stderr);
  assert.match(anchored.stdout, /anchored [1-9]\d* chain\(s\) to .*audit-anchors\.jsonl/);
  assert.equal(fs.statSync(path.join(dir, 'audit-anchor-key')).mode & 0o777, 0o600, 'the made key is private to its owner');
  // The public key alone checks the anchors; another key does not.
  const publicKey = lantern('audit', 'public-key').stdout.trim();
  assert.match(publicKey, /^[A-Za-z0-9_-]{43}$/);
  const withAnchor = lantern('audit', 'verify', '--require-anchor', { LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: publicKey });
  assert.equal(withAnchor.status, 0, withAnchor.stderr);
  assert.match(withAnchor.stdout, /audit anchors match: 1 signed anchor\(s\) in .*, [1-9]\d* anchored position\(s\) checked/);
  const otherKey = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const otherOnly = lantern('audit', 'verify', { LANTERN_AUDIT_ANCHOR_PUBLIC_KEY: otherKey });
  assert.equal(otherOnly.status, 1);
  assert.match(otherOnly.stderr, /audit anchors BROKEN at line 1 of .*: signed with another key/);

  await ownerQuery(
    `ALTER TABLE audit_events DISABLE TRIGGER USER; UPDATE audit_events SET actor_label = 'someone else' WHERE action = 'user.create'; ALTER TABLE audit_events ENABLE TRIGGER USER;`,
  );
  const broken = lantern('audit', 'verify');
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /BROKEN at chain [0-9a-f-]+, seq 1 \(row id \d+\): hash_mismatch/);

  // Now as the owner would cover it up: rehash the row and set the chain head (the only row in its chain).
  // The chain check passes; the anchor does not.
  await ownerQuery(`ALTER TABLE audit_events DISABLE TRIGGER USER;
    UPDATE audit_events a SET hash = encode(sha256(convert_to(a.prev_hash || E'\\x1e' || lantern_audit_payload(a), 'UTF8')), 'hex') WHERE action = 'user.create';
    UPDATE audit_chain_heads h SET hash = a.hash FROM audit_events a WHERE a.action = 'user.create' AND h.chain_id = a.chain_id;
    ALTER TABLE audit_events ENABLE TRIGGER USER;`);
  const rewritten = lantern('audit', 'verify');
  assert.equal(rewritten.status, 1);
  assert.match(rewritten.stdout, /audit trail intact/);
  assert.match(
    rewritten.stderr,
    /audit trail REWRITTEN at chain [0-9a-f-]+, seq 1: the row’s hash differs from the anchor of .* \(line 1 of .*audit-anchors\.jsonl\); no earlier anchor of this chain matches/,
  );

  const code = lantern('totp', accounts[0]!.totpSecret);
  assert.match(code.stdout.trim(), /^\d{6}$/);
});

test('an applied migration that changed stops every command with one line and its code', async () => {
  // The database of the test above; its text as applied is what the recorded checksum says.
  await ownerQuery(`UPDATE lantern_migrations SET checksum = 'as-applied-elsewhere' WHERE name = '0150_casework'`);
  for (const command of ['migrate', 'serve']) {
    const refused = lantern(command);
    assert.equal(refused.status, 1, `${command}: ${refused.stderr}`);
    assert.equal(
      refused.stderr.trim(),
      'Lantern cannot start: migration 0150_casework has changed since it was applied to this database ' +
        '(restore the applied text and make the change in a new migration) (LANTERN_E_MIGRATION_CHANGED)',
      command,
    );
  }
  await ownerQuery(`UPDATE lantern_migrations SET checksum = NULL WHERE name = '0150_casework'`);
  const filled = lantern('migrate');
  assert.equal(filled.status, 0, filled.stderr);
});

test('an unreachable database stops the CLI with one clear line and status 1, not a stack trace', () => {
  // Port 1 on loopback: nothing listens there. The password must not be printed.
  const unreachable = {
    ...process.env,
    LANTERN_DATA_DIR: dir,
    LANTERN_LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://postgres:synthetic-secret@127.0.0.1:1/x',
  };
  for (const command of ['migrate', 'serve']) {
    const r = spawnSync(process.execPath, ['bin/lantern.mjs', command], { env: unreachable, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 1, `${command}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), 'Lantern cannot start: the database at 127.0.0.1:1 is unreachable (ECONNREFUSED)', command);
    assert.doesNotMatch(r.stdout + r.stderr, /synthetic-secret|\n\s+at /);
  }
});
