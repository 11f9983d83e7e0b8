// Disclosure control of tidy statistics (issue 13 §3: measure, breakdown, category, period, area,
// value): the additivity constraints are derived from the table's shape and the declared links, and
// the engine (suppress.ts) decides which cells to withhold.
import { suppressCells, type AdditivityConstraint, type EngineCell, type Suppression } from './suppress.ts';

/** The category of each (measure, breakdown, period, area) group that is the sum of its others. */
export const totalCategory = 'Total';

export interface DisclosureSettings {
  /** Counts from 1 to this are withheld (DfE: 5). */
  threshold: number;
  /** Shown instead of a withheld figure (DfE: c). */
  symbol: string;
}

export const dfeConvention: DisclosureSettings = { threshold: 5, symbol: 'c' };

export interface TidyCell {
  measure: string;
  breakdown: string;
  category: string;
  period: string;
  area: string;
  /** A count, or null where the figure does not apply (published as z). */
  value: number | null;
}

export interface ControlledCell extends Omit<TidyCell, 'value'> {
  /** The count, the settings' symbol when withheld, or 'z' when not applicable. */
  value: number | string;
  suppressed: Suppression;
}

export interface TableLinks {
  /** An area whose figures are the sums of its sub-areas' (a partnership and its localities). */
  hierarchies?: readonly { area: string; subAreas: readonly string[] }[];
  /**
   * A period whose figures are the sums of other periods' (Q1–Q2 cumulative = Q1 + Q2; a rolling
   * twelve months = its four quarters). A part period absent from the table is treated as an
   * unpublished, unknown figure (as a quarter that has left a rolling window).
   */
  linkedPeriods?: readonly { period: string; parts: readonly string[] }[];
  /**
   * Cells behind the published ones that are not published themselves (the quarters of a rolling
   * twelve months that is published alone): they take part in every sum as unknown figures, and one
   * from 1 to the threshold is protected like a withheld cell, since it could be derived by differencing.
   */
  unpublished?: readonly TidyCell[];
  /**
   * Breakdowns whose categories are not a partition of the Total (a child counted in several
   * categories): no total = sum constraint is derived for them; their Total is still the measure's.
   */
  overlappingBreakdowns?: readonly { measure: string; breakdown: string }[];
}

const key = (...parts: string[]) => JSON.stringify(parts);

/**
 * Applies primary and secondary suppression to a tidy table: every (measure, breakdown, period,
 * area) group has a Total, which is the sum of its other categories (unless the breakdown is
 * declared overlapping). The Totals of one (measure, period, area) in several breakdowns are one
 * figure, so two breakdowns of the same total are linked tables. Returns the cells in their order.
 */
export function controlTable(cells: readonly TidyCell[], settings: DisclosureSettings = dfeConvention, links: TableLinks = {}): ControlledCell[] {
  assertSettings(settings);
  const unpublished = links.unpublished ?? [];
  const all = [...cells, ...unpublished];
  // Each tidy cell's engine cell: the Totals of one (measure, period, area) share one engine cell.
  const engineId = (c: Omit<TidyCell, 'value'>) =>
    c.category === totalCategory ? key('total', c.measure, c.period, c.area) : key('cell', c.measure, c.breakdown, c.category, c.period, c.area);
  const engine = new Map<string, EngineCell>();
  const groups = new Map<string, { measure: string; breakdown: string; period: string; area: string; categories: Map<string, TidyCell> }>();
  const seen = new Set<string>();
  for (const [index, cell] of all.entries()) {
    const tidyKey = key(cell.measure, cell.breakdown, cell.category, cell.period, cell.area);
    if (seen.has(tidyKey)) throw new RangeError(`A cell appears twice: ${tidyKey}`);
    seen.add(tidyKey);
    const groupKey = key(cell.measure, cell.breakdown, cell.period, cell.area);
    let group = groups.get(groupKey);
    if (!group)
      groups.set(groupKey, (group = { measure: cell.measure, breakdown: cell.breakdown, period: cell.period, area: cell.area, categories: new Map() }));
    group.categories.set(cell.category, cell);
    const id = engineId(cell);
    // A figure that does not apply counts as a published 0 in its sums.
    const value = cell.value ?? 0;
    const existing = engine.get(id);
    if (existing && existing.value !== value) throw new RangeError(`The Totals of ${cell.measure} for ${cell.period}, ${cell.area} differ between breakdowns`);
    // An unpublished cell is latent, unless it is a Total published under another breakdown (the
    // published cells come first).
    const latent = index >= cells.length && (existing ? existing.latent === true : true);
    engine.set(id, latent ? { id, value, latent } : { id, value });
  }

  const constraints: AdditivityConstraint[] = [];
  const overlapping = new Set((links.overlappingBreakdowns ?? []).map((b) => key(b.measure, b.breakdown)));
  for (const group of groups.values()) {
    if (!group.categories.has(totalCategory)) throw new RangeError(`No Total for ${group.measure} by ${group.breakdown}, ${group.period}, ${group.area}`);
    if (overlapping.has(key(group.measure, group.breakdown))) continue;
    const parts = [...group.categories.values()].filter((c) => c.category !== totalCategory).map(engineId);
    if (parts.length > 0) constraints.push({ total: engineId({ ...group, category: totalCategory }), parts });
  }

  // The cells of one (measure, breakdown, category) in each period and area, for the links; a
  // measure's Total once, whatever its breakdowns, since they are one figure.
  const shapes = new Map<string, Omit<TidyCell, 'value' | 'period' | 'area'>>();
  for (const cell of all) {
    const shape = cell.category === totalCategory ? key(cell.measure) : key(cell.measure, cell.breakdown, cell.category);
    if (!shapes.has(shape)) shapes.set(shape, cell);
  }
  const present = (c: Omit<TidyCell, 'value'>) => engine.has(engineId(c));
  const periods = new Set(all.map((c) => c.period));
  const areas = new Set(all.map((c) => c.area));
  for (const h of links.hierarchies ?? []) {
    for (const shape of shapes.values()) {
      for (const period of periods) {
        const whole = { ...shape, period, area: h.area };
        const parts = h.subAreas.map((area) => ({ ...shape, period, area }));
        const missing = [whole, ...parts].filter((c) => !present(c)).length;
        if (missing === parts.length + 1) continue;
        if (missing > 0)
          throw new RangeError(`${shape.measure} by ${shape.breakdown}, ${shape.category}, ${period} is not given for ${h.area} and every sub-area`);
        constraints.push({ total: engineId(whole), parts: parts.map(engineId) });
      }
    }
  }
  for (const [index, link] of (links.linkedPeriods ?? []).entries()) {
    for (const shape of shapes.values()) {
      for (const area of areas) {
        const whole = { ...shape, period: link.period, area };
        if (!present(whole)) continue;
        const parts = link.parts.map((period) => ({ ...shape, period, area }));
        if (parts.every((p) => !present(p))) continue;
        // A part period not in the table is latent: it makes up the difference and is never shown.
        const given = parts.filter(present).reduce((sum, p) => sum + engine.get(engineId(p))!.value, 0);
        const absent = parts.filter((p) => !present(p));
        const latentId = key('latent', String(index), shape.measure, shape.breakdown, shape.category, area);
        const partIds = parts.filter(present).map(engineId);
        if (absent.length > 0) {
          engine.set(latentId, { id: latentId, value: engine.get(engineId(whole))!.value - given, latent: true });
          partIds.push(latentId);
        }
        constraints.push({ total: engineId(whole), parts: partIds });
      }
    }
  }

  const { suppressed } = suppressCells([...engine.values()], constraints, settings.threshold);
  return cells.map((cell) => {
    const reason = suppressed.get(engineId(cell)) ?? null;
    const { value: _value, ...rest } = cell;
    return { ...rest, value: cell.value === null ? 'z' : reason ? settings.symbol : cell.value, suppressed: cell.value === null ? null : reason };
  });
}

export function assertSettings(settings: DisclosureSettings) {
  if (!Number.isInteger(settings.threshold) || settings.threshold < 1 || settings.threshold > 20)
    throw new RangeError('The threshold is a whole number from 1 to 20');
  if (!isSymbol(settings.symbol)) throw new RangeError('The symbol is 1 to 3 characters, not a digit, not z');
}

/** A suppression symbol: 1 to 3 visible characters, no digits (it would read as a count), never z (not applicable). */
export function isSymbol(symbol: string) {
  return /^[^\d\s]{1,3}$/u.test(symbol) && symbol.toLowerCase() !== 'z';
}
