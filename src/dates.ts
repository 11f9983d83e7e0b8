import { TZDate, tz } from '@date-fns/tz';
// One file per function: date-fns's index loads every function it has (about a second on a busy
// machine), which every process and upload worker would pay at start.
import { addDays as addCalendarDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { addMonths as addCalendarMonths } from 'date-fns/addMonths';
import { addQuarters as addCalendarQuarters } from 'date-fns/addQuarters';
import { differenceInCalendarDays } from 'date-fns/differenceInCalendarDays';
import { differenceInYears } from 'date-fns/differenceInYears';
import { format } from 'date-fns/format';
import { isExists } from 'date-fns/isExists';
import { isValid } from 'date-fns/isValid';
import { lastDayOfQuarter } from 'date-fns/lastDayOfQuarter';
import { cy } from 'date-fns/locale/cy';
import { enGB } from 'date-fns/locale/en-GB';
import { parse } from 'date-fns/parse';
import { startOfQuarter } from 'date-fns/startOfQuarter';
import { subHours } from 'date-fns/subHours';

/**
 * Lantern's one date module. Two kinds of value, never mixed:
 * - an instant (a `Date`, a `timestamptz` column): a point in time, shown and bucketed by the
 *   calendar and clocks of Europe/London (through @date-fns/tz);
 * - a calendar date (`IsoDate`, 'YYYY-MM-DD': what a `date` column returns from both drivers, as
 *   src/db/database.ts sets them, and what a date input sends): no time and no zone.
 * Every function gives the same answer whatever the machine's time zone (TZ). Parsers and
 * formatters are total: malformed input gives null (or '' to display), never an exception.
 */

/** A calendar date written 'YYYY-MM-DD'. */
export type IsoDate = string;

const londonZone = 'Europe/London';
const london = tz(londonZone);

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;
const earliestYear = 1900;
const latestYear = 2999;

function dateParts(date: IsoDate): [number, number, number] {
  return date.split('-').map(Number) as [number, number, number];
}

/**
 * A calendar date as a date-fns value: midday on the machine's own calendar. Midday exists on every
 * day in every zone, and the result is read back on the same calendar (`iso`), so the machine's
 * zone never shows. (Going through @date-fns/tz here would cost some 50 µs a date, and the
 * compliance page steps thousands of dates.)
 */
function calendarDay(date: IsoDate): Date {
  const [year, month, day] = dateParts(date);
  return new Date(year, month - 1, day, 12);
}
const iso = (day: Date): IsoDate => format(day, 'yyyy-MM-dd');

// ------------------------------------------------------------------ instants and London

/** The London calendar date of an instant: `londonDate(clock.now())` is today. */
export function londonDate(at: Date): IsoDate {
  return format(at, 'yyyy-MM-dd', { in: london });
}

/** The London wall-clock date and time of an instant, as the date and time fields of a form show them. */
export function toLondonFields(at: Date): { date: IsoDate; time: string } {
  return { date: londonDate(at), time: format(at, 'HH:mm', { in: london }) };
}

/**
 * The instant a London wall-clock date ('YYYY-MM-DD') and time ('HH:mm') denote, or null. In the
 * hour the clocks go back the earlier instant (BST) is taken; a time skipped when the clocks go
 * forward is read as if they had not moved (01:30 on that day is 01:30 UTC).
 */
export function londonDateTime(date: string, time: string): Date | null {
  const day = parseIsoDate(date);
  const clock = timePattern.exec(time.trim());
  if (!day || !clock) return null;
  const [year, month, dayOfMonth] = dateParts(day);
  const at = new TZDate(year, month - 1, dayOfMonth, Number(clock[1]), Number(clock[2]), londonZone);
  // TZDate takes the later of two instants that show the same time; the hour before is the earlier.
  const hourBefore = subHours(at, 1);
  const repeated = format(hourBefore, 'yyyy-MM-dd HH:mm', { in: london }) === `${day} ${clock[1]}:${clock[2]}`;
  return new Date((repeated ? hourBefore : at).getTime());
}

/** The instant a London calendar day starts: a range query's inclusive lower bound. */
export function startOfLondonDay(date: IsoDate): Date {
  const [year, month, day] = dateParts(date);
  return new Date(new TZDate(year, month - 1, day, londonZone).getTime());
}

/** The instant the London day after `date` starts: a range query's exclusive upper bound (23 or 25 hours on clock-change days). */
export function endOfLondonDay(date: IsoDate): Date {
  return startOfLondonDay(addDays(date, 1));
}

/**
 * The calendar date a zone-less `Date` carries: a spreadsheet cell (exceljs reads one as UTC
 * midnight), or a random date from the demo data's faker. An instant someone lived through is read
 * with londonDate instead.
 */
export function utcDate(value: Date): IsoDate {
  return value.toISOString().slice(0, 10);
}

// Durations are exact, whatever the clocks do: 72 hours after a return is 72 hours. (date-fns's
// addDays on an instant counts the machine's days, so instants move by hours here.)
export { addHours, subHours };

// ------------------------------------------------------------------ calendar dates

/** A real calendar date written 'YYYY-MM-DD' (what a date input sends) in the years 1900–2999, or null: no 31 February. */
export function parseIsoDate(text: string): IsoDate | null {
  const value = text.trim();
  const match = isoPattern.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < earliestYear || year > latestYear) return null;
  return isExists(year, month - 1, day) ? value : null;
}

/** The three boxes of the GOV.UK date input, in the order they show. */
export const datePartNames = ['day', 'month', 'year'] as const;
export type DatePart = (typeof datePartNames)[number];

/**
 * What the three boxes of a date input made: a date, or why not and which boxes are wrong (the
 * boxes to highlight, the first of them the one the error summary links to). The problems follow
 * the GOV.UK date input's error messages: nothing entered ("Enter …"), a box left empty ("… must
 * include a month"), a year without 4 numbers, or no real date ("… must be a real date").
 */
export type DateInputResult = { ok: true; date: IsoDate } | { ok: false; problem: 'required' | 'incomplete' | 'yearDigits' | 'real'; parts: DatePart[] };

// Month names are accepted in the month box, as people type them: 'Mar', 'march', 'Sept'.
const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
function monthNumber(text: string): string {
  const word = text.toLowerCase();
  const index = word.length >= 3 ? monthNames.findIndex((name) => name.startsWith(word)) : -1;
  return index < 0 ? text : String(index + 1);
}

/**
 * Reads the day, month and year boxes (each as posted: a string, or anything else when the request
 * was tampered with). Surrounding spaces and leading zeros are allowed, the month may be a name,
 * and the year needs four digits (26 is not taken for 2026); the years 1900–2999 only.
 */
export function readDateInput(boxes: Partial<Record<DatePart, unknown>> | null | undefined): DateInputResult {
  const text = (part: DatePart) => {
    const value = boxes?.[part];
    return typeof value === 'string' ? value.trim() : value === undefined ? '' : null;
  };
  const given = { day: text('day'), month: text('month'), year: text('year') };
  const empty = datePartNames.filter((part) => given[part] === '');
  if (empty.length === 3) return { ok: false, problem: 'required', parts: [...datePartNames] };
  if (empty.length > 0) return { ok: false, problem: 'incomplete', parts: empty };
  const month = given.month === null ? null : monthNumber(given.month);
  const malformed = datePartNames.filter((part) => {
    const value = part === 'month' ? month : given[part];
    return value === null || !(part === 'year' ? /^\d+$/ : /^\d{1,2}$/).test(value);
  });
  if (malformed.length > 0) return { ok: false, problem: 'real', parts: malformed };
  const [day, monthOfYear, year] = [Number(given.day), Number(month), given.year!];
  if (!/^\d{4}$/.test(year)) return { ok: false, problem: 'yearDigits', parts: ['year'] };
  if (monthOfYear < 1 || monthOfYear > 12) return { ok: false, problem: 'real', parts: ['month'] };
  if (day < 1 || day > 31) return { ok: false, problem: 'real', parts: ['day'] };
  if (Number(year) < earliestYear || Number(year) > latestYear) return { ok: false, problem: 'real', parts: ['year'] };
  // 31 April, 29 February 2026: the day or the month may be the mistake.
  if (!isExists(Number(year), monthOfYear - 1, day)) return { ok: false, problem: 'real', parts: ['day', 'month'] };
  return { ok: true, date: `${year}-${String(monthOfYear).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** A date typed into the GOV.UK date input's three boxes, or null when they do not make a real date (readDateInput says why). */
export function parseDayMonthYear(fields: { day: string; month: string; year: string }): IsoDate | null {
  const read = readDateInput(fields);
  return read.ok ? read.date : null;
}

/** A calendar date as the date input's boxes show it: '2026-03-05' → 5, 3, 2026 (empty boxes when it is not a date). */
export function dateInputValues(date: IsoDate | null | undefined): Record<DatePart, string> {
  const day = date ? parseIsoDate(date) : null;
  if (!day) return { day: '', month: '', year: '' };
  const [year, month, dayOfMonth] = dateParts(day);
  return { day: String(dayOfMonth), month: String(month), year: String(year) };
}

/**
 * A time of day typed into a time field, on the 24-hour clock: '21:30', '9:30', '21.30' or '2130'
 * (a phone's number pad has no colon), as 'HH:mm'; null when it is not a time of day.
 */
export function parseClockTime(text: string): string | null {
  const match = /^(\d{1,2})[:.](\d{2})$|^(\d{2})(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [hours, minutes] = [Number(match[1] ?? match[3]), Number(match[2] ?? match[4])];
  if (hours > 23 || minutes > 59) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** A date written the way people write them, tried against each date-fns pattern in turn ('dd/MM/yyyy', 'd MMMM yyyy' …). */
export function parseDateText(text: string, patterns: readonly string[]): IsoDate | null {
  const value = text.trim();
  const reference = calendarDay('2000-01-01');
  for (const pattern of patterns) {
    const parsed = parse(value, pattern, reference, { locale: enGB });
    if (isValid(parsed)) return parseIsoDate(iso(parsed));
  }
  return null;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return iso(addCalendarDays(calendarDay(date), days));
}

/** Months later (or earlier); the 31st of a shorter month becomes its last day. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  return iso(addCalendarMonths(calendarDay(date), months));
}

/** Whole calendar days from one date to another (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return differenceInCalendarDays(calendarDay(to), calendarDay(from));
}

/** Age in completed years on a date. A birthday on 29 February counts from 1 March in other years. */
export function ageOn(dateOfBirth: IsoDate, on: IsoDate): number {
  return differenceInYears(calendarDay(on), calendarDay(dateOfBirth));
}

// ------------------------------------------------------------------ quarters (calendar quarters, named by their first day)

/** The quarter a date falls in, named by its first day: '2026-11-02' → '2026-10-01'. */
export function quarterOf(date: IsoDate): IsoDate {
  return iso(startOfQuarter(calendarDay(date)));
}

/** The last day of a quarter: '2026-10-01' → '2026-12-31'. */
export function quarterEnd(quarter: IsoDate): IsoDate {
  return iso(lastDayOfQuarter(calendarDay(quarter)));
}

/** The quarter so many quarters later (negative: earlier). */
export function addQuarters(quarter: IsoDate, quarters: number): IsoDate {
  return iso(addCalendarQuarters(calendarDay(quarter), quarters));
}

// ------------------------------------------------------------------ display

// Pages show dates through Intl's formatters (en-GB, or cy-GB on a Welsh page: '5 Mawrth 2026'), built
// once per language: date-fns's `format` through @date-fns/tz gives the same text (dates.test.ts checks
// it) but costs some 50 µs a date against 3 µs, and a page of the audit trail shows hundreds. CLDR's
// en-GB writes "Sept".
type DisplayLanguage = 'en' | 'cy';
function displayFormats(locale: string) {
  return {
    date: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: londonZone }),
    calendarDate: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
    dateTime: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: londonZone }),
  };
}
const displayedIn: Record<DisplayLanguage, ReturnType<typeof displayFormats>> = { en: displayFormats('en-GB'), cy: displayFormats('cy-GB') };

/** A string or Date as an instant, or null when it is not one. */
function instantOf(value: Date | string): Date | null {
  const at = typeof value === 'string' ? new Date(value) : value;
  return isValid(at) ? at : null;
}

/**
 * A date for reading, in the GOV.UK style: '5 March 2026'. A calendar date ('YYYY-MM-DD') shows as
 * itself; an instant (a Date or an ISO timestamp) as its London date.
 */
export function formatDate(value: Date | string | null | undefined, language: DisplayLanguage = 'en'): string {
  if (!value) return '';
  const displayed = displayedIn[language];
  const date = typeof value === 'string' ? parseIsoDate(value) : null;
  if (date) {
    const [year, month, day] = dateParts(date);
    return displayed.calendarDate.format(Date.UTC(year, month - 1, day));
  }
  const at = instantOf(value);
  return at ? displayed.date.format(at) : '';
}

/** An instant with its London time, as tables show it: '5 Mar 2026, 14:30' ('5 Sept 2026, 09:00'). */
export function formatDateTime(value: Date | string | null | undefined, language: DisplayLanguage = 'en'): string {
  const at = value ? instantOf(value) : null;
  return at ? displayedIn[language].dateTime.format(at) : '';
}

/** A calendar date in another date-fns pattern: formatIsoDate('2026-10-01', 'MMMM yyyy') is 'October 2026' ('Hydref 2026' in Welsh). */
export function formatIsoDate(date: IsoDate, pattern: string, language: DisplayLanguage = 'en'): string {
  const day = parseIsoDate(date);
  return day ? format(calendarDay(day), pattern, { locale: language === 'cy' ? cy : enGB }) : '';
}

/** The twelve months' short names in a language, January first: “Jan” … or “Ion” … (a chart's axis). */
export function shortMonthNames(language: DisplayLanguage = 'en'): string[] {
  return Array.from({ length: 12 }, (_, month) => format(new Date(2026, month, 1), 'MMM', { locale: language === 'cy' ? cy : enGB }));
}
