// Disruptions' SQL (issue 12 §3): functions of the caller's transaction, so row-level security
// (migration 0310: the acting partnership, intelligence roles only) applies to every one of them.
import { addQuarters } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { DisruptionFilter } from './disruption-schema.ts';
import { listLimit, personName } from './repository.ts';
import type { EntityKind } from './schema.ts';

/** A disruption as lists and its page show it: the agency's name and its targets' labels beside its own columns. */
function selectDisruptions(tx: Tx) {
  return tx
    .selectFrom('intel_disruptions as d')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .leftJoin('persons_of_concern as p', 'p.id', 'd.target_person_id')
    .leftJoin('intel_locations as l', 'l.id', 'd.target_location_id')
    .select([
      'd.id',
      'd.tactic',
      'd.tactic_other',
      'd.disrupted_on',
      'd.agency_id',
      'a.name as agency',
      'd.target_person_id',
      'd.target_location_id',
      'p.given_name as person_given_name',
      'p.family_name as person_family_name',
      'p.aliases as person_aliases',
      'l.name as location_name',
      'd.summary',
      'd.outcome',
      'd.outcome_notes',
      'd.outcome_recorded_at',
      'd.outcome_recorded_by_name',
      'd.created_at',
      'd.created_by_name',
    ]);
}
type DisruptionRow = Awaited<ReturnType<ReturnType<typeof selectDisruptions>['execute']>>[number];

/** A row with its person's label (name, or first nickname) worked out. */
const withLabels = (r: DisruptionRow) => ({
  ...r,
  person:
    r.target_person_id === null
      ? null
      : { id: r.target_person_id, label: personName({ given_name: r.person_given_name, family_name: r.person_family_name, aliases: r.person_aliases ?? [] }) },
  location: r.target_location_id === null ? null : { id: r.target_location_id, label: r.location_name ?? '' },
});
export type Disruption = ReturnType<typeof withLabels>;

/** The newest disruptions, or those of a quarter and/or tactic. */
export async function findDisruptions(tx: Tx, filter: DisruptionFilter = {}) {
  const rows = await selectDisruptions(tx)
    .$if(filter.quarter !== undefined, (q) => q.where('d.disrupted_on', '>=', filter.quarter!).where('d.disrupted_on', '<', addQuarters(filter.quarter!, 1)))
    .$if(filter.tactic !== undefined, (q) => q.where('d.tactic', '=', filter.tactic!))
    .orderBy('d.disrupted_on', 'desc')
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id')
    .limit(listLimit * 4)
    .execute();
  return rows.map(withLabels);
}

export async function disruptionRow(tx: Tx, id: string) {
  const row = await selectDisruptions(tx).where('d.id', '=', id).executeTakeFirst();
  return row ? withLabels(row) : undefined;
}

/** The children a disruption protects, each with its label and page (null for a child the reader may not see). */
export async function disruptionChildren(tx: Tx, disruptionId: string) {
  const rows = await tx
    .selectFrom('intel_disruption_children as dc')
    .leftJoin('children as c', 'c.id', 'dc.linked_child_id')
    .select(['dc.linked_child_id as id', 'c.reference', 'c.given_name', 'c.family_name'])
    .where('dc.disruption_id', '=', disruptionId)
    .orderBy('c.reference')
    .execute();
  return rows.map((c) => ({
    id: c.id,
    label: c.reference === null ? null : `${c.given_name} ${c.family_name} (${c.reference})`,
    href: c.reference === null ? null : `/children/${c.id}`,
  }));
}

/** The disruptions aimed at a person or a location, or protecting a child, newest first. */
export async function disruptionsAbout(tx: Tx, kind: EntityKind, id: string): Promise<Disruption[]> {
  if (kind === 'object') return [];
  let q = selectDisruptions(tx);
  if (kind === 'person') q = q.where('d.target_person_id', '=', id);
  else if (kind === 'location') q = q.where('d.target_location_id', '=', id);
  else
    q = q.where((eb) =>
      eb.exists(
        eb.selectFrom('intel_disruption_children as dc').select('dc.id').whereRef('dc.disruption_id', '=', 'd.id').where('dc.linked_child_id', '=', id),
      ),
    );
  const rows = await q.orderBy('d.disrupted_on', 'desc').orderBy('d.id').limit(listLimit).execute();
  return rows.map(withLabels);
}
