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
  const solver = new IntervalSolver(constraints, known, unknown);
  const intervals = new Map<string, Interval>();
  for (const target of of) intervals.set(target, solver.interval(target));
  return intervals;
}

type Row = { coefficients: Map<string, number>; rhs: number };

/** The intervals of one state of publication, computed cell by cell, each over its connected part. */
export class IntervalSolver {
  private readonly rows: Row[] = [];
  private readonly byCell = new Map<string, number[]>();
  private readonly componentOf = new Map<string, { cells: string[]; rows: number[] }>();

  constructor(
    constraints: readonly AdditivityConstraint[],
    known: ReadonlyMap<string, number>,
    private readonly unknown: ReadonlyMap<string, number>,
  ) {
    // Each constraint as: sum over unknown cells of coefficient × cell = right-hand side.
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
      const index = this.rows.length;
      this.rows.push({ coefficients, rhs });
      for (const cell of coefficients.keys()) {
        const list = this.byCell.get(cell);
        if (list) list.push(index);
        else this.byCell.set(cell, [index]);
      }
    }
  }

  /** The unknown cells connected to this one through shared constraints (itself included). */
  component(target: string) {
    let component = this.componentOf.get(target);
    if (!component) {
      const cells = new Set([target]);
      const seenRows = new Set<number>();
      const queue = [target];
      while (queue.length > 0) {
        for (const r of this.byCell.get(queue.pop()!) ?? []) {
          if (seenRows.has(r)) continue;
          seenRows.add(r);
          for (const cell of this.rows[r]!.coefficients.keys()) {
            if (cells.has(cell)) continue;
            cells.add(cell);
            queue.push(cell);
          }
        }
      }
      component = { cells: [...cells], rows: [...seenRows] };
      for (const cell of cells) this.componentOf.set(cell, component);
    }
    return component;
  }

  /**
   * The cell's interval. Not `exact`: when nothing bounds the cell above, its lower bound is not
   * sought and is given as its least assumed value (the width is infinite either way).
   */
  interval(target: string, exact = true): Interval {
    if (!this.unknown.has(target)) throw new RangeError(`Not a withheld cell: ${target}`);
    return intervalOf(target, this.component(target), this.rows, this.unknown, exact);
  }
}

/**
 * Two linear programmes over the connected part: each unknown cell is written least + y with y ≥ 0
 * (the solver's own bound), so the lower bounds need no constraints of their own.
 */
function intervalOf(
  target: string,
  component: { cells: string[]; rows: number[] },
  rows: Row[],
  unknown: ReadonlyMap<string, number>,
  exact: boolean,
): Interval {
  const constraints = new Map<string, Constraint>();
  const variables = new Map<string, Map<string, number>>(component.cells.map((cell) => [cell, new Map()]));
  for (const r of component.rows) {
    let rhs = rows[r]!.rhs;
    for (const [cell, k] of rows[r]!.coefficients) {
      variables.get(cell)!.set(`r${r}`, k);
      rhs -= k * unknown.get(cell)!;
    }
    constraints.set(`r${r}`, { equal: rhs });
  }
  variables.get(target)!.set('objective', 1);
  const least = unknown.get(target)!;
  const run = (direction: 'minimize' | 'maximize') => {
    const model: Model = { direction, objective: 'objective', constraints, variables: variables as Map<string, Coefficients> };
    const solution = solve(model);
    if (solution.status === 'unbounded') return direction === 'maximize' ? Infinity : least;
    if (solution.status !== 'optimal') throw new RangeError(`The published figures and constraints are inconsistent (${solution.status})`);
    return least + solution.result;
  };
  const upper = run('maximize');
  return { lower: upper === Infinity && !exact ? least : run('minimize'), upper };
}
