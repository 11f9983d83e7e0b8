import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../src/auth/service.ts';
import { withActor } from '../../src/db/context.ts';
import { totalOf } from '../../src/features/profile/figures.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

/**
 * Stored problem-profile figures (migration 0470, src/features/profile/snapshots.ts): with an age of five
 * minutes, a period's figures are computed once and read back while they are younger; a new record
 * shows once they are older; the page says when they were computed; a board member reads the same
 * stored figures, published; only profile readers may read or write the stored rows (row-level
 * security), and another partnership never sees them.
 */
let ctx: TestContext;
let analyst: SessionUser;
let northmere: string;
const period = '2026-Q3';

const q = <R = Record<string, unknown>>(text: string, values: unknown[] = []) => ctx.ownerQuery<R>(text, values);

async function atRisk(user: SessionUser): Promise<number> {
  const page = await ctx.services.profile.page(user, { period });
  return totalOf(page.cells, 'children_at_risk')!;
}

async function addChild(reference: string) {
  const [agency] = await q<{ id: string }>(`SELECT id FROM agencies WHERE partnership_id = $1 AND kind = 'childrens_services'`, [northmere]);
  await q(
    `INSERT INTO children (partnership_id, owning_agency_id, reference, given_name, family_name, created_at, status)
     VALUES ($1, $2, $3, 'Test', 'Snapshot', '2026-08-01T10:00:00Z', 'open')`,
    [northmere, agency!.id, reference],
  );
}

before(async () => {
  ctx = await createTestContext({ configOverrides: { LANTERN_FIGURES_MAX_AGE_SECONDS: '300' } });
  northmere = (await q<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  analyst = await ctx.sessionUser('analyst.northmere@lantern.example');
});
after(async () => ctx?.close());

describe('stored problem-profile figures', () => {
  test('the figures are computed once, read back while younger than the age, and computed again when older', async () => {
    assert.equal(ctx.config.figuresMaxAgeSeconds, 300);
    const first = await atRisk(analyst);
    const stored = await q<{ kind: string; key: string; computed_at: Date }>(
      `SELECT kind, key, computed_at FROM profile_snapshots WHERE partnership_id = $1 ORDER BY kind, key`,
      [northmere],
    );
    assert.deepEqual(
      // The neighbours' key ends with a hash of who is compared (Westbrook, in the demo).
      stored.map((s) => `${s.kind} ${s.key}`.replace(/\/[0-9a-f]{12}$/, '/*')),
      ['figures 2026-07-01/2026-10-01', 'neighbours 2026-07-01/2026-10-01/2026/*', 'themes 2026-10-01', 'trend 2024-10-01/8'],
    );
    assert.equal(new Date(stored[0]!.computed_at).toISOString(), ctx.clock.now().toISOString());

    await addChild('SNAP-1');
    ctx.clock.advance(299_000);
    assert.equal(await atRisk(analyst), first, 'younger than five minutes: the stored figures');
    ctx.clock.advance(2_000);
    assert.equal(await atRisk(analyst), first + 1, 'older: computed again, with the new child');
    const [again] = await q<{ computed_at: Date }>(`SELECT computed_at FROM profile_snapshots WHERE partnership_id = $1 AND kind = 'figures'`, [northmere]);
    assert.equal(new Date(again!.computed_at).toISOString(), ctx.clock.now().toISOString());
  });

  test('the page says when its figures were computed, and a board member reads the same stored figures', async () => {
    ctx.clock.advance(600_000);
    const agent = await signIn(ctx.app, ctx.clock, ctx.account('analyst.northmere@lantern.example'));
    const res = await agent.get(`/profile?period=${period}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /id="profile-as-at">Figures as at [^<]*2026/);
    const [row] = await q<{ computed_at: Date }>(`SELECT computed_at FROM profile_snapshots WHERE partnership_id = $1 AND kind = 'figures'`, [northmere]);
    const computed = new Date(row!.computed_at).toISOString();

    const board = await ctx.sessionUser('councillor.northmere@lantern.example');
    ctx.clock.advance(60_000);
    const published = await ctx.services.profile.published(board, { period }, await ctx.services.disclosure.settings(board));
    assert.equal(published.asAt.toISOString(), computed, 'the board member reads the figures stored a minute before');
  });

  test('only profile readers of the partnership read or write stored figures', async () => {
    const roles = async (email: string) => (await ctx.sessionUser(email)).roles;
    const practitioner = await ctx.sessionUser('social-worker.northmere@lantern.example');
    assert.ok(!(await roles('social-worker.northmere@lantern.example')).some((r) => ['analyst', 'strategy_lead', 'coordinator', 'board_member'].includes(r)));
    const count = (user: SessionUser) =>
      withActor(ctx.handle.db, actorOf(user), async (tx) =>
        Number((await sql<{ n: string }>`SELECT count(*) AS n FROM profile_snapshots`.execute(tx)).rows[0]!.n),
      );
    assert.ok((await count(analyst)) >= 3, 'the analyst reads her partnership’s stored figures');
    assert.equal(await count(practitioner), 0, 'a practitioner reads none');
    await assert.rejects(
      withActor(ctx.handle.db, actorOf(practitioner), (tx) =>
        sql`INSERT INTO profile_snapshots (partnership_id, kind, key, computed_at, rows) VALUES (${northmere}, 'figures', 'forged', now(), '[]')`.execute(tx),
      ),
      /row-level security/,
    );
    const westbrookAnalyst = await ctx.sessionUser('analyst.westbrook@lantern.example');
    assert.equal(await count(westbrookAnalyst), 0, 'another partnership’s analyst reads none of Northmere’s');
  });
});
