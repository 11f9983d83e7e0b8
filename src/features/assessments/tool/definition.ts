import { localTextSchema } from '../../../i18n/local-text.ts';
// A risk assessment tool is data, not code: a partnership loads a versioned
// definition (its own, or a licensed one such as SERAF) and the engine scores it.
// Everything a worker sees comes from here, so a definition is validated strictly:
// unknown keys are rejected so a typo in a loaded file fails loudly, not silently.
import { z } from 'zod';
import { textIn, type LocalText } from '../../../i18n/local-text.ts';
import { riskLevels } from '../risk-level.ts';

export { textIn, type LocalText };

// Tool ids appear in URLs and stored assessments, so keep them to lowercase kebab case.
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens, e.g. "cse-screening"');

// Ids of sections, indicators, windows and bands are keys in stored answers.
const key = z
  .string()
  .max(64)
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use only letters, digits, "-" or "_"');

const text = z.string().trim().min(1, 'must not be empty');

// Every text a person reads is either one text (as every definition before Welsh: shown in every
// language) or each language's own, English required: { "en": "…", "cy": "…" } (issue 11). A text
// without Welsh shows in English on a Welsh page; textsWithoutWelsh lists them.
const localText = localTextSchema(text);

// More than 4 windows would need 15+ rows in the points table; no known tool needs it.
const MAX_WINDOWS = 4;

const windowSchema = z.strictObject({ id: key, label: localText });

const indicatorSchema = z.strictObject({
  id: key,
  text: localText,
  guidance: localText.optional(),
});

// Points are keyed by the exact combination of windows ticked, so "both" can be
// worth something other than the sum (SERAF-style: current 5, earlier 1, both 6).
const pointsRowSchema = z.strictObject({
  windows: z.array(key).min(1, 'must name at least one window'),
  points: z.int().min(0, 'must be 0 or more'),
});

export const sectionKinds = ['vulnerability', 'moderate', 'significant', 'generic'] as const;

const sectionSchema = z.strictObject({
  id: key,
  title: localText,
  kind: z.enum(sectionKinds),
  description: localText.optional(),
  windows: z.array(windowSchema).min(1).max(MAX_WINDOWS),
  points: z.array(pointsRowSchema).min(1),
  indicators: z.array(indicatorSchema).min(1, 'a section needs at least one indicator'),
});

// Bands are listed from least to most serious; that order ranks categories.
// `max` is optional (inclusive) and only there so a file reads like "6–10 mild".
// `level` is the child's risk level (one vocabulary for every tool) that the band suggests: the
// practitioner's judgement is recorded in that vocabulary, pre-filled from it (docs/DECISIONS.md 23).
const bandSchema = z.strictObject({
  key,
  label: localText,
  level: z.enum(riskLevels, { message: `must be one of: ${riskLevels.join(', ')}` }),
  min: z.int().min(0),
  max: z.int().min(0).optional(),
});

const overrideSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('minimumCategoryUnderAge'),
    age: z.int().min(1).max(25),
    category: key,
    explanation: localText.optional(),
  }),
  z.strictObject({
    type: z.literal('minimumCategoryIfAnyIndicator'),
    indicators: z.array(key).min(1),
    category: key,
    explanation: localText.optional(),
  }),
]);

export const DEFAULT_REVIEW_INTERVAL_DAYS = 91; // "review at least every 3 months"

export const toolDefinitionSchema = z
  .strictObject({
    id: slug,
    version: z.int().min(1),
    name: localText,
    description: localText,
    attribution: localText.optional(),
    sections: z.array(sectionSchema).min(1),
    bands: z.array(bandSchema).min(1),
    overrides: z.array(overrideSchema).default([]),
    reviewIntervalDays: z.int().min(1).max(366).default(DEFAULT_REVIEW_INTERVAL_DAYS),
  })
  .superRefine((def, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    reportDuplicates(
      def.sections.map((s) => s.id),
      (i, id) => issue(['sections', i, 'id'], `duplicate section id "${id}"`),
    );

    // Indicator ids are unique across the whole tool because answers are keyed by them alone.
    const indicatorIds = new Set<string>();
    def.sections.forEach((section, si) => {
      section.indicators.forEach((ind, ii) => {
        if (indicatorIds.has(ind.id)) issue(['sections', si, 'indicators', ii, 'id'], `duplicate indicator id "${ind.id}"`);
        indicatorIds.add(ind.id);
      });
      checkPointsTable(section, (path, message) => issue(['sections', si, ...path], message));
    });

    checkBands(def.bands, (path, message) => issue(['bands', ...path], message));

    const bandKeys = new Set(def.bands.map((b) => b.key));
    def.overrides.forEach((o, oi) => {
      if (!bandKeys.has(o.category)) {
        issue(['overrides', oi, 'category'], `unknown category "${o.category}"; expected one of: ${[...bandKeys].join(', ')}`);
      }
      if (o.type === 'minimumCategoryIfAnyIndicator') {
        o.indicators.forEach((id, ii) => {
          if (!indicatorIds.has(id)) issue(['overrides', oi, 'indicators', ii], `unknown indicator "${id}"`);
        });
      }
    });
  });

/** A validated tool definition (defaults filled in). */
export type ToolDefinition = z.output<typeof toolDefinitionSchema>;
export type ToolSection = ToolDefinition['sections'][number];
export type ToolIndicator = ToolSection['indicators'][number];
export type ToolBand = ToolDefinition['bands'][number];
export type ToolOverride = ToolDefinition['overrides'][number];

/** Every text of a definition a person reads, with its JSON path: the name, each question, label and explanation. */
export function toolTexts(def: ToolDefinition): { path: string; text: LocalText }[] {
  const out: { path: string; text: LocalText }[] = [];
  const add = (path: (string | number)[], text: LocalText | undefined) => {
    if (text !== undefined) out.push({ path: formatPath(path), text });
  };
  add(['name'], def.name);
  add(['description'], def.description);
  add(['attribution'], def.attribution);
  def.sections.forEach((s, si) => {
    add(['sections', si, 'title'], s.title);
    add(['sections', si, 'description'], s.description);
    s.windows.forEach((w, wi) => add(['sections', si, 'windows', wi, 'label'], w.label));
    s.indicators.forEach((ind, ii) => {
      add(['sections', si, 'indicators', ii, 'text'], ind.text);
      add(['sections', si, 'indicators', ii, 'guidance'], ind.guidance);
    });
  });
  def.bands.forEach((b, bi) => add(['bands', bi, 'label'], b.label));
  def.overrides.forEach((o, oi) => add(['overrides', oi, 'explanation'], o.explanation));
  return out;
}

/** The paths of the texts that have no Welsh of their own, so show in English on a Welsh page. */
export function textsWithoutWelsh(def: ToolDefinition): string[] {
  return toolTexts(def)
    .filter(({ text }) => typeof text === 'string' || text.cy === undefined)
    .map(({ path }) => path);
}

type Report = (path: (string | number)[], message: string) => void;

function reportDuplicates(ids: readonly string[], report: (index: number, id: string) => void): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) report(i, id);
    seen.add(id);
  });
}

/** Canonical key for a set of window ids, in the section's window order. */
export function combinationKey(section: Pick<ToolSection, 'windows'>, windowIds: Iterable<string>): string {
  const ticked = new Set(windowIds);
  return section.windows
    .filter((w) => ticked.has(w.id))
    .map((w) => w.id)
    .join('+');
}

// The table must give points for every non-empty combination exactly once, so
// scoring is total; and ticking an extra window must never lower the points,
// so that more evidence can never make a child look safer.
function checkPointsTable(section: z.output<typeof sectionSchema>, report: Report): void {
  const windowIds = section.windows.map((w) => w.id);
  reportDuplicates(windowIds, (i, id) => report(['windows', i, 'id'], `duplicate window id "${id}"`));
  const known = new Set(windowIds);

  const table = new Map<string, number>();
  section.points.forEach((row, ri) => {
    const unknown = row.windows.filter((w) => !known.has(w));
    if (unknown.length > 0) {
      report(['points', ri, 'windows'], `unknown window(s) ${unknown.map((w) => `"${w}"`).join(', ')}; expected: ${windowIds.join(', ')}`);
      return;
    }
    if (new Set(row.windows).size !== row.windows.length) {
      report(['points', ri, 'windows'], 'a window is listed twice');
      return;
    }
    const k = combinationKey(section, row.windows);
    if (table.has(k)) report(['points', ri, 'windows'], `combination "${k}" is given points more than once`);
    table.set(k, row.points);
  });

  if (new Set(windowIds).size !== windowIds.length) return; // subsets are meaningless until ids are unique
  const subsets = nonEmptySubsets(windowIds);
  for (const subset of subsets) {
    const k = subset.join('+');
    if (!table.has(k)) report(['points'], `no points given for combination "${k}"`);
  }
  for (const subset of subsets) {
    const p = table.get(subset.join('+'));
    if (p === undefined) continue;
    for (const w of windowIds) {
      if (subset.includes(w)) continue;
      const bigger = combinationKey(section, [...subset, w]);
      const q = table.get(bigger);
      if (q !== undefined && q < p) {
        report(['points'], `"${bigger}" scores ${q}, less than "${subset.join('+')}" (${p}); ticking more must not lower the score`);
      }
    }
  }
}

/** All non-empty subsets of `items`, each in the original order. */
export function nonEmptySubsets<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    out.push(items.filter((_, i) => (mask & (1 << i)) !== 0));
  }
  return out;
}

// Bands must cover every score from 0 upward with no gaps or overlaps,
// otherwise some total would have no category (or two).
function checkBands(bands: z.output<typeof bandSchema>[], report: Report): void {
  reportDuplicates(
    bands.map((b) => b.key),
    (i, k) => report([i, 'key'], `duplicate band key "${k}"`),
  );
  // Two bands must never read alike, in either language (a label the English check found is not told twice).
  const alike = new Set<number>();
  for (const language of ['en', 'cy'] as const) {
    reportDuplicates(
      bands.map((b) => textIn(b.label, language)),
      (i, l) => {
        if (!alike.has(i)) report([i, 'label'], `duplicate band label "${l}"`);
        alike.add(i);
      },
    );
  }
  bands.forEach((band, i) => {
    const previous = bands[i - 1];
    if (previous && riskLevels.indexOf(band.level) < riskLevels.indexOf(previous.level)) {
      report([i, 'level'], `level "${band.level}" is below the previous band's "${previous.level}"; a more serious band must not suggest a lower level`);
    }
  });
  const first = bands[0];
  if (first && first.min !== 0) report([0, 'min'], `the first band must start at 0, not ${first.min}`);
  bands.forEach((band, i) => {
    const next = bands[i + 1];
    if (band.max !== undefined && band.max < band.min) report([i, 'max'], `max ${band.max} is below min ${band.min}`);
    if (next === undefined) {
      if (band.max !== undefined) report([i, 'max'], 'the last band must have no max, so it covers every higher score');
      return;
    }
    if (next.min <= band.min) report([i + 1, 'min'], `bands must ascend: min ${next.min} is not above ${band.min}`);
    if (band.max !== undefined && band.max !== next.min - 1) {
      report([i, 'max'], `max ${band.max} must be ${next.min - 1}, one below the next band's min, so bands neither overlap nor leave a gap`);
    }
  });
}

export type DefinitionError = { path: string; message: string };
export type ParseResult = { ok: true; definition: ToolDefinition } | { ok: false; errors: DefinitionError[] };

/** Validate untrusted JSON (e.g. an uploaded file). Never throws. */
export function parseToolDefinition(json: unknown): ParseResult {
  try {
    const result = toolDefinitionSchema.safeParse(json);
    if (result.success) return { ok: true, definition: result.data };
    return {
      ok: false,
      errors: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    };
  } catch (err) {
    // safeParse should not throw, but a hostile input (e.g. a throwing getter) must not crash an upload.
    return { ok: false, errors: [{ path: '(root)', message: `could not read definition: ${String(err)}` }] };
  }
}

/** ["sections", 0, "id"] → "sections[0].id" — the form an editor of the JSON file can follow. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
