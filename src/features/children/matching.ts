/**
 * Names for near-duplicate search. Records carry name keys (lantern_name_key: generated columns
 * given_key/family_key); the search scores them in SQL (search.ts, migration 0118).
 */

export type MatchStrength = 'likely' | 'possible' | 'none';

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

/** The words of a name searched (or of a given and a family name), each as a name key; empty words dropped. */
export function nameWords(criteria: { name?: string | null; givenName?: string; familyName?: string }): string[] {
  return (criteria.name ?? `${criteria.givenName ?? ''} ${criteria.familyName ?? ''}`).split(/\s+/).map(normaliseName).filter(Boolean);
}
