import crypto from 'node:crypto';
import fs from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import type { DB } from './types.generated.ts';

export type Database = Kysely<DB>;

export interface DatabaseHandle {
  db: Database;
  kind: 'embedded' | 'server';
  /** Embedded only: the whole data folder as a tarball (tests clone a seeded template from it). */
  dump?: () => Promise<Blob>;
  /** Runs a multi-statement SQL script (a migration) as one transaction. */
  execScript(script: string): Promise<void>;
  close(): Promise<void>;
}

// Dates stay as strings (YYYY-MM-DD) so a date of birth never shifts with the time zone.
pg.types.setTypeParser(1082, (v: string) => v);

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
class PreparingClient extends pg.Client {
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = statementName(config);
      if (name) return super.query({ name, text: config, values }, callback);
    }
    return super.query(config, values, callback);
  }
}

/** Opens the database the configuration names: PGlite in-process, or a PostgreSQL server. */
export async function openDatabase(config: Pick<Config, 'database'>): Promise<DatabaseHandle> {
  if (config.database.kind === 'server') {
    // JIT off: Lantern's queries are short, and row-level security's per-row policy functions give
    // them high cost estimates, so PostgreSQL spent seconds compiling plans that run in milliseconds.
    const pool = new pg.Pool({ connectionString: config.database.url, max: config.database.poolSize, options: '-c jit=off', Client: PreparingClient });
    // An idle connection the server ends (a restart, an administrator) is dropped from the pool and
    // replaced on next use; without a listener its error would end the process.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const execScript = async (script: string) => {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN;\n${script}\n;COMMIT;`);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    };
    return { db, kind: 'server', execScript, close: () => db.destroy() };
  }
  fs.mkdirSync(config.database.dataDir, { recursive: true });
  return openEmbedded(config.database.dataDir);
}

/** An embedded database in a folder, or in memory when dataDir is undefined (tests). */
export async function openEmbedded(dataDir?: string, loadDataDir?: Blob): Promise<DatabaseHandle> {
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  // Dates stay YYYY-MM-DD strings, as the pg parser above makes them on the server.
  const options = { parsers: { 1082: (value: string) => value }, ...(loadDataDir ? { loadDataDir } : {}) };
  const pglite = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'embedded',
    dump: () => pglite.dumpDataDir('none'),
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
