import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { databaseStartupProblem } from '../../src/cli/startup-problems.ts';
import { listMigrations, migrate, migrationChecksum } from '../../src/db/migrate.ts';
import { StartupError } from '../../src/errors.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/** The checksums of applied migrations: recorded, filled in for databases migrated before, and checked at start. */
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const recorded = async () =>
  new Map((await ctx.ownerQuery<{ name: string; checksum: string | null }>(`SELECT name, checksum FROM lantern_migrations`)).map((r) => [r.name, r.checksum]));
const expected = () => new Map(listMigrations().map((m) => [m.name, migrationChecksum(fs.readFileSync(m.file, 'utf8'))]));

test('every applied migration has the checksum of its file', async () => {
  assert.deepEqual(await recorded(), expected());
});

test('a database migrated before checksums were recorded gets them on its next start', async () => {
  await ctx.ownerQuery(`ALTER TABLE lantern_migrations DROP COLUMN checksum`);
  assert.deepEqual(await migrate(ctx.handle), [], 'nothing is applied again');
  assert.deepEqual(await recorded(), expected());
});

test('an applied migration whose file changed stops the start with LANTERN_E_MIGRATION_CHANGED', async () => {
  const [first, second] = listMigrations().filter((m) => m.name.startsWith('01'));
  await ctx.ownerQuery(`UPDATE lantern_migrations SET checksum = $1 WHERE name = $2`, [migrationChecksum('-- as it was applied\n'), first!.name]);
  const refusal = await migrate(ctx.handle).then(
    () => assert.fail('the start goes on'),
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof StartupError);
  assert.equal(refusal.code, 'LANTERN_E_MIGRATION_CHANGED');
  assert.equal(
    databaseStartupProblem(refusal, ctx.config),
    `Lantern cannot start: migration ${first!.name} has changed since it was applied to this database ` +
      '(restore the applied text and make the change in a new migration) (LANTERN_E_MIGRATION_CHANGED)',
  );

  await ctx.ownerQuery(`UPDATE lantern_migrations SET checksum = 'edited' WHERE name = $1`, [second!.name]);
  await assert.rejects(migrate(ctx.handle), {
    code: 'LANTERN_E_MIGRATION_CHANGED',
    message: new RegExp(`^migrations ${first!.name}, ${second!.name} have changed`),
  });
  assert.equal((await recorded()).get(first!.name), migrationChecksum('-- as it was applied\n'), 'a refused start records nothing');

  await ctx.ownerQuery(`UPDATE lantern_migrations SET checksum = NULL WHERE name IN ($1, $2)`, [first!.name, second!.name]);
  assert.deepEqual(await migrate(ctx.handle), []);
  assert.deepEqual(await recorded(), expected());
});

test('line endings are not a change', () => {
  assert.equal(migrationChecksum('CREATE TABLE t ();\r\nSELECT 1;\r\n'), migrationChecksum('CREATE TABLE t ();\nSELECT 1;\n'));
  assert.notEqual(migrationChecksum('SELECT 1;\n'), migrationChecksum('SELECT 2;\n'));
});
