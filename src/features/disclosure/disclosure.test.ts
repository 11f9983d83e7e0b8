import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { controlCount, controlRate, controlTable, feasibleIntervals, isSymbol, suppressCells, type TidyCell } from './index.ts';

const row = (breakdown: string, category: string, value: number | null, more: Partial<TidyCell> = {}): TidyCell => ({
  measure: 'Children at risk',
  breakdown,
  category,
  period: '2026 Q1',
  area: 'Partnership',
  value,
  ...more,
});
const valuesOf = (cells: { category: string; value: number | string }[]) => Object.fromEntries(cells.map((c) => [c.category, c.value]));

describe('primary suppression', () => {
  test('counts from 1 to 5 are c, 0 and 6 upwards are shown (DfE convention)', () => {
    assert.deepEqual(
      [0, 1, 5, 6, 120].map((v) => controlCount(v)),
      [0, 'c', 'c', 6, 120],
    );
  });

  test('the threshold and symbol are settings', () => {
    const health = { threshold: 7, symbol: '*' };
    assert.deepEqual(
      [0, 7, 8].map((v) => controlCount(v, health)),
      [0, '*', 8],
    );
  });

  test('settings and counts out of range are refused', () => {
    assert.throws(() => controlCount(3, { threshold: 0, symbol: 'c' }), RangeError);
    assert.throws(() => controlCount(3, { threshold: 21, symbol: 'c' }), RangeError);
    assert.throws(() => controlCount(3, { threshold: 5, symbol: 'z' }), RangeError);
    assert.throws(() => controlCount(3, { threshold: 5, symbol: '5' }), RangeError);
    assert.throws(() => controlCount(-1), RangeError);
    assert.throws(() => controlCount(2.5), RangeError);
    assert.equal(isSymbol('[c]'), true);
    assert.equal(isSymbol(''), false);
    assert.equal(isSymbol('abcd'), false);
  });

  test('a rate is withheld when its numerator or denominator is, and z when the denominator is 0', () => {
    assert.deepEqual(controlRate(2, 4), { numerator: 'c', denominator: 'c', rate: 'c', suppressed: true });
    assert.deepEqual(controlRate(3, 40), { numerator: 'c', denominator: 40, rate: 'c', suppressed: true });
    assert.deepEqual(controlRate(0, 4), { numerator: 0, denominator: 'c', rate: 'c', suppressed: true });
    assert.deepEqual(controlRate(10, 40), { numerator: 10, denominator: 40, rate: 0.25, suppressed: false });
    assert.deepEqual(controlRate(0, 40), { numerator: 0, denominator: 40, rate: 0, suppressed: false });
    assert.deepEqual(controlRate(0, 0), { numerator: 0, denominator: 0, rate: 'z', suppressed: false });
  });
});

describe('secondary suppression', () => {
  test('a breakdown with one small category withholds the next smallest, not the Total', () => {
    const out = controlTable([row('sex', 'Total', 40), row('sex', 'Female', 20), row('sex', 'Male', 17), row('sex', 'Not known', 3)]);
    assert.deepEqual(valuesOf(out), { Total: 40, Female: 20, Male: 'c', 'Not known': 'c' });
    assert.deepEqual(
      out.map((c) => c.suppressed),
      [null, null, 'secondary', 'primary'],
    );
  });

  test('a complement too small to hide the cell is joined by another', () => {
    // Withholding only 2 and 3: their sum 5 is known, so each lies in [1, 4]: too narrow; the 30 joins them.
    const out = controlTable([row('age', 'Total', 35), row('age', 'A', 2), row('age', 'B', 3), row('age', 'C', 30)]);
    assert.deepEqual(valuesOf(out), { Total: 35, A: 'c', B: 'c', C: 'c' });
  });

  test('a published zero is never the only complement', () => {
    // Withholding the 0 beside the 4 would tell nothing: zeros are always shown, so the 4 is the Total.
    const out = controlTable([row('x', 'Total', 4), row('x', 'A', 4), row('x', 'B', 0)]);
    assert.deepEqual(valuesOf(out), { Total: 'c', A: 'c', B: 0 });
  });

  test('not applicable figures are z and count as 0', () => {
    const out = controlTable([row('x', 'Total', 50), row('x', 'A', 50), row('x', 'B', null)]);
    assert.deepEqual(valuesOf(out), { Total: 50, A: 50, B: 'z' });
  });

  test('a table without small numbers is published whole', () => {
    const out = controlTable([row('x', 'Total', 50), row('x', 'A', 20), row('x', 'B', 30)]);
    assert.ok(out.every((c) => c.suppressed === null));
  });

  test('the Totals of one measure in two breakdowns are one figure', () => {
    const out = controlTable([
      row('sex', 'Total', 3),
      row('sex', 'F', 3),
      row('sex', 'M', 0),
      row('age', 'Total', 3),
      row('age', '0-9', 0),
      row('age', '10-17', 3),
    ]);
    assert.deepEqual(
      out.map((c) => c.value),
      ['c', 'c', 0, 'c', 0, 'c'],
    );
  });

  test('tables that do not add up, or lack a Total, are refused', () => {
    assert.throws(() => controlTable([row('x', 'Total', 10), row('x', 'A', 4)]), /do not add up/);
    assert.throws(() => controlTable([row('x', 'A', 4)]), /No Total/);
    assert.throws(() => controlTable([row('x', 'Total', 4), row('x', 'Total', 4)]), /twice/);
    assert.throws(() => controlTable([row('x', 'Total', 4), row('y', 'Total', 5)]), /differ/);
  });

  test('an overlapping breakdown has no sum constraint', () => {
    const cells = [row('flags', 'Total', 30), row('flags', 'Missing', 20), row('flags', 'Online', 25), row('flags', 'Gang', 3)];
    const out = controlTable(cells, undefined, { overlappingBreakdowns: [{ measure: 'Children at risk', breakdown: 'flags' }] });
    assert.deepEqual(valuesOf(out), { Total: 30, Missing: 20, Online: 25, Gang: 'c' });
  });
});

describe('the engine', () => {
  test('every withheld cell ends with an interval wider than the threshold', () => {
    const cells = [
      { id: 'T', value: 20 },
      { id: 'a', value: 1 },
      { id: 'b', value: 9 },
      { id: 'c', value: 10 },
    ];
    const { suppressed, intervals } = suppressCells(cells, [{ total: 'T', parts: ['a', 'b', 'c'] }], 5);
    assert.deepEqual(Object.fromEntries(suppressed), { T: null, a: 'primary', b: 'secondary', c: null });
    assert.deepEqual(intervals.get('a'), { lower: 1, upper: 9 });
  });

  test('feasible intervals from known cells and constraints', () => {
    const intervals = feasibleIntervals(
      [{ total: 'T', parts: ['a', 'b'] }],
      new Map([['T', 10]]),
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
    );
    assert.deepEqual(intervals.get('a'), { lower: 1, upper: 9 });
    const open = feasibleIntervals(
      [{ total: 'T', parts: ['a', 'b'] }],
      new Map(),
      new Map([
        ['T', 1],
        ['a', 1],
        ['b', 1],
      ]),
      ['a'],
    );
    assert.deepEqual(open.get('a'), { lower: 1, upper: Infinity });
  });
});
