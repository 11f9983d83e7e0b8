import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../../db/context.ts';
import { normaliseName } from '../../children/matching.ts';
import { likelyThreshold, reviewThreshold, scorePair, type LiveRecord, type ModelParameters, type PairScore } from './scorer.ts';

/** A new child as entered (a concern's new child; a search). */
export interface NewChildRecord {
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  dateOfBirth?: string | null | undefined;
  gender?: string | null | undefined;
  postcode?: string | null | undefined;
}

/** At most this many candidates leave the database for one record: a bound whatever the partnership's size. */
export const candidateLimit = 200;
/** At most this many matches are shown. */
export const shownLimit = 10;

export interface ChildCandidate {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  gender: string | null;
  status: string;
  risk_level: string | null;
  agency: string | null;
  postcode: string | null;
}

export type MatchReason = 'exactName' | 'similarName' | 'oneName' | 'sameDateOfBirth' | 'samePostcode';

export interface LiveMatch extends ChildCandidate, PairScore {
  strength: 'likely' | 'possible';
  /** Why it is suggested, in words (children.matchReasons), read off the waterfall. */
  reasons: MatchReason[];
}

/** The reasons a triage worker reads beside the probability: the names, the date of birth and the postcode as they compared. */
export function reasonsOf(score: PairScore): MatchReason[] {
  const level = (column: string): string | undefined => score.waterfall.find((step) => step.column === column)?.level;
  const alike = (l: string | undefined): boolean => l !== undefined && l !== 'missing' && l !== 'else';
  const given = level('given_name');
  const family = level('family_name');
  const reasons: MatchReason[] = [];
  if (given === 'exact' && family === 'exact') reasons.push('exactName');
  else if (alike(given) && alike(family)) reasons.push('similarName');
  else if (alike(given) || alike(family)) reasons.push('oneName');
  if (level('date_of_birth') === 'exact') reasons.push('sameDateOfBirth');
  if (level('postcode') === 'exact') reasons.push('samePostcode');
  return reasons;
}

/** A child's record as the model compares it (the columns of default-parameters.json's child comparisons). */
export function childRecord(c: {
  given_name: string | null;
  family_name: string | null;
  date_of_birth: string | null;
  gender: string | null;
  postcode: string | null;
}): LiveRecord {
  return {
    given_name: c.given_name,
    family_name: c.family_name,
    date_of_birth: c.date_of_birth,
    sex: c.gender === 'female' || c.gender === 'male' ? c.gender : null,
    postcode: c.postcode,
  };
}

/**
 * The children that may be this one, blocked in SQL under row-level security (decision 38): both
 * names alike in either order (name keys from the vocabulary: trigram similarity or the same Double
 * Metaphone code), the same date of birth, or a current address at the same postcode; merged-away
 * records left out. At most candidateLimit rows, each with its current postcode.
 */
export async function childCandidates(tx: Tx, entered: NewChildRecord): Promise<ChildCandidate[]> {
  return (await childCandidatesQuery(entered).execute(tx)).rows;
}

/** The blocking query itself (the bench EXPLAINs it). */
export function childCandidatesQuery(entered: NewChildRecord): RawBuilder<ChildCandidate> {
  const given = normaliseName(entered.givenName ?? '');
  const family = normaliseName(entered.familyName ?? '');
  const dob = entered.dateOfBirth || null;
  const postcode = entered.postcode ? entered.postcode.trim().toUpperCase() : null;
  return sql<ChildCandidate>`
    WITH keys AS MATERIALIZED (
      SELECT lantern_name_candidates(${family}::text) || lantern_name_metaphone_candidates(${family}::text) AS family,
             lantern_name_candidates(${given}::text) || lantern_name_metaphone_candidates(${given}::text) AS given),
    found AS (
      SELECT c.id FROM children c, keys k
       WHERE ${family !== '' && given !== ''} AND c.family_key = ANY (k.family::text[]) AND c.given_key = ANY (k.given::text[])
      UNION
      SELECT c.id FROM children c, keys k
       WHERE ${family !== '' && given !== ''} AND c.family_key = ANY (k.given::text[]) AND c.given_key = ANY (k.family::text[])
      UNION
      SELECT c.id FROM children c WHERE c.date_of_birth = ${dob}::date
      UNION
      SELECT a.child_id FROM child_addresses a WHERE a.postcode = ${postcode}::text AND a.to_date IS NULL
      LIMIT ${candidateLimit})
    SELECT c.id, c.reference, c.given_name, c.family_name, to_char(c.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, c.gender, c.status,
           c.current_risk_level AS risk_level, (SELECT a.name FROM agencies a WHERE a.id = c.owning_agency_id) AS agency,
           (SELECT x.postcode FROM child_addresses x WHERE x.child_id = c.id ORDER BY x.to_date IS NULL DESC, x.from_date DESC NULLS LAST LIMIT 1) AS postcode
      FROM found f JOIN children c ON c.id = f.id
     WHERE c.merged_into_id IS NULL`;
}

/** The candidates scored with the partnership's parameters: those at or above the review threshold, strongest first. */
export function scoreChildCandidates(params: ModelParameters, entered: NewChildRecord, candidates: readonly ChildCandidate[]): LiveMatch[] {
  const record = childRecord({
    given_name: entered.givenName ?? null,
    family_name: entered.familyName ?? null,
    date_of_birth: entered.dateOfBirth ?? null,
    gender: entered.gender ?? null,
    postcode: entered.postcode ?? null,
  });
  return candidates
    .map((c) => ({ ...c, ...scorePair(params, record, childRecord(c)) }))
    .filter((m) => m.matchProbability >= reviewThreshold)
    .sort((a, b) => b.matchWeight - a.matchWeight || a.reference.localeCompare(b.reference))
    .slice(0, shownLimit)
    .map((m) => ({ ...m, strength: m.matchProbability >= likelyThreshold ? ('likely' as const) : ('possible' as const), reasons: reasonsOf(m) }));
}

/** A new person of concern as entered (the intelligence form). */
export interface NewPersonRecord {
  givenName?: string | null | undefined;
  familyName?: string | null | undefined;
  aliases?: readonly string[] | undefined;
  dateOfBirth?: string | null | undefined;
}

export interface PersonCandidate {
  id: string;
  given_name: string | null;
  family_name: string | null;
  aliases: string[];
  date_of_birth: string | null;
  status: string;
  agency: string | null;
}

export type PersonMatchReason = 'exactName' | 'similarName' | 'oneName' | 'alias' | 'sameDateOfBirth';

export interface PersonMatch extends PersonCandidate, PairScore {
  strength: 'likely' | 'possible';
  reasons: PersonMatchReason[];
}

/** Aliases compared at most: a person with many recorded nicknames costs a bounded number of scores. */
const aliasesCompared = 5;

/**
 * The persons of concern that may be this one, under row-level security: the family name alike (the
 * same Double Metaphone code or trigram-similar), names crossed, the same date of birth, or a name or
 * alias alike to one of theirs; merged-away and removed records left out. Persons are far fewer than
 * children (a partnership holds thousands), so the name tests run on the rows row-level security
 * leaves, without a vocabulary of keys. At most candidateLimit rows.
 */
export function personCandidatesQuery(entered: NewPersonRecord): RawBuilder<PersonCandidate> {
  const given = normaliseName(entered.givenName ?? '');
  const family = normaliseName(entered.familyName ?? '');
  const dob = entered.dateOfBirth || null;
  // Every name the entered person goes by: given names and aliases, for the alias test.
  const names = [given, family, ...(entered.aliases ?? []).map((a) => normaliseName(a))].filter((n) => n !== '');
  return sql<PersonCandidate>`
    SELECT p.id, p.given_name, p.family_name, p.aliases, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.status,
           (SELECT a.name FROM agencies a WHERE a.id = p.owning_agency_id) AS agency
      FROM persons_of_concern p
     WHERE p.merged_into_id IS NULL AND p.removed_at IS NULL
       AND ((${family !== ''} AND (dmetaphone(coalesce(p.family_name, '')) = nullif(dmetaphone(${family}::text), '')
                                  OR similarity(lower(coalesce(p.family_name, '')), ${family}::text) >= 0.5))
         OR (${family !== '' && given !== ''} AND dmetaphone(coalesce(p.family_name, '')) = nullif(dmetaphone(${given}::text), '')
                                               AND dmetaphone(coalesce(p.given_name, '')) = nullif(dmetaphone(${family}::text), ''))
         OR p.date_of_birth = ${dob}::date
         OR EXISTS (SELECT 1 FROM unnest(p.aliases || ARRAY[p.given_name]) AS a(name), unnest(${names}::text[]) AS e(name)
                     WHERE a.name IS NOT NULL AND similarity(lower(a.name), e.name) >= 0.6))
     ORDER BY p.id
     LIMIT ${candidateLimit}`;
}

export async function personCandidates(tx: Tx, entered: NewPersonRecord): Promise<PersonCandidate[]> {
  return (await personCandidatesQuery(entered).execute(tx)).rows;
}

/** Why a person is suggested, read off the waterfall (names, alias, date of birth). */
export function personReasonsOf(score: PairScore): PersonMatchReason[] {
  const level = (column: string): string | undefined => score.waterfall.find((step) => step.column === column)?.level;
  const alike = (l: string | undefined): boolean => l !== undefined && l !== 'missing' && l !== 'else';
  const reasons: PersonMatchReason[] = [];
  const [given, family] = [level('given_name'), level('family_name')];
  if (given === 'exact' && family === 'exact') reasons.push('exactName');
  else if (alike(given) && alike(family)) reasons.push('similarName');
  else if (alike(given) || alike(family)) reasons.push('oneName');
  if (alike(level('alias'))) reasons.push('alias');
  if (level('date_of_birth') === 'exact') reasons.push('sameDateOfBirth');
  return reasons;
}

/**
 * The candidates scored with the partnership's person parameters, each alias of either side tried as
 * the compared alias (the best score kept, at most aliasesCompared each): those at or above the review
 * threshold, strongest first.
 */
export function scorePersonCandidates(params: ModelParameters, entered: NewPersonRecord, candidates: readonly PersonCandidate[]): PersonMatch[] {
  const aliasesOf = (list: readonly string[]): (string | null)[] => (list.length === 0 ? [null] : list.slice(0, aliasesCompared));
  const mine = aliasesOf(entered.aliases ?? []);
  const best = (c: PersonCandidate): PairScore => {
    let top: PairScore | null = null;
    for (const alias of mine)
      for (const theirs of aliasesOf(c.aliases)) {
        const score = scorePair(
          params,
          { given_name: entered.givenName ?? null, family_name: entered.familyName ?? null, alias, date_of_birth: entered.dateOfBirth ?? null },
          { given_name: c.given_name, family_name: c.family_name, alias: theirs, date_of_birth: c.date_of_birth },
        );
        if (top === null || score.matchWeight > top.matchWeight) top = score;
      }
    return top!;
  };
  return candidates
    .map((c) => ({ ...c, ...best(c) }))
    .filter((m) => m.matchProbability >= reviewThreshold)
    .sort((a, b) => b.matchWeight - a.matchWeight || a.id.localeCompare(b.id))
    .slice(0, shownLimit)
    .map((m) => ({ ...m, strength: m.matchProbability >= likelyThreshold ? ('likely' as const) : ('possible' as const), reasons: personReasonsOf(m) }));
}
