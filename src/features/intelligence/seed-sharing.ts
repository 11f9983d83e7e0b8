import { sql } from 'kysely';
import { addDays, londonDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';

/**
 * Demo intelligence across boundaries (issue 12 §6): Northmere shares "Dean", its person of concern,
 * with Westbrook under the demo's sharing agreement (he is known in Westbrook too), and Westbrook adds
 * its own intelligence to him: a Westbrook child seen with him and Westbrook's takeaway he frequents.
 * Westbrook does not see Northmere's links from Dean to its car, takeaway or children (none of them is
 * shared). Runs after the agreement is made (src/seed/demo.ts). Nothing drawn from the faker.
 */
export async function seedIntelligenceSharing(
  tx: Tx,
  {
    agreementId,
    sharing,
    receiving,
  }: { agreementId: string; sharing: { id: string; analyst: string | undefined }; receiving: { id: string; analyst: string | undefined } },
): Promise<void> {
  const dean = await tx
    .selectFrom('persons_of_concern')
    .select('id')
    .where('partnership_id', '=', sharing.id)
    .where(sql<boolean>`'Dean' = ANY (aliases)`)
    .executeTakeFirst();
  if (!dean) return;
  const name = async (id: string | undefined) =>
    id ? ((await tx.selectFrom('users').select('display_name').where('id', '=', id).executeTakeFirst())?.display_name ?? null) : null;
  const today = londonDate(new Date());
  await tx
    .insertInto('intel_shares')
    .values({
      partnership_id: sharing.id,
      shared_with_partnership_id: receiving.id,
      entity_kind: 'person',
      entity_id: dean.id,
      agreement_id: agreementId,
      reason: 'Known in Westbrook: seen collecting girls from the Westbrook quayside in the evenings.',
      shared_by: sharing.analyst ?? null,
      shared_by_name: await name(sharing.analyst),
      shared_at: new Date(`${addDays(today, -14)}T10:00:00Z`),
    })
    .execute();
  const byline = { partnership_id: receiving.id, created_by: receiving.analyst ?? null, created_by_name: await name(receiving.analyst) };
  const child = await tx.selectFrom('children').select('id').where('partnership_id', '=', receiving.id).where('reference', '=', 'WB-1005').executeTakeFirst();
  const takeaway = await tx
    .selectFrom('intel_locations')
    .select('id')
    .where('partnership_id', '=', receiving.id)
    .where('name', '=', 'Harbour Chicken')
    .executeTakeFirst();
  const links = [
    ...(child
      ? [
          {
            ...byline,
            from_kind: 'child',
            from_id: child.id,
            to_kind: 'person',
            to_id: dean.id,
            relation: 'seen_with',
            source: 'Westbrook return home interview',
            confidence: 'medium',
            first_seen_on: addDays(today, -9),
          },
        ]
      : []),
    ...(takeaway
      ? [
          {
            ...byline,
            from_kind: 'person',
            from_id: dean.id,
            to_kind: 'location',
            to_id: takeaway.id,
            relation: 'frequents',
            source: 'Westbrook Police patrol observations',
            confidence: 'low',
            first_seen_on: addDays(today, -6),
          },
        ]
      : []),
  ];
  if (links.length > 0) await tx.insertInto('intel_links').values(links).execute();
}
