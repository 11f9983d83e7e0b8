import crypto from 'node:crypto';
import fs from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import type { DB } from './types.generated.ts';
import { markSignInLogin } from './context.ts';
import type { Database } from './kysely-types.ts';
import { recordStatement } from './statement-timing.ts';
import { assertServingLogin, canCreateRoles, derivedPassword, ensureLogins, loginIdentity, requestLogin, signInLogin, urlAs } from './logins.ts';

export type { Database } from './kysely-types.ts';

export interface DatabaseHandle {
  kind: 'embedded' | 'server';
  /** Requests: a member of lantern_app (server), or SET ROLE lantern_app on the one embedded connection. */
  db: Database;
  /** Sign-in and session resolution: a member of lantern_auth (server), or SET ROLE lantern_auth (embedded). */
  auth: Database;
  /** The schema owner: migrations, the command line, seeding and tests' set-up. Never a request. */
  owner: Database;
  /** Embedded only: the whole data folder as a tarball (tests clone a seeded template from it). */
  dump?: () => Promise<Blob>;
  /**
   * Embedded only: a consistent copy of the data folder while the database is in use (`lantern backup`):
   * it waits for the one connection (so no statement or transaction is under way), checkpoints, and
   * dumps the folder before anything else may run.
   */
  snapshot?: () => Promise<Blob>;
  /** Runs a multi-statement SQL script (a migration) as one transaction, as the owner. */
  execScript(script: string): Promise<void>;
  /**
   * Server: refuses to go on if the request or sign-in login is a superuser, owns the tables or can
   * become another role (src/db/logins.ts). Embedded: nothing to check (one connection, roles by SET ROLE).
   */
  verifyLogins(): Promise<void>;
  /** Ends the owner's connections once start-up is done, so none is left beside the request pool. */
  closeOwner(): Promise<void>;
  close(): Promise<void>;
}

// A `date` column arrives as its text, 'YYYY-MM-DD', from both drivers (the server's here, PGlite's
// in openEmbedded), so a date of birth never shifts with a time zone; src/dates.ts works on that form.
const dateTypeOid = 1082;
const dateAsText = (value: string) => value;
pg.types.setTypeParser(dateTypeOid, dateAsText);

/**
 * A pg client that sends each parameterised statement as a named prepared statement, so the server
 * parses and plans a statement once per connection instead of on every request (row-level security
 * makes planning the larger part of a short query's cost: docs/PERFORMANCE.md). Plans stay correct
 * as roles change (PostgreSQL re-plans a cached statement for a different role or row-security
 * setting) and as the schema changes. Statements without parameters (BEGIN, SET, scripts with
 * several statements) go as they are. Names are a hash of the text, remembered for a bounded
 * number of distinct texts; past that, statements are sent unnamed as before.
 */
const statementNames = new Map<string, string>();
const maxNamedStatements = 5000;
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (!name && statementNames.size < maxNamedStatements && text.length <= 20_000) {
    name = `l_${crypto.createHash('sha1').update(text).digest('base64url')}`;
    statementNames.set(text, name);
  }
  return name;
}
// pg.Client's query as one signature: its overloads are chosen at run time from the arguments.
const clientQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
class PreparingClient extends pg.Client {
  // The arguments go on to pg.Client's query as they came, or as a named statement, so the result
  // is what that overload returns; `never` is assignable to each overload's result type.
  override query(...args: unknown[]): never {
    const [text, values, ...rest] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(text);
      if (name) return clientQuery.call(this, { name, text, values: values as unknown[] }, ...rest) as never;
    }
    return clientQuery.apply(this, args) as never;
  }
}

/** Opens the database the configuration names: PGlite in-process, or a PostgreSQL server. */
export async function openDatabase(config: Pick<Config, 'database'> & Partial<Pick<Config, 'serverTiming'>>): Promise<DatabaseHandle> {
  const timing = config.serverTiming ?? false;
  if (config.database.kind === 'server') return openServer(config.database, timing);
  fs.mkdirSync(config.database.dataDir, { recursive: true });
  return openEmbedded(config.database.dataDir, undefined, { timing });
}

/** Kysely's options for the request and sign-in connections: with statement timing (src/db/statement-timing.ts) when asked. */
const requestLogging = (timing: boolean) => (timing ? { log: recordStatement } : {});

function serverPool(connectionString: string, max: number, name: string): pg.Pool {
  // JIT off: Lantern's queries are short, and row-level security's per-row policy functions give
  // them high cost estimates, so PostgreSQL spent seconds compiling plans that run in milliseconds.
  const pool = new pg.Pool({ connectionString, max, options: '-c jit=off', application_name: name, Client: PreparingClient });
  // An idle connection the server ends (a restart, an administrator) is dropped from the pool and
  // replaced on next use; without a listener its error would end the process.
  pool.on('error', () => {});
  return pool;
}

async function openServer(settings: Extract<Config['database'], { kind: 'server' }>, timing: boolean): Promise<DatabaseHandle> {
  const ownerUrl = settings.ownerUrl ?? settings.url;
  const ownerPool = serverPool(ownerUrl, 2, 'lantern-owner');
  let requestUrl = settings.url;
  let authUrl = settings.authUrl ?? settings.url;
  try {
    if (!settings.ownerUrl) {
      // One URL only (development, CI): it is the owner, and Lantern makes the logins that serve.
      if (!(await canCreateRoles(ownerPool))) {
        throw new Error(
          'DATABASE_URL is not allowed to create roles, so Lantern cannot make the logins that serve requests: ' +
            'give the schema owner as DATABASE_OWNER_URL and the request login as DATABASE_URL (README, "Database logins").',
        );
      }
      await ensureLogins(ownerPool, ownerUrl);
      requestUrl = urlAs(settings.url, requestLogin, derivedPassword(ownerUrl, requestLogin));
      authUrl = urlAs(settings.url, signInLogin, derivedPassword(ownerUrl, signInLogin));
    }
  } catch (error) {
    await ownerPool.end();
    throw error;
  }
  const requestPool = serverPool(requestUrl, settings.poolSize, 'lantern-requests');
  const authPool = authUrl === requestUrl ? requestPool : serverPool(authUrl, Math.max(2, Math.ceil(settings.poolSize / 4)), 'lantern-sign-in');
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: requestPool }), ...requestLogging(timing) });
  const auth = authPool === requestPool ? db : new Kysely<DB>({ dialect: new PostgresDialect({ pool: authPool }), ...requestLogging(timing) });
  // Its own login is a member of lantern_auth; a login shared with requests sets the role each time.
  if (auth !== db) markSignInLogin(auth);
  const owner = new Kysely<DB>({ dialect: new PostgresDialect({ pool: ownerPool }) });
  let ownerOpen = true;
  const closeOwner = async () => {
    if (ownerOpen) {
      ownerOpen = false;
      await owner.destroy();
    }
  };
  const execScript = async (script: string) => {
    const client = await ownerPool.connect();
    try {
      await client.query(`BEGIN;\n${script}\n;COMMIT;`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    kind: 'server',
    db,
    auth,
    owner,
    execScript,
    closeOwner,
    async verifyLogins() {
      const shared = authPool === requestPool;
      assertServingLogin(await loginIdentity(requestPool), 'requests', shared);
      assertServingLogin(await loginIdentity(authPool), 'sign-in', shared);
    },
    async close() {
      await db.destroy();
      if (auth !== db) await auth.destroy();
      await closeOwner();
    },
  };
}

/** An embedded database in a folder, or in memory when dataDir is undefined (tests). */
export async function openEmbedded(dataDir?: string, loadDataDir?: Blob, { timing = false }: { timing?: boolean } = {}): Promise<DatabaseHandle> {
  const [{ PGlite }, { PGliteDialect }, { pg_trgm }, { fuzzystrmatch }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/fuzzystrmatch'),
  ]);
  // Dates stay YYYY-MM-DD strings on both databases (dateAsText). Child search uses pg_trgm and
  // fuzzystrmatch (children migration 0118), as on a server.
  const options = { parsers: { [dateTypeOid]: dateAsText }, extensions: { pg_trgm, fuzzystrmatch }, ...(loadDataDir ? { loadDataDir } : {}) };
  const pglite = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), ...requestLogging(timing) });
  return {
    db,
    auth: db,
    owner: db,
    kind: 'embedded',
    verifyLogins: async () => {},
    closeOwner: async () => {},
    dump: () => pglite.dumpDataDir('none'),
    snapshot: () =>
      db.connection().execute(async (connection) => {
        await sql`CHECKPOINT`.execute(connection);
        return pglite.dumpDataDir('none');
      }),
    execScript: async (script: string) => {
      try {
        await pglite.exec(`BEGIN;\n${script}\n;COMMIT;`);
      } catch (error) {
        await pglite.exec('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    close: async () => {
      await db.destroy();
    },
  };
}

export async function databaseState(db: Database): Promise<{ ok: boolean; migration: string | null }> {
  try {
    const r = await sql<{ name: string | null }>`SELECT max(name) AS name FROM lantern_migrations`.execute(db);
    return { ok: true, migration: r.rows[0]?.name ?? null };
  } catch {
    return { ok: false, migration: null };
  }
}
