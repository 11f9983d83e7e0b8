// Intelligence shared across boundaries (issue 12 §6, migration 0340): the SQL of intel_shares, as
// functions of the caller's transaction. Row-level security decides what each side reads: the sharing
// partnership its own shares, the neighbour only the live ones made with it.
import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { personName } from './repository.ts';
import type { SharedEntityKind } from './share-schema.ts';

/** A sharing agreement is live from its first day to its last (none: open-ended), as children's shares read it (0100). */
const live = sql<boolean>`a.starts_on <= current_date AND (a.ends_on IS NULL OR a.ends_on >= current_date)`;

/** The acting partnership's live agreements to share under, each with the partnership it shares with. */
export function liveAgreements(tx: Tx, partnershipId: string) {
  return tx
    .selectFrom('sharing_agreements as a')
    .innerJoin('partnerships as p', 'p.id', 'a.recipient_partnership_id')
    .select(['a.id', 'a.recipient_partnership_id', 'p.name as recipient', 'a.purpose', 'a.starts_on', 'a.ends_on'])
    .where('a.partnership_id', '=', partnershipId)
    .where(live)
    .orderBy('p.name')
    .orderBy('a.starts_on')
    .execute();
}

export function liveAgreement(tx: Tx, partnershipId: string, agreementId: string) {
  return tx
    .selectFrom('sharing_agreements as a')
    .select(['a.id', 'a.recipient_partnership_id'])
    .where('a.id', '=', agreementId)
    .where('a.partnership_id', '=', partnershipId)
    .where(live)
    .executeTakeFirst();
}

/** Whether the entity is the acting partnership's own (a share received cannot be shared on). */
export async function ownEntity(tx: Tx, partnershipId: string, kind: SharedEntityKind, id: string) {
  const table = kind === 'person' ? 'persons_of_concern' : 'intel_locations';
  return !!(await tx.selectFrom(table).select('id').where('id', '=', id).where('partnership_id', '=', partnershipId).executeTakeFirst());
}

/** Whether a share of the entity with that partnership stands (not withdrawn). */
export async function standingShare(tx: Tx, entityId: string, partnershipId: string) {
  return !!(await tx
    .selectFrom('intel_shares')
    .select('id')
    .where('entity_id', '=', entityId)
    .where('shared_with_partnership_id', '=', partnershipId)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst());
}

const shareColumns = [
  's.id',
  's.entity_kind',
  's.entity_id',
  's.partnership_id',
  's.shared_with_partnership_id',
  's.agreement_id',
  's.reason',
  's.shared_by_name',
  's.shared_at',
  's.withdrawn_at',
  's.withdrawn_by_name',
] as const;

/** An entity's shares made by the acting partnership, standing first, newest first; with whom and whether the agreement is still live. */
export function sharesOf(tx: Tx, partnershipId: string, entityId: string) {
  return tx
    .selectFrom('intel_shares as s')
    .innerJoin('partnerships as p', 'p.id', 's.shared_with_partnership_id')
    .innerJoin('sharing_agreements as a', 'a.id', 's.agreement_id')
    .select(shareColumns)
    .select(['p.name as shared_with', sql<boolean>`${live}`.as('agreement_live')])
    .where('s.partnership_id', '=', partnershipId)
    .where('s.entity_id', '=', entityId)
    .orderBy(sql`s.withdrawn_at IS NULL`, 'desc')
    .orderBy('s.shared_at', 'desc')
    .orderBy('s.id')
    .execute();
}

/** For entities the acting partnership reads, which were shared with it and by whom (entity id → partnership name). */
export async function sharedWithUs(tx: Tx, partnershipId: string, entityIds: readonly string[]): Promise<Map<string, string>> {
  if (entityIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom('intel_shares as s')
    .innerJoin('partnerships as p', 'p.id', 's.partnership_id')
    .select(['s.entity_id', 'p.name'])
    .where('s.shared_with_partnership_id', '=', partnershipId)
    .where('s.withdrawn_at', 'is', null)
    .where('s.entity_id', 'in', [...entityIds])
    .execute();
  return new Map(rows.map((r) => [r.entity_id, r.name]));
}

/** The share a withdrawal names, the acting partnership's and standing, withdrawn; undefined if there is none. */
export function withdrawShare(tx: Tx, partnershipId: string, shareId: string, by: { at: Date; userId: string; name: string }) {
  return tx
    .updateTable('intel_shares')
    .set({ withdrawn_at: by.at, withdrawn_by: by.userId, withdrawn_by_name: by.name })
    .where('id', '=', shareId)
    .where('partnership_id', '=', partnershipId)
    .where('withdrawn_at', 'is', null)
    .returning(['id', 'entity_kind', 'entity_id', 'shared_with_partnership_id', 'agreement_id'])
    .executeTakeFirst();
}

/** A shared entity as the lists show it: its label and page, or null where the reader no longer sees it. */
async function entityLabels(tx: Tx, rows: { entity_kind: string; entity_id: string }[]) {
  const ids = (kind: string) => [...new Set(rows.filter((r) => r.entity_kind === kind).map((r) => r.entity_id))];
  const labels = new Map<string, string>();
  if (ids('person').length > 0)
    for (const p of await tx.selectFrom('persons_of_concern').select(['id', 'given_name', 'family_name', 'aliases']).where('id', 'in', ids('person')).execute())
      labels.set(p.id, personName(p));
  if (ids('location').length > 0)
    for (const l of await tx.selectFrom('intel_locations').select(['id', 'name']).where('id', 'in', ids('location')).execute()) labels.set(l.id, l.name);
  return labels;
}

const pathOf = { person: 'persons', location: 'locations' } as const;

/**
 * The shares page: every share the acting partnership made (standing and withdrawn, with whether the
 * agreement is still live) and the live shares made with it, each with its entity's name and page.
 */
export async function sharesPage(tx: Tx, partnershipId: string) {
  const byUs = await tx
    .selectFrom('intel_shares as s')
    .innerJoin('partnerships as p', 'p.id', 's.shared_with_partnership_id')
    .innerJoin('sharing_agreements as a', 'a.id', 's.agreement_id')
    .select(shareColumns)
    .select(['p.name as partnership', sql<boolean>`${live}`.as('agreement_live')])
    .where('s.partnership_id', '=', partnershipId)
    .orderBy(sql`s.withdrawn_at IS NULL`, 'desc')
    .orderBy('s.shared_at', 'desc')
    .orderBy('s.id')
    .limit(500)
    .execute();
  // Row-level security shows the neighbour only the live shares made with it.
  const withUs = await tx
    .selectFrom('intel_shares as s')
    .innerJoin('partnerships as p', 'p.id', 's.partnership_id')
    .select(shareColumns)
    .select(['p.name as partnership'])
    .where('s.shared_with_partnership_id', '=', partnershipId)
    .where('s.withdrawn_at', 'is', null)
    .orderBy('s.shared_at', 'desc')
    .orderBy('s.id')
    .limit(500)
    .execute();
  const labels = await entityLabels(tx, [...byUs, ...withUs]);
  const withEntity = <R extends { entity_kind: string; entity_id: string }>(r: R) => ({
    ...r,
    label: labels.get(r.entity_id) ?? null,
    href: labels.has(r.entity_id) ? `/intelligence/${pathOf[r.entity_kind as SharedEntityKind]}/${r.entity_id}` : null,
  });
  return { byUs: byUs.map(withEntity), withUs: withUs.map(withEntity) };
}

/** A person of concern shared across a boundary, as a MACE agenda lists it. */
export interface CrossBoundaryPerson {
  personId: string;
  name: string;
  /** 'by': this partnership shared its person with a neighbour; 'with': a neighbour shared theirs with this one. */
  direction: 'by' | 'with';
  /** The other partnership's name. */
  partnership: string;
  sharedAt: Date;
  reason: string;
}

/**
 * Persons of concern shared to or by the partnership now: the share standing and its agreement live.
 * For both partnerships' MACE agendas. Runs in the caller's transaction, so row-level security applies:
 * the caller acts as an intelligence role of `partnershipId` (a neighbour reads only live shares with it).
 */
export async function crossBoundaryPersons(tx: Tx, partnershipId: string): Promise<CrossBoundaryPerson[]> {
  const rows = await tx
    .selectFrom('intel_shares as s')
    .innerJoin('sharing_agreements as a', 'a.id', 's.agreement_id')
    .innerJoin('persons_of_concern as poc', 'poc.id', 's.entity_id')
    .innerJoin('partnerships as p', (j) =>
      j.on(sql<boolean>`p.id = CASE WHEN s.partnership_id = ${partnershipId}::uuid THEN s.shared_with_partnership_id ELSE s.partnership_id END`),
    )
    .select(['s.entity_id', 's.partnership_id', 's.shared_at', 's.reason', 'p.name as partnership', 'poc.given_name', 'poc.family_name', 'poc.aliases'])
    .where('s.entity_kind', '=', 'person')
    .where('s.withdrawn_at', 'is', null)
    .where(live)
    .where((eb) => eb.or([eb('s.partnership_id', '=', partnershipId), eb('s.shared_with_partnership_id', '=', partnershipId)]))
    .orderBy('s.shared_at', 'desc')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    personId: r.entity_id,
    name: personName(r),
    direction: r.partnership_id === partnershipId ? 'by' : 'with',
    partnership: r.partnership,
    sharedAt: r.shared_at,
    reason: r.reason,
  }));
}
