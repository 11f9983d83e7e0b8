// The feasible interval of a withheld cell: the least and greatest value it can take, given every
// published cell and every additivity constraint (docs/DISCLOSURE.md, "The protection rule"). It is
// what an attacker holding the published figures can learn about the cell, found by linear
// programming (yalps): two small linear programmes per cell, over the withheld cells of the cell's
// connected part of the constraint graph only.
import { solve, type Coefficients, type Constraint, type Model } from 'yalps';

/** Total = the sum of the parts; cells named by any string. */
export interface AdditivityConstraint {
  total: string;
  parts: readonly string[];
}

export interface Interval {
  lower: number;
  /** Infinity when nothing bounds the cell above. */
  upper: number;
}

/**
 * The feasible intervals of the unknown cells.
 * - `known`: the published cells' values (a published 0 is known to be 0).
 * - `unknown`: each unknown cell with the least value an attacker may assume for it (1 for a
 *   withheld count, since zeros are always published; 0 for a latent cell that is never published).
 * - `of`: the cells whose intervals are wanted (default: every unknown cell).
 * A constraint naming a cell in neither map is an error.
 */
export function feasibleIntervals(
  constraints: readonly AdditivityConstraint[],
  known: ReadonlyMap<string, number>,
  unknown: ReadonlyMap<string, number>,
  of: Iterable<string> = unknown.keys(),
): Map<string, Interval> {
  // Each constraint as: sum over unknown cells of coefficient × cell = right-hand side.
  const rows: { coefficients: Map<string, number>; rhs: number }[] = [];
  const byCell = new Map<string, number[]>();
  for (const c of constraints) {
    const coefficients = new Map<string, number>();
    let rhs = 0;
    const add = (cell: string, sign: number) => {
      if (unknown.has(cell)) coefficients.set(cell, (coefficients.get(cell) ?? 0) + sign);
      else if (known.has(cell)) rhs -= sign * known.get(cell)!;
      else throw new RangeError(`A constraint names a cell that is neither published nor withheld: ${cell}`);
    };
    add(c.total, 1);
    for (const p of c.parts) add(p, -1);
    for (const [cell, k] of coefficients) if (k === 0) coefficients.delete(cell);
    if (coefficients.size === 0) continue;
    const index = rows.length;
    rows.push({ coefficients, rhs });
    for (const cell of coefficients.keys()) byCell.set(cell, [...(byCell.get(cell) ?? []), index]);
  }

  // The connected part of each wanted cell: the cells reachable through shared constraints.
  const componentOf = new Map<string, { cells: string[]; rows: number[] }>();
  const intervals = new Map<string, Interval>();
  for (const target of of) {
    if (!unknown.has(target)) throw new RangeError(`Not a withheld cell: ${target}`);
    let component = componentOf.get(target);
    if (!component) {
      const cells = new Set([target]);
      const seenRows = new Set<number>();
      const queue = [target];
      while (queue.length > 0) {
        for (const r of byCell.get(queue.pop()!) ?? []) {
          if (seenRows.has(r)) continue;
          seenRows.add(r);
          for (const cell of rows[r]!.coefficients.keys()) if (!cells.has(cell)) (cells.add(cell), queue.push(cell));
        }
      }
      component = { cells: [...cells], rows: [...seenRows] };
      for (const cell of cells) componentOf.set(cell, component);
    }
    intervals.set(target, intervalOf(target, component, rows, unknown));
  }
  return intervals;
}

function intervalOf(
  target: string,
  component: { cells: string[]; rows: number[] },
  rows: { coefficients: Map<string, number>; rhs: number }[],
  unknown: ReadonlyMap<string, number>,
): Interval {
  const constraints = new Map<string, Constraint>();
  for (const r of component.rows) constraints.set(`r${r}`, { equal: rows[r]!.rhs });
  const variables = new Map<string, Coefficients>();
  for (const cell of component.cells) {
    const coefficients = new Map<string, number>();
    for (const r of component.rows) {
      const k = rows[r]!.coefficients.get(cell);
      if (k !== undefined) coefficients.set(`r${r}`, k);
    }
    const least = unknown.get(cell)!;
    if (least > 0) {
      coefficients.set(`least:${cell}`, 1);
      constraints.set(`least:${cell}`, { min: least });
    }
    if (cell === target) coefficients.set('objective', 1);
    variables.set(cell, coefficients);
  }
  const run = (direction: 'minimize' | 'maximize') => {
    const model: Model = { direction, objective: 'objective', constraints, variables };
    const solution = solve(model);
    if (solution.status === 'unbounded') return direction === 'maximize' ? Infinity : unknown.get(target)!;
    if (solution.status !== 'optimal') throw new RangeError(`The published figures and constraints are inconsistent (${solution.status})`);
    return solution.result;
  };
  return { lower: run('minimize'), upper: run('maximize') };
}
