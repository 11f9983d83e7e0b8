import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionUser } from '../../src/auth/service.ts';
import { agendaBuildLockClass } from '../../src/features/mace/service.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * Several chairs pressing "Build the agenda" for the same MACE meeting at once (issue 12 §4): the
 * builds take turns (an advisory lock on the meeting inside the build's transaction), so none fails,
 * every item is added once, by exactly one of the builds, and each build is audited. Run on PGlite
 * and on a PostgreSQL server (DATABASE_URL), where the builds really do run in parallel connections.
 */
let ctx: TestContext;
const chairs: SessionUser[] = [];
const builds = 4;

before(async () => {
  ctx = await createTestContext();
  // Each build from its own signed-in session, as from four browsers.
  for (let i = 0; i < builds; i++) chairs.push(await ctx.sessionUser('coordinator.northmere@lantern.example'));
});
after(async () => ctx.close());

const itemsOf = (meetingId: string) =>
  ctx.ownerQuery<{ entity_id: string | null; section: string }>(`SELECT entity_id, section FROM mace_agenda_items WHERE meeting_id = $1`, [meetingId]);

describe('MACE: concurrent agenda builds for one meeting', () => {
  test(`${builds} builds at once all succeed, and no item is added twice`, async () => {
    const meeting = await ctx.services.mace.create(chairs[0]!, { title: 'Concurrent MACE', heldOn: '2027-04-05', venue: 'Room 2' });

    const results = await Promise.allSettled(chairs.map((chair) => ctx.services.mace.buildAgenda(chair, meeting)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.stack ?? r.reason)] : []));
    assert.deepEqual(failures, [], 'every build succeeds');
    const built = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof ctx.services.mace.buildAgenda>>>).value);

    const items = await itemsOf(meeting);
    assert.ok(items.length > 0, 'the demo cohort puts items on the agenda');
    const entities = items.map((i) => i.entity_id);
    assert.equal(new Set(entities).size, entities.length, 'no entity is on the agenda twice');
    // Each item was added by exactly one build: the builds' counts add up to the items.
    const added = built.reduce((sum, b) => sum + b.victims + b.offenders + b.locations, 0);
    assert.equal(added, items.length);
    // Taking turns, the first build adds everything and the others find nothing new.
    assert.equal(built.filter((b) => b.victims + b.offenders + b.locations > 0).length, 1);
    assert.ok(new Set(built.map((b) => b.cutOff)).size === 1, 'every build used the same cut-off');

    const audits = await ctx.ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE record_type = 'mace_meeting' AND record_id = $1 AND action = 'record.update'`,
      [meeting],
    );
    assert.equal(audits[0]!.n, builds, 'each build audited');

    // A build afterwards still adds nothing.
    const again = await ctx.services.mace.buildAgenda(chairs[1]!, meeting);
    assert.equal(again.victims + again.offenders + again.locations, 0);
    assert.equal((await itemsOf(meeting)).length, items.length);
  });

  test('a build waits while another holds the meeting’s lock, then all succeed', async (t) => {
    if (ctx.handle.kind === 'embedded') return t.skip('one connection in one process: nothing else can hold the lock');
    const meeting = await ctx.services.mace.create(chairs[0]!, { title: 'Locked MACE', heldOn: '2027-04-12', venue: 'Room 2' });
    // The owner's connection plays a build in progress: the session-level form of the builds' lock.
    const key = [agendaBuildLockClass, meeting];
    await ctx.ownerQuery(`SELECT pg_advisory_lock($1::int, hashtext($2::text))`, key);
    let finished = 0;
    const running = chairs.map((chair) => ctx.services.mace.buildAgenda(chair, meeting).finally(() => finished++));
    try {
      // Every build is waiting on the lock, not failing and not inserting.
      for (let i = 0; i < 100; i++) {
        const [waiting] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        if (waiting!.n === builds) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const [waiting] = await ctx.ownerQuery<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
      assert.equal(waiting!.n, builds, 'every build waits for the meeting’s lock');
      assert.equal(finished, 0);
      assert.equal((await itemsOf(meeting)).length, 0);
    } finally {
      await ctx.ownerQuery(`SELECT pg_advisory_unlock($1::int, hashtext($2::text))`, key);
    }
    const settled = await Promise.allSettled(running);
    assert.deepEqual(
      settled.filter((r) => r.status === 'rejected'),
      [],
    );
    const entities = (await itemsOf(meeting)).map((i) => i.entity_id);
    assert.ok(entities.length > 0);
    assert.equal(new Set(entities).size, entities.length);
  });

  test('builds for two meetings at once, two chairs each, all succeed without duplicates', async () => {
    const meetings = await Promise.all(
      ['2027-05-03', '2027-06-07'].map((heldOn, i) => ctx.services.mace.create(chairs[i]!, { title: `MACE ${heldOn}`, heldOn, venue: 'Room 3' })),
    );
    const results = await Promise.allSettled(meetings.flatMap((m) => chairs.slice(0, 2).map((chair) => ctx.services.mace.buildAgenda(chair, m))));
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
    );
    for (const m of meetings) {
      const entities = (await itemsOf(m)).map((i) => i.entity_id);
      assert.ok(entities.length > 0);
      assert.equal(new Set(entities).size, entities.length);
    }
  });
});
