import { localTextSchema } from '../../../i18n/local-text.ts';
import { z } from 'zod';
import { isLocalText, textIn, type LocalText } from '../../../i18n/local-text.ts';
import { englishExampleFramework } from './framework-england-example.ts';
import { welshNationalActionPlan2016 } from './framework-wales-2016.ts';
import { returnKinds, type Framework, type FrameworkOutcome, type FrameworkStrand, type ReturnKind } from './framework.ts';

export type { Framework, FrameworkOutcome, FrameworkStrand } from './framework.ts';

const strandKeyPattern = /^[a-z][a-z0-9-]*$/;
const outcomeIdPattern = /^[1-9][0-9]*\.[1-9][0-9]*$/;
const actionIdPattern = /^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/;

/**
 * Describes what is wrong with a framework's shape beyond field types: numbering
 * that does not line up, duplicates, dangling strand keys. Empty when all is well.
 */
export function frameworkProblems(framework: Framework): string[] {
  const problems: string[] = [];
  const strandsByKey = new Map<string, FrameworkStrand>();
  const strandNumbers = new Set<number>();
  for (const strand of framework.strands) {
    if (strandsByKey.has(strand.key)) problems.push(`Strand key “${strand.key}” is used twice.`);
    if (strandNumbers.has(strand.number)) problems.push(`Strand number ${strand.number} is used twice.`);
    strandsByKey.set(strand.key, strand);
    strandNumbers.add(strand.number);
  }
  const outcomeIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const outcome of framework.outcomes) {
    if (outcomeIds.has(outcome.id)) problems.push(`Outcome ${outcome.id} is listed twice.`);
    outcomeIds.add(outcome.id);
    const strand = strandsByKey.get(outcome.strandKey);
    if (strand === undefined) {
      problems.push(`Outcome ${outcome.id} belongs to strand “${outcome.strandKey}”, which does not exist.`);
    } else if (!outcome.id.startsWith(`${strand.number}.`)) {
      problems.push(`Outcome ${outcome.id} should start with its strand number, ${strand.number}.`);
    }
    for (const actionId of outcome.actionIds) {
      if (actionIds.has(actionId)) problems.push(`Action ${actionId} is listed twice.`);
      actionIds.add(actionId);
      if (!actionIdPattern.test(actionId) || actionId.slice(0, -1) !== outcome.id) {
        problems.push(`Action ${actionId} should be outcome ${outcome.id} followed by one letter, e.g. ${outcome.id}a.`);
      }
    }
  }
  return problems;
}

const text = z.string().trim().min(1);

// A human text is one text (as every framework before Welsh: shown in every language) or each
// language's own, English required: { "en": "…", "cy": "…" }, as a risk tool's texts are
// (src/features/assessments/tool/definition.ts, src/i18n/local-text.ts).
const localText = localTextSchema(text);

const strandSchema = z.object({
  key: z.string().regex(strandKeyPattern),
  number: z.number().int().positive(),
  title: localText,
  outcome: localText,
});

const outcomeSchema = z.object({
  id: z.string().regex(outcomeIdPattern),
  strandKey: z.string().regex(strandKeyPattern),
  text: localText,
  actionIds: z.array(z.string().regex(actionIdPattern)),
});

/** Validates a framework a partnership loads (for example from JSON). */
export const frameworkSchema = z
  .object({
    key: z.string().regex(strandKeyPattern),
    name: localText,
    source: z.string(),
    isExample: z.boolean(),
    strands: z.array(strandSchema).min(1),
    outcomes: z.array(outcomeSchema).min(1),
    returns: z.array(z.enum(returnKinds)).optional(),
  })
  .superRefine((framework, context) => {
    for (const message of frameworkProblems(framework)) context.addIssue({ code: 'custom', message });
  });

export { englishExampleFramework, welshNationalActionPlan2016 };

export const builtInFrameworks: readonly Framework[] = [welshNationalActionPlan2016, englishExampleFramework];

/**
 * The returns a plan offers: those its framework names, and the Welsh Government return only to a
 * partnership in Wales (an English partnership is never offered it, whatever framework it loads).
 */
export function returnsOffered(framework: Framework, nation: string): ReturnKind[] {
  return (framework.returns ?? []).filter((kind) => kind !== 'welsh-government' || nation === 'wales');
}

export function findFramework(key: string): Framework | undefined {
  return builtInFrameworks.find((framework) => framework.key === key);
}

export function allActionIds(framework: Framework): string[] {
  return framework.outcomes.flatMap((outcome) => outcome.actionIds);
}

export function outcomeOfAction(framework: Framework, actionId: string): FrameworkOutcome | undefined {
  return framework.outcomes.find((outcome) => outcome.actionIds.includes(actionId));
}

export function outcomesOfStrand(framework: Framework, strandKey: string): FrameworkOutcome[] {
  return framework.outcomes.filter((outcome) => outcome.strandKey === strandKey);
}

/** Every human text of a framework with where it is, e.g. 'outcomes.1.1.text', for checking its languages. */
export function frameworkTexts(framework: Framework): { path: string; text: LocalText }[] {
  return [
    { path: 'name', text: framework.name },
    ...framework.strands.flatMap((strand) => [
      { path: `strands.${strand.key}.title`, text: strand.title },
      { path: `strands.${strand.key}.outcome`, text: strand.outcome },
    ]),
    ...framework.outcomes.map((outcome) => ({ path: `outcomes.${outcome.id}.text`, text: outcome.text })),
  ];
}

/**
 * A stored framework with a built-in framework's texts as Lantern now has them. A partnership's copy
 * of a built-in framework (strategy_frameworks.definition, written when it was seeded) keeps the
 * words it had then, which may be English only; the texts are looked up by the framework's key, each
 * strand's key and each outcome's id, so the Welsh reaches plans made before it was written. The
 * stored structure (which strands, outcomes and action ids) is kept as it is. A framework a
 * partnership uploaded (`builtIn` false) is shown as uploaded.
 */
export function withCurrentTexts(stored: Framework, builtIn: boolean): Framework {
  const current = builtIn ? findFramework(stored.key) : undefined;
  if (!current) return stored;
  const strands = new Map(current.strands.map((strand) => [strand.key, strand]));
  const outcomes = new Map(current.outcomes.map((outcome) => [outcome.id, outcome]));
  return {
    ...stored,
    name: current.name,
    // Which returns a built-in framework offers is Lantern's, as its texts are.
    ...(current.returns ? { returns: current.returns } : {}),
    strands: stored.strands.map((strand) => {
      const now = strands.get(strand.key);
      return now ? { ...strand, title: now.title, outcome: now.outcome } : strand;
    }),
    outcomes: stored.outcomes.map((outcome) => {
      const now = outcomes.get(outcome.id);
      return now && now.strandKey === outcome.strandKey ? { ...outcome, text: now.text } : outcome;
    }),
  };
}

/**
 * A framework's name for a list, from its strategy_frameworks row: the built-in framework's own name
 * (with its Welsh), else the uploaded definition's, else the stored column (English).
 */
export function frameworkNameOf(row: { key: string; name: string; built_in: boolean; definition?: unknown }): LocalText {
  if (row.built_in) {
    const builtIn = findFramework(row.key);
    if (builtIn) return builtIn.name;
  }
  const stored = (row.definition as { name?: unknown } | null | undefined)?.name;
  return isLocalText(stored) ? stored : row.name;
}

/** The English of a framework's name, for the strategy_frameworks.name column and English-only messages. */
export function englishName(framework: Framework): string {
  return textIn(framework.name, 'en');
}
