// The general engine of statistical disclosure control (docs/DISCLOSURE.md): cells with counts,
// additivity constraints between them (total = sum of parts), and a threshold. Primary suppression
// withholds counts from 1 to the threshold; secondary suppression then withholds complementary cells,
// cheapest first, until every withheld cell's feasible interval is wider than the threshold (and so
// is that of every latent cell — a figure derivable by differencing — from 1 to the threshold).
import { IntervalSolver, type AdditivityConstraint, type Interval } from './interval.ts';

export type { AdditivityConstraint, Interval };

export interface EngineCell {
  id: string;
  /** A count: a whole number, 0 or more. */
  value: number;
  /**
   * A cell that is part of a constraint but never published (e.g. the quarter that left a rolling
   * twelve months when that quarter is not itself published): always unknown to an attacker.
   */
  latent?: boolean;
}

export type Suppression = 'primary' | 'secondary' | null;

export interface EngineResult {
  /** Every non-latent cell's reason for being withheld, or null when it is published. */
  suppressed: Map<string, Suppression>;
  /**
   * The feasible interval of each withheld cell, and of each small latent one, from the published
   * cells (for tests and explanation); where the upper bound is Infinity, the lower is the least
   * value assumed (1, or 0 for a latent cell), not sought.
   */
  intervals: Map<string, Interval>;
}

/** Small numerical slack for the linear programmes' floating point. */
const epsilon = 1e-6;

/**
 * The width of an interval as an attacker who knows counts are whole numbers sees it: from the least
 * whole number in it to the greatest (Infinity when unbounded above).
 */
export function wholeWidth({ lower, upper }: Interval): number {
  return Math.floor(upper + epsilon) - Math.ceil(lower - epsilon);
}

/**
 * Withholds cells so that no withheld count can be narrowed, from the published cells and the
 * constraints, to an interval of width `threshold` or less: upper − lower > threshold, with the
 * bounds rounded inwards to whole numbers (wholeWidth).
 */
export function suppressCells(cells: readonly EngineCell[], constraints: readonly AdditivityConstraint[], threshold: number): EngineResult {
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError('The threshold is a whole number, 1 or more');
  const byId = new Map<string, EngineCell>();
  for (const cell of cells) {
    if (!Number.isInteger(cell.value) || cell.value < 0) throw new RangeError(`A count is a whole number, 0 or more: ${cell.id}`);
    if (byId.has(cell.id)) throw new RangeError(`Two cells share the id ${cell.id}`);
    byId.set(cell.id, cell);
  }
  for (const c of constraints) {
    const value = (id: string) => {
      const cell = byId.get(id);
      if (!cell) throw new RangeError(`A constraint names an unknown cell: ${id}`);
      return cell.value;
    };
    const sum = c.parts.reduce((s, p) => s + value(p), 0);
    if (value(c.total) !== sum) throw new RangeError(`The parts do not add up to their total ${c.total} (${sum} ≠ ${value(c.total)})`);
  }

  const suppressed = new Map<string, Suppression>();
  for (const cell of cells) if (!cell.latent) suppressed.set(cell.id, cell.value >= 1 && cell.value <= threshold ? 'primary' : null);
  const unknown = (id: string) => byId.get(id)!.latent === true || suppressed.get(id) !== null;
  // A latent cell is itself a count someone could derive (Q2 = Q1–Q2 less Q1): from 1 to the
  // threshold it needs the same protection as a withheld cell.
  const small = (id: string) => byId.get(id)!.value >= 1 && byId.get(id)!.value <= threshold;
  const protectedCell = (id: string) => (byId.get(id)!.latent ? small(id) : suppressed.get(id) !== null);

  // The cost order of complements: cells that are nobody's total before totals (a total carries
  // more information), then the smallest count, then the id for a stable answer.
  const totals = new Set(constraints.map((c) => c.total));
  const cost = (a: EngineCell, b: EngineCell) =>
    Number(totals.has(a.id)) - Number(totals.has(b.id)) || a.value - b.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // A complement must be published now, not latent, and not zero: a published zero is known to be
  // zero, so withholding it alongside a single withheld cell would still give that cell away.
  const candidate = (id: string) => {
    const cell = byId.get(id)!;
    return !cell.latent && suppressed.get(id) === null && cell.value > 0;
  };
  const cheapest = (ids: Iterable<string>) => {
    let best: EngineCell | undefined;
    for (const id of ids) if (candidate(id) && (!best || cost(byId.get(id)!, best) < 0)) best = byId.get(id)!;
    return best;
  };
  const membersOf = (c: AdditivityConstraint) => [c.total, ...c.parts];
  const constraintsOf = new Map<string, AdditivityConstraint[]>();
  for (const c of constraints) {
    for (const id of membersOf(c)) {
      const list = constraintsOf.get(id);
      if (list) list.push(c);
      else constraintsOf.set(id, [c]);
    }
  }

  // Step 1: no constraint may hold exactly one unknown cell (it would equal the total less the
  // published parts). Repeat until stable, since each complement may itself be alone elsewhere.
  const closeSingletons = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const c of constraints) {
        const members = membersOf(c);
        const unknowns = members.filter(unknown);
        if (unknowns.length !== 1 || !protectedCell(unknowns[0]!)) continue;
        const complement = cheapest(members);
        if (complement) {
          suppressed.set(complement.id, 'secondary');
          changed = true;
        }
      }
    }
  };

  // Step 2: verify every protected cell's interval; where one is too narrow, withhold the cheapest
  // published cell sharing a constraint with it (or, failing that, with any withheld cell of its
  // part of the table), close singletons again, and verify again. Each round withholds at least one
  // more cell, so it ends; withholding everything reachable leaves every interval unbounded.
  // Withholding more only widens intervals (a fixed figure becomes free), so a cell found wide
  // stays wide and is not verified again; each round adds at most one complement to each
  // connected part of the table, since one complement may widen several cells of its part.
  const leastOf = (id: string) => (byId.get(id)!.latent ? 0 : 1);
  const intervals = new Map<string, Interval>();
  const wide = new Set<string>();
  for (;;) {
    closeSingletons();
    const unknownCells = new Map<string, number>();
    const known = new Map<string, number>();
    for (const cell of cells) {
      if (unknown(cell.id)) unknownCells.set(cell.id, leastOf(cell.id));
      else known.set(cell.id, cell.value);
    }
    const solver = new IntervalSolver(constraints, known, unknownCells);
    const changedParts = new Set<object>();
    let added = false;
    // The cells to verify are fixed before any complement of this round is chosen.
    const pending = cells.filter((cell) => protectedCell(cell.id) && !wide.has(cell.id)).map((cell) => cell.id);
    for (const id of pending) {
      const part = solver.component(id);
      if (changedParts.has(part)) continue;
      const interval = solver.interval(id, false);
      intervals.set(id, interval);
      if (wholeWidth(interval) > threshold) {
        wide.add(id);
        continue;
      }
      const neighbours = (constraintsOf.get(id) ?? []).flatMap(membersOf);
      const complement = cheapest(neighbours) ?? cheapest(reachable(id, unknown, constraintsOf, membersOf));
      // Nothing left to withhold: the part is wholly withheld, so its intervals are unbounded (cannot happen).
      if (!complement) throw new Error('Disclosure control could not protect every withheld cell');
      suppressed.set(complement.id, 'secondary');
      changedParts.add(part);
      added = true;
    }
    if (!added) return { suppressed, intervals };
  }
}

/** The cells sharing a constraint with any unknown cell connected to `start` through unknown cells. */
function reachable(
  start: string,
  unknown: (id: string) => boolean,
  constraintsOf: Map<string, AdditivityConstraint[]>,
  membersOf: (c: AdditivityConstraint) => string[],
): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const c of constraintsOf.get(queue.pop()!) ?? []) {
      for (const id of membersOf(c)) {
        if (seen.has(id)) continue;
        seen.add(id);
        if (unknown(id)) queue.push(id);
      }
    }
  }
  return seen;
}
