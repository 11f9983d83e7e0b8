// The attack harness (issue 13 §2): each named differencing attack recovers a small count from a
// table published with primary suppression only, and none does once the table is controlled.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attack } from './attacker.testing.ts';
import { controlCount, controlTable, dfeConvention, type ControlledCell, type TableLinks, type TidyCell } from './index.ts';

const threshold = dfeConvention.threshold;
const symbol = dfeConvention.symbol;
const cell = (breakdown: string, category: string, value: number, period = 'Q1', area = 'Partnership'): TidyCell => ({
  measure: 'Children at risk',
  breakdown,
  category,
  period,
  area,
  value,
});
const primaryOnly = (cells: TidyCell[]): ControlledCell[] =>
  cells.map((c) => ({ ...c, value: controlCount(c.value!), suppressed: controlCount(c.value!) === symbol ? 'primary' : null }));

/** The attacks that narrow a figure to an interval of the threshold's width or less. */
const successes = (published: ControlledCell[], links?: TableLinks, hidden: Record<string, number> = {}) =>
  attack(published, symbol, links).filter(({ cell, lower, upper }) => {
    // A figure derived by differencing is only a disclosure when small (its true value is known here).
    if (typeof cell === 'string') {
      const value = Object.entries(hidden).find(([name]) => cell.endsWith(name))?.[1];
      if (value === undefined || value < 1 || value > threshold) return false;
    }
    // Bounds rounded inwards: the attacker knows counts are whole numbers.
    return Math.floor(upper + 1e-6) - Math.ceil(lower - 1e-6) <= threshold;
  });

const scenarios: {
  name: string;
  cells: TidyCell[];
  links?: TableLinks;
  hidden?: Record<string, number>;
  publishedNaively?: (cells: TidyCell[]) => ControlledCell[];
}[] = [
  {
    name: 'a breakdown against its Total',
    cells: [cell('Sex', 'Total', 40), cell('Sex', 'Female', 37), cell('Sex', 'Male', 3)],
  },
  {
    name: 'row and column totals of a two-way table (wards by age band, with margins)',
    cells: ['Ward 1', 'Ward 2', 'Partnership'].flatMap((area, i) => [
      cell('Age', 'Total', [30, 40, 70][i]!, 'Q1', area),
      cell('Age', '0–12', [4, 14, 18][i]!, 'Q1', area),
      cell('Age', '13–17', [26, 26, 52][i]!, 'Q1', area),
    ]),
    links: { hierarchies: [{ area: 'Partnership', subAreas: ['Ward 1', 'Ward 2'] }] },
  },
  {
    name: 'sub-areas against the whole area',
    cells: [cell('All', 'Total', 50, 'Q1', 'Partnership'), cell('All', 'Total', 2, 'Q1', 'Ward 1'), cell('All', 'Total', 48, 'Q1', 'Ward 2')],
    links: { hierarchies: [{ area: 'Partnership', subAreas: ['Ward 1', 'Ward 2'] }] },
  },
  {
    name: 'two breakdowns of one total (each controlled on its own, then differenced)',
    cells: [
      cell('Age', 'Total', 7),
      cell('Age', '0–12', 3),
      cell('Age', '13–17', 4),
      cell('Sex', 'Total', 7),
      cell('Sex', 'Female', 7),
      cell('Sex', 'Male', 0),
    ],
    publishedNaively: (cells) => [...controlTable(cells.slice(0, 3)), ...controlTable(cells.slice(3))],
  },
  {
    name: 'consecutive periods (Q1 and Q1–Q2 cumulative; Q2 derived by differencing)',
    cells: [
      cell('Sex', 'Total', 30, 'Q1'),
      cell('Sex', 'Female', 20, 'Q1'),
      cell('Sex', 'Male', 10, 'Q1'),
      cell('Sex', 'Total', 33, 'Q1–Q2'),
      cell('Sex', 'Female', 23, 'Q1–Q2'),
      cell('Sex', 'Male', 10, 'Q1–Q2'),
    ],
    links: { linkedPeriods: [{ period: 'Q1–Q2', parts: ['Q1', 'Q2'] }] },
    hidden: { '"Female","Q2","Partnership"]': 3, '"Total","Q2","Partnership"]': 3, '"Male","Q2","Partnership"]': 0 },
  },
  {
    name: 'consecutive periods (each quarter and the cumulative figure published)',
    cells: [
      ...[
        ['Q1', 30, 25, 5],
        ['Q2', 40, 38, 2],
        ['Q1–Q2', 70, 63, 7],
      ].flatMap(([p, t, f, m]) => [
        cell('Sex', 'Total', t as number, p as string),
        cell('Sex', 'Female', f as number, p as string),
        cell('Sex', 'Male', m as number, p as string),
      ]),
    ],
    links: { linkedPeriods: [{ period: 'Q1–Q2', parts: ['Q1', 'Q2'] }] },
  },
];

describe('attack harness', () => {
  for (const s of scenarios) {
    test(`${s.name}: recovers a small count from primary suppression alone, and nothing once controlled`, () => {
      const naive = (s.publishedNaively ?? primaryOnly)(s.cells);
      assert.ok(successes(naive, s.links, s.hidden).length > 0, 'the attack works on the naive publication');
      const controlled = controlTable(s.cells, dfeConvention, s.links);
      assert.deepEqual(successes(controlled, s.links, s.hidden), []);
    });
  }
});
