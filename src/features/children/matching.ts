/**
 * Near-duplicate detection for child records. pg_trgm and fuzzystrmatch are not available in the
 * embedded database, so the database narrows the candidates with a normalised-name key (the SQL
 * function lantern_name_key, generated columns given_key/family_key) and the date of birth, and
 * this module scores them: normalised names compared by edit distance, plus the date of birth.
 */

/** Lower-case ASCII letters only: accents folded, spaces, hyphens and apostrophes dropped. */
export function normaliseName(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ł/g, 'l')
    .replace(/[^a-z]/g, '');
}

/** Levenshtein distance with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Names count as alike when their normalised forms are within 1 edit (short names) or 2 (longer
 * ones). Given names also count when they share their first four letters (Kayleigh and Kayley,
 * Alexandra and Alex), which edit distance alone misses.
 */
export function namesAlike(a: string, b: string, options: { sharedStart?: boolean; normalise?: (name: string) => string } = {}): boolean {
  const normalise = options.normalise ?? normaliseName;
  const x = normalise(a);
  const y = normalise(b);
  if (!x || !y) return false;
  if (options.sharedStart && x.length >= 4 && y.length >= 4 && x.slice(0, 4) === y.slice(0, 4)) return true;
  const allowed = Math.min(x.length, y.length) <= 4 ? 1 : 2;
  return editDistance(x, y, allowed) <= allowed;
}

export interface MatchInput {
  givenName: string;
  familyName: string;
  dateOfBirth?: string | null;
}

export interface MatchCandidate {
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  aliases?: string[] | null;
}

export type MatchStrength = 'likely' | 'possible' | 'none';

/**
 * How strongly a record looks like the person searched for. Likely: both names alike (or an alias
 * alike) and the same date of birth. Possible: the names alike, or the family name and date of birth.
 */
export function matchStrength(input: MatchInput, candidate: MatchCandidate, normalise: (name: string) => string = normaliseName): MatchStrength {
  const familyAlike = namesAlike(input.familyName, candidate.family_name, { normalise })
    || (candidate.aliases ?? []).some((alias) => namesAlike(`${input.givenName} ${input.familyName}`, alias, { normalise }));
  const givenAlike = namesAlike(input.givenName, candidate.given_name, { sharedStart: true, normalise });
  const sameBirth = !!input.dateOfBirth && input.dateOfBirth === candidate.date_of_birth;
  if (familyAlike && givenAlike && sameBirth) return 'likely';
  if ((familyAlike && givenAlike) || (sameBirth && (familyAlike || givenAlike))) return 'possible';
  return 'none';
}

/**
 * normaliseName remembered for the length of one search: candidates share family names (hundreds
 * of Joneses), and normalising each again was most of a search's time. The memory goes with the search.
 */
export function normaliserForOneSearch(): (name: string) => string {
  const seen = new Map<string, string>();
  return (name) => {
    let key = seen.get(name);
    if (key === undefined) {
      key = normaliseName(name);
      seen.set(name, key);
    }
    return key;
  };
}
