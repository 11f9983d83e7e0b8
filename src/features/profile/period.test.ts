import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPeriodKey, isAreaKey, parsePeriod, periodChoices, quarterKey, trendQuarters } from './period.ts';

test('a quarter, a calendar year, a financial year and a rolling year, as days [start, end)', () => {
  assert.deepEqual(parsePeriod('2026-Q3'), { key: '2026-Q3', kind: 'quarter', start: '2026-07-01', end: '2026-10-01', lastQuarter: '2026-07-01' });
  assert.deepEqual(parsePeriod('2026'), { key: '2026', kind: 'calendar_year', start: '2026-01-01', end: '2027-01-01', lastQuarter: '2026-10-01' });
  assert.deepEqual(parsePeriod('FY2026-27'), {
    key: 'FY2026-27',
    kind: 'financial_year',
    start: '2026-04-01',
    end: '2027-04-01',
    lastQuarter: '2027-01-01',
  });
  assert.deepEqual(parsePeriod('R12-2026-Q1'), {
    key: 'R12-2026-Q1',
    kind: 'rolling_year',
    start: '2025-04-01',
    end: '2026-04-01',
    lastQuarter: '2026-01-01',
  });
  assert.deepEqual(parsePeriod('FY1999-00'), null);
  assert.equal(parsePeriod('FY2099-00')?.end, '2100-04-01');
});

test('malformed periods are refused', () => {
  for (const key of ['', '2026-Q5', '2026-Q0', '26-Q1', 'FY2026-28', 'FY2026', 'R12-2026', '2026-13', '1999', ' 2026', '2026-q3', 'R12-2026-Q3x'])
    assert.equal(parsePeriod(key), null, key);
});

test('quarter keys, the default period and the choices', () => {
  assert.equal(quarterKey('2026-11-02'), '2026-Q4');
  assert.equal(quarterKey('2026-01-01'), '2026-Q1');
  assert.equal(defaultPeriodKey('2026-12-01'), '2026-Q3');
  assert.equal(defaultPeriodKey('2026-02-01'), '2025-Q4');
  const keys = periodChoices('2026-12-01').map((p) => p.key);
  assert.deepEqual(keys.slice(0, 2), ['2026-Q4', '2026-Q3']);
  assert.ok(keys.includes('R12-2026-Q3') && keys.includes('FY2026-27') && keys.includes('2026'));
  assert.deepEqual(trendQuarters('2026-07-01', 3), ['2026-01-01', '2026-04-01', '2026-07-01']);
});

test('area keys: the partnership or a locality id', () => {
  assert.ok(isAreaKey('partnership'));
  assert.ok(isAreaKey('3437dcd4-8fbe-4f0a-be1c-9ea5fd962b8a'));
  assert.ok(!isAreaKey('Partnership'));
  assert.ok(!isAreaKey('3437dcd4-8fbe-4f0a-be1c'));
});
