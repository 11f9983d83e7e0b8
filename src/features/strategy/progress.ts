import { addMonths, format, parseISO, startOfQuarter } from 'date-fns';
import type { RagStatus } from './domain/rag.ts';

/**
 * Quarters and the rules about progress that do not need the database: reporting quarters are
 * calendar quarters named by their first day ('2026-10-01'), and an action is overdue when its
 * due date has passed and it is neither completed (Blue) nor not applicable.
 */
export function quarterOf(day: Date): string {
  return format(startOfQuarter(day), 'yyyy-MM-dd');
}

export function shiftQuarter(quarterStart: string, quarters: number): string {
  return format(addMonths(parseISO(quarterStart), quarters * 3), 'yyyy-MM-dd');
}

/** Last day of the quarter, as an ISO date. */
export function quarterEnd(quarterStart: string): string {
  return format(addMonths(parseISO(quarterStart), 3).getTime() - 86_400_000, 'yyyy-MM-dd');
}

/** "October to December 2026". */
export function quarterLabel(quarterStart: string): string {
  const start = parseISO(quarterStart);
  const end = addMonths(start, 2);
  return `${format(start, 'MMMM')} to ${format(end, 'MMMM yyyy')}`;
}

/** The quarter and the three before it, newest first: what a user may report on. */
export function recentQuarters(today: Date, count = 4): string[] {
  const current = quarterOf(today);
  return Array.from({ length: count }, (_, i) => shiftQuarter(current, -i));
}

const finished: readonly RagStatus[] = ['blue', 'not-applicable'];

export function isOverdue(status: string, dueOn: string | null, today: string): boolean {
  return dueOn !== null && dueOn < today && !finished.includes(status as RagStatus);
}

/**
 * Scrutiny reads Green as "on track": an action past its due date may only stay Green when
 * someone has said why (seeds 003, 004). Returns the translation key of the problem, or null.
 */
export function greenOverdueProblem(status: string, dueOn: string | null, note: string, today: string): string | null {
  if (status === 'green' && dueOn !== null && dueOn < today && note.trim() === '') return 'strategy.validation.greenOverdueNeedsNote';
  return null;
}

export const isoDay = (d: Date) => format(d, 'yyyy-MM-dd');

/**
 * A `date` column as an ISO day. The server driver returns strings; the embedded database
 * (PGlite) returns a Date at UTC midnight, so both are accepted.
 */
export function asDay(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' ? value.slice(0, 10) : null;
}
