import jaroWinkler from 'jaro-winkler';
import { doubleMetaphone } from 'double-metaphone';
import { distance as levenshtein } from 'fastest-levenshtein';
import { daysBetween, parseIsoDate } from '../../../dates.ts';
import { areNicknames } from './nicknames.ts';

/**
 * The comparisons of the Fellegi–Sunter model: each sorts a pair of values into one of a few
 * ordered levels, from the strongest agreement to 'else'. Values are prepared once per record
 * (normalised text, phonetic codes, tokens, date parts) so that comparing a pair is cheap.
 * A missing value on either side is the null level, which weighs nothing (engine/model.ts).
 */
export type ComparisonKind = 'name' | 'date' | 'postcode' | 'address' | 'identifier' | 'nhsNumber' | 'upn' | 'sex' | 'exact';

/** Every kind, in the order of the settings' enum (settings.ts) and the docs' table. */
export const comparisonKinds = [
  'name',
  'date',
  'postcode',
  'address',
  'identifier',
  'nhsNumber',
  'upn',
  'sex',
  'exact',
] as const satisfies readonly ComparisonKind[];

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

/**
 * Exact, crossed, a nickname of the other (engine/nicknames.ts), then the bands of Jaro–Winkler
 * similarity, strongest first; Double Metaphone sits between the last two.
 */
export const nameLevels = [
  'exact',
  'swapped',
  'nickname',
  'jaro-winkler ≥ 0.92',
  'jaro-winkler ≥ 0.88',
  'double metaphone',
  'jaro-winkler ≥ 0.7',
  'else',
] as const;

const metaphoneAlike = (a: NameValue, b: NameValue): boolean =>
  a.codes[0] !== '' && (a.codes[0] === b.codes[0] || a.codes[0] === b.codes[1] || a.codes[1] === b.codes[0]);

/**
 * `swapped` is given by the caller (the two name columns crossed agree, as when a given name was
 * written as the family name); it is asked only when the names differ.
 */
export function compareNames(a: NameValue, b: NameValue, swapped = false): number {
  if (a.text === b.text) return 0;
  if (swapped) return 1;
  if (areNicknames(a.text, b.text)) return 2;
  const similarity = jaroWinkler(a.text, b.text);
  if (similarity >= 0.92) return 3;
  if (similarity >= 0.88) return 4;
  if (metaphoneAlike(a, b)) return 5;
  if (similarity >= 0.7) return 6;
  return 7;
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

// ---- identifiers ----------------------------------------------------------------------

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

// ---- NHS numbers ----------------------------------------------------------------------------

/**
 * An NHS number's check digit (modulus 11): the first nine digits weighted 10 down to 2, summed;
 * 11 less the remainder by 11 is the tenth digit (11 is written 0; 10 means no number has those nine).
 */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** Ten digits (spaces and hyphens ignored) with a correct check digit; anything else is missing. */
export function prepareNhsNumber(value: string | null | undefined): string | null {
  const text = normalise(value)?.replace(/[\s-]/g, '') ?? null;
  return text !== null && isValidNhsNumber(text) ? text : null;
}

/**
 * The check digit catches every single wrong digit and every swap of neighbours, so between two
 * valid numbers the middle level does not occur (its m and u stay at the floor and it weighs 0);
 * it is there so that a slip that does get through, or a future relaxation, has a place.
 */
export const nhsNumberLevels = ['exact', 'one digit off or transposed', 'else'] as const;

/** Same length, and one position differs or two neighbouring positions are swapped. */
export function oneDigitOffOrTransposed(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ: number[] = [];
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) differ.push(i);
  if (differ.length === 1) return true;
  if (differ.length !== 2) return false;
  const [i, j] = differ as [number, number];
  return j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

export function compareNhsNumbers(a: string, b: string): number {
  if (a === b) return 0;
  return oneDigitOffOrTransposed(a, b) ? 1 : 2;
}

// ---- Unique Pupil Numbers (England) ---------------------------------------------------------

/** The check letters of a UPN, in the order of their values 0 to 22 (no I, O or S). */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * A UPN (DfE, "Unique pupil numbers"): a check letter, the local authority's 3 digits, the
 * establishment's 4, the year's 2 and a serial of 3 (a temporary UPN ends in a letter instead of
 * the last digit). Characters 2 to 13 are weighted 2 to 13 (a digit by its value, a letter by its
 * place in UPN_LETTERS) and summed; the remainder by 23 is the check letter's place.
 */
export function isValidUpn(text: string): boolean {
  if (!/^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$/.test(text)) return false;
  let sum = 0;
  for (let i = 1; i < 13; i += 1) {
    const c = text[i]!;
    sum += (i + 1) * (/\d/.test(c) ? Number(c) : UPN_LETTERS.indexOf(c));
  }
  return UPN_LETTERS[sum % 23] === text[0];
}

/** Thirteen characters (spaces ignored, upper-cased) with a correct check letter; anything else is missing. */
export function prepareUpn(value: string | null | undefined): string | null {
  const text = normalise(value)?.replace(/[\s-]/g, '').toUpperCase() ?? null;
  return text !== null && isValidUpn(text) ? text : null;
}

/** The check letter catches one wrong character and neighbours swapped, so there is no level between. */
export const upnLevels = ['exact', 'else'] as const;

export const compareUpns = (a: string, b: string): number => (a === b ? 0 : 1);

// ---- sex ------------------------------------------------------------------------------------

const SEXES: Readonly<Record<string, 'f' | 'm'>> = { m: 'm', male: 'm', '1': 'm', f: 'f', female: 'f', '2': 'f' };

/**
 * Male (m, male, 1) or female (f, female, 2); anything else (unknown, not known, not stated,
 * other, indeterminate, 0, 9) is missing, so it neither raises nor lowers a pair.
 */
export function prepareSex(value: string | null | undefined): string | null {
  const text = normalise(value);
  return text === null ? null : (SEXES[text] ?? null);
}

export const sexLevels = ['exact', 'else'] as const;

export const compareSexes = (a: string, b: string): number => (a === b ? 0 : 1);

// ---- exact values ---------------------------------------------------------------------------

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
  nhsNumber: nhsNumberLevels,
  upn: upnLevels,
  sex: sexLevels,
  exact: exactLevels,
};

type Prepared = NameValue | DateValue | PostcodeValue | AddressValue | string;

export const prepareFor: Record<ComparisonKind, (value: string | null | undefined) => Prepared | null> = {
  name: prepareName,
  date: prepareDate,
  postcode: preparePostcode,
  address: prepareAddress,
  identifier: prepareIdentifier,
  nhsNumber: prepareNhsNumber,
  upn: prepareUpn,
  sex: prepareSex,
  exact: prepareExact,
};

export const compareFor: Record<ComparisonKind, (a: never, b: never) => number> = {
  name: compareNames,
  date: compareDates,
  postcode: comparePostcodes,
  address: compareAddresses,
  identifier: compareIdentifiers,
  nhsNumber: compareNhsNumbers,
  upn: compareUpns,
  sex: compareSexes,
  exact: compareExact,
};

/** The level of two raw values under a comparison (NULL_LEVEL when either is missing): for tests and one-off use. */
export function levelOf(kind: ComparisonKind, a: string | null, b: string | null): number {
  const pa = prepareFor[kind](a);
  const pb = prepareFor[kind](b);
  if (pa === null || pb === null) return NULL_LEVEL;
  return (compareFor[kind] as (x: Prepared, y: Prepared) => number)(pa, pb);
}
