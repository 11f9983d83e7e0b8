import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.ts';

/**
 * Security baseline test 7, at the service layer: a stuffing run over real and unknown accounts
 * with leaked-looking passwords, and the right password once an account is locked, signs nobody in,
 * and real and unknown accounts take the same time.
 */
let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(async () => ctx.close());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('200 stuffing attempts from many addresses sign nobody in, not even with the right password after the lock, and timing does not reveal accounts', async () => {
  // Ten real accounts, so each is tried ten times: five wrong passwords lock it, and the right one follows.
  const real = ctx.accounts.slice(0, 10).map((a) => a.email);
  const unknown = real.map((e) => e.replace('@', '.old@'));
  const timings = { real: [] as number[], unknown: [] as number[] };
  const failures = new Map<string, number>();
  let successes = 0;
  let rightPasswordsTried = 0;
  for (let i = 0; i < 200; i++) {
    const isReal = i % 2 === 0;
    const list = isReal ? real : unknown;
    const email = list[(i >> 1) % list.length]!;
    // Once an account has had its five failures, every other attempt on it is the right password: the lock must refuse it too.
    const tried = failures.get(email) ?? 0;
    const right = isReal && tried >= 5 && tried % 2 === 1;
    if (right) rightPasswordsTried++;
    const password = right ? ctx.account(email).password : `Summer${2000 + i}!`;
    const started = process.hrtime.bigint();
    const r = await ctx.services.auth.signInWithPassword(email, password, { clientAddress: `198.51.100.${i % 250}`, userAgent: null });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    (isReal ? timings.real : timings.unknown).push(ms);
    if (r.ok) successes++;
    failures.set(email, tried + 1);
    if (i % 20 === 0) ctx.clock.advance(60_000);
  }
  assert.ok(rightPasswordsTried >= 10, `the right password was tried ${rightPasswordsTried} times after a lock`);
  assert.equal(successes, 0);
  const ratio = median(timings.real) / median(timings.unknown);
  assert.ok(ratio > 0.6 && ratio < 1.6, `median time real ${median(timings.real).toFixed(1)} ms vs unknown ${median(timings.unknown).toFixed(1)} ms`);
  // Even the right password fails while an account is locked by the run.
  const victim = ctx.accounts[0]!;
  const locked = await ctx.services.auth.signInWithPassword(victim.email, victim.password, { clientAddress: '192.0.2.1', userAgent: null });
  assert.equal(locked.ok, false);
});
