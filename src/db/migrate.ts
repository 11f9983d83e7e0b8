import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { StartupError } from '../errors.ts';
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

/**
 * A migration's checksum: the SHA-256 of its text, with line endings as LF so that a checkout's line
 * endings are not a change. Recorded when the migration is applied and checked at every start.
 */
export function migrationChecksum(text: string): string {
  return crypto.createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Applies pending migrations in order, each in its own transaction. Forward-only: an applied migration
 * is never edited, so a file whose text no longer matches the checksum recorded when it was applied
 * stops the start (LANTERN_E_MIGRATION_CHANGED) before anything is applied.
 */
export async function migrate(handle: DatabaseHandle, log: (line: string) => void = () => {}): Promise<string[]> {
  // The checksum column came after the table: a database migrated before gets it here, empty.
  await handle.execScript(`CREATE TABLE IF NOT EXISTS lantern_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text);
DO $lantern$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = 'lantern_migrations' AND column_name = 'checksum') THEN
    ALTER TABLE lantern_migrations ADD COLUMN IF NOT EXISTS checksum text;
  END IF;
END $lantern$`);
  const migrations = listMigrations().map((m) => {
    const text = fs.readFileSync(m.file, 'utf8');
    return { ...m, text, checksum: migrationChecksum(text) };
  });
  const recorded = new Map(
    (await sql<{ name: string; checksum: string | null }>`SELECT name, checksum FROM lantern_migrations`.execute(handle.owner)).rows.map((r) => [
      r.name,
      r.checksum,
    ]),
  );
  const changed = migrations.filter((m) => (recorded.get(m.name) ?? m.checksum) !== m.checksum).map((m) => m.name);
  if (changed.length > 0) {
    const which = changed.length === 1 ? `migration ${changed[0]} has changed since it was` : `migrations ${changed.join(', ')} have changed since they were`;
    throw new StartupError(
      'LANTERN_E_MIGRATION_CHANGED',
      `${which} applied to this database (restore the applied text and make the change in a new migration)`,
    );
  }
  // Applied before checksums were recorded: the files as they are now are taken as what was applied.
  for (const m of migrations.filter((m) => recorded.has(m.name) && recorded.get(m.name) === null)) {
    await sql`UPDATE lantern_migrations SET checksum = ${m.checksum} WHERE name = ${m.name} AND checksum IS NULL`.execute(handle.owner);
  }
  const applied: string[] = [];
  for (const m of migrations.filter((m) => !recorded.has(m.name))) {
    log(`migrating ${m.name}`);
    // The advisory lock and the re-check make two processes starting at once safe.
    const guarded = `SELECT pg_advisory_xact_lock(7261001);
DO $lantern$ BEGIN
  IF EXISTS (SELECT 1 FROM lantern_migrations WHERE name = '${m.name}') THEN
    RAISE EXCEPTION 'lantern: migration already applied' USING ERRCODE = 'LNT01';
  END IF;
END $lantern$;
${m.text}
;INSERT INTO lantern_migrations (name, checksum) VALUES ('${m.name}', '${m.checksum}');`;
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
