import jaroWinkler from 'jaro-winkler';
import { doubleMetaphone } from 'double-metaphone';
import { distance as levenshtein } from 'fastest-levenshtein';
import { daysBetween, parseIsoDate } from '../../../dates.ts';

/**
 * The comparisons of the Fellegi–Sunter model: each sorts a pair of values into one of a few
 * ordered levels, from the strongest agreement to 'else'. Values are prepared once per record
 * (normalised text, phonetic codes, tokens, date parts) so that comparing a pair is cheap.
 * A missing value on either side is the null level, which weighs nothing (engine/model.ts).
 */
export type ComparisonKind = 'name' | 'date' | 'postcode' | 'address' | 'identifier' | 'exact';

/** A comparison vector stores levels as bytes; this one is "either value is missing". */
export const NULL_LEVEL = 255;

const normalise = (value: string | null | undefined): string | null => {
  if (value === null || value === undefined) return null;
  const text = value.trim().toLowerCase().replace(/\s+/g, ' ');
  return text === '' ? null : text;
};

// ---- names ----------------------------------------------------------------------------------

export interface NameValue {
  readonly text: string;
  readonly codes: readonly [string, string];
}

export function prepareName(value: string | null | undefined): NameValue | null {
  const text = normalise(value);
  return text === null ? null : { text, codes: doubleMetaphone(text) };
}

/** The bands of Jaro–Winkler similarity, strongest first; Double Metaphone sits between the last two. */
export const nameLevels = ['exact', 'swapped', 'jaro-winkler ≥ 0.92', 'jaro-winkler ≥ 0.88', 'double metaphone', 'jaro-winkler ≥ 0.7', 'else'] as const;

const metaphoneAlike = (a: NameValue, b: NameValue): boolean =>
  a.codes[0] !== '' && (a.codes[0] === b.codes[0] || a.codes[0] === b.codes[1] || a.codes[1] === b.codes[0]);

/**
 * `swapped` is given by the caller (the two name columns crossed agree, as when a given name was
 * written as the family name); it is asked only when the names differ.
 */
export function compareNames(a: NameValue, b: NameValue, swapped = false): number {
  if (a.text === b.text) return 0;
  if (swapped) return 1;
  const similarity = jaroWinkler(a.text, b.text);
  if (similarity >= 0.92) return 2;
  if (similarity >= 0.88) return 3;
  if (metaphoneAlike(a, b)) return 4;
  if (similarity >= 0.7) return 5;
  return 6;
}

// ---- dates (yyyymmdd) -----------------------------------------------------------------------

export interface DateValue {
  readonly text: string;
  /** Year, month and day as written (8 digits), or null for anything else (compared as text). */
  readonly parts: readonly [string, string, string] | null;
  /** Days since 1 January 1970 when the date exists, for "within a year" (counted once per record, not per pair). */
  readonly day: number | null;
}

export function prepareDate(value: string | null | undefined): DateValue | null {
  const text = normalise(value)?.replace(/\D/g, '') ?? null;
  if (text === null || text === '') return null;
  if (text.length !== 8) return { text, parts: null, day: null };
  const parts = [text.slice(0, 4), text.slice(4, 6), text.slice(6, 8)] as const;
  const date = parseIsoDate(parts.join('-'));
  return { text, parts, day: date === null ? null : daysBetween('1970-01-01', date) };
}

export const dateLevels = ['exact', 'day and month transposed', 'one component different', 'within a year', 'else'] as const;

export function compareDates(a: DateValue, b: DateValue): number {
  if (a.text === b.text) return 0;
  if (a.parts && b.parts) {
    const [ay, am, ad] = a.parts;
    const [by, bm, bd] = b.parts;
    if (ay === by && am === bd && ad === bm) return 1;
    if ((ay === by ? 0 : 1) + (am === bm ? 0 : 1) + (ad === bd ? 0 : 1) === 1) return 2;
  }
  if (a.day !== null && b.day !== null && Math.abs(a.day - b.day) <= 365) return 3;
  return 4;
}

// ---- postcodes ------------------------------------------------------------------------------

export interface PostcodeValue {
  readonly text: string;
  readonly sector: string | null;
  readonly district: string | null;
}

const ukPostcode = /^([A-Z]{1,2}\d[A-Z\d]?)(\d)([A-Z]{2})$/;

/**
 * A UK postcode's sector is its outward code and the inward digit (SW1A 1), its district the
 * outward code (SW1A). Other postcodes (FEBRL's four-digit Australian ones) are read the same way
 * from the right: the code less its last character, then less its last two.
 */
export function preparePostcode(value: string | null | undefined): PostcodeValue | null {
  const text = normalise(value)?.toUpperCase().replace(/\s/g, '') ?? null;
  if (text === null) return null;
  const uk = ukPostcode.exec(text);
  if (uk) return { text, sector: `${uk[1]} ${uk[2]}`, district: uk[1]! };
  return { text, sector: text.length >= 3 ? text.slice(0, -1) : null, district: text.length >= 4 ? text.slice(0, -2) : null };
}

export const postcodeLevels = ['exact', 'same sector', 'same district', 'else'] as const;

export function comparePostcodes(a: PostcodeValue, b: PostcodeValue): number {
  if (a.text === b.text) return 0;
  if (a.sector !== null && a.sector === b.sector) return 1;
  if (a.district !== null && a.district === b.district) return 2;
  return 3;
}

// ---- addresses ------------------------------------------------------------------------------

export interface AddressValue {
  readonly text: string;
  readonly tokens: ReadonlySet<string>;
}

export function prepareAddress(value: string | null | undefined): AddressValue | null {
  const text = normalise(value);
  if (text === null) return null;
  const tokens = new Set(text.split(/[^\p{L}\p{N}]+/u).filter((t) => t !== ''));
  return tokens.size === 0 ? null : { text: [...tokens].join(' '), tokens };
}

export const addressLevels = ['exact', 'token overlap ≥ 0.6', 'token overlap ≥ 0.3', 'else'] as const;

/** Jaccard similarity of the two sets of words. */
export function tokenOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared += 1;
  return shared / (a.size + b.size - shared);
}

export function compareAddresses(a: AddressValue, b: AddressValue): number {
  if (a.text === b.text) return 0;
  const overlap = tokenOverlap(a.tokens, b.tokens);
  if (overlap >= 0.6) return 1;
  if (overlap >= 0.3) return 2;
  return 3;
}

// ---- identifiers and exact values -----------------------------------------------------------

export function prepareIdentifier(value: string | null | undefined): string | null {
  const text = normalise(value)?.replace(/[\s-]/g, '').toUpperCase() ?? null;
  return text === '' ? null : text;
}

export const identifierLevels = ['exact', 'one character off', 'else'] as const;

export function compareIdentifiers(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) <= 1 && levenshtein(a, b) === 1) return 1;
  return 2;
}

export const exactLevels = ['exact', 'else'] as const;

export const prepareExact = normalise;

export const compareExact = (a: string, b: string): number => (a === b ? 0 : 1);

// ---- by kind --------------------------------------------------------------------------------

/** The level labels of each kind; the last is always 'else'. */
export const levelsOf: Record<ComparisonKind, readonly string[]> = {
  name: nameLevels,
  date: dateLevels,
  postcode: postcodeLevels,
  address: addressLevels,
  identifier: identifierLevels,
  exact: exactLevels,
};

type Prepared = NameValue | DateValue | PostcodeValue | AddressValue | string;

export const prepareFor: Record<ComparisonKind, (value: string | null | undefined) => Prepared | null> = {
  name: prepareName,
  date: prepareDate,
  postcode: preparePostcode,
  address: prepareAddress,
  identifier: prepareIdentifier,
  exact: prepareExact,
};

export const compareFor: Record<ComparisonKind, (a: never, b: never) => number> = {
  name: compareNames,
  date: compareDates,
  postcode: comparePostcodes,
  address: compareAddresses,
  identifier: compareIdentifiers,
  exact: compareExact,
};

/** The level of two raw values under a comparison (NULL_LEVEL when either is missing): for tests and one-off use. */
export function levelOf(kind: ComparisonKind, a: string | null, b: string | null): number {
  const pa = prepareFor[kind](a);
  const pb = prepareFor[kind](b);
  if (pa === null || pb === null) return NULL_LEVEL;
  return (compareFor[kind] as (x: Prepared, y: Prepared) => number)(pa, pb);
}
