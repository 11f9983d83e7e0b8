// Scores a completed assessment against a tool definition. Pure and total:
// bad answers come back as errors, never exceptions, so a form can show them.
// The result supports, and never replaces, the worker's professional judgement.
import { addDays, type IsoDate } from '../../../dates.ts';
import { combinationKey } from './definition.ts';
import type { ToolBand, ToolDefinition, ToolOverride, ToolSection } from './definition.ts';
import type { RiskLevel } from '../risk-level.ts';

/** indicatorId → windowId → ticked. Omitted indicators or windows mean "not ticked". */
export type Answers = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

/** Facts about the child on the assessment date. */
export type AssessmentContext = { ageYears: number };

export type ScoredIndicator = {
  indicatorId: string;
  text: string;
  windows: string[]; // window ids ticked, in the section's order
  points: number;
};

export type SectionScore = {
  sectionId: string;
  title: string;
  subtotal: number;
  indicators: ScoredIndicator[]; // only indicators with at least one window ticked
};

export type Category = { key: string; label: string };

export type AppliedOverride = {
  type: ToolOverride['type'];
  category: Category;
  explanation: string;
};

export type ScoredAssessment = {
  toolId: string;
  toolVersion: number;
  total: number;
  sections: SectionScore[];
  band: ToolBand;
  overrides: AppliedOverride[];
  category: Category; // the higher of the band and every applied override
  /** The risk level the category's band suggests: the judgement is pre-filled with it. */
  suggestedLevel: RiskLevel;
  raisedByOverride: boolean;
  explanation: string[];
};

export type AnswerError = { path: string; message: string };

export type ScoreResult = { ok: true; assessment: ScoredAssessment } | { ok: false; errors: AnswerError[] };

export function scoreAssessment(definition: ToolDefinition, answers: Answers, context: AssessmentContext): ScoreResult {
  const errors: AnswerError[] = [];
  const { ageYears } = context;
  if (typeof ageYears !== 'number' || !Number.isFinite(ageYears) || ageYears < 0) {
    errors.push({ path: 'context.ageYears', message: 'age must be a number of years, 0 or more' });
  }

  const sectionOf = new Map<string, ToolSection>();
  for (const s of definition.sections) for (const ind of s.indicators) sectionOf.set(ind.id, s);

  // Answers usually arrive from a form, so check the shape at runtime despite the types.
  for (const [indicatorId, ticks] of Object.entries(answers)) {
    const section = sectionOf.get(indicatorId);
    if (!section) {
      errors.push({ path: indicatorId, message: `unknown indicator "${indicatorId}" for ${definition.id} v${definition.version}` });
      continue;
    }
    if (typeof ticks !== 'object' || ticks === null) {
      errors.push({ path: indicatorId, message: 'answer must be an object of window → true/false' });
      continue;
    }
    for (const [windowId, value] of Object.entries(ticks)) {
      if (!section.windows.some((w) => w.id === windowId)) {
        const expected = section.windows.map((w) => w.id).join(', ');
        errors.push({ path: `${indicatorId}.${windowId}`, message: `unknown time window "${windowId}"; expected: ${expected}` });
      } else if (typeof value !== 'boolean') {
        errors.push({ path: `${indicatorId}.${windowId}`, message: 'must be true or false' });
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const explanation: string[] = [];
  const sections: SectionScore[] = [];
  for (const section of definition.sections) {
    const points = new Map(section.points.map((row) => [combinationKey(section, row.windows), row.points]));
    const windowLabel = new Map(section.windows.map((w) => [w.id, w.label]));
    const scored: ScoredIndicator[] = [];
    for (const ind of section.indicators) {
      const ticks = answers[ind.id] ?? {};
      const windows = section.windows.map((w) => w.id).filter((id) => ticks[id] === true);
      if (windows.length === 0) continue;
      const p = points.get(combinationKey(section, windows));
      if (p === undefined) {
        // Only reachable with a definition that skipped parseToolDefinition.
        errors.push({ path: ind.id, message: `the tool gives no points for "${windows.join('+')}"` });
        continue;
      }
      scored.push({ indicatorId: ind.id, text: ind.text, windows, points: p });
      const when = windows.map((w) => windowLabel.get(w) ?? w).join(' and ');
      explanation.push(`${section.title}: "${ind.text}" (${when}) scores ${plural(p, 'point')}.`);
    }
    const subtotal = scored.reduce((sum, s) => sum + s.points, 0);
    sections.push({ sectionId: section.id, title: section.title, subtotal, indicators: scored });
  }
  if (errors.length > 0) return { ok: false, errors };

  const total = sections.reduce((sum, s) => sum + s.subtotal, 0);
  const bandIndex = bandIndexFor(definition.bands, total);
  const band = definition.bands[bandIndex];
  if (!band) return { ok: false, errors: [{ path: '(definition)', message: 'the tool has no bands' }] };
  for (const s of sections) explanation.push(`${s.title} subtotal: ${plural(s.subtotal, 'point')}.`);
  explanation.push(`Total ${plural(total, 'point')}, which is in the band "${band.label}" (${rangeText(band, definition.bands[bandIndex + 1])}).`);

  const rank = new Map(definition.bands.map((b, i) => [b.key, i]));
  const applied: AppliedOverride[] = [];
  let finalIndex = bandIndex;
  for (const o of definition.overrides) {
    const why = overrideReason(o, answers, ageYears, definition);
    const target = rank.get(o.category);
    const targetBand = target === undefined ? undefined : definition.bands[target];
    if (why === null || target === undefined || !targetBand) continue;
    const category = { key: targetBand.key, label: targetBand.label };
    const text = o.explanation ?? `${why}, so the category cannot be lower than "${targetBand.label}".`;
    applied.push({ type: o.type, category, explanation: text });
    explanation.push(`Override: ${text}`);
    finalIndex = Math.max(finalIndex, target);
  }

  const finalBand = definition.bands[finalIndex] ?? band;
  const category = { key: finalBand.key, label: finalBand.label };
  const raisedByOverride = finalIndex > bandIndex;
  explanation.push(
    raisedByOverride ? `Category: "${category.label}" (raised from "${band.label}" by an override).` : `Category: "${category.label}".`,
    'This score supports, and never replaces, your professional judgement: record your own view and your reasons.',
  );

  return {
    ok: true,
    assessment: {
      toolId: definition.id,
      toolVersion: definition.version,
      total,
      sections,
      band,
      overrides: applied,
      category,
      suggestedLevel: finalBand.level,
      raisedByOverride,
      explanation,
    },
  };
}

/** Index of the band a score falls in: the last band whose min is at or below it. */
export function bandIndexFor(bands: readonly ToolBand[], score: number): number {
  let index = 0;
  bands.forEach((b, i) => {
    if (score >= b.min) index = i;
  });
  return index;
}

/** Why an override applies, as the start of a sentence, or null if it does not. */
function overrideReason(o: ToolOverride, answers: Answers, ageYears: number, def: ToolDefinition): string | null {
  switch (o.type) {
    case 'minimumCategoryUnderAge':
      return ageYears < o.age ? `the child is ${ageYears}, which is under ${o.age}` : null;
    case 'minimumCategoryIfAnyIndicator': {
      const hit = o.indicators.filter((id) => Object.values(answers[id] ?? {}).some((v) => v === true));
      if (hit.length === 0) return null;
      const texts = hit.map((id) => `"${indicatorText(def, id)}"`).join(', ');
      return `${texts} ${hit.length === 1 ? 'is' : 'are'} ticked`;
    }
  }
}

function indicatorText(def: ToolDefinition, id: string): string {
  for (const s of def.sections) for (const i of s.indicators) if (i.id === id) return i.text;
  return id;
}

function rangeText(band: ToolBand, next: ToolBand | undefined): string {
  return next ? `${band.min}–${next.min - 1}` : `${band.min} or more`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The date the next review is due: the assessment date plus the tool's interval, in calendar days. */
export function nextReviewDue(assessedOn: IsoDate, definition: Pick<ToolDefinition, 'reviewIntervalDays'>): IsoDate {
  return addDays(assessedOn, definition.reviewIntervalDays);
}
