import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { disclosureFor, uncontrolled } from '../disclosure/publish.ts';
import type { ComplianceFigures } from './compliance.ts';
import { publishCompliance } from './compliance-published.ts';

const figures = (onTime: number, late: number, outstanding: number, notDue: number, noStartDate = 0): ComplianceFigures => {
  const due = onTime + late + outstanding;
  return { due, onTime, late, outstanding, notDue, noStartDate, percentage: due ? Math.round((1000 * onTime) / due) / 10 : null };
};
const sum = (fs: ComplianceFigures[]) =>
  figures(
    fs.reduce((n, f) => n + f.onTime, 0),
    fs.reduce((n, f) => n + f.late, 0),
    fs.reduce((n, f) => n + f.outstanding, 0),
    fs.reduce((n, f) => n + f.notDue, 0),
    fs.reduce((n, f) => n + f.noStartDate, 0),
  );
const board = disclosureFor(null);

describe('training compliance as published (issue 13 §2)', () => {
  test('raw for a reader who may see raw figures', () => {
    const byAgency = new Map([['a', figures(2, 1, 0, 0)]]);
    const out = publishCompliance(uncontrolled, byAgency, sum([...byAgency.values()]));
    assert.equal(out.byAgency.get('a')!.due, 3);
    assert.equal(out.overall.percentage, 66.7);
  });

  test('a small agency is withheld, and so is a complement in each column and row so nothing can be worked out', () => {
    const byAgency = new Map([
      ['police', figures(2, 1, 0, 0)],
      ['health', figures(30, 6, 8, 9)],
      ['council', figures(40, 7, 10, 12)],
    ]);
    const out = publishCompliance(board, byAgency, sum([...byAgency.values()]));
    const police = out.byAgency.get('police')!;
    assert.equal(police.due, 'c');
    assert.equal(police.onTime, 'c');
    assert.equal(police.percentage, 'c');
    assert.equal(police.late, 'c');
    assert.equal(police.outstanding, 0, 'a zero is published');
    const rows = [...out.byAgency.values(), out.overall];
    for (const column of ['due', 'onTime', 'late', 'outstanding', 'notDue'] as const) {
      assert.notEqual(rows.filter((r) => r[column] === 'c').length, 1, `${column}: not a lone withheld cell against the total`);
    }
    for (const r of rows) assert.notEqual([r.due, r.onTime, r.late, r.outstanding].filter((v) => v === 'c').length, 1);
  });

  test('agencies without a row count as one unpublished area, so the total is not their sum', () => {
    const shown = new Map([['health', figures(30, 6, 8, 9)]]);
    const overall = sum([...shown.values(), figures(3, 0, 0, 0)]);
    const out = publishCompliance(board, shown, overall);
    // The hidden agency's 3 would be the total less health's: a figure of the two is withheld.
    assert.ok(out.overall.due === 'c' || out.byAgency.get('health')!.due === 'c');
  });

  test('every count from 1 to the threshold is withheld, whatever the table', () => {
    for (let seed = 1; seed < 40; seed++) {
      const rnd = (n: number) => (seed * 7919 + n * 104729) % 13;
      const byAgency = new Map([0, 1, 2, 3].map((i) => [`a${i}`, figures(rnd(i), rnd(i + 4), rnd(i + 8), rnd(i + 12))]));
      const out = publishCompliance(board, byAgency, sum([...byAgency.values()]));
      for (const r of [...out.byAgency.values(), out.overall])
        for (const v of [r.due, r.onTime, r.late, r.outstanding, r.notDue]) assert.ok(v === 'c' || v === 0 || (typeof v === 'number' && v > 5), String(v));
    }
  });
});
