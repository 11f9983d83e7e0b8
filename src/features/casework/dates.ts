// Workers type dates and times as they read them on a clock in the UK; Lantern stores instants in
// UTC. These helpers are total: bad input comes back as null, never as an exception.

const LONDON = 'Europe/London';
const DAY_MS = 86_400_000;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A calendar date 'YYYY-MM-DD' that exists (no 31 February), or null. */
export function parseIsoDate(value: string): { year: number; month: number; day: number } | null {
  const m = datePattern.exec(value.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** Minutes east of UTC that London's clocks show at an instant (0 or 60). */
function londonOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((shown - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a UK wall-clock date and time denote. In the hour the clocks go back the earlier
 * instant is taken; a time skipped when the clocks go forward is read as if the clocks had not moved.
 */
export function londonDateTime(date: string, time: string): Date | null {
  const d = parseIsoDate(date);
  const t = timePattern.exec(time.trim());
  if (!d || !t) return null;
  const wall = Date.UTC(d.year, d.month - 1, d.day, Number(t[1]), Number(t[2]));
  // Try the offset in force an hour either side; keep the first that shows the same wall clock.
  for (const guess of [londonOffsetMinutes(new Date(wall - 3_600_000)), londonOffsetMinutes(new Date(wall + 3_600_000))]) {
    const candidate = new Date(wall - guess * 60_000);
    if (londonOffsetMinutes(candidate) === guess) return candidate;
  }
  return new Date(wall - londonOffsetMinutes(new Date(wall)) * 60_000);
}

/** The UK wall-clock date and time of an instant, as the form fields show them. */
export function toLondonFields(at: Date): { date: string; time: string } {
  const local = new Date(at.getTime() + londonOffsetMinutes(at) * 60_000);
  const iso = local.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** The UK calendar date of an instant, 'YYYY-MM-DD'. */
export function londonDate(at: Date): string {
  return toLondonFields(at).date;
}

/** Whole days from one ISO date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Postgres `date` columns arrive as 'YYYY-MM-DD' strings; timestamps as Date or string. */
export function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A date column as 'YYYY-MM-DD': it arrives as that string from node-postgres and as a Date from PGlite. */
export function isoDay(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}
