/** Parsers for what people type into the children and concern forms. Pure, total, property-tested. */
import { londonDate, parseIsoDate } from '../../dates.ts';

// The UK postcode shape (outward code, space, inward code), including GIR 0AA.
const postcodePattern = /^(GIR0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\d[ABD-HJLNP-UW-Z]{2})$/;

/** A UK postcode in its standard form ("NM1 4QT"), or null when the text is not one. */
export function parsePostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 5 || compact.length > 7 || !postcodePattern.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** A date of birth on a form (src/web/form-fields.ts DateCheck): not in the future, and for someone under 26. */
export function dateOfBirthCheck(date: string, today: string): string | null {
  if (date > today) return 'dates.todayOrPast';
  return date < `${Number(today.slice(0, 4)) - 26}${today.slice(4)}` ? 'dates.children.dateOfBirthAge' : null;
}

/** A date of birth: a real date, not in the future (London's today at `now`), and for someone under 26. */
export function parseDateOfBirth(input: string, now: Date): string | null {
  const iso = parseIsoDate(input);
  return iso && dateOfBirthCheck(iso, londonDate(now)) === null ? iso : null;
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

/** A concern reference people can read over the phone: no 0/O or 1/I, not guessable, not sequential. */
export function newConcernReference(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(8);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return `CN-${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
}

export const concernReferencePattern = /^CN-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;
