import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { signIn } from '../helpers/http.ts';

/** LANTERN_SERVER_TIMING: each answer says how long its SQL statements took (the benchmark reads it). */
let timed: TestContext;
let plain: TestContext;

before(async () => {
  timed = await createTestContext({ configOverrides: { LANTERN_SERVER_TIMING: 'true' } });
  plain = await createTestContext();
});
after(async () => {
  await timed.close();
  await plain.close();
});

const timing = /^db;dur=(\d+\.\d\d);desc="(\d+) statements"$/;

describe('Server-Timing', () => {
  test('a page and a posted form report their statements, from the session lookup on', async () => {
    const triage = await signIn(timed.app, timed.clock, timed.account('triage.northmere@lantern.example'));
    const list = await triage.get('/children');
    const [, , listed] = timing.exec(String(list.headers['server-timing'])) ?? [];
    // The session, then the request's transaction: BEGIN, the actor, the page's reads, its audit row, COMMIT.
    assert.ok(Number(listed) >= 5, `children list: ${String(list.headers['server-timing'])}`);
    const search = await triage.post('/children/search', { name: 'Smith' });
    assert.equal(search.statusCode, 200);
    const [, ms, searched] = timing.exec(String(search.headers['server-timing'])) ?? [];
    assert.ok(Number(searched) >= 5 && Number(ms) > 0, `search (a form body read in between): ${String(search.headers['server-timing'])}`);
  });

  test('off by default, and refused in production', async () => {
    const triage = await signIn(plain.app, plain.clock, plain.account('triage.northmere@lantern.example'));
    assert.equal((await triage.get('/children')).headers['server-timing'], undefined);
    assert.throws(() => loadConfig({ NODE_ENV: 'production', LANTERN_SERVER_TIMING: 'true' }), /LANTERN_SERVER_TIMING: not allowed in production/);
  });
});
