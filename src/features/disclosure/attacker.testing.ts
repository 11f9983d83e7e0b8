// For tests only: an attacker holding a published tidy table (values a count, the symbol or z) and
// knowing how it adds up. It writes down every equation the table's shape and links give — each
// group's Total is the sum of its categories, the Totals of one measure in every breakdown are equal,
// sub-areas sum to their area, part periods sum to the whole — and, by linear programming (yalps,
// not the engine's own interval code), finds the least and greatest value of each withheld cell.
import { solve, type Coefficients, type Constraint } from 'yalps';
import type { ControlledCell, TableLinks } from './table.ts';

export interface Attack {
  /** A withheld cell, or a figure of an unpublished period derived by differencing (its name). */
  cell: ControlledCell | string;
  lower: number;
  upper: number;
}

const key = (...parts: string[]) => JSON.stringify(parts);

export function attack(published: readonly ControlledCell[], symbol: string, links: TableLinks = {}): Attack[] {
  const id = (c: { measure: string; breakdown: string; category: string; period: string; area: string }) =>
    key(c.measure, c.breakdown, c.category, c.period, c.area);
  const cells = new Map(published.map((c) => [id(c), c]));
  // Each equation: a list of (cell id, coefficient) summing to 0.
  const equations: [string, number][][] = [];
  const groups = new Map<string, ControlledCell[]>();
  for (const c of published) {
    const g = key(c.measure, c.breakdown, c.period, c.area);
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const overlapping = new Set((links.overlappingBreakdowns ?? []).map((b) => key(b.measure, b.breakdown)));
  for (const members of groups.values()) {
    const total = members.find((c) => c.category === 'Total')!;
    if (members.length > 1 && !overlapping.has(key(total.measure, total.breakdown)))
      equations.push([[id(total), 1], ...members.filter((c) => c !== total).map((c): [string, number] => [id(c), -1])]);
  }
  // Two breakdowns of the same total.
  const totals = new Map<string, ControlledCell>();
  for (const c of published.filter((c) => c.category === 'Total')) {
    const t = key(c.measure, c.period, c.area);
    const first = totals.get(t);
    if (first)
      equations.push([
        [id(first), 1],
        [id(c), -1],
      ]);
    else totals.set(t, c);
  }
  const shapes = new Map(published.map((c) => [key(c.measure, c.breakdown, c.category), c]));
  const periods = new Set(published.map((c) => c.period));
  const areas = new Set(published.map((c) => c.area));
  for (const h of links.hierarchies ?? [])
    for (const s of shapes.values())
      for (const period of periods) {
        const whole = id({ ...s, period, area: h.area });
        if (cells.has(whole)) equations.push([[whole, 1], ...h.subAreas.map((area): [string, number] => [id({ ...s, period, area }), -1])]);
      }
  let unseen = 0;
  const free = new Set<string>();
  for (const link of links.linkedPeriods ?? [])
    for (const s of shapes.values())
      for (const area of areas) {
        const whole = id({ ...s, period: link.period, area });
        if (!cells.has(whole)) continue;
        const parts = link.parts.map((period) => id({ ...s, period, area }));
        const terms: [string, number][] = [[whole, 1]];
        for (const p of parts) {
          if (cells.has(p)) terms.push([p, -1]);
          else {
            const name = `unseen ${unseen++}: ${p}`;
            free.add(name);
            terms.push([name, -1]);
          }
        }
        equations.push(terms);
      }

  const withheld = published.filter((c) => c.value === symbol);
  const unknown = new Set([...withheld.map(id), ...free]);
  const constraints = new Map<string, Constraint>();
  const variables = new Map<string, Map<string, number>>([...unknown].map((u) => [u, new Map()]));
  equations.forEach((terms, i) => {
    let rhs = 0;
    for (const [cell, k] of terms) {
      if (unknown.has(cell)) variables.get(cell)!.set(`e${i}`, (variables.get(cell)!.get(`e${i}`) ?? 0) + k);
      else {
        const v = cells.get(cell)!.value;
        rhs -= k * (v === 'z' ? 0 : (v as number));
      }
    }
    constraints.set(`e${i}`, { equal: rhs });
  });
  // Zeros are always published, so a withheld count is at least 1.
  for (const c of withheld) {
    variables.get(id(c))!.set(`least${id(c)}`, 1);
    constraints.set(`least${id(c)}`, { min: 1 });
  }
  const targets: [ControlledCell | string, string][] = [
    ...withheld.map((c): [ControlledCell, string] => [c, id(c)]),
    ...[...free].map((f): [string, string] => [f, f]),
  ];
  return targets.map(([cell, target]) => {
    const run = (direction: 'minimize' | 'maximize') => {
      const vars = new Map<string, Coefficients>([...variables].map(([name, k]) => [name, name === target ? new Map([...k, ['goal', 1]]) : k]));
      const solution = solve({ direction, objective: 'goal', constraints, variables: vars });
      if (solution.status === 'unbounded') return direction === 'maximize' ? Infinity : -Infinity;
      if (solution.status !== 'optimal') throw new Error(`attack ${solution.status}`);
      return solution.result;
    };
    return { cell, lower: run('minimize'), upper: run('maximize') };
  });
}
