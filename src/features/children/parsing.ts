/** Parsers for what people type into the children and concern forms. Pure, total, property-tested. */

// The UK postcode shape (outward code, space, inward code), including GIR 0AA.
const postcodePattern = /^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\d[ABD-HJLNP-UW-Z]{2})$/;

/** A UK postcode in its standard form ("NM1 4QT"), or null when the text is not one. */
export function parsePostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 5 || compact.length > 7 || !postcodePattern.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** A real calendar date written YYYY-MM-DD (what a date input sends), or null. */
export function parseIsoDate(input: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/** A date of birth: a real date, not in the future, and for someone under 26 on `today`. */
export function parseDateOfBirth(input: string, today: Date): string | null {
  const iso = parseIsoDate(input);
  if (!iso) return null;
  const todayIso = today.toISOString().slice(0, 10);
  const earliest = `${today.getUTCFullYear() - 26}${todayIso.slice(4)}`;
  return iso <= todayIso && iso >= earliest ? iso : null;
}

/**
 * Text as people typed it, made safe to keep: control characters (except new lines and tabs) removed,
 * new lines normalised, whitespace trimmed. Nunjucks escapes on output; nothing is ever rendered as HTML.
 */
export function plainText(input: string): string {
  return input
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
}

/**
 * A date column as YYYY-MM-DD. The server driver returns dates as strings; the embedded database
 * returns Date objects at UTC midnight, so both are normalised here.
 */
export function isoDate(value: string | Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** Age in whole years on a date. */
export function ageOn(dateOfBirth: string, on: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  if (on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d)) age--;
  return age;
}

/** A concern reference people can read over the phone: no 0/O or 1/I, not guessable, not sequential. */
export function newConcernReference(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return `CN-${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
}

export const concernReferencePattern = /^CN-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;
