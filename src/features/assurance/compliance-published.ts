// Training compliance by agency as a reader may see it (issue 13 §2): the counts of each agency and
// of all agencies through disclosure control, with secondary suppression so that no withheld count
// can be worked out from an agency's due = on time + late + outstanding, nor from the all-agencies
// row being the sum of the agencies'. Used by the compliance page and the quarterly report.
import { suppressCells, type AdditivityConstraint, type EngineCell } from '../disclosure/suppress.ts';
import { count, type Disclosure } from '../disclosure/publish.ts';
import type { ComplianceFigures } from './compliance.ts';

const columns = ['due', 'onTime', 'late', 'outstanding', 'notDue'] as const;
type Column = (typeof columns)[number];

export interface PublishedFigures {
  due: number | string;
  onTime: number | string;
  late: number | string;
  outstanding: number | string;
  notDue: number | string;
  noStartDate: number | string;
  /** The percentage on time, the symbol when its on-time count or its due count is withheld; null when nobody is due. */
  percentage: number | string | null;
  /** True when a figure of the row is withheld. */
  withheld: boolean;
}

/**
 * Each agency's figures and the overall figures as `d`'s reader may see them. `overall` must be the
 * figures of every agency (as complianceByAgency makes it): agencies left out of `byAgency` count as one
 * unpublished area. A row's withheld figures are the symbol.
 */
export function publishCompliance<K extends string>(
  d: Disclosure,
  byAgency: ReadonlyMap<K, ComplianceFigures>,
  overall: ComplianceFigures,
): { byAgency: Map<K, PublishedFigures>; overall: PublishedFigures } {
  const raw = (f: ComplianceFigures): PublishedFigures => ({ ...f, withheld: false });
  if (!d.controlled) return { byAgency: new Map([...byAgency].map(([k, f]) => [k, raw(f)])), overall: raw(overall) };
  const id = (area: string, column: Column) => `${area}|${column}`;
  const areas = [...byAgency.keys()].map((k) => `agency:${k}`);
  const all = 'all';
  const cells: EngineCell[] = [];
  const constraints: AdditivityConstraint[] = [];
  const figuresOf = (area: string) => (area === all ? overall : byAgency.get(area.slice('agency:'.length) as K)!);
  for (const area of [...areas, all]) {
    const f = figuresOf(area);
    for (const column of columns) cells.push({ id: id(area, column), value: f[column] });
    constraints.push({ total: id(area, 'due'), parts: [id(area, 'onTime'), id(area, 'late'), id(area, 'outstanding')] });
  }
  // Agencies the reader does not see a row for (none, usually) are one unknown, never-published area.
  const other = Object.fromEntries(columns.map((c) => [c, overall[c] - [...byAgency.values()].reduce((n, f) => n + f[c], 0)])) as Record<Column, number>;
  const hasOther = columns.some((c) => other[c] !== 0);
  if (columns.some((c) => other[c] < 0)) throw new RangeError('The agencies add up to more than all agencies');
  if (hasOther) for (const column of columns) cells.push({ id: id('other', column), value: other[column], latent: true });
  if (hasOther) constraints.push({ total: id('other', 'due'), parts: [id('other', 'onTime'), id('other', 'late'), id('other', 'outstanding')] });
  const parts = hasOther ? [...areas, 'other'] : areas;
  if (areas.length > 0) for (const column of columns) constraints.push({ total: id(all, column), parts: parts.map((a) => id(a, column)) });
  const { suppressed } = suppressCells(cells, constraints, d.threshold);
  const shown = (area: string): PublishedFigures => {
    const f = figuresOf(area);
    const value = (column: Column) => (suppressed.get(id(area, column)) ? d.symbol : f[column]);
    const due = value('due');
    const onTime = value('onTime');
    const out = { due, onTime, late: value('late'), outstanding: value('outstanding'), notDue: value('notDue') };
    const percentage = f.percentage === null ? null : due === d.symbol || onTime === d.symbol ? d.symbol : f.percentage;
    // Those with no start date are shown for the whole partnership only, as a count on its own.
    return { ...out, noStartDate: count(d, f.noStartDate), percentage, withheld: Object.values(out).includes(d.symbol) };
  };
  return { byAgency: new Map([...byAgency.keys()].map((k) => [k, shown(`agency:${k}`)])), overall: shown(all) };
}
