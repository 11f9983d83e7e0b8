// The problem profile as published (issue 13 §2 "who sees what", §3): every figure a board member,
// a councillor or a download sees, after disclosure control (src/features/disclosure, docs/DISCLOSURE.md).
// Pure, apart from a small in-process memo of the controlled result: control can take seconds on a
// large table, and a past period's figures do not change.
//
// What is controlled together (one controlTable call): the chosen area's figures, every area's
// headline Totals shown in the area comparison, and, as unpublished (latent) cells, every other area's
// figures, so that the partnership = its localities + children with no locality recorded (a declared
// hierarchy) holds for every cell and no locality's small count can be found by differencing the
// partnership against the other localities. Breakdowns of one measure share its Total (linked tables).
// The eight-quarter trend is controlled as its own table (each quarter's Total), and a Total withheld
// in the main table is withheld in the trend too. Themes (pairs of markers, overlapping): primary
// suppression of each pair's count. Rates per 10,000 are shown only where their count is.
import { createHash } from 'node:crypto';
import { controlCount, controlTable, type ControlledCell, type DisclosureSettings, type TidyCell } from '../disclosure/index.ts';
import { total } from './catalogue.ts';
import { areaCells, type FigureRow, type ProfileCell, type Theme, type TrendSeries } from './figures.ts';
import { notRecordedArea, partnershipArea, type Period } from './period.ts';
export { notRecordedArea };

/** Children with no locality recorded, and figures not about a child: an area of the hierarchy, never chosen. */
/** The breakdown the area comparison's Totals are published under (a group of its Total alone). */
export const comparisonBreakdown = 'area_comparison';
/** The themes as tidy cells: each pair a category; the pairs overlap, so their group's Total is not applicable. */
export const themesMeasure = 'themes';
export const themesBreakdown = 'marker_pair';

export type PublishedValue = number | string;

export interface PublishedProfile {
  settings: DisclosureSettings;
  /** The chosen area's figures, in the page's order. */
  cells: ControlledCell[];
  trend: {
    measure: TrendSeries['measure'];
    points: { quarter: string; period: string; value: PublishedValue }[];
    direction: TrendSeries['direction'];
    change: number | null;
  }[];
  trendCells: ControlledCell[];
  themes: { first: string; second: string; children: PublishedValue }[];
  comparison: {
    area: string;
    name: string | null;
    population: number | null;
    populationYear: number | null;
    figures: { measure: string; count: PublishedValue; rate: number | string | null }[];
  }[];
  comparisonCells: ControlledCell[];
  themeCells: ControlledCell[];
}

interface Locality {
  id: string;
  name: string;
}

/** A row of the area comparison (service.ts ComparisonRow). */
interface ComparisonRow {
  area: string;
  name: string | null;
  population: number | null;
  populationYear: number | null;
  figures: { measure: string; count: number; rate: number | null }[];
}

/** What the published view is made from: the unsuppressed page and the period's rows per locality. */
export interface RawProfile {
  partnershipId: string;
  period: Period;
  area: string;
  localities: readonly Locality[];
  rows: readonly FigureRow[];
  cells: readonly ProfileCell[];
  trend: readonly TrendSeries[];
  themes: readonly Theme[];
  comparison: readonly ComparisonRow[];
}

const tidyKey = (c: Omit<TidyCell, 'value'>) => JSON.stringify([c.measure, c.breakdown, c.category, c.period, c.area]);

/** Applies the partnership's disclosure control to the profile (memoised: see `publishedProfile`). */
export function controlProfile(raw: RawProfile, settings: DisclosureSettings): PublishedProfile {
  const period = raw.period.key;
  const areas = [...raw.localities.map((l) => l.id), notRecordedArea];
  const comparisonCells: TidyCell[] = raw.comparison.flatMap((row) =>
    row.figures.map((f) => ({ measure: f.measure, breakdown: comparisonBreakdown, category: total, period, area: row.area, value: f.count })),
  );
  const published: TidyCell[] = [...raw.cells, ...comparisonCells];
  const publishedKeys = new Set(published.map(tidyKey));
  const unpublished = [partnershipArea, ...areas]
    .flatMap((area) => areaCells(raw.rows, period, area, () => true))
    .filter((c) => !publishedKeys.has(tidyKey(c)));
  const controlled = controlTable(published, settings, { hierarchies: [{ area: partnershipArea, subAreas: areas }], unpublished });
  const cells = controlled.slice(0, raw.cells.length);
  const comparisonControlled = controlled.slice(raw.cells.length);

  // The trend: each quarter's Total alone; one the main table withholds is withheld here too.
  const withheldTotals = new Set(controlled.filter((c) => c.category === total && c.suppressed).map((c) => JSON.stringify([c.measure, c.period, c.area])));
  const trendTidy: TidyCell[] = raw.trend.flatMap((s) =>
    s.points.map((p) => ({ measure: s.measure, breakdown: 'quarter', category: total, period: p.period, area: raw.area, value: p.value })),
  );
  const trendCells = controlTable(trendTidy, settings).map((c): ControlledCell =>
    !c.suppressed && withheldTotals.has(JSON.stringify([c.measure, c.period, c.area])) ? { ...c, value: settings.symbol, suppressed: 'secondary' } : c,
  );
  const trendValue = new Map(trendCells.map((c) => [`${c.measure}|${c.period}`, c.value]));
  const trend = raw.trend.map((s) => {
    const points = s.points.map((p) => ({ quarter: p.quarter, period: p.period, value: trendValue.get(`${s.measure}|${p.period}`)! }));
    const [before, last] = points.slice(-2).map((p) => p.value);
    const shown = typeof before === 'number' && typeof last === 'number';
    return { measure: s.measure, points, direction: shown ? s.direction : ('none' as const), change: shown ? s.change : null };
  });

  const comparisonValue = new Map(comparisonControlled.map((c) => [`${c.measure}|${c.area}`, c]));
  const comparison = raw.comparison.map((row) => ({
    ...row,
    figures: row.figures.map((f) => {
      const cell = comparisonValue.get(`${f.measure}|${row.area}`)!;
      return { measure: f.measure, count: cell.value, rate: cell.suppressed ? settings.symbol : f.rate };
    }),
  }));

  // Themes: pairs overlap (a child with three markers is in three pairs), so there is no Total to difference against.
  const themes = raw.themes.map((th) => ({ first: th.first, second: th.second, children: controlCount(th.children, settings) }));
  const themeCells: ControlledCell[] = [
    ...themes.map((th) => ({
      measure: themesMeasure,
      breakdown: themesBreakdown,
      category: `${th.first}+${th.second}`,
      period,
      area: raw.area,
      value: th.children,
      suppressed: typeof th.children === 'string' ? ('primary' as const) : null,
    })),
    { measure: themesMeasure, breakdown: themesBreakdown, category: total, period, area: raw.area, value: 'z', suppressed: null },
  ];
  return { settings, cells, trend, trendCells, themes, comparison, comparisonCells: comparisonControlled, themeCells };
}

/** A small least-recently-used map: a get moves the entry to the newest end; a set past the size drops the oldest. */
export class Lru<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly size: number) {}
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: K, value: V) {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }
  get length() {
    return this.entries.size;
  }
}

const memo = new Lru<string, PublishedProfile>(64);
let solved = 0;

/**
 * The controlled profile, memoised per (partnership, period, area, settings, a hash of the raw
 * figures): a repeated view of unchanged figures does not solve the suppression again, and any change
 * to a figure, a locality or the settings gives a new key.
 */
export function publishedProfile(raw: RawProfile, settings: DisclosureSettings): PublishedProfile {
  const hash = createHash('sha256')
    .update(JSON.stringify([raw.localities, raw.rows, raw.cells, raw.trend, raw.themes, raw.comparison]))
    .digest('base64url');
  const key = JSON.stringify([raw.partnershipId, raw.period.key, raw.area, settings.threshold, settings.symbol, hash]);
  let result = memo.get(key);
  if (!result) {
    result = controlProfile(raw, settings);
    solved += 1;
    memo.set(key, result);
  }
  return result;
}

/** How many times the control has been solved (not answered from the memo): for tests. */
export const publishedSolveCount = () => solved;
