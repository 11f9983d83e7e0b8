import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { nameWords, type MatchStrength } from './matching.ts';

/** What a search or a duplicate check asks for: a name (or its two parts), a date of birth, a postcode. */
export interface MatchCriteria {
  name?: string | null;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string | null;
  postcode?: string | null;
  includeClosed?: boolean;
}

export interface ChildMatch {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  status: string;
  /** The child's current risk level (children.current_risk_level), null when none. */
  risk_level: string | null;
  /** The agency that holds the record, so that a worker can tell two records apart. */
  agency: string | null;
  strength: MatchStrength;
  /** Why it is suggested, strongest first (matchReasons). */
  reasons: MatchReason[];
}

/**
 * Why a record is suggested: the names exactly as searched (either order) or alike (a misspelling,
 * a shortened given name), only one name alike, every word searched found in its names; the same
 * date of birth; an address at the postcode searched.
 */
export type MatchReason = 'exactName' | 'similarName' | 'oneName' | 'nameContains' | 'sameDateOfBirth' | 'samePostcode';

interface ScoredRow extends Omit<ChildMatch, 'strength' | 'reasons'> {
  owning_agency_id: string;
  strength: number;
  distance: number;
  hit: boolean;
  near: boolean;
  same_birth: boolean | null;
  same_postcode: boolean;
}

/** The reasons for a scored row, as the score gave it (scored() below). */
export function matchReasons(
  row: Pick<ScoredRow, 'strength' | 'distance' | 'hit' | 'near' | 'same_birth' | 'same_postcode'>,
  searchedName: boolean,
): MatchReason[] {
  const reasons: MatchReason[] = [];
  if (searchedName) {
    if (row.hit) reasons.push(row.distance === 0 ? 'exactName' : 'similarName');
    else if (row.strength > 0 && row.same_birth && row.near) reasons.push('oneName');
    else if (row.strength > 0) reasons.push('nameContains');
  }
  if (row.same_birth) reasons.push('sameDateOfBirth');
  if (row.same_postcode) reasons.push('samePostcode');
  return reasons;
}

const strengths: MatchStrength[] = ['none', 'possible', 'likely'];

/**
 * The children the actor may see that match, closest first, at most `limit`; scored in SQL under
 * row-level security (migration 0118). A record is a likely match when both names are alike and
 * the date of birth is the same; a possible match when both names are alike, or the date of birth
 * and one name, or every word searched appears in its names. Names are alike within 1 edit (4
 * letters or fewer) or 2 (a transposition is 2: Jnoes, Smtih); given names also when they share
 * their first four letters; a first word and last word are tried in either order. A search by
 * postcode alone lists the children who lived there. Order: likely, then possible; fewer edits
 * first, so exact names lead; then by name.
 *
 * Two steps, because a common name has hundreds of exact matches: first the children whose names
 * are exactly those searched (or with that date of birth or postcode). If the last of the first
 * `limit` of those is a likely match or an exact possible one, nothing else can rank above it and
 * the search is done; otherwise the names' misspellings and beginnings are added
 * (lantern_name_candidates: name keys from the partnership's vocabulary, by trigram similarity).
 */
export async function findChildMatches(tx: Tx, criteria: MatchCriteria, limit: number): Promise<ChildMatch[]> {
  const words = nameWords(criteria);
  const search: Search = {
    words,
    given: words.length > 1 ? words[0]! : '',
    family: words.at(-1) ?? '',
    dateOfBirth: criteria.dateOfBirth ?? null,
    postcode: criteria.postcode ?? null,
    // A search by name lists open records unless asked; the duplicate check at triage looks at all.
    openOnly: !criteria.includeClosed && criteria.name !== undefined,
  };
  // Searched by name alone, every child with exactly those names scores the same (possible, no
  // edits), so only the first `limit` of them in name order need scoring: a common surname has
  // thousands at national scale.
  const namesOnly = search.family !== '' && search.dateOfBirth === null && search.postcode === null;
  const exact = await scored(tx, search, exactly(search), limit, sql``, namesOnly);
  const last = exact.at(-1);
  const settled = exact.length === limit && last !== undefined && (last.strength === 2 || (last.strength === 1 && last.distance === 0));
  const rows =
    settled || !search.family
      ? exact
      : await scored(
          tx,
          search,
          sql`(${exactly(search)} OR ${alike(search)})`,
          limit,
          sql`
    WITH keys AS MATERIALIZED (SELECT lantern_name_candidates(${search.family}::text) AS family, lantern_name_candidates(${search.given}::text) AS given)`,
        );
  return rows.map(({ distance, hit, near, same_birth, same_postcode, owning_agency_id: _agency, ...row }) => ({
    ...row,
    strength: strengths[row.strength]!,
    reasons: matchReasons({ strength: row.strength, distance, hit, near, same_birth, same_postcode }, words.length > 0),
  }));
}

interface Search {
  words: string[];
  given: string;
  family: string;
  dateOfBirth: string | null;
  postcode: string | null;
  openOnly: boolean;
}

/** Children with exactly the names searched (either order), or the date of birth, or an address at the postcode. */
function exactly(search: Search): RawBuilder<boolean> {
  const names = !search.family
    ? sql<boolean>`false`
    : search.given
      ? sql<boolean>`((c.family_key = ${search.family} AND c.given_key = ${search.given}) OR (c.family_key = ${search.given} AND c.given_key = ${search.family}))`
      : sql<boolean>`(c.family_key = ${search.family} OR c.given_key = ${search.family})`;
  return sql<boolean>`(${names} OR c.date_of_birth = ${search.dateOfBirth}::date
    OR c.id = ANY (ARRAY(SELECT a.child_id FROM child_addresses a WHERE a.postcode = ${search.postcode}::text)))`;
}

/**
 * Children whose name keys are among the candidates for the words searched (lantern_name_candidates,
 * called once a word: the keys CTE). Key equality is leakproof, so under row-level security it is
 * an index condition.
 */
function alike(search: Search): RawBuilder<boolean> {
  const keys = (column: 'family' | 'given') => sql<string[]>`(SELECT ${sql.ref(column)} FROM keys)::text[]`;
  if (!search.given) return sql<boolean>`(c.family_key = ANY (${keys('family')}) OR c.given_key = ANY (${keys('family')}))`;
  // A double-barrelled family name may be typed as two words (Smith Jones for Smith-Jones): the
  // family keys starting with both, as a leakproof range (keys are a–z only).
  const joined = search.given + search.family;
  return sql<boolean>`((c.family_key = ANY (${keys('family')}) AND c.given_key = ANY (${keys('given')}))
    OR (c.family_key = ANY (${keys('given')}) AND c.given_key = ANY (${keys('family')}))
    OR (c.family_key ~>=~ ${joined} AND c.family_key ~<~ ${joined.slice(0, -1) + String.fromCharCode(joined.charCodeAt(joined.length - 1) + 1)}))`;
}

/**
 * The rows the condition finds, scored (strength 2 likely, 1 possible, 0 none; distance: edits
 * between the names searched and the record's, capped at 3 a name), the closest `limit`.
 */
async function scored(tx: Tx, search: Search, condition: RawBuilder<boolean>, limit: number, keys = sql``, tied = false): Promise<ScoredRow[]> {
  // `tied`: every row the condition finds scores the same, so the closest are the first in name order.
  const children = tied
    ? sql`(SELECT * FROM children c WHERE ${condition} AND c.merged_into_id IS NULL AND (${!search.openOnly} OR c.status = 'open')
             ORDER BY c.family_name, c.given_name, c.id LIMIT ${limit})`
    : sql`children`;
  // The holding agency and the postcode are looked up for the few rows kept, after the limit.
  const result = await sql<ScoredRow>`${keys}
    SELECT r.*, (SELECT a.name FROM agencies a WHERE a.id = r.owning_agency_id) AS agency,
           EXISTS (SELECT 1 FROM child_addresses x WHERE x.child_id = r.id AND x.postcode = ${search.postcode}::text) AS same_postcode
      FROM (
    SELECT m.id, m.reference, m.given_name, m.family_name, m.date_of_birth, m.status, m.risk_level, m.owning_agency_id, m.strength, m.distance,
           m.hit, m.near, m.same_birth
      FROM (SELECT c.id, c.reference, c.given_name, c.family_name, c.date_of_birth, c.status, c.current_risk_level AS risk_level, c.owning_agency_id,
                   s.strength, s.distance, n.same_birth, h.hit, h.near
              FROM (SELECT ${search.words}::text[] AS words, ${search.given}::text AS given, ${search.family}::text AS family,
                           ${search.dateOfBirth}::date AS dob) q
             CROSS JOIN ${children} c
             -- The names alike in the order typed (given then family; an alias as a whole name) or swapped; the date of birth.
             CROSS JOIN LATERAL (SELECT
                    lantern_names_alike(q.family, c.family_key)
                      OR (c.aliases <> '{}' AND EXISTS (SELECT 1 FROM unnest(c.aliases) a WHERE lantern_names_alike(
                            CASE WHEN q.given <> '' THEN q.given ELSE c.given_key END || q.family, lantern_name_key(a)))) AS family_alike,
                    lantern_given_names_alike(CASE WHEN q.given <> '' THEN q.given ELSE q.family END, c.given_key) AS given_alike,
                    q.given <> '' AND lantern_names_alike(q.given, c.family_key) AND lantern_given_names_alike(q.family, c.given_key) AS swapped,
                    c.date_of_birth = q.dob AS same_birth) n
             CROSS JOIN LATERAL (SELECT
                    CASE WHEN q.given <> '' THEN (n.family_alike AND n.given_alike) OR n.swapped ELSE n.family_alike OR n.given_alike END AS hit,
                    CASE WHEN q.given <> '' THEN n.family_alike OR n.given_alike OR n.swapped ELSE true END AS near) h
             CROSS JOIN LATERAL (SELECT
                    CASE WHEN h.hit AND n.same_birth THEN 2
                         WHEN h.hit OR (n.same_birth AND h.near) THEN 1
                         -- Every word searched appears in the record's names or aliases (Smith in Smithson).
                         WHEN cardinality(q.words) > 0 AND (q.dob IS NULL OR n.same_birth)
                              AND NOT EXISTS (SELECT 1 FROM unnest(q.words) w
                                               WHERE strpos(c.given_key || c.family_key || lantern_name_key(array_to_string(c.aliases, '')), w) = 0) THEN 1
                         ELSE 0 END AS strength,
                    CASE WHEN q.given <> '' THEN least(lantern_name_distance(q.family, c.family_key) + lantern_name_distance(q.given, c.given_key),
                                                       lantern_name_distance(q.given, c.family_key) + lantern_name_distance(q.family, c.given_key))
                         WHEN q.family <> '' THEN least(lantern_name_distance(q.family, c.family_key), lantern_name_distance(q.family, c.given_key))
                         ELSE 0 END AS distance) s
             WHERE ${condition} AND c.merged_into_id IS NULL AND (${!search.openOnly} OR c.status = 'open')
            -- Scored once per row, not again for the filter and the order below.
            OFFSET 0) m
     WHERE m.strength > 0 OR (${search.words.length === 0 && search.postcode !== null} AND (${search.dateOfBirth}::date IS NULL OR m.same_birth))
     ORDER BY m.strength DESC, m.distance, m.family_name, m.given_name, m.id
     LIMIT ${limit}) r
     ORDER BY r.strength DESC, r.distance, r.family_name, r.given_name, r.id`.execute(tx);
  return result.rows.map((r) => ({ ...r, strength: Number(r.strength), distance: Number(r.distance) }));
}
