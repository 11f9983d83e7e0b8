// The problem profile's figures (issue 13 §1) from the numbers-only functions of migration 0410: one
// statement for a period's figures, one for the eight-quarter trend, one for the themes. Nothing here
// reads a row about a child or a person. The tidy cells are what the disclosure control and the
// downloads take: { measure, breakdown, category, period, area, value }.
import { sql } from 'kysely';
import type { IsoDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import { headlineMeasures, measureKeys, measures, total, type HeadlineMeasure, type MeasureDefinition } from './catalogue.ts';
import { notRecordedArea, partnershipArea, quarterKey, trendQuarters, type Period } from './period.ts';
import { storedFigures, type SnapshotPolicy } from '../../db/stored-figures.ts';

/** One figure: a count, with stable machine keys (labels come from locales profile.json). */
export interface ProfileCell {
  measure: string;
  breakdown: string;
  category: string;
  period: string;
  area: string;
  value: number;
}

export interface FigureRow {
  measure: string;
  breakdown: string;
  category: string;
  locality_id: string | null;
  value: number;
}

/**
 * The rows of a period's figures, per locality (null: none recorded, or not about a child), with the
 * moment they were computed (stored figures are reused while younger than the policy's age).
 */
export async function figureRows(tx: Tx, period: Period, policy: SnapshotPolicy): Promise<{ rows: FigureRow[]; asAt: Date }> {
  return storedFigures(tx, policy, 'profile_snapshots', 'figures', `${period.start}/${period.end}`, async () => {
    const result = await sql<FigureRow>`SELECT measure, breakdown, category, locality_id, value
      FROM lantern_profile_figures(${period.start}::date, ${period.end}::date)`.execute(tx);
    return result.rows.map((r) => ({ ...r, value: Number(r.value) }));
  });
}

/**
 * The tidy cells of one area of the hierarchy (the partnership sums every locality and none; "not
 * recorded" is the children with no locality): every measure `include` keeps, each breakdown and
 * category of the catalogue in its order, 0 where nothing was counted, and each group's Total as the
 * sum of its categories (a category the catalogue does not know is kept, before the Total).
 */
export function areaCells(rows: readonly FigureRow[], period: string, area: string, include: (definition: MeasureDefinition) => boolean): ProfileCell[] {
  const inArea = (locality: string | null) => area === partnershipArea || (area === notRecordedArea ? locality === null : locality === area);
  const values = new Map<string, number>();
  for (const r of rows) {
    if (!inArea(r.locality_id)) continue;
    const key = `${r.measure}|${r.breakdown}|${r.category}`;
    values.set(key, (values.get(key) ?? 0) + r.value);
  }
  const cells: ProfileCell[] = [];
  for (const measure of measureKeys) {
    const definition: MeasureDefinition = measures[measure];
    if (!include(definition)) continue;
    for (const [breakdown, known] of Object.entries(definition.breakdowns)) {
      const extra = rows
        .filter((r) => r.measure === measure && r.breakdown === breakdown && !known.includes(r.category))
        .map((r) => r.category)
        .filter((c, i, all) => all.indexOf(c) === i);
      let sum = 0;
      for (const category of [...known, ...extra]) {
        const value = values.get(`${measure}|${breakdown}|${category}`) ?? 0;
        sum += value;
        cells.push({ measure, breakdown, category, period, area, value });
      }
      cells.push({ measure, breakdown, category: total, period, area, value: sum });
    }
  }
  return cells;
}

/** The page's cells of one area: the partnership-only measures for the partnership alone. */
export const cellsOf = (rows: readonly FigureRow[], period: Period, area: string): ProfileCell[] =>
  areaCells(rows, period.key, area, (definition) => !definition.partnershipOnly || area === partnershipArea);

/** A headline figure's Total in an area, from the cells. */
export function totalOf(cells: readonly ProfileCell[], measure: string): number | null {
  const breakdown = Object.keys((measures as Record<string, MeasureDefinition>)[measure]!.breakdowns)[0];
  return cells.find((c) => c.measure === measure && c.breakdown === breakdown && c.category === total)?.value ?? null;
}

export type Direction = 'up' | 'down' | 'same' | 'none';

export interface TrendSeries {
  measure: HeadlineMeasure;
  points: { quarter: IsoDate; period: string; value: number }[];
  /** The last quarter against the one before it. */
  direction: Direction;
  change: number | null;
}

export const trendLength = 8;

/**
 * Each headline figure by quarter over the eight quarters ending with `lastQuarter`, in one area, with
 * the direction of the last quarter's change. Disruptions are the partnership's only.
 */
export async function trendOf(tx: Tx, lastQuarter: IsoDate, area: string, policy: SnapshotPolicy): Promise<TrendSeries[]> {
  const quarters = trendQuarters(lastQuarter, trendLength);
  const result = await storedFigures(tx, policy, 'profile_snapshots', 'trend', `${quarters[0]!}/${trendLength}`, async () => {
    const read = await sql<{ quarter_start: string; measure: string; locality_id: string | null; value: number }>`
      SELECT quarter_start::text AS quarter_start, measure, locality_id, value FROM lantern_profile_trend(${quarters[0]!}::date, ${trendLength})`.execute(tx);
    return read.rows.map((r) => ({ ...r, value: Number(r.value) }));
  });
  return headlineMeasures
    .filter((m) => area === partnershipArea || !(measures as Record<string, MeasureDefinition>)[m]!.partnershipOnly)
    .map((measure) => {
      const points = quarters.map((quarter) => ({
        quarter,
        period: quarterKey(quarter),
        value: result.rows
          .filter((r) => r.measure === measure && r.quarter_start === quarter && (area === partnershipArea || r.locality_id === area))
          .reduce((a, r) => a + Number(r.value), 0),
      }));
      const last = points.at(-1)!.value;
      const before = points.at(-2)!.value;
      const change = last - before;
      return { measure, points, change, direction: change > 0 ? 'up' : change < 0 ? 'down' : 'same' };
    });
}

/** Trend series as tidy cells: each quarter's Total, breakdown `quarter`. */
export function trendCells(series: readonly TrendSeries[], area: string): ProfileCell[] {
  return series.flatMap((s) => s.points.map((p) => ({ measure: s.measure, breakdown: 'quarter', category: total, period: p.period, area, value: p.value })));
}

export interface Theme {
  first: string;
  second: string;
  children: number;
}

/** The pairs of flags and markers most often seen together on the children open at the period's end, most first. */
export async function themesOf(tx: Tx, period: Period, area: string, policy: SnapshotPolicy, limit = 10): Promise<Theme[]> {
  const result = await storedFigures(tx, policy, 'profile_snapshots', 'themes', period.end, async () => {
    const read = await sql<{ first_flag: string; second_flag: string; locality_id: string | null; children: number }>`
      SELECT first_flag, second_flag, locality_id, children FROM lantern_profile_flag_pairs(${period.end}::date)`.execute(tx);
    return read.rows.map((r) => ({ ...r, children: Number(r.children) }));
  });
  const pairs = new Map<string, Theme>();
  for (const r of result.rows) {
    if (area !== partnershipArea && r.locality_id !== area) continue;
    const key = `${r.first_flag}|${r.second_flag}`;
    const theme = pairs.get(key) ?? { first: r.first_flag, second: r.second_flag, children: 0 };
    theme.children += Number(r.children);
    pairs.set(key, theme);
  }
  return [...pairs.values()].sort((a, b) => b.children - a.children || a.first.localeCompare(b.first) || a.second.localeCompare(b.second)).slice(0, limit);
}
