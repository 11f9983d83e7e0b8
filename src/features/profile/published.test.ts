import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dfeConvention } from '../disclosure/index.ts';
import { comparedMeasures, measures, type MeasureDefinition } from './catalogue.ts';
import { cellsOf } from './figures.ts';
import { parsePeriod, partnershipArea } from './period.ts';
import { controlProfile, Lru, notRecordedArea, publishedProfile, publishedSolveCount, type RawProfile } from './published.ts';

/**
 * The published problem profile (issue 13 §2): secondary suppression where a group's Total would give
 * a withheld cell away, the area hierarchy (the partnership less the other localities), the trend and
 * comparison agreeing with the main table, and the memo. Figures made up: two localities.
 */
const period = parsePeriod('2026-Q3')!;
const a = '00000000-0000-4000-8000-00000000000a';
const b = '00000000-0000-4000-8000-00000000000b';
const localities = [
  { id: a, name: 'Ashby' },
  { id: b, name: 'Brook' },
];
const rows = [
  { measure: 'missing_episodes', breakdown: 'episode_type', category: 'missing', locality_id: a, value: 3 },
  { measure: 'missing_episodes', breakdown: 'episode_type', category: 'absent', locality_id: a, value: 20 },
  { measure: 'missing_episodes', breakdown: 'episode_type', category: 'missing', locality_id: b, value: 30 },
  { measure: 'missing_episodes', breakdown: 'episode_type', category: 'absent', locality_id: b, value: 40 },
  { measure: 'strategy_meetings', breakdown: 'meeting_kind', category: 'meeting', locality_id: a, value: 2 },
  { measure: 'strategy_meetings', breakdown: 'meeting_kind', category: 'meeting', locality_id: b, value: 40 },
];

function raw(area: string): RawProfile {
  const count = (measure: string, inArea: (l: string | null) => boolean) => {
    const first = Object.keys((measures as Record<string, MeasureDefinition>)[measure]!.breakdowns)[0];
    return rows.filter((r) => r.measure === measure && r.breakdown === first && inArea(r.locality_id)).reduce((s, r) => s + r.value, 0);
  };
  const comparisonRow = (key: string, name: string | null, inArea: (l: string | null) => boolean) => ({
    area: key,
    name,
    population: 10000,
    populationYear: 2026,
    figures: comparedMeasures.map((measure) => ({ measure, count: count(measure, inArea), rate: count(measure, inArea) })),
  });
  return {
    partnershipId: 'p',
    period,
    area,
    localities,
    rows,
    cells: cellsOf(rows, period, area),
    trend: [
      {
        measure: 'strategy_meetings',
        points: [
          { quarter: '2026-04-01', period: '2026-Q2', value: 50 },
          { quarter: '2026-07-01', period: '2026-Q3', value: 42 },
        ],
        direction: 'down',
        change: -8,
      },
    ],
    themes: [
      { first: 'cse', second: 'missing', children: 4 },
      { first: 'cse', second: 'gangs', children: 12 },
    ],
    comparison: [...localities.map((l) => comparisonRow(l.id, l.name, (x) => x === l.id)), comparisonRow(partnershipArea, null, () => true)],
  };
}

const value = (cells: { measure: string; category: string; value: number | string }[], measure: string, category: string) =>
  cells.find((c) => c.measure === measure && c.category === category)?.value;

describe('the published problem profile', () => {
  test('a small count whose group Total is published takes a complement (secondary suppression)', () => {
    const p = controlProfile(raw(a), dfeConvention);
    assert.equal(value(p.cells, 'missing_episodes', 'missing'), 'c');
    assert.equal(value(p.cells, 'missing_episodes', 'absent'), 'c', 'the complement: the Total less it would give the 3 away');
    assert.equal(p.cells.find((c) => c.measure === 'missing_episodes' && c.category === 'absent')!.suppressed, 'secondary');
    assert.equal(value(p.cells, 'missing_episodes', 'Total'), 23);
  });

  test('a locality’s small Total is not left to the partnership less the other localities (the hierarchy)', () => {
    const p = controlProfile(raw(partnershipArea), dfeConvention);
    const figure = (area: string) => p.comparison.find((r) => r.area === area)!.figures.find((f) => f.measure === 'strategy_meetings')!;
    assert.equal(figure(a).count, 'c');
    assert.equal(figure(a).rate, 'c', 'a rate whose count is withheld is withheld');
    assert.ok(figure(b).count === 'c' || figure(partnershipArea).count === 'c', 'a complement among the other areas');
    // The partnership's Total in the main table is the comparison's partnership figure: one cell.
    assert.equal(value(p.cells, 'strategy_meetings', 'Total'), figure(partnershipArea).count);
    // The trend's quarter of the period agrees with the main table; the direction is not shown beside a withheld quarter.
    const q3 = p.trend[0]!.points.find((x) => x.period === '2026-Q3')!.value;
    assert.equal(q3, value(p.cells, 'strategy_meetings', 'Total'));
    if (q3 === 'c') assert.equal(p.trend[0]!.change, null);
    assert.equal(notRecordedArea, 'not_recorded');
  });

  test('themes: each pair’s small count withheld, their Total not applicable', () => {
    const p = controlProfile(raw(partnershipArea), dfeConvention);
    assert.deepEqual(
      p.themes.map((t) => t.children),
      ['c', 12],
    );
    assert.equal(p.themeCells.at(-1)!.value, 'z');
  });

  test('the memo answers a repeated view; a change of figures or settings solves again; the LRU drops the oldest', () => {
    const before = publishedSolveCount();
    publishedProfile(raw(b), dfeConvention);
    publishedProfile(raw(b), dfeConvention);
    assert.equal(publishedSolveCount(), before + 1);
    publishedProfile(raw(b), { threshold: 7, symbol: '*' });
    assert.equal(publishedSolveCount(), before + 2);
    const lru = new Lru<string, number>(2);
    lru.set('x', 1);
    lru.set('y', 2);
    lru.get('x');
    lru.set('z', 3);
    assert.equal(lru.get('y'), undefined);
    assert.equal(lru.get('x'), 1);
    assert.equal(lru.length, 2);
  });
});
