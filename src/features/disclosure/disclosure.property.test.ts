import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { attack } from './attacker.testing.ts';
import { controlTable, type DisclosureSettings, type TableLinks, type TidyCell } from './index.ts';

/**
 * A random table: one measure counted by two breakdowns of the same children (a joint count per
 * sub-area, quarter, category pair), published per sub-area and for the whole area (a hierarchy),
 * for two quarters and for both together (linked periods), each group with its Total.
 */
const table = fc
  .record({
    subAreas: fc.integer({ min: 1, max: 3 }),
    first: fc.integer({ min: 2, max: 3 }),
    second: fc.integer({ min: 1, max: 3 }),
    cumulative: fc.boolean(),
    // Mostly small counts, so that most tables need suppression.
    seed: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 30 })), { minLength: 54, maxLength: 54 }),
  })
  .map(({ subAreas, first, second, cumulative, seed }) => {
    const areas = Array.from({ length: subAreas }, (_, i) => `Ward ${i + 1}`);
    const quarters = ['Q1', 'Q2'];
    const joint = new Map<string, number>();
    let n = 0;
    for (const area of areas)
      for (const q of quarters) for (let i = 0; i < first; i++) for (let j = 0; j < second; j++) joint.set(`${area}|${q}|${i}|${j}`, seed[n++ % seed.length]!);
    const count = (inArea: (a: string) => boolean, inQuarter: (q: string) => boolean, i?: number, j?: number) =>
      [...joint]
        .filter(([k]) => {
          const [a, q, ii, jj] = k.split('|');
          return inArea(a!) && inQuarter(q!) && (i === undefined || Number(ii) === i) && (j === undefined || Number(jj) === j);
        })
        .reduce((s, [, v]) => s + v, 0);
    const cells: TidyCell[] = [];
    const periods: [string, (q: string) => boolean][] = quarters.map((q) => [q, (x: string) => x === q]);
    if (cumulative) periods.push(['Q1–Q2', () => true]);
    const allAreas: [string, (a: string) => boolean][] = [
      ...areas.map((a): [string, (x: string) => boolean] => [a, (x) => x === a]),
      ['Partnership', () => true],
    ];
    for (const [period, inQ] of periods)
      for (const [area, inA] of allAreas) {
        const base = { measure: 'Children at risk', period, area };
        cells.push({ ...base, breakdown: 'Age', category: 'Total', value: count(inA, inQ) });
        for (let i = 0; i < first; i++) cells.push({ ...base, breakdown: 'Age', category: `Age ${i}`, value: count(inA, inQ, i) });
        cells.push({ ...base, breakdown: 'Sex', category: 'Total', value: count(inA, inQ) });
        for (let j = 0; j < second; j++) cells.push({ ...base, breakdown: 'Sex', category: `Sex ${j}`, value: count(inA, inQ, undefined, j) });
      }
    const links: TableLinks = {
      hierarchies: [{ area: 'Partnership', subAreas: areas }],
      linkedPeriods: cumulative ? [{ period: 'Q1–Q2', parts: quarters }] : [],
    };
    return { cells, links };
  });
const settings = fc.record({ threshold: fc.integer({ min: 1, max: 7 }), symbol: fc.constantFrom('c', '*') }) satisfies fc.Arbitrary<DisclosureSettings>;

describe('disclosure control properties', () => {
  test('every withheld cell’s feasible interval from the published cells is wider than the threshold', () => {
    fc.assert(
      fc.property(table, settings, ({ cells, links }, s) => {
        const published = controlTable(cells, s, links);
        for (const { cell, lower, upper } of attack(published, s.symbol, links)) {
          // Bounds rounded inwards: the attacker knows counts are whole numbers.
          assert.ok(Math.floor(upper + 1e-6) - Math.ceil(lower - 1e-6) > s.threshold, `${JSON.stringify(cell)} lies in [${lower}, ${upper}]`);
        }
      }),
      { numRuns: 120 },
    );
  });

  test('primary suppression is exactly the counts from 1 to the threshold; published values are the true ones', () => {
    fc.assert(
      fc.property(table, settings, ({ cells, links }, s) => {
        const published = controlTable(cells, s, links);
        published.forEach((p, i) => {
          const v = cells[i]!.value!;
          assert.equal(p.suppressed === 'primary', v >= 1 && v <= s.threshold);
          if (v === 0) assert.equal(p.value, 0);
          if (p.suppressed === null) assert.equal(p.value, v);
          else assert.equal(p.value, s.symbol);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('disclosure control properties: a period published only inside a cumulative figure', () => {
  test('Q2 unpublished (Q1 and Q1–Q2 published): no small Q2 figure can be derived, nor any withheld cell narrowed', () => {
    fc.assert(
      fc.property(table, settings, ({ cells, links }, s) => {
        const q2 = cells.filter((c) => c.period === 'Q2');
        const shown = cells.filter((c) => c.period !== 'Q2');
        const linked = { ...links, linkedPeriods: [{ period: 'Q1–Q2', parts: ['Q1', 'Q2'] }] };
        if (!shown.some((c) => c.period === 'Q1–Q2')) return;
        const published = controlTable(shown, s, { ...linked, unpublished: q2 });
        const truth = new Map(q2.map((c) => [JSON.stringify([c.measure, c.breakdown, c.category, c.period, c.area]), c.value!]));
        for (const { cell, lower, upper } of attack(published, s.symbol, linked)) {
          if (typeof cell === 'string') {
            const value = truth.get(cell.slice(cell.indexOf(': ') + 2));
            if (value === undefined || value < 1 || value > s.threshold) continue;
          }
          assert.ok(Math.floor(upper + 1e-6) - Math.ceil(lower - 1e-6) > s.threshold, `${JSON.stringify(cell)} lies in [${lower}, ${upper}]`);
        }
      }),
      { numRuns: 80 },
    );
  });
});
