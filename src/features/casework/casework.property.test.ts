import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { daysBetween, londonDate, utcDate } from '../../dates.ts';
import { changeEpisodeType, endEpisode, episodeTypes, returnInterviewDue, returnInterviewOverdue, type EpisodeState } from './episodes.ts';
import { dateFields } from '../../../test/helpers/http.ts';
import { gatherDateInputs } from '../../web/form-fields.ts';
import { episodeFormSchema, interviewFormSchema, meetingFormSchema } from './schema.ts';
import { chronologyKinds, orderChronology } from './chronology.ts';

// Instants at minute precision between 1990 and 2100, which covers every clock change the forms meet.
const instant = fc.integer({ min: Date.UTC(1990, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 }).map((m) => new Date(m * 60_000));
const episode: fc.Arbitrary<EpisodeState> = fc.record({
  type: fc.constantFrom(...episodeTypes),
  startedAt: instant,
  endedAt: fc.option(instant, { nil: null }),
  endedBy: fc.constantFrom('returned' as const, 'type_changed' as const, null),
});

describe('missing episodes (property)', () => {
  test('a type change ends the episode exactly where the new one starts, with the other type', () => {
    fc.assert(
      fc.property(episode, fc.constantFrom(...episodeTypes), instant, (current, newType, at) => {
        const r = changeEpisodeType(current, newType, at);
        if (current.endedAt !== null) return assert.deepEqual(r, { ok: false, reason: 'already_ended' });
        if (current.type === newType) return assert.deepEqual(r, { ok: false, reason: 'same_type' });
        if (at < current.startedAt) return assert.deepEqual(r, { ok: false, reason: 'before_start' });
        assert.ok(r.ok);
        assert.equal(r.closed.endedAt!.getTime(), at.getTime());
        assert.equal(r.opened.startedAt.getTime(), at.getTime());
        assert.equal(r.closed.endedBy, 'type_changed');
        assert.notEqual(r.closed.type, r.opened.type);
        assert.equal(r.opened.endedAt, null);
        assert.equal(r.closed.startedAt.getTime(), current.startedAt.getTime());
      }),
    );
  });

  test('a chain of type changes and a return never overlaps and never loses time', () => {
    fc.assert(
      fc.property(instant, fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 6 }), fc.integer({ min: 0, max: 5000 }), (start, gaps, last) => {
        let current: EpisodeState = { type: 'absent', startedAt: start, endedAt: null, endedBy: null };
        const closed: EpisodeState[] = [];
        let at = start.getTime();
        for (const gap of gaps) {
          at += gap * 60_000;
          const r = changeEpisodeType(current, current.type === 'absent' ? 'missing' : 'absent', new Date(at));
          assert.ok(r.ok);
          closed.push(r.closed);
          current = r.opened;
        }
        const end = endEpisode(current, new Date(at + last * 60_000));
        assert.ok(end.ok);
        closed.push(end.ended);
        const total = closed.reduce((sum, e) => sum + (e.endedAt!.getTime() - e.startedAt.getTime()), 0);
        assert.equal(total, end.ended.endedAt!.getTime() - start.getTime());
        closed.forEach((e, i) => {
          if (i > 0) assert.equal(e.startedAt.getTime(), closed[i - 1]!.endedAt!.getTime());
        });
      }),
    );
  });

  test('return interviews are due 72 hours after return; offering on time is never overdue', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 72 * 60 }), (returned, minutes) => {
        const offered = new Date(returned.getTime() + minutes * 60_000);
        assert.equal(returnInterviewDue(returned).getTime() - returned.getTime(), 72 * 3_600_000);
        assert.equal(returnInterviewOverdue(returned, offered, new Date(returned.getTime() + 400 * 3_600_000)), false);
        assert.equal(returnInterviewOverdue(returned, null, new Date(returned.getTime() + 73 * 3_600_000)), true);
      }),
    );
  });
});

describe('casework form validators (property)', () => {
  const formValue = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined));
  const keys = [
    'episodeType',
    'startDate',
    'startTime',
    'endDate',
    'endTime',
    'reportedBy',
    'riskLevel',
    'offeredDate',
    'offeredTime',
    'interviewerName',
    'interviewerAgencyId',
    'independent',
    'outcome',
    'places',
    'people',
    'meetingKind',
    'heldOn',
    'attendingAgencyIds',
    'attendees',
    'decisions',
    'nextReviewOn',
  ];
  // The date inputs' boxes, as the form posts them (gathered before validation, as app.ts does).
  const boxes = ['startDate', 'endDate', 'offeredDate', 'heldOn', 'nextReviewOn'].flatMap((name) => ['day', 'month', 'year'].map((part) => `${name}-${part}`));
  const body = fc.dictionary(fc.constantFrom(...keys, ...boxes), formValue);

  test('arbitrary form bodies never throw', () => {
    fc.assert(
      fc.property(body, (b) => {
        gatherDateInputs(b);
        for (const schema of [episodeFormSchema, interviewFormSchema, meetingFormSchema]) schema.safeParse(b);
      }),
    );
  });

  test('a parsed episode always ends after it starts', () => {
    const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map(utcDate);
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(date, time, fc.option(date), time, (sd, st, ed, et) => {
        const form: Record<string, unknown> = {
          episodeType: 'missing',
          ...dateFields('startDate', sd),
          startTime: st,
          ...dateFields('endDate', ed ?? ''),
          endTime: ed ? et : '',
          reportedBy: 'Carer',
          riskLevel: 'low',
        };
        gatherDateInputs(form);
        const r = episodeFormSchema.safeParse(form);
        if (!r.success) {
          assert.ok(ed !== null, 'only an end can make a well-formed episode invalid');
          return;
        }
        assert.ok(r.data.endedAt === null || r.data.endedAt.getTime() >= r.data.startedAt.getTime());
      }),
    );
  });
});

describe('chronology ordering (property)', () => {
  test('days are London days: an event at 00:30 BST is on that day, not the day before', () => {
    const steps = orderChronology([
      { kind: 'concern', at: new Date('2026-07-01T09:00:00Z') },
      { kind: 'triage', at: new Date('2026-07-01T23:30:00Z') },
      { kind: 'assessment', at: new Date('2026-07-02T10:00:00Z') },
    ]);
    assert.deepEqual(
      steps.map((s) => s.daysSincePrevious),
      [null, 1, 0],
    );
  });

  test('the chronology is in time order and the gaps add up', () => {
    const event = fc.record({ kind: fc.constantFrom(...chronologyKinds), at: instant });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        const steps = orderChronology(events);
        assert.equal(steps.length, events.length);
        const total = steps.reduce((sum, s) => sum + (s.daysSincePrevious ?? 0), 0);
        if (steps.length > 1) assert.equal(total, daysBetween(londonDate(steps[0]!.event.at), londonDate(steps.at(-1)!.event.at)), 'the gaps add up');
        steps.forEach((s, i) => {
          if (i === 0) return assert.equal(s.daysSincePrevious, null);
          const previous = steps[i - 1]!;
          assert.ok(londonDate(s.event.at) >= londonDate(previous.event.at), 'London days never go backwards');
          assert.ok((s.daysSincePrevious ?? -1) >= 0);
        });
      }),
    );
  });
});
