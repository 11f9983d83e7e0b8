import { sql } from 'kysely';
import type { Tx } from '../../../db/context.ts';
import type { DemoSeedContext } from '../../../seed/feature-seed.ts';

/** Where the demo's places are: each in one of its partnership's localities, so the hotspots map has them. */
const placeLocalities: Record<string, string> = {
  'Ferry Road Grill': 'Riverside',
  'Mere Cars': 'Northmere Central',
  'Harbour Chicken': 'Harbourside',
};

/**
 * The network's demo (issue 12 §5): the intelligence seed's places put in their localities (the
 * localities come from the children's seed, the shapes from localities.geojson). Draws nothing from the
 * faker, and adds no link, so no other feature's demo changes.
 */
export async function seedNetwork(tx: Tx, { partnerships }: DemoSeedContext): Promise<void> {
  for (const p of Object.values(partnerships)) {
    await sql`
      UPDATE intel_locations x SET locality_id = y.id
        FROM jsonb_each_text(${JSON.stringify(placeLocalities)}::jsonb) m (place, locality)
        JOIN localities y ON y.name = m.locality AND y.partnership_id = ${p.id}
       WHERE x.partnership_id = ${p.id} AND x.name = m.place AND x.locality_id IS NULL`.execute(tx);
  }
}
