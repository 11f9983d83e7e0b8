import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';

/** The demo's years of estimates. */
export const demoPopulationYears = [2024, 2025, 2026] as const;

/**
 * Plausible synthetic mid-year estimates of children (0–17) for the demo partnerships' fictional
 * localities (issue 13 §1): each locality between about 8,000 and 15,000 children, growing slightly each
 * year, and the whole partnership the sum of its localities. Nothing random (no faker draw): the numbers
 * come from each locality's place in name order, so no later seed's people move.
 */
export async function seedPopulations(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  for (const p of Object.values(partnerships)) {
    await sql`
      WITH l AS (SELECT id, row_number() OVER (ORDER BY name) AS n FROM localities WHERE partnership_id = ${p.id}),
           y AS (SELECT unnest(${sql.val([...demoPopulationYears])}::integer[]) AS year),
           estimates AS (
             SELECT l.id AS locality_id, y.year, (8000 + 1700 * l.n + 60 * (y.year - 2024) * l.n)::integer AS children FROM l CROSS JOIN y)
      INSERT INTO profile_populations (partnership_id, locality_id, year, children)
      SELECT ${p.id}::uuid, locality_id, year, children FROM estimates
      UNION ALL
      SELECT ${p.id}::uuid, NULL::uuid, year, sum(children)::integer FROM estimates GROUP BY year`.execute(tx);
  }
}

/**
 * The demo's neighbouring partnerships agree to compare their problem profiles (migration 0450): each
 * administrator has offered to compare with the other, so each profile shows the other's headline
 * figures. Draws nothing from the faker.
 */
export async function seedComparisonAgreement(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  const [first, second] = Object.values(partnerships);
  if (!first || !second) return;
  for (const [from, to] of [
    [first, second],
    [second, first],
  ] as const)
    await tx
      .insertInto('profile_comparison_offers')
      .values({ partnership_id: from.id, neighbour_partnership_id: to.id, offered_by: from.users.admin ?? null })
      .execute();
}
