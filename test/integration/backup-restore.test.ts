import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';

/**
 * `lantern backup` and `lantern restore` from the command line (issue 16 §2): a backup taken (for
 * the embedded database, from the running server) and restored into a fresh place passes
 * `audit verify` and has the same number of rows in every table; a wrong key, a cut-short file and
 * an altered byte are refused and restore nothing.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lantern-bk-'));
const source = path.join(dir, 'source');
const restored = path.join(dir, 'restored');
const template = process.env.LANTERN_TEST_TEMPLATE_INFO
  ? (JSON.parse(fs.readFileSync(process.env.LANTERN_TEST_TEMPLATE_INFO, 'utf8')) as { kind: string; adminUrl?: string })
  : null;
const serverUrl = template?.kind === 'server' ? template.adminUrl! : null;
const stamp = `${Math.floor(Date.now() / 1000)}_${process.pid}`;
const sourceDb = `lantern_t_${stamp}_bks`;
const restoredDb = `lantern_t_${stamp}_bkr`;
const key = crypto.randomBytes(32).toString('base64');
const base = { LANTERN_LOG_LEVEL: 'silent', LANTERN_BACKUP_KEY: key };
const dbUrl = (name: string) => {
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return url.toString();
};
const sourceEnv: Record<string, string> = { ...base, LANTERN_DATA_DIR: source, ...(serverUrl ? { DATABASE_URL: dbUrl(sourceDb) } : {}) };
const restoredEnv: Record<string, string> = { ...base, LANTERN_DATA_DIR: restored, ...(serverUrl ? { DATABASE_URL: dbUrl(restoredDb) } : {}) };

async function admin(text: string) {
  const c = new pg.Client({ connectionString: serverUrl! });
  await c.connect();
  await c.query(text);
  await c.end();
}

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (serverUrl) for (const name of [sourceDb, restoredDb]) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

const lantern = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, ['bin/lantern.mjs', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000 });

/** Every table's row count, read as the superuser (past row-level security). */
async function rowCounts(env: Record<string, string>): Promise<Record<string, number>> {
  const tablesSql = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
  const counts: Record<string, number> = {};
  if (serverUrl) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL });
    await c.connect();
    for (const { table_name } of (await c.query<{ table_name: string }>(tablesSql)).rows) {
      counts[table_name] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${table_name}"`)).rows[0]!.n);
    }
    await c.end();
    return counts;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite(path.join(env.LANTERN_DATA_DIR!, 'pgdata'));
  for (const { table_name } of (await db.query<{ table_name: string }>(tablesSql)).rows) {
    counts[table_name] = Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table_name}"`)).rows[0]!.n);
  }
  await db.close();
  return counts;
}

/** Starts `lantern serve` on the source and waits until it listens. */
async function startServer() {
  const child = spawn(process.execPath, ['bin/lantern.mjs', 'serve'], { env: { ...process.env, ...sourceEnv, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 120_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Lantern is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`the server stopped (${code}):\n${output}`)));
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

test('backup while the server runs, restore elsewhere: audit verify passes and every table has the same rows', async () => {
  if (serverUrl) {
    await admin(`CREATE DATABASE ${sourceDb}`);
    await admin(`CREATE DATABASE ${restoredDb}`);
  }
  const seeded = lantern(sourceEnv, 'seed');
  assert.equal(seeded.status, 0, seeded.stderr);
  // The seed writes no audit rows; creating an account does, so the chain checked after the restore is not empty.
  const created = lantern(
    sourceEnv,
    'user',
    'create',
    '--email',
    'backup.check@lantern.example',
    '--name',
    'Backup Check',
    '--partnership',
    'northmere',
    '--agency',
    'Northmere Partnership Team',
    '--role',
    'analyst',
  );
  assert.equal(created.status, 0, created.stderr);
  const file = path.join(dir, 'lantern.backup');

  // The embedded database belongs to the running server: the backup asks it for a copy.
  const server = serverUrl ? null : await startServer();
  let made;
  try {
    if (server) {
      assert.ok(fs.existsSync(path.join(source, 'backup.sock')), 'the server listens for backups');
      const refused = lantern({ ...restoredEnv, LANTERN_DATA_DIR: source }, 'restore', path.join(dir, 'none'));
      assert.notEqual(refused.status, 0);
    }
    made = lantern(sourceEnv, 'backup', '--out', file);
  } finally {
    await server?.stop();
  }
  assert.equal(made.status, 0, made.stderr);
  if (server) assert.match(made.stdout, /from the running server/);
  assert.ok(!fs.existsSync(path.join(source, 'backup.sock')), 'the socket goes with the server');
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 15).toString(), 'LANTERN-BACKUP\n');
  // Encrypted: no demo email appears in the file.
  assert.ok(!bytes.includes(Buffer.from('@lantern.example')));

  // Refusals restore nothing.
  const wrongKey = lantern({ ...restoredEnv, LANTERN_BACKUP_KEY: crypto.randomBytes(32).toString('base64') }, 'restore', file);
  assert.equal(wrongKey.status, 2, wrongKey.stderr);
  assert.match(wrongKey.stderr, /LANTERN_BACKUP_KEY is not the key this backup was made with/);
  const noKey = lantern({ ...restoredEnv, LANTERN_BACKUP_KEY: '' }, 'restore', file);
  assert.equal(noKey.status, 2);
  const cut = path.join(dir, 'cut.backup');
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  const truncated = lantern(restoredEnv, 'restore', cut);
  assert.equal(truncated.status, 1);
  assert.match(truncated.stderr, /not a sound Lantern backup/);
  const altered = Buffer.from(bytes);
  altered[Math.floor(altered.length / 2)]! ^= 0x01;
  const tamperedFile = path.join(dir, 'tampered.backup');
  fs.writeFileSync(tamperedFile, altered);
  const tampered = lantern(restoredEnv, 'restore', tamperedFile);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stderr, /altered or cut short/);
  if (!serverUrl) assert.ok(!fs.existsSync(path.join(restored, 'pgdata')), 'nothing was restored');

  const done = lantern(restoredEnv, 'restore', file);
  assert.equal(done.status, 0, done.stderr);
  // Restoring again over it is refused.
  assert.equal(lantern(restoredEnv, 'restore', file).status, 1);

  if (!serverUrl) {
    // The kept secrets came back (the anchor key; the TOTP key too when it is kept): with the source's anchors, the anchors match too.
    // (The test runner configures LANTERN_SECRETS_KEY, so only the anchor key is kept in the folder here.)
    assert.deepEqual(fs.readFileSync(path.join(restored, 'audit-anchor-key')), fs.readFileSync(path.join(source, 'audit-anchor-key')));
    fs.copyFileSync(path.join(source, 'audit-anchors.jsonl'), path.join(restored, 'audit-anchors.jsonl'));
  }
  const verified = lantern(restoredEnv, 'audit', 'verify', ...(serverUrl ? [] : ['--require-anchor']));
  assert.equal(verified.status, 0, verified.stderr);
  assert.match(verified.stdout, /audit trail intact: [1-9]\d* rows/);
  if (!serverUrl) assert.match(verified.stdout, /audit anchors match/);

  const before = await rowCounts(sourceEnv);
  const afterRestore = await rowCounts(restoredEnv);
  assert.ok(Object.keys(before).length > 50);
  assert.ok(before.audit_events! > 0 && before.children! > 0);
  assert.deepEqual(afterRestore, before);
});
