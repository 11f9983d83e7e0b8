// Disruption management information (issue 12 §3): figures only, read through the SECURITY DEFINER
// functions of migration 0310, so an intelligence role's page and a board member's Pursue measure give
// the partnership's one figure (a C report withheld from a reader still dates its person's first
// intelligence). Nothing here returns a row about a person, a place or a child.
import { sql } from 'kysely';
import { addQuarters } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import { disruptionTactics, type DisruptionTactic } from './disruption-schema.ts';

/** One quarter's figures: disruptions by tactic, their total, charges and convictions, and the median days from first intelligence to first disruption. */
export interface DisruptionQuarter {
  quarterStart: string;
  byTactic: Record<DisruptionTactic, number>;
  total: number;
  charges: number;
  convictions: number;
  /** Persons of concern first disrupted in the quarter (the median's basis). */
  firstDisrupted: number;
  /** Median days from first intelligence to first disruption of those persons; null when there were none. */
  medianDays: number | null;
}

const noTactics = (): Record<DisruptionTactic, number> => Object.fromEntries(disruptionTactics.map((t) => [t, 0])) as Record<DisruptionTactic, number>;

/** The figures of each quarter given (first days of quarters, in any order), in that order. */
export async function disruptionQuarters(tx: Tx, quarters: readonly string[]): Promise<DisruptionQuarter[]> {
  if (quarters.length === 0) return [];
  const sorted = [...quarters].sort();
  const from = sorted[0]!;
  const to = addQuarters(sorted.at(-1)!, 1);
  const counts = await sql<{
    quarter_start: string;
    tactic: DisruptionTactic;
    disruptions: number;
  }>`SELECT quarter_start::text AS quarter_start, tactic, disruptions FROM lantern_disruption_counts(${from}::date, ${to}::date)`.execute(tx);
  const days = await sql<{
    quarter_start: string;
    persons: number;
    median_days: string | number | null;
  }>`SELECT quarter_start::text AS quarter_start, persons, median_days FROM lantern_disruption_days_to_first(${from}::date, ${to}::date)`.execute(tx);
  return quarters.map((q) => {
    const byTactic = noTactics();
    for (const c of counts.rows) if (c.quarter_start === q) byTactic[c.tactic] = Number(c.disruptions);
    const d = days.rows.find((r) => r.quarter_start === q);
    const total = Object.values(byTactic).reduce((a, b) => a + b, 0);
    return {
      quarterStart: q,
      byTactic,
      total,
      charges: byTactic.charge,
      convictions: byTactic.conviction,
      firstDisrupted: d ? Number(d.persons) : 0,
      medianDays: d && d.median_days !== null ? Math.round(Number(d.median_days) * 10) / 10 : null,
    };
  });
}

/** The quarters up to and including `last`, oldest first. */
export function quartersUpTo(last: string, count: number): string[] {
  const quarters: string[] = [];
  for (let i = count - 1; i >= 0; i--) quarters.push(addQuarters(last, -i));
  return quarters;
}
