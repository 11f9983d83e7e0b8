// The profile's figures as tables, in the order of the catalogue: the page (routes.ts) and the annual
// document (annual.ts) both lay them out so. Labels through `t`, in the language being written.
import type { TFunction } from 'i18next';
import { measures, sections, total, type MeasureDefinition } from './catalogue.ts';
import type { ProfileCell } from './figures.ts';

/** Categories whose labels another feature already has. */
const sharedCategoryLabels: Record<string, string> = {
  tactic: 'disruption.tactics.',
  audience: 'assurance.audience.',
  closing_outcome: 'children.outcomes.',
  agency_kind: 'agencyKinds.',
};
export const categoryLabelKey = (breakdown: string, category: string) =>
  category === total ? 'profile.total' : (sharedCategoryLabels[breakdown] ?? `profile.categories.${breakdown}.`) + category;

/** The cells as tables: each section's measures, each measure's breakdowns, each a table of categories with the Total last. */
export function tablesOf(cells: readonly (Omit<ProfileCell, 'value'> & { value: number | string })[], t: TFunction) {
  return sections
    .map((section) => ({
      section,
      measures: Object.entries(measures as Record<string, MeasureDefinition>)
        .filter(([, d]) => d.section === section)
        .map(([measure, d]) => ({
          measure,
          breakdowns: Object.keys(d.breakdowns)
            .map((breakdown) => ({
              breakdown,
              rows: cells
                .filter((c) => c.measure === measure && c.breakdown === breakdown)
                .map((c) => ({ category: c.category, label: t(categoryLabelKey(breakdown, c.category)), value: c.value, total: c.category === total })),
            }))
            .filter((b) => b.rows.length > 0),
        }))
        .filter((m) => m.breakdowns.length > 0),
    }))
    .filter((s) => s.measures.length > 0);
}
