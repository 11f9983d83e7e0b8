import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { answerShares, complianceByAgency, complianceFigures, deadlineFor, outstandingPeople, percentage, statusOf } from './compliance.ts';

const rule = { windowMonths: 2, asOf: '2026-11-02' };
const person = (startedOn: string | null, attendedOn: string[] = [], agencyId = 'a') => ({
  personId: `${startedOn}-${attendedOn.join()}`,
  agencyId,
  startedOn,
  attendedOn,
});

describe('training compliance', () => {
  test('the deadline is the window after joining, by calendar month', () => {
    assert.equal(deadlineFor('2026-01-31', 1), '2026-02-28');
    assert.equal(deadlineFor('2024-09-02', 2), '2024-11-02');
  });

  test('each status', () => {
    assert.equal(statusOf(person('2026-10-01'), rule), 'not-due', 'joined a month ago');
    assert.equal(statusOf(person('2026-09-02'), rule), 'outstanding', 'deadline is today: due');
    assert.equal(statusOf(person('2026-01-05', ['2026-02-20']), rule), 'on-time');
    assert.equal(statusOf(person('2026-01-05', ['2026-03-05']), rule), 'on-time', 'on the deadline counts');
    assert.equal(statusOf(person('2026-01-05', ['2026-03-06']), rule), 'late');
    assert.equal(statusOf(person('2026-01-05', ['2025-12-01']), rule), 'on-time', 'trained before joining');
    assert.equal(statusOf(person('2026-01-05', ['2027-01-01']), rule), 'outstanding', 'future attendance is ignored');
    assert.equal(statusOf(person(null, ['2026-01-01']), rule), 'no-start-date');
  });

  test('the figures: 90% within 2 months', () => {
    const staff = [...Array.from({ length: 9 }, () => person('2025-01-10', ['2025-02-14'])), person('2025-01-10'), person('2026-10-20'), person(null)];
    const f = complianceFigures(staff, rule);
    assert.deepEqual(f, { due: 10, onTime: 9, late: 0, outstanding: 1, notDue: 1, noStartDate: 1, percentage: 90 });
    assert.equal(outstandingPeople(staff, rule).length, 1);
  });

  test('nobody due gives no percentage rather than 0% or 100%', () => {
    assert.equal(complianceFigures([person('2026-10-30')], rule).percentage, null);
    assert.equal(percentage(0, 0), null);
    assert.equal(percentage(1, 3), 33.3);
  });

  test('by agency', () => {
    const { byAgency, overall } = complianceByAgency([person('2025-01-01', ['2025-01-15'], 'police'), person('2025-01-01', [], 'health')], rule);
    assert.equal(byAgency.get('police')!.percentage, 100);
    assert.equal(byAgency.get('health')!.percentage, 0);
    assert.equal(overall.percentage, 50);
  });

  test('feedback answers as counts and percentages', () => {
    assert.deepEqual(
      answerShares([
        { answer: 'yes', count: 3 },
        { answer: 'no', count: 1 },
      ]),
      [
        { answer: 'yes', count: 3, percentage: 75 },
        { answer: 'no', count: 1, percentage: 25 },
      ],
    );
    assert.deepEqual(answerShares([{ answer: 'yes', count: 0 }]), [{ answer: 'yes', count: 0, percentage: null }]);
  });
});
