import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { tz } from '@date-fns/tz';
import { format } from 'date-fns';
import {
  addDays,
  addMonths,
  addQuarters,
  ageOn,
  daysBetween,
  endOfLondonDay,
  formatDate,
  formatDateTime,
  formatIsoDate,
  londonDate,
  londonDateTime,
  parseDateText,
  parseClockTime,
  parseDayMonthYear,
  readDateInput,
  parseIsoDate,
  quarterEnd,
  quarterOf,
  startOfLondonDay,
  toLondonFields,
  utcDate,
} from './dates.ts';

// Every example runs with the machine set to each of these zones: answers must not depend on it.
// (Node applies a change of process.env.TZ at once.) `TZ=America/New_York npm test -- src/dates` and
// `TZ=UTC …` run the whole file under another zone as well.
const machineZones = ['UTC', 'America/New_York', 'Europe/London', 'Pacific/Auckland', 'Asia/Kolkata'];
const originalZone = process.env.TZ;
after(() => {
  if (originalZone === undefined) delete process.env.TZ;
  else process.env.TZ = originalZone;
});
/** What the function gives for each input, case by case (the input names a failing case). */
function givesEach<I, O>(fn: (input: I) => O, cases: [I, O][]) {
  for (const [input, expected] of cases) assert.equal(fn(input), expected, String(input));
}

function inEachZone(name: string, check: () => void) {
  for (const zone of machineZones) {
    test(`${name} (machine in ${zone})`, () => {
      process.env.TZ = zone;
      check();
    });
  }
}
const at = (iso: string) => new Date(iso);

describe('instants read in London', () => {
  inEachZone('the date of an instant around the clock changes (last Sunday in March and October)', () => {
    // 29 March 2026: 01:00 GMT becomes 02:00 BST.
    assert.deepEqual(toLondonFields(at('2026-03-29T00:30:00Z')), { date: '2026-03-29', time: '00:30' });
    assert.deepEqual(toLondonFields(at('2026-03-29T01:30:00Z')), { date: '2026-03-29', time: '02:30' });
    assert.deepEqual(toLondonFields(at('2026-03-28T23:30:00Z')), { date: '2026-03-28', time: '23:30' });
    assert.deepEqual(toLondonFields(at('2026-03-29T23:30:00Z')), { date: '2026-03-30', time: '00:30' });
    // 25 October 2026: 02:00 BST becomes 01:00 GMT.
    assert.deepEqual(toLondonFields(at('2026-10-24T23:30:00Z')), { date: '2026-10-25', time: '00:30' });
    assert.deepEqual(toLondonFields(at('2026-10-25T00:30:00Z')), { date: '2026-10-25', time: '01:30' });
    assert.deepEqual(toLondonFields(at('2026-10-25T01:30:00Z')), { date: '2026-10-25', time: '01:30' });
    assert.deepEqual(toLondonFields(at('2026-10-25T23:30:00Z')), { date: '2026-10-25', time: '23:30' });
    // Summer: just before midnight UTC is already tomorrow in London.
    assert.equal(londonDate(at('2026-06-30T23:00:00Z')), '2026-07-01');
    assert.equal(londonDate(at('2026-06-30T22:59:59Z')), '2026-06-30');
    assert.equal(londonDate(at('2026-12-31T23:59:59Z')), '2026-12-31');
  });

  inEachZone('wall-clock date and time to the instant, through both clock changes', () => {
    assert.equal(londonDateTime('2026-03-29', '00:30')?.toISOString(), '2026-03-29T00:30:00.000Z');
    // 01:30 never happens on 29 March: read as if the clocks had not moved.
    assert.equal(londonDateTime('2026-03-29', '01:30')?.toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(londonDateTime('2026-03-29', '02:30')?.toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(londonDateTime('2026-07-01', '00:15')?.toISOString(), '2026-06-30T23:15:00.000Z');
    assert.equal(londonDateTime('2026-10-25', '00:30')?.toISOString(), '2026-10-24T23:30:00.000Z');
    // 01:30 happens twice on 25 October: the first (BST) is taken.
    assert.equal(londonDateTime('2026-10-25', '01:00')?.toISOString(), '2026-10-25T00:00:00.000Z');
    assert.equal(londonDateTime('2026-10-25', '01:30')?.toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(londonDateTime('2026-10-25', '02:00')?.toISOString(), '2026-10-25T02:00:00.000Z');
    assert.equal(londonDateTime('2026-12-01', '09:00')?.toISOString(), '2026-12-01T09:00:00.000Z');
    for (const [d, t] of [
      ['2026-02-29', '10:00'],
      ['2026-03-29', '24:00'],
      ['2026-03-29', '9:00'],
      ['', ''],
      ['2026-03-29', '10:60'],
    ]) {
      assert.equal(londonDateTime(d!, t!), null, `${d} ${t}`);
    }
  });

  inEachZone('a London day as a range of instants: 23 hours in March, 25 in October', () => {
    const range = (d: string) => [startOfLondonDay(d).toISOString(), endOfLondonDay(d).toISOString()];
    assert.deepEqual(range('2026-03-29'), ['2026-03-29T00:00:00.000Z', '2026-03-29T23:00:00.000Z']);
    assert.deepEqual(range('2026-10-25'), ['2026-10-24T23:00:00.000Z', '2026-10-26T00:00:00.000Z']);
    assert.deepEqual(range('2026-07-01'), ['2026-06-30T23:00:00.000Z', '2026-07-01T23:00:00.000Z']);
    assert.deepEqual(range('2026-01-15'), ['2026-01-15T00:00:00.000Z', '2026-01-16T00:00:00.000Z']);
    assert.deepEqual(range('2024-02-29'), ['2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
  });

  inEachZone('a zone-less Date (a spreadsheet cell) keeps its calendar date', () => {
    assert.equal(utcDate(at('2026-07-01T00:00:00Z')), '2026-07-01');
    assert.equal(utcDate(at('2024-02-29T00:00:00Z')), '2024-02-29');
  });

  test('wall-clock fields round-trip through the instant they denote (property, 1990–2100)', () => {
    const instant = fc.integer({ min: Date.UTC(1990, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 }).map((m) => new Date(m * 60_000));
    fc.assert(
      fc.property(instant, (moment) => {
        const fields = toLondonFields(moment);
        const back = londonDateTime(fields.date, fields.time);
        assert.ok(back);
        assert.deepEqual(toLondonFields(back), fields);
        // Only the repeated hour in October can give the other of its two instants: an hour earlier.
        assert.ok(back.getTime() === moment.getTime() || moment.getTime() - back.getTime() === 3_600_000);
      }),
    );
  });

  test('any text gives null or a real instant, never an exception (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (date, time) => {
        const parsed = londonDateTime(date, time);
        assert.ok(parsed === null || !Number.isNaN(parsed.getTime()));
        const day = parseIsoDate(date);
        assert.ok(day === null || day === date.trim());
      }),
    );
  });
});

describe('calendar dates', () => {
  inEachZone('only real dates written YYYY-MM-DD parse (29 February in leap years only)', () => {
    assert.equal(parseIsoDate('2024-02-29'), '2024-02-29');
    assert.equal(parseIsoDate(' 2026-03-05 '), '2026-03-05');
    assert.equal(parseIsoDate('2000-02-29'), '2000-02-29');
    for (const bad of [
      '2025-02-29',
      '1900-02-29',
      '2026-02-30',
      '2026-02-31',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '26-01-01',
      '2026-1-1',
      '2026-01-01T00:00',
      '1899-12-31',
      '3000-01-01',
      '',
      'yesterday',
    ]) {
      assert.equal(parseIsoDate(bad), null, bad);
    }
  });

  test('parseIsoDate accepts exactly the real calendar dates from 1900 to 2999 and returns them as written (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (d) => {
        assert.equal(parseIsoDate(utcDate(d)), utcDate(d));
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const parsed = parseIsoDate(s);
        if (parsed) assert.equal(utcDate(new Date(`${parsed}T00:00:00Z`)), parsed);
      }),
      { numRuns: 2000 },
    );
  });

  inEachZone('the GOV.UK date input: day, month and year boxes', () => {
    assert.equal(parseDayMonthYear({ day: '5', month: '3', year: '2026' }), '2026-03-05');
    assert.equal(parseDayMonthYear({ day: '05', month: '03', year: '2026' }), '2026-03-05');
    assert.equal(parseDayMonthYear({ day: ' 29 ', month: '2', year: '2024' }), '2024-02-29');
    assert.equal(parseDayMonthYear({ day: '31', month: '12', year: '2026' }), '2026-12-31');
    for (const [day, month, year] of [
      ['31', '2', '2026'],
      ['29', '2', '2026'],
      ['30', '2', '2024'],
      ['31', '4', '2026'],
      ['0', '1', '2026'],
      ['1', '13', '2026'],
      ['1', '0', '2026'],
      ['1', '1', '26'],
      ['1', '1', '02026'],
      ['', '1', '2026'],
      ['1', '', '2026'],
      ['1', '1', ''],
      ['one', '1', '2026'],
      ['1.5', '1', '2026'],
      ['-1', '1', '2026'],
      ['123', '1', '2026'],
      ['1', '1', '1899'],
    ]) {
      assert.equal(parseDayMonthYear({ day: day!, month: month!, year: year! }), null, `${day}/${month}/${year}`);
    }
  });

  inEachZone('the date input says what is wrong and which boxes, as GOV.UK’s messages need', () => {
    const read = (day: unknown, month: unknown, year: unknown) => readDateInput({ day, month, year });
    assert.deepEqual(read('', ' ', ''), { ok: false, problem: 'required', parts: ['day', 'month', 'year'] });
    assert.deepEqual(readDateInput(undefined), { ok: false, problem: 'required', parts: ['day', 'month', 'year'] });
    assert.deepEqual(readDateInput({}), { ok: false, problem: 'required', parts: ['day', 'month', 'year'] });
    assert.deepEqual(read('5', '', '2026'), { ok: false, problem: 'incomplete', parts: ['month'] });
    assert.deepEqual(read('', '', '2026'), { ok: false, problem: 'incomplete', parts: ['day', 'month'] });
    assert.deepEqual(read('', '3', ''), { ok: false, problem: 'incomplete', parts: ['day', 'year'] });
    assert.deepEqual(read('5', ' ', undefined), { ok: false, problem: 'incomplete', parts: ['month', 'year'] });
    // Two-digit years are refused, not guessed; so are five digits.
    assert.deepEqual(read('5', '3', '26'), { ok: false, problem: 'yearDigits', parts: ['year'] });
    assert.deepEqual(read('5', '3', '02026'), { ok: false, problem: 'yearDigits', parts: ['year'] });
    // Impossible dates: the box at fault where it is clear, day and month where either could be.
    assert.deepEqual(read('31', '4', '2026'), { ok: false, problem: 'real', parts: ['day', 'month'] });
    assert.deepEqual(read('29', '2', '2026'), { ok: false, problem: 'real', parts: ['day', 'month'] });
    assert.deepEqual(read('29', '2', '2024'), { ok: true, date: '2024-02-29' }, 'a leap year');
    assert.deepEqual(read('29', '2', '2000'), { ok: true, date: '2000-02-29' }, 'divisible by 400');
    assert.deepEqual(read('29', '2', '2100'), { ok: false, problem: 'real', parts: ['day', 'month'] }, 'divisible by 100 only');
    assert.deepEqual(read('5', '13', '2026'), { ok: false, problem: 'real', parts: ['month'] });
    assert.deepEqual(read('32', '1', '2026'), { ok: false, problem: 'real', parts: ['day'] });
    assert.deepEqual(read('0', '1', '2026'), { ok: false, problem: 'real', parts: ['day'] });
    assert.deepEqual(read('1', '1', '1899'), { ok: false, problem: 'real', parts: ['year'] });
    assert.deepEqual(read('x', '1', 'y2k'), { ok: false, problem: 'real', parts: ['day', 'year'] });
    assert.deepEqual(read('1.5', '1', '2026'), { ok: false, problem: 'real', parts: ['day'] });
    assert.deepEqual(read('-1', '1', '2026'), { ok: false, problem: 'real', parts: ['day'] });
    // A tampered request: a box posted twice arrives as an array.
    assert.deepEqual(read(['1', '2'], '1', '2026'), { ok: false, problem: 'real', parts: ['day'] });
    // Spaces, leading zeros and month names are what people type.
    assert.deepEqual(read(' 05 ', '03', ' 2026 '), { ok: true, date: '2026-03-05' });
    assert.deepEqual(read('5', 'March', '2026'), { ok: true, date: '2026-03-05' });
    assert.deepEqual(read('5', 'sept', '2026'), { ok: true, date: '2026-09-05' });
    assert.deepEqual(read('5', 'Ma', '2026'), { ok: false, problem: 'real', parts: ['month'] }, 'too short to tell March from May');
  });

  test('times on the 24-hour clock, as a phone’s number pad types them too', () => {
    givesEach(parseClockTime, [
      ['21:30', '21:30'],
      [' 9:05 ', '09:05'],
      ['21.30', '21:30'],
      ['2130', '21:30'],
      ['00:00', '00:00'],
    ]);
    for (const text of ['', '24:00', '12:60', '930', '9', '9pm', '21:3', '-1:00', '１２:００']) assert.equal(parseClockTime(text), null, text);
  });

  test('the date input parser agrees with the calendar (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (y, m, d) => {
        const real = new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
        const parsed = parseDayMonthYear({ day: String(d), month: String(m), year: String(y) });
        assert.equal(parsed !== null, real);
        if (parsed) assert.equal(parseIsoDate(parsed), parsed);
      }),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (day, month, year) => {
        const parsed = parseDayMonthYear({ day, month, year });
        assert.ok(parsed === null || parseIsoDate(parsed) === parsed);
      }),
    );
  });

  inEachZone('dates written as people write them', () => {
    const patterns = ['yyyy-MM-dd', 'dd/MM/yyyy', 'd/M/yyyy', 'd MMMM yyyy', 'd MMM yyyy'];
    assert.equal(parseDateText('31/03/2026', patterns), '2026-03-31');
    assert.equal(parseDateText('5/3/2026', patterns), '2026-03-05');
    assert.equal(parseDateText('29 March 2026', patterns), '2026-03-29');
    assert.equal(parseDateText('25 Oct 2026', patterns), '2026-10-25');
    assert.equal(parseDateText('29/02/2025', patterns), null);
    assert.equal(parseDateText('next week', patterns), null);
  });

  inEachZone('days and months step by the calendar, across clock changes and 29 February', () => {
    assert.equal(addDays('2026-03-28', 1), '2026-03-29');
    assert.equal(addDays('2026-03-29', 1), '2026-03-30');
    assert.equal(addDays('2026-10-25', 1), '2026-10-26');
    assert.equal(addDays('2026-10-26', -2), '2026-10-24');
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2025-02-28', 1), '2025-03-01');
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-01-01', 365), '2027-01-01');
    assert.equal(addMonths('2024-01-31', 1), '2024-02-29');
    assert.equal(addMonths('2024-02-29', 12), '2025-02-28');
    assert.equal(addMonths('2026-11-01', -12), '2025-11-01');
    assert.equal(daysBetween('2026-03-28', '2026-03-30'), 2);
    assert.equal(daysBetween('2026-10-24', '2026-10-26'), 2);
    assert.equal(daysBetween('2024-02-28', '2024-03-01'), 2);
    assert.equal(daysBetween('2026-11-02', '2026-11-01'), -1);
  });

  inEachZone('age on a date counts completed years; a 29 February birthday counts from 1 March', () => {
    assert.equal(ageOn('2010-06-10', '2026-06-09'), 15);
    assert.equal(ageOn('2010-06-10', '2026-06-10'), 16);
    assert.equal(ageOn('2012-02-29', '2023-02-28'), 10);
    assert.equal(ageOn('2012-02-29', '2023-03-01'), 11);
    assert.equal(ageOn('2012-02-29', '2024-02-28'), 11);
    assert.equal(ageOn('2012-02-29', '2024-02-29'), 12);
    assert.equal(ageOn('2012-03-01', '2024-02-29'), 11);
    assert.equal(ageOn('2026-11-02', '2026-11-02'), 0);
    // A birthday on the day the clocks change.
    assert.equal(ageOn('2010-03-29', '2026-03-29'), 16);
    assert.equal(ageOn('2010-10-25', '2026-10-24'), 15);
  });

  inEachZone('quarters are calendar quarters named by their first day', () => {
    givesEach(quarterOf, [
      ['2026-11-02', '2026-10-01'],
      ['2026-10-01', '2026-10-01'],
      ['2026-03-31', '2026-01-01'],
      ['2026-04-01', '2026-04-01'],
      ['2024-02-29', '2024-01-01'],
    ]);
    givesEach(quarterEnd, [
      ['2026-10-01', '2026-12-31'],
      ['2026-01-01', '2026-03-31'],
      ['2024-01-01', '2024-03-31'],
      ['2026-04-01', '2026-06-30'],
    ]);
    assert.equal(addQuarters('2026-01-01', -1), '2025-10-01');
    assert.equal(addQuarters('2026-10-01', 1), '2027-01-01');
    assert.equal(addQuarters('2026-07-01', -3), '2025-10-01');
  });
});

describe('dates for reading', () => {
  inEachZone('GOV.UK style dates, and times in London', () => {
    assert.equal(formatDate('2026-03-05'), '5 March 2026');
    assert.equal(formatDate('2024-02-29'), '29 February 2024');
    assert.equal(formatDate(at('2026-03-29T00:30:00Z')), '29 March 2026');
    assert.equal(formatDate(at('2026-06-30T23:30:00Z')), '1 July 2026');
    assert.equal(formatDate('2026-06-30T23:30:00.000Z'), '1 July 2026');
    assert.equal(formatIsoDate('2026-10-01', 'MMMM yyyy'), 'October 2026');
    assert.equal(formatIsoDate('2026-12-01', 'MMMM'), 'December');
    assert.equal(formatIsoDate('2026-02-31', 'MMMM'), '');
    assert.equal(formatDateTime(at('2026-03-29T00:30:00Z')), '29 Mar 2026, 00:30');
    assert.equal(formatDateTime(at('2026-03-29T01:30:00Z')), '29 Mar 2026, 02:30');
    assert.equal(formatDateTime(at('2026-10-25T00:30:00Z')), '25 Oct 2026, 01:30');
    assert.equal(formatDateTime(at('2026-10-25T01:30:00Z')), '25 Oct 2026, 01:30');
    assert.equal(formatDateTime('2026-11-02T07:00:00.000Z'), '2 Nov 2026, 07:00');
    assert.equal(formatDateTime(at('2026-09-05T13:04:00Z')), '5 Sept 2026, 14:04');
    for (const nothing of [null, undefined, '', 'not a date', at('garbage')]) {
      assert.equal(formatDate(nothing), '');
      assert.equal(formatDateTime(nothing), '');
    }
  });

  test('pages show what date-fns with @date-fns/tz writes for London (property)', () => {
    // The display formatters are Intl's (faster); date-fns in the London zone is the reference they must match.
    const london = tz('Europe/London');
    const cldrMonth = (text: string) => text.replace(/\bSep\b/, 'Sept');
    const instant = fc.integer({ min: Date.UTC(1990, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 }).map((m) => new Date(m * 60_000));
    fc.assert(
      fc.property(instant, (moment) => {
        assert.equal(formatDate(moment), format(moment, 'd MMMM yyyy', { in: london }));
        assert.equal(formatDateTime(moment), cldrMonth(format(moment, 'd MMM yyyy, HH:mm', { in: london })));
        assert.equal(formatDate(londonDate(moment)), formatDate(moment));
        assert.equal(formatDate(utcDate(moment)), format(moment, 'd MMMM yyyy', { in: tz('UTC') }));
      }),
      { numRuns: 2000 },
    );
  });
});
