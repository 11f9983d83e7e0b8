import { sql, type RawBuilder } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { matchStrength, normaliseName, normaliserForOneSearch, type MatchStrength } from './matching.ts';

/** What the children services share: the search for near-duplicates and the one way a child is changed. */

const searchLimit = 50;
/** Candidates scored per search, closest first (see findMatches). */
const candidateLimit = 600;

/** Columns a list of children shows: the minimum to tell children apart. */
export const listColumns = ['c.id', 'c.reference', 'c.given_name', 'c.family_name', 'c.date_of_birth', 'c.status', 'c.risk_level',
  'c.flag_cse', 'c.looked_after', 'c.restricted', 'c.aliases'] as const;

export interface ChildMatch {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  status: string;
  strength: MatchStrength;
}

/**
 * Candidates for a name, date of birth and/or postcode. The database narrows by normalised-name
 * prefix, date of birth or postcode; matching.ts scores names by edit distance.
 */
export async function findMatches(tx: Tx, criteria: { name?: string | null; givenName?: string; familyName?: string; dateOfBirth?: string | null;
  postcode?: string | null; includeClosed?: boolean }): Promise<ChildMatch[]> {
  const words = (criteria.name ?? `${criteria.givenName ?? ''} ${criteria.familyName ?? ''}`).split(/\s+/).map(normaliseName).filter(Boolean);
  const given = words.length > 1 ? words[0]! : '';
  const family = words.at(-1) ?? '';
  let query = tx.selectFrom('children as c').select([...listColumns]);
  if (!criteria.includeClosed && criteria.name !== undefined) query = query.where('c.status', '=', 'open');
  query = query.where((eb) => {
    const ors = [];
    for (const w of words) {
      // key LIKE 'jo%' written as the range 'jo' <= key < 'jp' with the text_pattern_ops operators: those
      // are leakproof, so PostgreSQL may use them as index conditions under row-level security (LIKE is
      // not, and forced a scan of every child). Keys are a–z only, so the range is exactly the prefix.
      const prefix = w.slice(0, 2);
      const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      for (const key of ['c.family_key', 'c.given_key'] as const) {
        ors.push(sql<boolean>`(${sql.ref(key)} ~>=~ ${prefix} AND ${sql.ref(key)} ~<~ ${next})`);
      }
    }
    if (criteria.dateOfBirth) ors.push(eb('c.date_of_birth', '=', criteria.dateOfBirth));
    if (criteria.postcode) {
      ors.push(eb.exists(eb.selectFrom('child_addresses as a').select('a.id').whereRef('a.child_id', '=', 'c.id').where('a.postcode', '=', criteria.postcode)));
    }
    return ors.length ? eb.or(ors) : eb.val(false);
  });
  // The closest candidates first (a name key equal to a word searched for, then sharing its first
  // three letters, then the same date of birth), so the cap drops the weakest, not any.
  const closeness: RawBuilder<number>[] = [];
  for (const w of words) {
    closeness.push(sql<number>`(c.family_key = ${w} OR c.given_key = ${w})::int * 4`);
    if (w.length >= 3) closeness.push(sql<number>`(left(c.family_key, 3) = ${w.slice(0, 3)} OR left(c.given_key, 3) = ${w.slice(0, 3)})::int * 2`);
  }
  if (criteria.dateOfBirth) closeness.push(sql<number>`(c.date_of_birth = ${criteria.dateOfBirth})::int * 3`);
  if (closeness.length) query = query.orderBy(sql`${sql.join(closeness, sql` + `)}`, 'desc');
  const rows = await query.orderBy('c.id').limit(candidateLimit).execute();
  const normalise = normaliserForOneSearch();
  const scored = rows.map((r) => {
    let strength: MatchStrength = 'none';
    if (family) {
      strength = given
        ? matchStrength({ givenName: given, familyName: family, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise)
        : [matchStrength({ givenName: family, familyName: r.family_name, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise),
          matchStrength({ givenName: r.given_name, familyName: family, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise)]
          .sort((a, b) => rank(b) - rank(a))[0]!;
    } else if (criteria.dateOfBirth && r.date_of_birth === criteria.dateOfBirth) strength = 'possible';
    const nameHit = words.length > 0 && words.every((w) => normalise(`${r.given_name} ${r.family_name} ${(r.aliases ?? []).join(' ')}`).includes(w));
    const dobOk = !criteria.dateOfBirth || r.date_of_birth === criteria.dateOfBirth;
    const keep = strength !== 'none' || (nameHit && dobOk) || (!words.length && dobOk && !!criteria.postcode);
    return { ...r, strength: strength === 'none' && nameHit && dobOk ? 'possible' : strength, keep };
  });
  return scored.filter((r) => r.keep).sort((a, b) => rank(b.strength) - rank(a.strength) || a.family_name.localeCompare(b.family_name))
    .slice(0, searchLimit)
    .map(({ id, reference, given_name, family_name, date_of_birth, status, strength }) => ({ id, reference, given_name, family_name, date_of_birth, status, strength }));
}

/**
 * How many restricted records of the partnership, hidden from the actor, strongly match the
 * names and date of birth searched (lantern_restricted_match_count): a number, never who.
 * Without a date of birth and a family name there is no strong match.
 */
export async function restrictedMatchCount(tx: Tx, criteria: { name?: string | null; givenName?: string; familyName?: string; dateOfBirth?: string | null }) {
  const words = (criteria.name ?? `${criteria.givenName ?? ''} ${criteria.familyName ?? ''}`).split(/\s+/).map(normaliseName).filter(Boolean);
  if (!criteria.dateOfBirth || words.length === 0) return 0;
  const given = words.length > 1 ? words[0]! : '';
  const family = words.at(-1)!;
  const counted = await sql<{ n: number }>`SELECT lantern_restricted_match_count(${given}, ${family}, ${criteria.dateOfBirth}::date) AS n`.execute(tx);
  return Number(counted.rows[0]?.n ?? 0);
}

/** Every change to a child: the child must be visible and in the actor's own partnership; one audit row. */
export function changeChild(db: Database, user: SessionUser, id: string, action: 'record.update' | 'record.close' | 'record.reopen' | 'record.share' | 'record.unshare',
  change: (tx: Tx, before: Awaited<ReturnType<typeof loadForChange>>) => Promise<{ reason?: string; details?: Record<string, unknown> }>) {
  return withActor(db, actorOf(user), async (tx, act) => {
    const before = await loadForChange(tx, id, user.partnershipId);
    const result = await change(tx, before);
    await act.audit({ action, recordType: 'child', recordId: id,
      ...(result.reason ? { reason: result.reason } : {}), ...(result.details ? { details: result.details } : {}) });
  });
}

async function loadForChange(tx: Tx, id: string, partnershipId: string) {
  const before = await tx.selectFrom('children').selectAll().where('id', '=', id).where('partnership_id', '=', partnershipId).forUpdate().executeTakeFirst();
  if (!before) throw notFound();
  return before;
}

const rank = (s: MatchStrength) => (s === 'likely' ? 2 : s === 'possible' ? 1 : 0);
