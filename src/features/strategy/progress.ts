// The rules about progress that do not need the database: reporting quarters are calendar quarters
// named by their first day ('2026-10-01'; src/dates.ts works them out), and an action is overdue
// when its due date has passed and it is neither completed (Blue) nor not applicable.
import { addMonths, addQuarters, formatIsoDate, quarterOf, type IsoDate } from '../../dates.ts';
import { currentLanguage, translator, type Language } from '../../i18n/i18n.ts';
import type { RagStatus } from './domain/rag.ts';

/** "October to December 2026" ("Hydref – Rhagfyr 2026" in Welsh), in the language asked for or the page's. */
export function quarterLabel(quarter: IsoDate, language: Language = currentLanguage()): string {
  return translator(language)('documents.quarterLabel', {
    from: formatIsoDate(quarter, 'MMMM', language),
    to: formatIsoDate(addMonths(quarter, 2), 'MMMM yyyy', language),
  });
}

/** The quarter `today` is in and the ones before it, newest first: what a user may report on. */
export function recentQuarters(today: IsoDate, count = 4): IsoDate[] {
  const current = quarterOf(today);
  return Array.from({ length: count }, (_, i) => addQuarters(current, -i));
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
