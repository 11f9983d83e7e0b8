// Comparison with neighbouring partnerships that agree to compare (issue 13 §1, migration 0450): the
// offers (each partnership's own rows), and the compared headline figures of the partnerships with a
// mutual agreement, read through the numbers-only lantern_profile_neighbour_figures.
//
// A neighbour's counts are ALWAYS disclosure-controlled, whoever reads them (an analyst too): the
// neighbour agreed to compare, not to share unsuppressed numbers. The stricter of the two partnerships'
// thresholds applies, with the reader's symbol; a rate is withheld when its count is. The average
// across the compared partnerships is withheld for a measure when any count behind it is (it would
// give the withheld count back by difference).
import { createHash } from 'node:crypto';
import { storedFigures, type SnapshotPolicy } from '../../db/stored-figures.ts';
import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { controlCount, type DisclosureSettings } from '../disclosure/index.ts';
import { comparedMeasures, total } from './catalogue.ts';
import { ratePer10k } from './populations.ts';

/** The breakdown a neighbour's figures are downloaded under (area: the neighbour's code). */
export const neighbourBreakdown = 'neighbour_comparison';

export type ComparedMeasure = (typeof comparedMeasures)[number];

export interface NeighbourFigures {
  partnershipId: string;
  code: string;
  name: string;
  settings: DisclosureSettings;
  population: number | null;
  populationYear: number | null;
  counts: Record<ComparedMeasure, number>;
}

export type ShownValue = number | string;

export interface NeighbourRow {
  partnershipId: string;
  /** The partnership's code (machine key of the downloads). */
  code: string;
  name: string;
  own: boolean;
  population: number | null;
  populationYear: number | null;
  figures: { measure: ComparedMeasure; count: ShownValue; rate: ShownValue | null }[];
}

export interface NeighbourComparison {
  rows: NeighbourRow[];
  /** The mean count and the rate of all the compared partnerships' children together, per measure. */
  average: { measure: ComparedMeasure; count: ShownValue; rate: ShownValue | null }[];
  /** The highest threshold applied to a neighbour's counts, and the symbol shown for a withheld one. */
  threshold: number;
  symbol: string;
}

/** The compared partnerships' figures for [start, end), with each one's estimate for `year` (or the latest before). */
export async function neighbourFigures(tx: Tx, period: { start: string; end: string }, year: number, stored: SnapshotPolicy): Promise<NeighbourFigures[]> {
  // Who is compared is asked on every view (an offer withdrawn stops the comparison at once); their counts
  // may be stored figures (src/db/stored-figures.ts), as the partnership's own are.
  const compared = new Set((await sql<{ id: string }>`SELECT n AS id FROM lantern_profile_compared_partnerships() n`.execute(tx)).rows.map((r) => r.id));
  if (compared.size === 0) return [];
  // The key names who is compared (a short hash), so a neighbour that has just agreed is counted at once.
  const who = createHash('sha256')
    .update([...compared].sort().join(','))
    .digest('hex')
    .slice(0, 12);
  const counts = await storedFigures(tx, stored, 'profile_snapshots', 'neighbours', `${period.start}/${period.end}/${year}/${who}`, async () =>
    (
      await sql<{ partnership_id: string; measure: string; value: number; year: number | null }>`
        SELECT partnership_id, measure, value, year FROM lantern_profile_neighbour_figures(${period.start}::date, ${period.end}::date, ${year}::integer)`.execute(
        tx,
      )
    ).rows.map((r) => ({ ...r, value: Number(r.value) })),
  );
  const result = { rows: counts.rows.filter((r) => compared.has(r.partnership_id)) };
  const ids = [...new Set(result.rows.map((r) => r.partnership_id))];
  if (ids.length === 0) return [];
  const partnerships = await tx
    .selectFrom('partnerships')
    .select(['id', 'code', 'name', 'disclosure_threshold as threshold', 'disclosure_symbol as symbol'])
    .where('id', 'in', ids)
    .orderBy('name')
    .execute();
  return partnerships.map((p) => {
    const rows = result.rows.filter((r) => r.partnership_id === p.id);
    const population = rows.find((r) => r.measure === 'population');
    const counts = Object.fromEntries(comparedMeasures.map((m) => [m, Number(rows.find((r) => r.measure === m)?.value ?? 0)])) as Record<
      ComparedMeasure,
      number
    >;
    return {
      partnershipId: p.id,
      code: p.code,
      name: p.name,
      settings: { threshold: p.threshold, symbol: p.symbol },
      population: population ? Number(population.value) : null,
      populationYear: population?.year ?? null,
      counts,
    };
  });
}

/**
 * The table "Compared with neighbouring partnerships": this partnership's row as the reader may see
 * it (unsuppressed for an analyst, controlled in the published view), each neighbour's controlled, and
 * the average. Empty when no neighbour has agreed.
 */
export function compareNeighbours(own: NeighbourRow, neighbours: readonly NeighbourFigures[], settings: DisclosureSettings): NeighbourComparison {
  if (neighbours.length === 0) return { rows: [], average: [], threshold: settings.threshold, symbol: settings.symbol };
  const rows: NeighbourRow[] = [
    own,
    ...neighbours.map((n) => {
      const strictest: DisclosureSettings = { threshold: Math.max(settings.threshold, n.settings.threshold), symbol: settings.symbol };
      return {
        partnershipId: n.partnershipId,
        code: n.code,
        name: n.name,
        own: false,
        population: n.population,
        populationYear: n.populationYear,
        figures: comparedMeasures.map((measure) => {
          const count = controlCount(n.counts[measure], strictest);
          return { measure, count, rate: typeof count === 'string' ? count : ratePer10k(count, n.population) };
        }),
      };
    }),
  ];
  const average = comparedMeasures.map((measure) => {
    const counts = rows.map((r) => r.figures.find((f) => f.measure === measure)?.count ?? settings.symbol);
    if (counts.some((c) => typeof c === 'string')) return { measure, count: settings.symbol, rate: settings.symbol };
    const sum = (counts as number[]).reduce((a, c) => a + c, 0);
    const populations = rows.map((r) => r.population);
    const everyPopulation = populations.every((p): p is number => p !== null);
    return {
      measure,
      count: Math.round((sum / rows.length) * 10) / 10,
      rate: everyPopulation
        ? ratePer10k(
            sum,
            populations.reduce((a, p) => a + p, 0),
          )
        : null,
    };
  });
  const threshold = Math.max(settings.threshold, ...neighbours.map((n) => n.settings.threshold));
  return { rows, average, threshold, symbol: settings.symbol };
}

/** The neighbours' controlled counts as a download's tidy cells (this partnership's are the area comparison's). */
export function neighbourCells(comparison: NeighbourComparison, periodKey: string) {
  return comparison.rows
    .filter((r) => !r.own)
    .flatMap((r) =>
      r.figures.map((f) => ({ measure: f.measure, breakdown: neighbourBreakdown, category: total, period: periodKey, area: r.code, value: f.count })),
    );
}

// ---- The offers (admin page) ----

export interface ComparisonStatus {
  partnershipId: string;
  name: string;
  /** agreed: both offered; offered: this partnership offered, waiting for the neighbour; invited: the neighbour offered, waiting for this one. */
  status: 'agreed' | 'offered' | 'invited';
  offeredAt: Date | null;
}

/** Every partnership this one has offered to compare with, or has been offered by, and the others it could offer to. */
export async function comparisonStatuses(tx: Tx, partnershipId: string): Promise<{ statuses: ComparisonStatus[]; choices: { id: string; name: string }[] }> {
  const mine = await tx
    .selectFrom('profile_comparison_offers')
    .select(['neighbour_partnership_id as id', 'offered_at'])
    .where('partnership_id', '=', partnershipId)
    .where('withdrawn_at', 'is', null)
    .execute();
  const received = await sql<{ partnership_id: string; offered_at: Date }>`
    SELECT partnership_id, offered_at FROM lantern_profile_comparison_offers_received()`.execute(tx);
  const partnerships = await tx.selectFrom('partnerships').select(['id', 'name']).where('id', '<>', partnershipId).orderBy('name').orderBy('id').execute();
  const offered = new Map(mine.map((m) => [m.id, m.offered_at]));
  const invited = new Set(received.rows.map((r) => r.partnership_id));
  const statuses = partnerships
    .filter((p) => offered.has(p.id) || invited.has(p.id))
    .map((p): ComparisonStatus => ({
      partnershipId: p.id,
      name: p.name,
      status: offered.has(p.id) ? (invited.has(p.id) ? 'agreed' : 'offered') : 'invited',
      offeredAt: offered.get(p.id) ?? null,
    }));
  return { statuses, choices: partnerships.filter((p) => !offered.has(p.id)) };
}

export async function standingOffer(tx: Tx, partnershipId: string, neighbourId: string) {
  return tx
    .selectFrom('profile_comparison_offers')
    .select('id')
    .where('partnership_id', '=', partnershipId)
    .where('neighbour_partnership_id', '=', neighbourId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
}
