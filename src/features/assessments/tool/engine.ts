// Scores a completed assessment against a tool definition. Pure and total:
// bad answers come back as errors, never exceptions, so a form can show them.
// The result supports, and never replaces, the worker's professional judgement.
// The explanation comes twice: as lines of a key and its values (explanationLines), which
// explain.ts words in any language from the locales (riskTool.explanation), and as the English
// sentences stored with an assessment and given by the API (explanation), the same words.
import { addDays, type IsoDate } from '../../../dates.ts';
import { combinationKey, textIn } from './definition.ts';
import type { LocalText, ToolBand, ToolDefinition, ToolOverride, ToolSection } from './definition.ts';
import type { RiskLevel } from '../risk-level.ts';

/** indicatorId → windowId → ticked. Omitted indicators or windows mean "not ticked". */
export type Answers = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

/** Facts about the child on the assessment date. */
export type AssessmentContext = { ageYears: number };

export type ScoredIndicator = {
  indicatorId: string;
  text: LocalText;
  windows: string[]; // window ids ticked, in the section's order
  points: number;
};

export type SectionScore = {
  sectionId: string;
  title: LocalText;
  subtotal: number;
  indicators: ScoredIndicator[]; // only indicators with at least one window ticked
};

export type Category = { key: string; label: LocalText };

export type AppliedOverride = {
  type: ToolOverride['type'];
  category: Category;
  /** Why it applies, in English (the line's words after "Override: "). */
  explanation: string;
};

/**
 * One line of the explanation, in no language: its key under riskTool.explanation in the locales,
 * and the values it quotes, the tool's own texts in every language they have (explain.ts words it).
 */
export type ExplanationLine =
  | { key: 'indicator'; section: LocalText; indicator: LocalText; windows: LocalText[]; points: number }
  | { key: 'subtotal'; section: LocalText; points: number }
  /** `max` is null for the last band ("16 or more"). */
  | { key: 'total'; points: number; band: LocalText; min: number; max: number | null }
  /** An override the tool explains in its own words. */
  | { key: 'override'; explanation: LocalText }
  | { key: 'overrideUnderAge'; age: number; under: number; category: LocalText }
  | { key: 'overrideIndicators'; indicators: LocalText[]; category: LocalText }
  /** `raisedFrom` is the band's label when an override raised the category, else null. */
  | { key: 'category'; category: LocalText; raisedFrom: LocalText | null }
  | { key: 'judgement' };

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
  /** How the score was worked out, line by line, in no language (explain.ts words it in the page's). */
  explanationLines: ExplanationLine[];
  /** The same lines in English: stored with the assessment and given by the API. */
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

  const lines: ExplanationLine[] = [];
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
      lines.push({ key: 'indicator', section: section.title, indicator: ind.text, windows: windows.map((w) => windowLabel.get(w) ?? w), points: p });
    }
    const subtotal = scored.reduce((sum, s) => sum + s.points, 0);
    sections.push({ sectionId: section.id, title: section.title, subtotal, indicators: scored });
  }
  if (errors.length > 0) return { ok: false, errors };

  const total = sections.reduce((sum, s) => sum + s.subtotal, 0);
  const bandIndex = bandIndexFor(definition.bands, total);
  const band = definition.bands[bandIndex];
  if (!band) return { ok: false, errors: [{ path: '(definition)', message: 'the tool has no bands' }] };
  for (const s of sections) lines.push({ key: 'subtotal', section: s.title, points: s.subtotal });
  const next = definition.bands[bandIndex + 1];
  lines.push({ key: 'total', points: total, band: band.label, min: band.min, max: next ? next.min - 1 : null });

  const rank = new Map(definition.bands.map((b, i) => [b.key, i]));
  const applied: AppliedOverride[] = [];
  let finalIndex = bandIndex;
  for (const o of definition.overrides) {
    const target = rank.get(o.category);
    const targetBand = target === undefined ? undefined : definition.bands[target];
    if (target === undefined || !targetBand) continue;
    const line = overrideLine(o, answers, ageYears, definition, targetBand);
    if (line === null) continue;
    applied.push({ type: o.type, category: { key: targetBand.key, label: targetBand.label }, explanation: overrideInEnglish(line) });
    lines.push(line);
    finalIndex = Math.max(finalIndex, target);
  }

  const finalBand = definition.bands[finalIndex] ?? band;
  const category = { key: finalBand.key, label: finalBand.label };
  const raisedByOverride = finalIndex > bandIndex;
  lines.push({ key: 'category', category: category.label, raisedFrom: raisedByOverride ? band.label : null }, { key: 'judgement' });

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
      explanationLines: lines,
      explanation: lines.map(inEnglish),
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

/** The line of an override that applies, or null if it does not. */
function overrideLine(o: ToolOverride, answers: Answers, ageYears: number, def: ToolDefinition, target: ToolBand): ExplanationLine | null {
  switch (o.type) {
    case 'minimumCategoryUnderAge':
      if (ageYears >= o.age) return null;
      return o.explanation ? { key: 'override', explanation: o.explanation } : { key: 'overrideUnderAge', age: ageYears, under: o.age, category: target.label };
    case 'minimumCategoryIfAnyIndicator': {
      const hit = o.indicators.filter((id) => Object.values(answers[id] ?? {}).some((v) => v === true));
      if (hit.length === 0) return null;
      return o.explanation
        ? { key: 'override', explanation: o.explanation }
        : { key: 'overrideIndicators', indicators: hit.map((id) => indicatorText(def, id)), category: target.label };
    }
  }
}

function indicatorText(def: ToolDefinition, id: string): LocalText {
  for (const s of def.sections) for (const i of s.indicators) if (i.id === id) return i.text;
  return id;
}

/*
 * The English words of each line: what is stored with an assessment and what the API gives. The
 * locales say the same (riskTool.explanation in en, checked equal by engine.test.ts), and Welsh.
 */
const en = (text: LocalText) => textIn(text, 'en');

function inEnglish(line: ExplanationLine): string {
  switch (line.key) {
    case 'indicator':
      return `${en(line.section)}: "${en(line.indicator)}" (${line.windows.map(en).join(' and ')}) scores ${plural(line.points, 'point')}.`;
    case 'subtotal':
      return `${en(line.section)} subtotal: ${plural(line.points, 'point')}.`;
    case 'total': {
      const range = line.max === null ? `${line.min} or more` : `${line.min}–${line.max}`;
      return `Total ${plural(line.points, 'point')}, which is in the band "${en(line.band)}" (${range}).`;
    }
    case 'override':
    case 'overrideUnderAge':
    case 'overrideIndicators':
      return `Override: ${overrideInEnglish(line)}`;
    case 'category':
      return line.raisedFrom === null
        ? `Category: "${en(line.category)}".`
        : `Category: "${en(line.category)}" (raised from "${en(line.raisedFrom)}" by an override).`;
    case 'judgement':
      return 'This score supports, and never replaces, your professional judgement: record your own view and your reasons.';
  }
}

function overrideInEnglish(line: ExplanationLine): string {
  switch (line.key) {
    case 'override':
      return en(line.explanation);
    case 'overrideUnderAge':
      return `the child is ${line.age}, which is under ${line.under}, so the category cannot be lower than "${en(line.category)}".`;
    case 'overrideIndicators': {
      const texts = line.indicators.map((text) => `"${en(text)}"`).join(', ');
      return `${texts} ${line.indicators.length === 1 ? 'is' : 'are'} ticked, so the category cannot be lower than "${en(line.category)}".`;
    }
    default:
      return inEnglish(line);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The date the next review is due: the assessment date plus the tool's interval, in calendar days. */
export function nextReviewDue(assessedOn: IsoDate, definition: Pick<ToolDefinition, 'reviewIntervalDays'>): IsoDate {
  return addDays(assessedOn, definition.reviewIntervalDays);
}
