// The problem profile's periods and areas (issue 13 §1): what a period or area key in the address
// means. Pure: no database, no clock.
import { addMonths, addQuarters, formatIsoDate, quarterOf, type IsoDate } from '../../dates.ts';

export type PeriodKind = 'quarter' | 'calendar_year' | 'financial_year' | 'rolling_year';

/** A period: its key as the address and the tidy cells name it, and its days [start, end). */
export interface Period {
  key: string;
  kind: PeriodKind;
  /** The first day. */
  start: IsoDate;
  /** The day after the last. */
  end: IsoDate;
  /** The first day of its last quarter (what the trend ends with). */
  lastQuarter: IsoDate;
}

const pad = (n: number) => String(n).padStart(2, '0');
const quarterStart = (year: number, q: number): IsoDate => `${year}-${pad((q - 1) * 3 + 1)}-01`;
const minYear = 2000;
const maxYear = 2099;

/**
 * A period from its key, or null when malformed:
 * `2026-Q3` a calendar quarter (July to September 2026); `2026` a calendar year; `FY2026-27` a
 * financial year (1 April 2026 to 31 March 2027); `R12-2026-Q3` the 12 months ending with 2026-Q3.
 */
export function parsePeriod(key: string): Period | null {
  let m = /^(\d{4})-Q([1-4])$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    if (year < minYear || year > maxYear) return null;
    const start = quarterStart(year, Number(m[2]));
    return { key, kind: 'quarter', start, end: addQuarters(start, 1), lastQuarter: start };
  }
  m = /^R12-(\d{4})-Q([1-4])$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    if (year < minYear || year > maxYear) return null;
    const last = quarterStart(year, Number(m[2]));
    return { key, kind: 'rolling_year', start: addQuarters(last, -3), end: addQuarters(last, 1), lastQuarter: last };
  }
  m = /^FY(\d{4})-(\d{2})$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    if (year < minYear || year > maxYear || Number(m[2]) !== (year + 1) % 100) return null;
    const start = `${year}-04-01`;
    return { key, kind: 'financial_year', start, end: `${year + 1}-04-01`, lastQuarter: `${year + 1}-01-01` };
  }
  m = /^(\d{4})$/.exec(key);
  if (m) {
    const year = Number(m[1]);
    if (year < minYear || year > maxYear) return null;
    return { key, kind: 'calendar_year', start: `${year}-01-01`, end: `${year + 1}-01-01`, lastQuarter: `${year}-10-01` };
  }
  return null;
}

/** The key of the quarter a date falls in: '2026-11-02' → '2026-Q4'. */
export function quarterKey(date: IsoDate): string {
  const q = quarterOf(date);
  return `${q.slice(0, 4)}-Q${(Number(q.slice(5, 7)) - 1) / 3 + 1}`;
}

/** The last complete quarter before the one `today` is in: the page's default period. */
export function defaultPeriodKey(today: IsoDate): string {
  return quarterKey(addQuarters(quarterOf(today), -1));
}

/** The periods offered on the page's form, newest first, around `today`: quarters, rolling years, years. */
export function periodChoices(today: IsoDate): Period[] {
  const current = quarterOf(today);
  const keys: string[] = [];
  for (let i = 0; i < 8; i++) keys.push(quarterKey(addQuarters(current, -i)));
  for (let i = 1; i < 5; i++) keys.push(`R12-${quarterKey(addQuarters(current, -i))}`);
  const year = Number(today.slice(0, 4));
  const fyStart = Number(today.slice(5, 7)) >= 4 ? year : year - 1;
  for (let y = fyStart; y > fyStart - 3; y--) keys.push(`FY${y}-${pad((y + 1) % 100)}`);
  for (let y = year; y > year - 3; y--) keys.push(String(y));
  return keys.map((k) => parsePeriod(k)!);
}

/** The first days of the `count` quarters ending with `last`, oldest first. */
export function trendQuarters(last: IsoDate, count: number): IsoDate[] {
  return Array.from({ length: count }, (_, i) => addQuarters(last, i - count + 1));
}

/** The period's first and last month for a label: { from: 'July 2026', to: 'September 2026' }. */
export function periodMonths(period: Period, language: 'en' | 'cy'): { from: string; to: string } {
  return { from: formatIsoDate(period.start, 'MMMM yyyy', language), to: formatIsoDate(addMonths(period.end, -1), 'MMMM yyyy', language) };
}

/** The whole partnership, or one of its localities by id. */
export const partnershipArea = 'partnership';
/** The children with no locality recorded: an area of the hierarchy, never chosen on the page. */
export const notRecordedArea = 'not_recorded';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An area key is 'partnership' or a locality's id (lower case); anything else is malformed. */
export function isAreaKey(key: string): boolean {
  return key === partnershipArea || uuidPattern.test(key);
}
