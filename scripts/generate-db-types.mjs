// Regenerates src/db/types.generated.ts from the migrated schema, so row types come from
// the database and are never hand-copied. Needs the PostgreSQL server (DATABASE_ADMIN_URL).
import { execFileSync } from 'node:child_process';
import pg from 'pg';

const admin = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lantern_codegen_${process.pid}`;
const client = new pg.Client({ connectionString: admin });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS ${name}`);
await client.query(`CREATE DATABASE ${name}`);
await client.end();
const url = new URL(admin);
url.pathname = `/${name}`;
execFileSync(process.execPath, ['bin/lantern.mjs', 'migrate'], { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url.toString() } });
execFileSync(
  'npx',
  [
    'kysely-codegen',
    '--dialect',
    'postgres',
    '--url',
    url.toString(),
    '--out-file',
    'src/db/types.generated.ts',
    '--exclude-pattern',
    'lantern_migrations',
    '--date-parser',
    'string',
  ],
  { stdio: 'inherit' },
);
const cleanup = new pg.Client({ connectionString: admin });
await cleanup.connect();
await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await cleanup.end();
