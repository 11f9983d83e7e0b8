import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import JSZip from 'jszip';
import type { SessionUser } from '../../src/auth/service.ts';
import { actorOf } from '../../src/auth/service.ts';
import { withActor } from '../../src/db/context.ts';
import { computeQuarter, computeQuarters, type ComputedSource } from '../../src/features/strategy/computed-measures.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { aChild, aConcern, aMissingEpisode, aReturnInterview, aRiskAssessment } from '../helpers/factories.ts';
import { Agent, signIn } from '../helpers/http.ts';

/**
 * Computed performance measures, checked against episodes, concerns and children seeded here in
 * 2023, a year the demo data does not reach: Q1 2023 has known figures, Q2 2023 has nothing to count.
 */
let ctx: TestContext;
let northmere: string;
let boardMember: SessionUser;
let lead: Agent;
let northmerePlan: string;
const agencies: Record<string, string> = {};

const compute = (source: ComputedSource, quarter: string) =>
  withActor(ctx.handle.db, actorOf(boardMember), (tx) => computeQuarter(tx, source, quarter, ctx.clock.now()));

before(async () => {
  ctx = await createTestContext();
  northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  for (const a of await ctx.ownerQuery<{ id: string; kind: string }>(`SELECT id, kind FROM agencies WHERE partnership_id = $1`, [northmere]))
    agencies[a.kind] = a.id;
  boardMember = await ctx.sessionUser('councillor.northmere@lantern.example');
  lead = await signIn(ctx.app, ctx.clock, ctx.account('strategy.northmere@lantern.example'));
  northmerePlan = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM strategy_plans WHERE partnership_id = $1 LIMIT 1`, [northmere]))[0]!.id;

  const child = (reference: string, agency: string, values: Partial<Parameters<typeof aChild>[1]> = {}) =>
    aChild(ctx, {
      partnership_id: northmere,
      owning_agency_id: agency,
      reference,
      given_name: 'Measure',
      family_name: 'Testchild',
      created_at: '2022-06-01',
      ...values,
    });
  const flagged = await child('CM-1', agencies.childrens_services!, { flag_cse: true });
  const judgedHigh = await child('CM-2', agencies.education!, { restricted: true, restricted_reason: 'test' }); // restricted to its agency, still counted
  const judgedDown = await child('CM-3', agencies.childrens_services!);
  await child('CM-4', agencies.childrens_services!, { flag_cse: true, status: 'closed', closed_at: '2023-02-01', closing_outcome: 'risk_reduced' });

  const assess = (childId: string, on: string, level: string) =>
    aRiskAssessment(ctx, {
      partnership_id: northmere,
      child_id: childId,
      assessed_on: on,
      assessor_agency_id: agencies.childrens_services!,
      judgement_level: level,
      review_due_on: '2023-06-01',
    });
  await assess(judgedHigh, '2023-02-10', 'high');
  await assess(judgedDown, '2023-01-10', 'high');
  await assess(judgedDown, '2023-03-01', 'low'); // the latest judgement is below the threshold
  await assess(flagged, '2023-04-15', 'low'); // after Q1: does not matter, and the flag counts anyway

  // Episodes ended by a return in Q1 2023, and whether an interview was offered within 72 hours.
  const episode = async (start: string, end: string, endedBy: string, offered: string | null) => {
    const episodeId = await aMissingEpisode(ctx, { partnership_id: northmere, child_id: flagged, started_at: start, ended_at: end, ended_by: endedBy });
    if (offered) {
      await aReturnInterview(ctx, {
        partnership_id: northmere,
        child_id: flagged,
        episode_id: episodeId,
        offered_at: offered,
        interviewer_agency_id: agencies.childrens_services!,
      });
    }
  };
  await episode('2023-01-09T20:00Z', '2023-01-10T10:00Z', 'returned', '2023-01-12T10:00Z'); // 48 hours: in time
  await episode('2023-01-30T20:00Z', '2023-02-01T10:00Z', 'returned', '2023-02-05T10:00Z'); // 96 hours: late
  await episode('2023-02-28T20:00Z', '2023-03-01T10:00Z', 'returned', null); // none offered: late
  await episode('2023-03-19T20:00Z', '2023-03-20T10:00Z', 'returned', '2023-03-23T10:00Z'); // exactly 72 hours: in time
  await episode('2023-03-24T20:00Z', '2023-03-25T10:00Z', 'type_changed', null); // not a return: not counted

  // Concerns whose triage deadline fell in Q1 2023.
  const concern = (reference: string, deadline: string, decided: string | null) =>
    aConcern(ctx, {
      partnership_id: northmere,
      reference,
      received_at: new Date(Date.parse(deadline) - 86_400_000),
      deadline_at: deadline,
      decision: decided ? 'not_cse' : null,
      decided_at: decided,
    });
  await concern('CM-C1', '2023-01-05T17:00Z', '2023-01-04T12:00Z'); // in time
  await concern('CM-C2', '2023-02-05T17:00Z', '2023-02-06T09:00Z'); // late
  await concern('CM-C3', '2023-03-05T17:00Z', null); // never decided: late
});
after(async () => ctx.close());

describe('computed measures', () => {
  test('children at risk at the quarter’s end: open, with a CSE flag or a latest judgement at or above the threshold', async () => {
    const q1 = await compute('children_at_risk', '2023-01-01');
    assert.equal(q1.value, 2, 'CM-1 (flag) and CM-2 (significant, restricted) count; CM-3 was judged down; CM-4 closed');
    assert.equal(q1.basis, '');
    assert.equal((await compute('children_at_risk', '2022-01-01')).value, 0, 'before the children were recorded');
  });

  test('return home interviews offered within 72 hours of the return', async () => {
    const q1 = await compute('return_interviews_72h', '2023-01-01');
    assert.equal(q1.value, 50);
    assert.equal(q1.basis, '2 of 4');
    assert.equal((await compute('return_interviews_72h', '2023-04-01')).value, null, 'no returns: no value, not 0%');
  });

  test('concerns decided within the triage deadline', async () => {
    const q1 = await compute('concerns_within_deadline', '2023-01-01');
    assert.equal(q1.value, 33.3);
    assert.equal(q1.basis, '1 of 3');
    assert.equal((await compute('concerns_within_deadline', '2023-04-01')).value, null, 'no deadlines: no value, not 0%');
  });

  test('a quarter with nothing to count is left out of the series', async () => {
    const values = await withActor(ctx.handle.db, actorOf(boardMember), (tx) =>
      computeQuarters(tx, 'return_interviews_72h', ['2023-01-01', '2023-04-01'], ctx.clock.now()),
    );
    assert.deepEqual(
      values.map((v) => v.quarterStart),
      ['2023-01-01'],
    );
  });

  test('staff trained within the window is the assurance compliance figure at the quarter’s end', async () => {
    const expected = await ctx.services.assurance.trainingMeasures.compliance(
      await ctx.sessionUser('strategy.northmere@lantern.example'),
      { asOf: '2026-09-30' },
      false,
    );
    const q3 = await compute('staff_trained', '2026-07-01');
    assert.equal(q3.value, expected.overall?.percentage ?? null);
    if (expected.overall && Number(expected.overall.due) > 0) assert.equal(q3.basis, `${expected.overall.onTime} of ${expected.overall.due}`);
  });

  test('a computed measure is added, shown as computed with its table, refuses hand-entered values, and reaches the quarterly report', async () => {
    await lead.get(`/strategy/plans/${northmerePlan}/measures`);
    const added = await lead.post(`/strategy/plans/${northmerePlan}/measures`, {
      name: 'Return interviews offered within 72 hours',
      unit: '%',
      targetValue: '90',
      direction: 'up',
      frequency: 'quarterly',
      ownerTitle: 'Missing children coordinator',
      evidenceSource: 'Lantern missing episodes',
      source: 'return_interviews_72h',
    });
    assert.equal(added.statusCode, 302, added.body.slice(0, 500));
    const [measure] = await ctx.ownerQuery<{ id: string; source: string }>(
      `SELECT id, source FROM strategy_measures WHERE name = 'Return interviews offered within 72 hours'`,
    );
    assert.equal(measure!.source, 'return_interviews_72h');
    const page = await lead.get(`/strategy/plans/${northmerePlan}/measures`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Computed each quarter from Lantern’s records/);
    assert.doesNotMatch(page.body, new RegExp(`id="value-${measure!.id}"`), 'no value form for a computed measure');
    const refused = await lead.post(`/strategy/measures/${measure!.id}/values`, { periodStart: '2026-07-01', value: '10' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /computed from Lantern’s records/);
    assert.equal(
      (
        await lead.post(`/strategy/plans/${northmerePlan}/measures`, {
          name: 'Bad source',
          targetValue: '1',
          direction: 'up',
          frequency: 'quarterly',
          ownerTitle: 'Someone',
          evidenceSource: 'Somewhere',
          source: 'everything',
        })
      ).statusCode,
      400,
    );

    const docx = await lead.get(`/strategy/plans/${northmerePlan}/export/quarterly.docx?quarter=2026-10-01`);
    assert.equal(docx.statusCode, 200);
    const text = (await (await JSZip.loadAsync(docx.rawPayload)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, ' ');
    assert.match(text, /Return interviews offered within 72 hours \(computed from Lantern records\)/);
    const children = await ctx.ownerQuery<{ given_name: string; family_name: string; reference: string }>(
      `SELECT given_name, family_name, reference FROM children WHERE partnership_id = $1`,
      [northmere],
    );
    for (const c of children) {
      assert.ok(!text.includes(`${c.given_name} ${c.family_name}`) && !text.includes(c.reference), `no child in the report (${c.reference})`);
    }
  });
});

describe('stored quarterly figures (migration 0595)', () => {
  const series = (source: ComputedSource, quarters: string[]) =>
    withActor(ctx.handle.db, actorOf(boardMember), (tx) => computeQuarters(tx, source, quarters, ctx.clock.now()));
  const storedRows = (source: string) =>
    ctx.ownerQuery<{ quarter_start: string; computed_at: Date; figures: { value: number | null; part?: number; whole?: number } }>(
      `SELECT quarter_start::text AS quarter_start, computed_at, figures FROM strategy_measure_quarter_values
        WHERE partnership_id = $1 AND source = $2 ORDER BY quarter_start`,
      [northmere, source],
    );
  const current = '2026-10-01'; // the test clock's quarter

  test('a closed quarter is worked out once and reused; the quarter in progress is always worked out', async () => {
    const quarters = ['2023-01-01', '2023-04-01', current];
    const first = await series('concerns_within_deadline', quarters);
    const rows = (await storedRows('concerns_within_deadline')).filter((r) => quarters.includes(r.quarter_start));
    assert.deepEqual(
      rows.map((r) => r.quarter_start),
      ['2023-01-01', '2023-04-01'],
      'the closed quarters are stored, with nothing to count or not; the quarter in progress is not',
    );
    assert.deepEqual(rows[0]!.figures, { value: 33.3, part: 1, whole: 3 });
    const storedAt = rows.map((r) => new Date(r.computed_at).getTime());

    ctx.clock.advance(60_000);
    const again = await series('concerns_within_deadline', quarters);
    assert.deepEqual(
      again.map((v) => [v.quarterStart, v.value, v.basis]),
      first.map((v) => [v.quarterStart, v.value, v.basis]),
    );
    assert.deepEqual(
      (await storedRows('concerns_within_deadline')).filter((r) => quarters.includes(r.quarter_start)).map((r) => new Date(r.computed_at).getTime()),
      storedAt,
      'the closed quarters were not worked out again: same records, same fingerprint',
    );

    // Tampering with a stored figure shows the stored row is what is read (not a fresh computation).
    await ctx.ownerQuery(
      `UPDATE strategy_measure_quarter_values SET figures = '{"value": 99, "part": 99, "whole": 100}' WHERE partnership_id = $1 AND source = 'concerns_within_deadline' AND quarter_start = '2023-01-01'`,
      [northmere],
    );
    assert.equal((await series('concerns_within_deadline', quarters))[0]!.value, 99);
    await ctx.ownerQuery(`DELETE FROM strategy_measure_quarter_values WHERE partnership_id = $1 AND source = 'concerns_within_deadline'`, [northmere]);
  });

  test('a change to the records a quarter counts gives a new fingerprint: the quarter is worked out again', async () => {
    const before = (await series('concerns_within_deadline', ['2023-01-01']))[0]!;
    // A fourth concern in Q1 2023, decided in time, recorded now (a late entry for a closed quarter).
    const added = await aConcern(ctx, {
      partnership_id: northmere,
      reference: 'CM-C4',
      received_at: '2023-03-09T09:00Z',
      deadline_at: '2023-03-10T17:00Z',
      decision: 'not_cse',
      decided_at: '2023-03-10T09:00Z',
    });
    ctx.clock.advance(60_000);
    const after1 = (await series('concerns_within_deadline', ['2023-01-01']))[0]!;
    assert.notEqual(before.value, after1.value);
    assert.equal(after1.value, 50);
    assert.equal(after1.basis, '2 of 4');
    const row = (await storedRows('concerns_within_deadline')).find((r) => r.quarter_start === '2023-01-01')!;
    assert.deepEqual(row.figures, { value: 50, part: 2, whole: 4 });
    assert.equal(new Date(row.computed_at).getTime(), ctx.clock.now().getTime(), 'stored again with the new fingerprint');

    // An edit (no new row) changes the fingerprint too: the concern now decided late.
    await ctx.ownerQuery(`UPDATE concerns SET decided_at = '2023-03-11T09:00Z' WHERE id = $1`, [added]);
    assert.equal((await series('concerns_within_deadline', ['2023-01-01']))[0]!.value, 25);
    // And a deletion: back to the three concerns seeded.
    await ctx.ownerQuery(`DELETE FROM concerns WHERE id = $1`, [added]);
    assert.equal((await series('concerns_within_deadline', ['2023-01-01']))[0]!.value, 33.3);
  });

  test('children at risk follow a late assessment of a closed quarter', async () => {
    const q1 = (await series('children_at_risk', ['2023-01-01']))[0]!.value;
    const [child] = await ctx.ownerQuery<{ id: string }>(`SELECT id FROM children WHERE reference = 'CM-3'`);
    await aRiskAssessment(ctx, {
      partnership_id: northmere,
      child_id: child!.id,
      assessed_on: '2023-03-20',
      assessor_agency_id: agencies.childrens_services!,
      judgement_level: 'high',
      review_due_on: '2023-06-01',
    });
    assert.equal((await series('children_at_risk', ['2023-01-01']))[0]!.value, (q1 ?? 0) + 1);
  });

  test('stored figures are the partnership’s own: another partnership neither reads nor reuses them', async () => {
    const other = await ctx.sessionUser('strategy.westbrook@lantern.example');
    const seen = await withActor(ctx.handle.db, actorOf(other), (tx) => tx.selectFrom('strategy_measure_quarter_values').select('partnership_id').execute());
    assert.ok(seen.every((r) => r.partnership_id !== northmere));
  });
});
