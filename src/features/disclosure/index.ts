/**
 * Statistical disclosure control of published counts (issue 13 §2; the method is in
 * docs/DISCLOSURE.md). Pure functions: no database, no request.
 *
 * - `controlTable(cells, settings?, links?)`: a tidy table (`measure, breakdown, category, period,
 *   area, value`, each group with a `Total` category) → the same cells with `value` a count, the
 *   settings' symbol (withheld) or `z` (not applicable), and `suppressed: 'primary' | 'secondary' |
 *   null`. Links declare areas that sum to a whole area (`hierarchies`), periods that sum to another
 *   (`linkedPeriods`: cumulative and rolling figures), cells behind the published ones that are not
 *   themselves published (`unpublished`: protected when small) and breakdowns whose categories overlap.
 * - `controlCount(value, settings?)` and `controlRate(numerator, denominator, settings?)`: one
 *   figure, or a rate with the counts it comes from, for pages showing figures one at a time.
 * - `suppressCells(cells, constraints, threshold)`: the engine, for any cells linked by additivity
 *   constraints (total = sum of parts) that the tidy shape does not express.
 * - `feasibleIntervals(...)`: what the published figures reveal about each withheld cell (for tests
 *   and for explaining a suppression); `wholeWidth(interval)`: its width with the bounds rounded
 *   inwards to whole numbers, the measure the protection rule uses.
 * - `DisclosureSettings` (`threshold`, `symbol`), `dfeConvention` (5, `c`); a partnership's own are
 *   read by `services.disclosure.settings(user)` (DisclosureSettingsService, ./service.ts).
 *
 * Primary: counts from 1 to the threshold are withheld; 0 is published. Secondary: complementary
 * cells are withheld, smallest non-total first, until every withheld cell's feasible interval (from
 * the published cells and the constraints, each withheld cell ≥ 1) is wider than the threshold:
 * floor(upper) − ceil(lower) > threshold.
 */
export { controlTable, dfeConvention, isSymbol, totalCategory } from './table.ts';
export type { ControlledCell, DisclosureSettings, TableLinks, TidyCell } from './table.ts';
export { controlCount, controlRate } from './figures.ts';
export type { ControlledRate } from './figures.ts';
export { suppressCells, wholeWidth } from './suppress.ts';
export type { AdditivityConstraint, EngineCell, EngineResult, Interval, Suppression } from './suppress.ts';
export { feasibleIntervals } from './interval.ts';
