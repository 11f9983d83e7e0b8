import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { nameWords } from './matching.ts';
import { findChildMatches, type ChildMatch, type MatchCriteria } from './search.ts';

/** What the children services share: the search for near-duplicates and the one way a child is changed. */

const searchLimit = 50;

/**
 * What every list of children starts with: the minimum to tell children apart, and the current risk
 * level by the one rule (migration 0170) under the API's names.
 */
export const childRowColumns = [
  'c.id',
  'c.reference',
  'c.given_name',
  'c.family_name',
  'c.date_of_birth',
  'c.status',
  'c.current_risk_level as risk_level',
  'c.current_risk_source as risk_source',
] as const;

/** Columns a list of children shows (the list page, searches, the API). */
export const listColumns = [
  ...childRowColumns,
  'c.current_risk_source_id as risk_source_id',
  'c.current_risk_on as risk_on',
  'c.flag_cse',
  'c.looked_after',
  'c.restricted',
  'c.aliases',
] as const;

/** The agencies a form or filter offers (not the partnership itself), by name. */
export function agencyChoices(tx: Tx) {
  return tx.selectFrom('agencies').select(['id', 'name']).where('kind', '<>', 'partnership').orderBy('name').execute();
}

/** Candidates for a name, date of birth and/or postcode, closest first (search.ts). */
export function findMatches(tx: Tx, criteria: MatchCriteria): Promise<ChildMatch[]> {
  return findChildMatches(tx, criteria, searchLimit);
}

/**
 * How many restricted records of the partnership, hidden from the actor, strongly match the
 * names and date of birth searched (lantern_restricted_match_count): a number, never who.
 * Without a date of birth and a family name there is no strong match.
 */
export async function restrictedMatchCount(tx: Tx, criteria: MatchCriteria) {
  const words = nameWords(criteria);
  if (!criteria.dateOfBirth || words.length === 0) return 0;
  const given = words.length > 1 ? words[0]! : '';
  const family = words.at(-1)!;
  const counted = await sql<{ n: number }>`SELECT lantern_restricted_match_count(${given}, ${family}, ${criteria.dateOfBirth}::date) AS n`.execute(tx);
  return Number(counted.rows[0]?.n ?? 0);
}

/** Every change to a child: the child must be visible and in the actor's own partnership; one audit row. */
export function changeChild(
  db: Database,
  user: SessionUser,
  id: string,
  action: 'record.update' | 'record.close' | 'record.reopen' | 'record.share' | 'record.unshare',
  change: (tx: Tx, before: Awaited<ReturnType<typeof loadForChange>>) => Promise<{ reason?: string; details?: Record<string, unknown> }>,
) {
  return withActor(db, actorOf(user), async (tx, act) => {
    const before = await loadForChange(tx, id, user.partnershipId);
    const result = await change(tx, before);
    await act.audit({
      action,
      recordType: 'child',
      recordId: id,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.details ? { details: result.details } : {}),
    });
  });
}

async function loadForChange(tx: Tx, id: string, partnershipId: string) {
  const before = await tx.selectFrom('children').selectAll().where('id', '=', id).where('partnership_id', '=', partnershipId).forUpdate().executeTakeFirst();
  if (!before) throw notFound();
  return before;
}
