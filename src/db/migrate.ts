import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const migrationsDir = path.join(here, 'migrations');
/** Feature folders may keep their own numbered migrations in src/features/<feature>/migrations. */
const featuresDir = path.join(here, '..', 'features');

export interface Migration {
  name: string;
  file: string;
}

/** All migrations, ordered by number; numbers are unique across the whole codebase. */
export function listMigrations(): Migration[] {
  const dirs = [migrationsDir];
  for (const feature of fs.readdirSync(featuresDir)) {
    const dir = path.join(featuresDir, feature, 'migrations');
    if (fs.existsSync(dir)) dirs.push(dir);
  }
  const migrations = dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
      .map((f) => ({ name: f.replace(/\.sql$/, ''), file: path.join(dir, f) })),
  );
  migrations.sort((a, b) => a.name.localeCompare(b.name));
  const numbers = migrations.map((m) => m.name.slice(0, 4));
  const duplicate = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (duplicate) throw new Error(`Two migrations share the number ${duplicate}`);
  return migrations;
}

/** Applies pending migrations in order, each in its own transaction. Forward-only. */
export async function migrate(handle: DatabaseHandle, log: (line: string) => void = () => {}): Promise<string[]> {
  await handle.execScript(
    'CREATE TABLE IF NOT EXISTS lantern_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: string[] = [];
  for (const m of listMigrations()) {
    const done = await sql<{ n: number }>`SELECT count(*)::int AS n FROM lantern_migrations WHERE name = ${m.name}`.execute(handle.owner);
    if ((done.rows[0]?.n ?? 0) > 0) continue;
    log(`migrating ${m.name}`);
    // The advisory lock and the re-check make two processes starting at once safe.
    const guarded = `SELECT pg_advisory_xact_lock(7261001);
DO $lantern$ BEGIN
  IF EXISTS (SELECT 1 FROM lantern_migrations WHERE name = '${m.name}') THEN
    RAISE EXCEPTION 'lantern: migration already applied' USING ERRCODE = 'LNT01';
  END IF;
END $lantern$;
${fs.readFileSync(m.file, 'utf8')}
;INSERT INTO lantern_migrations (name) VALUES ('${m.name}');`;
    try {
      await handle.execScript(guarded);
      applied.push(m.name);
    } catch (error) {
      if ((error as { code?: string }).code === 'LNT01') continue;
      throw error;
    }
  }
  // Every policy reads the acting context once per statement (migration 0009), whichever migration made it.
  if (applied.length > 0) {
    await handle.execScript(`DO $lantern$ BEGIN
  IF to_regprocedure('lantern_policies_read_context_once()') IS NOT NULL THEN PERFORM lantern_policies_read_context_once(); END IF;
END $lantern$`);
  }
  return applied;
}
