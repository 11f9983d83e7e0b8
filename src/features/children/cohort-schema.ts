import { z } from 'zod';
import { riskLevels } from '../assessments/risk-level.ts';
import { flagKinds } from './flag-schema.ts';

/** Age bands of the children list, from the date of birth on today's date in London. */
export const ageBands = ['under10', '10to12', '13to15', '16to17', '18plus'] as const;
export type AgeBand = (typeof ageBands)[number];
/** Each band as [youngest age, oldest age] (inclusive; null: no bound). */
export const ageBandYears: Record<AgeBand, [number | null, number | null]> = {
  under10: [null, 9],
  '10to12': [10, 12],
  '13to15': [13, 15],
  '16to17': [16, 17],
  '18plus': [18, null],
};

export const listSorts = ['name', 'reference', 'risk', 'age', 'activity'] as const;
export type ListSort = (typeof listSorts)[number];
/** A risk level to filter by, or 'none': no level yet. */
export const riskFilters = [...riskLevels, 'none'] as const;

/** A repeated query parameter (flag=a&flag=b) or a single one, as a list of allowed values. */
const many = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.enum(values), z.array(z.enum(values)).max(values.length * 2)])
    .optional()
    .transform((v) => (v === undefined ? [] : [...new Set(Array.isArray(v) ? v : [v])]));
/** An optional id: empty means "any". Anything else that is not a UUID is malformed. */
const anyOrId = z
  .union([z.literal(''), z.uuid()])
  .optional()
  .transform((v) => v || undefined);

/**
 * The children list's query (GET, so a filtered list can be bookmarked and paged): validated here,
 * and anything malformed (an unknown level, a page that is not a number) is a 400, never a default.
 */
export const childFilterQuery = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  risk: many(riskFilters),
  flag: many(flagKinds),
  agency: anyOrId,
  worker: anyOrId,
  locality: anyOrId,
  age: z
    .union([z.literal(''), z.enum(ageBands)])
    .optional()
    .transform((v) => v || undefined),
  missing: z
    .union([z.literal(''), z.literal('30')])
    .optional()
    .transform((v) => v === '30'),
  sort: z.enum(listSorts).default('name'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type ChildFilters = z.output<typeof childFilterQuery>;

/** The list's query string for these filters (page and sort as given): the filters survive paging, sorting and export. */
export function filterQueryString(filters: ChildFilters, overrides: Partial<Pick<ChildFilters, 'page' | 'sort'>> = {}): string {
  const merged = { ...filters, ...overrides };
  const params = new URLSearchParams();
  params.set('status', merged.status);
  for (const r of merged.risk) params.append('risk', r);
  for (const f of merged.flag) params.append('flag', f);
  if (merged.agency) params.set('agency', merged.agency);
  if (merged.worker) params.set('worker', merged.worker);
  if (merged.locality) params.set('locality', merged.locality);
  if (merged.age) params.set('age', merged.age);
  if (merged.missing) params.set('missing', '30');
  params.set('sort', merged.sort);
  if (merged.page > 1) params.set('page', String(merged.page));
  return params.toString();
}
