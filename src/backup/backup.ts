import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { databaseState, openDatabase, openEmbedded } from '../db/database.ts';
import { BackupRefusal, openBackup, sealBackup, type BackupFile, type BackupHeader } from './container.ts';
import { requestSnapshot, runningServer } from './embedded-server.ts';

/**
 * `lantern backup --out FILE` and `lantern restore FILE` (docs/OPERATIONS.md, "Backup and restore").
 *
 * Embedded database: a consistent copy of the data folder, from the running server over its backup
 * socket (src/backup/embedded-server.ts) or, with no server running, by opening the folder, with the
 * secrets kept in the data folder outside production (TOTP encryption key, cookie secret, audit
 * anchor key) when they are not configured. Server: `pg_dump --format=custom` as the schema owner
 * (a consistent snapshot while the server runs), restored by `pg_restore` into an empty database.
 * Either way the file is sealed with LANTERN_BACKUP_KEY (src/backup/container.ts).
 */
const keptFiles = ['secrets-key', 'cookie-secret', 'audit-anchor-key'];
const lanternVersion = '0.1.0';

function backupKey(config: Config): Buffer {
  if (!config.backupKey) throw new BackupRefusal('LANTERN_BACKUP_KEY: required to back up or restore (32 bytes, base64: openssl rand -base64 32)', 2);
  return config.backupKey;
}

/** Runs a program, collecting its standard output; its standard error is the failure's message. */
function run(program: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (error) =>
      reject(new Error(`${program} could not be run (${error.message}); install the PostgreSQL client tools of the server's version`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${program} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** The owner's connection string: pg_dump must see every row, and only the owner (BYPASSRLS) does. */
const ownerUrl = (config: Config) => (config.database.kind === 'server' ? (config.database.ownerUrl ?? config.database.url) : '');

export async function makeBackup(config: Config, out: string): Promise<{ bytes: number; kind: string; source: string }> {
  const key = backupKey(config);
  const files: BackupFile[] = [];
  let header: BackupHeader;
  let source: string;
  if (config.database.kind === 'server') {
    const url = ownerUrl(config);
    const migration = await serverMigration(url);
    files.push({ name: 'database.pgdump', data: await run('pg_dump', ['--format=custom', '--no-password', `--dbname=${url}`]) });
    header = { kind: 'server', created: new Date().toISOString(), migration, lantern: lanternVersion };
    source = 'pg_dump';
  } else {
    const dataDir = config.database.dataDir;
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) throw new BackupRefusal(`there is no embedded database in ${dataDir} to back up`, 1);
    let tarball: Buffer;
    let migration: string | null;
    if (runningServer(config.dataDir)) {
      tarball = await requestSnapshot(config.dataDir);
      source = 'the running server';
      migration = await embeddedMigration(tarball);
    } else {
      const handle = await openEmbedded(dataDir);
      try {
        tarball = Buffer.from(await (await handle.snapshot!()).arrayBuffer());
        migration = (await databaseState(handle.owner)).migration;
      } finally {
        await handle.close();
      }
      source = 'the data folder (no server running)';
    }
    files.push({ name: 'pgdata.tar', data: tarball });
    for (const name of keptFiles) {
      const file = path.join(config.dataDir, name);
      if (fs.existsSync(file)) files.push({ name: `kept/${name}`, data: fs.readFileSync(file) });
    }
    header = { kind: 'embedded', created: new Date().toISOString(), migration, lantern: lanternVersion };
  }
  const sealed = sealBackup(key, header, files);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  // Written beside, then renamed: a backup cut short by a crash is never left under the name asked for.
  const partial = `${out}.partial`;
  fs.writeFileSync(partial, sealed, { mode: 0o600 });
  fs.renameSync(partial, out);
  return { bytes: sealed.length, kind: header.kind, source };
}

async function serverMigration(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ name: string | null }>(
      `SELECT CASE WHEN to_regclass('lantern_migrations') IS NULL THEN NULL ELSE (SELECT max(name) FROM lantern_migrations) END AS name`,
    );
    return r.rows[0]?.name ?? null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

async function embeddedMigration(tarball: Buffer): Promise<string | null> {
  const copy = await openEmbedded(undefined, new Blob([new Uint8Array(tarball)]));
  try {
    return (await databaseState(copy.owner)).migration;
  } finally {
    await copy.close();
  }
}

export async function restoreBackup(config: Config, file: string): Promise<{ kind: string; created: string; migration: string | null; warnings: string[] }> {
  const key = backupKey(config);
  if (!fs.existsSync(file)) throw new BackupRefusal(`${file} does not exist`, 1);
  const { header, files } = openBackup(key, fs.readFileSync(file));
  const warnings: string[] = [];
  if (header.kind !== config.database.kind) {
    throw new BackupRefusal(
      `this is a backup of ${header.kind === 'server' ? 'a PostgreSQL server' : 'an embedded database'}, but Lantern is configured for ${config.database.kind === 'server' ? 'a server (DATABASE_URL)' : 'the embedded database'}`,
      1,
    );
  }
  if (config.database.kind === 'server') {
    const url = ownerUrl(config);
    if ((await serverMigration(url)) !== null) {
      throw new BackupRefusal('the database DATABASE_URL names already holds Lantern’s tables; restore into a new, empty database', 1);
    }
    const dump = files.find((f) => f.name === 'database.pgdump');
    if (!dump) throw new BackupRefusal('this is not a sound Lantern backup (no database in it); nothing was restored', 1);
    await run('pg_restore', ['--exit-on-error', '--single-transaction', '--no-password', `--dbname=${url}`], dump.data);
  } else {
    const dataDir = config.database.dataDir;
    const server = runningServer(config.dataDir);
    if (server) throw new BackupRefusal(`a Lantern server (process ${server}) is using ${config.dataDir}; stop it before restoring`, 1);
    if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
      throw new BackupRefusal(`${dataDir} already holds a database; move it away (or restore with another LANTERN_DATA_DIR)`, 1);
    }
    const tarball = files.find((f) => f.name === 'pgdata.tar');
    if (!tarball) throw new BackupRefusal('this is not a sound Lantern backup (no database in it); nothing was restored', 1);
    fs.mkdirSync(dataDir, { recursive: true });
    const handle = await openEmbedded(dataDir, new Blob([new Uint8Array(tarball.data)]));
    await handle.close();
    for (const kept of files.filter((f) => f.name.startsWith('kept/'))) {
      const name = kept.name.slice('kept/'.length);
      if (!keptFiles.includes(name)) continue;
      const target = path.join(config.dataDir, name);
      if (!fs.existsSync(target)) fs.writeFileSync(target, kept.data, { mode: 0o600 });
      else if (!fs.readFileSync(target).equals(kept.data)) warnings.push(`${target} differs from the one in the backup and was kept as it is`);
    }
  }
  // The restored database opens, and is checked, like any other (the caller runs audit verify).
  const check = await openDatabase(config);
  try {
    if (!(await databaseState(check.owner)).ok) throw new BackupRefusal('the restored database does not open as a Lantern database', 1);
  } finally {
    await check.close();
  }
  return { ...header, warnings };
}
