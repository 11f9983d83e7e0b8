import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { changedFields } from './edits.ts';
import { correctEpisodeTimes, editableTimes, episodeTypes, type EpisodeFacts, type EpisodeState } from './episodes.ts';

const instant = fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2030, 0, 1) / 60_000 }).map((m) => new Date(m * 60_000));
const at = (iso: string) => new Date(iso);

/** Stored episodes as the service can hold them: an end, when there is one, never before the start. */
const facts: fc.Arbitrary<EpisodeFacts> = fc
  .record({
    type: fc.constantFrom(...episodeTypes),
    startedAt: instant,
    minutes: fc.option(fc.integer({ min: 0, max: 60 * 24 * 30 }), { nil: null }),
    endedBy: fc.constantFrom('returned' as const, 'type_changed' as const),
    followsTypeChange: fc.boolean(),
    interviewAfter: fc.option(fc.integer({ min: 0, max: 60 * 24 * 10 }), { nil: null }),
  })
  .map(({ type, startedAt, minutes, endedBy, followsTypeChange, interviewAfter }) => {
    const endedAt = minutes === null ? null : new Date(startedAt.getTime() + minutes * 60_000);
    const state: EpisodeState = { type, startedAt, endedAt, endedBy: endedAt ? endedBy : null };
    const interviewOfferedAt =
      endedAt && state.endedBy === 'returned' && interviewAfter !== null ? new Date(endedAt.getTime() + interviewAfter * 60_000) : null;
    return { state, followsTypeChange, interviewOfferedAt };
  });

describe('correcting an episode’s times (property)', () => {
  test('a correction that succeeds is consistent: the end not before the start, nothing corrected into the future, the interview after the return', () => {
    fc.assert(
      fc.property(facts, fc.option(instant, { nil: null }), fc.option(instant, { nil: null }), instant, (f, startedAt, endedAt, now) => {
        const r = correctEpisodeTimes(f, { startedAt, endedAt }, now);
        if (!r.ok) return;
        const editable = editableTimes(f);
        if (r.endedAt) assert.ok(r.endedAt.getTime() >= r.startedAt.getTime());
        if (editable.start) assert.ok(r.startedAt.getTime() <= now.getTime());
        if (editable.end && r.endedAt) assert.ok(r.endedAt.getTime() <= now.getTime());
        if (r.endedAt && f.interviewOfferedAt) assert.ok(f.interviewOfferedAt.getTime() >= r.endedAt.getTime());
        assert.equal(r.endedBy === null, r.endedAt === null);
      }),
    );
  });

  test('the moment of a change of type never moves, and a recorded return is never taken away', () => {
    fc.assert(
      fc.property(facts, fc.option(instant, { nil: null }), fc.option(instant, { nil: null }), instant, (f, startedAt, endedAt, now) => {
        const r = correctEpisodeTimes(f, { startedAt, endedAt }, now);
        if (!r.ok) return;
        if (f.followsTypeChange) assert.equal(r.startedAt.getTime(), f.state.startedAt.getTime());
        if (f.state.endedBy === 'type_changed') {
          assert.equal(r.endedAt?.getTime(), f.state.endedAt?.getTime());
          assert.equal(r.endedBy, 'type_changed');
        }
        if (f.state.endedBy === 'returned') assert.equal(r.endedBy, 'returned');
      }),
    );
  });

  test('leaving the stored times as they are always succeeds', () => {
    fc.assert(
      fc.property(facts, (f) => {
        const latest = Math.max(f.state.startedAt.getTime(), f.state.endedAt?.getTime() ?? 0);
        const r = correctEpisodeTimes(f, { startedAt: f.state.startedAt, endedAt: f.state.endedAt }, new Date(latest));
        assert.equal(r.ok, true);
      }),
    );
  });

  test('examples: each refusal names its field and reason', () => {
    const now = at('2026-11-02T09:00:00Z');
    const returned: EpisodeFacts = {
      state: { type: 'missing', startedAt: at('2026-10-30T21:00:00Z'), endedAt: at('2026-10-31T08:15:00Z'), endedBy: 'returned' },
      followsTypeChange: false,
      interviewOfferedAt: at('2026-11-01T10:00:00Z'),
    };
    const ask = (startedAt: string | null, endedAt: string | null, f = returned) =>
      correctEpisodeTimes(f, { startedAt: startedAt ? at(startedAt) : null, endedAt: endedAt ? at(endedAt) : null }, now);
    assert.deepEqual(ask(null, '2026-10-31T08:15:00Z'), { ok: false, field: 'startDate', reason: 'start_required' });
    assert.deepEqual(ask('2026-10-30T21:00:00Z', null), { ok: false, field: 'endDate', reason: 'end_required' });
    assert.deepEqual(ask('2026-11-02T09:01:00Z', '2026-10-31T08:15:00Z'), { ok: false, field: 'startDate', reason: 'in_future' });
    assert.deepEqual(ask('2026-10-30T21:00:00Z', '2026-11-02T09:01:00Z'), { ok: false, field: 'endDate', reason: 'in_future' });
    assert.deepEqual(ask('2026-10-30T21:00:00Z', '2026-10-30T20:59:00Z'), { ok: false, field: 'endDate', reason: 'end_before_start' });
    assert.deepEqual(ask('2026-10-30T21:00:00Z', '2026-11-01T10:01:00Z'), { ok: false, field: 'endDate', reason: 'after_interview' });
    assert.deepEqual(ask('2026-10-30T21:00:00Z', '2026-11-01T10:00:00Z'), {
      ok: true,
      startedAt: at('2026-10-30T21:00:00Z'),
      endedAt: at('2026-11-01T10:00:00Z'),
      endedBy: 'returned',
    });

    const changed: EpisodeFacts = { state: { ...returned.state, endedBy: 'type_changed' }, followsTypeChange: false, interviewOfferedAt: null };
    assert.deepEqual(ask('2026-10-31T08:16:00Z', null, changed), { ok: false, field: 'startDate', reason: 'start_after_end' });
    const open: EpisodeFacts = { state: { ...returned.state, endedAt: null, endedBy: null }, followsTypeChange: true, interviewOfferedAt: null };
    assert.deepEqual(ask('2020-01-01T00:00:00Z', null, open), { ok: true, startedAt: returned.state.startedAt, endedAt: null, endedBy: null });
    assert.deepEqual(ask(null, '2026-11-01T06:30:00Z', open), {
      ok: true,
      startedAt: returned.state.startedAt,
      endedAt: at('2026-11-01T06:30:00Z'),
      endedBy: 'returned',
    });
  });
});

describe('what an edit changed, for the audit row', () => {
  test('names every changed field and gives before → after only for fields that are not free text', () => {
    const r = changedFields(
      { heldOn: '2026-10-20', agencies: ['a', 'b'], decisions: 'old words', nextReviewOn: null, riskLevel: 'low' },
      { heldOn: '2026-10-21', agencies: ['b', 'a'], decisions: 'new words', nextReviewOn: '2026-11-01', riskLevel: 'low' },
      ['decisions'],
    );
    assert.deepEqual(r.fields, ['heldOn', 'decisions', 'nextReviewOn']);
    assert.deepEqual(r.changes, { heldOn: { before: '2026-10-20', after: '2026-10-21' }, nextReviewOn: { before: null, after: '2026-11-01' } });
  });

  test('free text never reaches the audit details (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (before, after) => {
        const r = changedFields({ note: `«${before}»`, kind: 'a' }, { note: `«${after}»`, kind: 'b' }, ['note']);
        assert.equal(JSON.stringify(r.changes).includes('«'), false);
        assert.equal(r.fields.includes('note'), before !== after);
      }),
    );
  });
});
