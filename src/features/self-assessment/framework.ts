// Self-assessment frameworks as versioned data (issue 15 §2), as the case audit tools are
// (case-audits/tool.ts): a framework is a JSON definition with an id and a version, its standards
// grouped by theme, and its own rating scale, every text in English and Welsh. An assessment keeps a
// copy of the framework it was started with, so a later version never changes an assessment made.
import { z } from 'zod';
import { localTextSchema, type LocalText } from '../../i18n/local-text.ts';
import cseStandards from './frameworks/cse-standards.json' with { type: 'json' };
import jointInspectionThemes from './frameworks/joint-inspection-themes.json' with { type: 'json' };

const text = z.string().trim().min(1).max(500);
const key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,40}$/)
  .max(41);
/** A standard's id as a path parameter names it: the framework's key shape (anything else names nothing: 404). */
export const standardKey = key;

export const frameworkSchema = z
  .strictObject({
    id: key,
    version: z.number().int().min(1),
    name: localTextSchema(text),
    description: localTextSchema(z.string().trim().min(1).max(2000)).optional(),
    // Best first. A rating with a score is compared year on year (higher is better); one without ("not
    // assessed") is counted but never compared.
    scale: z
      .array(z.strictObject({ value: key, score: z.number().int().min(0).max(10).nullable(), label: localTextSchema(text) }))
      .min(2)
      .max(8),
    themes: z
      .array(
        z.strictObject({
          id: key,
          title: localTextSchema(text),
          standards: z
            .array(z.strictObject({ id: key, text: localTextSchema(z.string().trim().min(1).max(1000)) }))
            .min(1)
            .max(20),
        }),
      )
      .min(1),
  })
  .superRefine((f, ctx) => {
    const values = new Set<string>();
    for (const option of f.scale) {
      if (values.has(option.value)) ctx.addIssue({ code: 'custom', message: `rating ${option.value} appears twice` });
      values.add(option.value);
    }
    const seen = new Set<string>();
    for (const theme of f.themes)
      for (const s of theme.standards) {
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', message: `standard ${s.id} appears twice` });
        seen.add(s.id);
      }
  });

export type Framework = z.infer<typeof frameworkSchema>;
export interface Standard {
  id: string;
  text: LocalText;
  theme: string;
  themeTitle: LocalText;
}

/** Every standard of the framework, in order, with its theme. */
export const standardsOf = (f: Framework): Standard[] =>
  f.themes.flatMap((theme) => theme.standards.map((s) => ({ ...s, theme: theme.id, themeTitle: theme.title })));

export const findStandard = (f: Framework, id: string) => standardsOf(f).find((s) => s.id === id);
export const ratingOf = (f: Framework, value: string) => f.scale.find((o) => o.value === value);

function load(name: string, json: unknown): Framework {
  const result = frameworkSchema.safeParse(json);
  if (!result.success) throw new Error(`self-assessment framework ${name} is invalid: ${result.error.message}`);
  return result.data;
}

/** The frameworks Lantern ships: CSE standards (modelled on the Welsh national standards' themes) and joint inspection themes. */
export const builtInFrameworks: readonly Framework[] = [load('cse-standards.json', cseStandards), load('joint-inspection-themes.json', jointInspectionThemes)];

export const findFramework = (id: string, version?: number) => builtInFrameworks.find((f) => f.id === id && (version === undefined || f.version === version));

/** The newest version Lantern ships of a framework. */
export const latestFramework = (id: string) =>
  builtInFrameworks.filter((f) => f.id === id).reduce<Framework | undefined>((a, f) => (!a || f.version > a.version ? f : a), undefined);

/** A framework copied into an assessment, read back: the stored JSON is the framework's own, checked again. */
export const storedFramework = (json: unknown): Framework => load('stored', json);

// ── Year on year ───────────────────────────────────────────────────────────────────────────────

export type Change = 'improved' | 'same' | 'worse' | 'not-comparable';

/** The change from one year's rating to the next: by the scale's scores; "not assessed" or no rating compares with nothing. */
export function changeBetween(f: Framework, before: string | undefined, after: string | undefined): Change {
  const a = before === undefined ? undefined : ratingOf(f, before)?.score;
  const b = after === undefined ? undefined : ratingOf(f, after)?.score;
  if (a === undefined || a === null || b === undefined || b === null) return 'not-comparable';
  return b > a ? 'improved' : b < a ? 'worse' : 'same';
}

export interface ComparedAssessment {
  id: string;
  year: number;
  title: string;
  status: string;
  ratings: Record<string, string>;
}

/**
 * The comparison of one framework's assessments, oldest year first: per standard, each year's rating
 * and its change from the year before; per year, how many standards had each rating (and "not rated").
 * The rows are the standards of `f` (the newest version); a standard a year did not have is unrated.
 */
export function compare(f: Framework, assessments: readonly ComparedAssessment[]) {
  const years = [...assessments].sort((a, b) => a.year - b.year);
  const standards = standardsOf(f);
  const rows = standards.map((s) => ({
    standard: s,
    cells: years.map((a, i) => {
      const rating = a.ratings[s.id];
      const previous = i === 0 ? undefined : years[i - 1]!.ratings[s.id];
      return { year: a.year, rating: rating ?? null, change: i === 0 ? null : changeBetween(f, previous, rating) };
    }),
  }));
  const counts = years.map((a) => {
    const byRating: Record<string, number> = Object.fromEntries(f.scale.map((o) => [o.value, 0]));
    let unrated = 0;
    for (const s of standards) {
      const r = a.ratings[s.id];
      if (r !== undefined && r in byRating) byRating[r]!++;
      else unrated++;
    }
    return { year: a.year, byRating, unrated };
  });
  const changes = years.map((a, i) => {
    const tally = { improved: 0, same: 0, worse: 0, 'not-comparable': 0 };
    if (i > 0) for (const row of rows) tally[row.cells[i]!.change!]++;
    return { year: a.year, ...tally, first: i === 0 };
  });
  return { years, rows, counts, changes };
}
