import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { refusedDatabaseError } from '../../src/web/database-errors.ts';

/** The error handler's safety net, checked against the errors PostgreSQL really raises. */
let db: PGlite;
before(async () => {
  db = new PGlite();
  await db.exec(`CREATE TABLE agency (id uuid PRIMARY KEY);
    CREATE TABLE person (id int PRIMARY KEY, agency_id uuid REFERENCES agency (id), age int CHECK (age >= 0))`);
});
after(async () => db.close());

async function errorOf(statement: string, values: unknown[] = []): Promise<unknown> {
  try {
    await db.query(statement, values);
  } catch (error) {
    return error;
  }
  assert.fail(`${statement} did not fail`);
}

test('malformed values and references to nothing are refused with a stable 4xx code', async () => {
  assert.equal(refusedDatabaseError(await errorOf(`SELECT 'not-a-uuid'::uuid`)), 'LANTERN_E_VALIDATION'); // 22P02
  assert.equal(refusedDatabaseError(await errorOf(`SELECT $1::text`, ['a\u0000b'])), 'LANTERN_E_VALIDATION'); // 22021
  assert.equal(refusedDatabaseError(await errorOf(`SELECT 'yesterday-ish'::date`)), 'LANTERN_E_VALIDATION'); // 22007
  assert.equal(refusedDatabaseError(await errorOf(`SELECT '2026-13-45'::date`)), 'LANTERN_E_VALIDATION'); // 22008
  assert.equal(refusedDatabaseError(await errorOf(`INSERT INTO person VALUES (1, gen_random_uuid(), 1)`)), 'LANTERN_E_NOT_FOUND'); // 23503
  assert.equal(refusedDatabaseError(await errorOf(`INSERT INTO person VALUES (2, NULL, -1)`)), 'LANTERN_E_VALIDATION'); // 23514
});

test('anything else stays a failure (500)', async () => {
  assert.equal(refusedDatabaseError(await errorOf(`SELECT * FROM no_such_table`)), undefined); // 42P01
  assert.equal(refusedDatabaseError(await errorOf(`INSERT INTO person VALUES (3, NULL, 1), (3, NULL, 1)`)), undefined); // 23505
  assert.equal(refusedDatabaseError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })), undefined);
  assert.equal(refusedDatabaseError(null), undefined);
  assert.equal(refusedDatabaseError({ code: 'toString' }), undefined);
});
