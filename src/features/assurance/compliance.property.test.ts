import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addDays, addMonths, utcDate } from '../../dates.ts';
import { complianceFigures, deadlineFor, statusOf, type StaffTrainingRecord } from './compliance.ts';

const isoDay = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map(utcDate);
const record = fc.record({
  personId: fc.uuid(),
  agencyId: fc.constantFrom('police', 'health', 'education'),
  startedOn: fc.option(isoDay, { nil: null }),
  attendedOn: fc.array(isoDay, { maxLength: 4 }),
}) satisfies fc.Arbitrary<StaffTrainingRecord>;
const rule = fc.record({ windowMonths: fc.integer({ min: 1, max: 24 }), asOf: isoDay });

describe('training compliance properties', () => {
  test('the percentage is within 0–100 and the counts add up', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), rule, (records, r) => {
        const f = complianceFigures(records, r);
        assert.equal(f.due, f.onTime + f.late + f.outstanding);
        assert.equal(records.length, f.due + f.notDue + f.noStartDate);
        if (f.due === 0) assert.equal(f.percentage, null);
        else assert.ok(f.percentage! >= 0 && f.percentage! <= 100);
      }),
    );
  });

  test('adding an on-time attendance never lowers compliance', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), rule, fc.nat(), (records, r, pick) => {
        const i = pick % records.length;
        const target = records[i]!;
        const before = complianceFigures(records, r);
        // An attendance on the person's deadline (or, with no start date, on any day) that is not in the future.
        const when = target.startedOn ? deadlineFor(target.startedOn, r.windowMonths) : r.asOf;
        const attended = when <= r.asOf ? when : r.asOf;
        const after = complianceFigures(
          records.map((x, j) => (j === i ? { ...x, attendedOn: [...x.attendedOn, attended] } : x)),
          r,
        );
        assert.ok((after.percentage ?? 0) >= (before.percentage ?? 0), `${before.percentage} → ${after.percentage}`);
        assert.equal(after.due, before.due, 'training never changes who is due');
      }),
    );
  });

  test('people who joined less than the window ago are not yet due, whatever they attended', () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: 0, max: 27 }), fc.array(isoDay, { maxLength: 3 }), (r, daysAgo, attendedOn) => {
        // Joined within the last window: the deadline is after asOf.
        const joined = [addDays(addMonths(r.asOf, -r.windowMonths), 1), addDays(r.asOf, -daysAgo)].sort()[1]!;
        assert.equal(statusOf({ personId: 'p', agencyId: 'a', startedOn: joined, attendedOn }, r), 'not-due');
      }),
    );
  });
});
