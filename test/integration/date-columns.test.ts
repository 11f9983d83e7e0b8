import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { parseIsoDate } from '../../src/dates.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/** Both drivers give a `date` column as its 'YYYY-MM-DD' text (src/db/database.ts): src/dates.ts needs no normaliser. */
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

describe('date columns', () => {
  test('arrive as YYYY-MM-DD text, leap days and all, and timestamps as Date', async () => {
    const { rows } = await sql<{ day: unknown; leap: unknown; at: unknown }>`
      SELECT '2026-03-29'::date AS day, '2024-02-29'::date AS leap, '2026-10-25T01:30:00Z'::timestamptz AS at`.execute(ctx.handle.owner);
    assert.deepEqual(rows[0], { day: '2026-03-29', leap: '2024-02-29', at: new Date('2026-10-25T01:30:00Z') });
    const children = await ctx.handle.owner.selectFrom('children').select('date_of_birth').where('date_of_birth', 'is not', null).limit(20).execute();
    assert.ok(children.length > 0);
    for (const c of children) assert.equal(parseIsoDate(c.date_of_birth!), c.date_of_birth);
  });
});
