import { z } from 'zod';
import { englishExampleFramework } from './framework-england-example.ts';
import { welshNationalActionPlan2016 } from './framework-wales-2016.ts';
import type { Framework, FrameworkOutcome, FrameworkStrand } from './framework.ts';

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

const strandSchema = z.object({
  key: z.string().regex(strandKeyPattern),
  number: z.number().int().positive(),
  title: z.string().trim().min(1),
  outcome: z.string().trim().min(1),
});

const outcomeSchema = z.object({
  id: z.string().regex(outcomeIdPattern),
  strandKey: z.string().regex(strandKeyPattern),
  text: z.string().trim().min(1),
  actionIds: z.array(z.string().regex(actionIdPattern)),
});

/** Validates a framework a partnership loads (for example from JSON). */
export const frameworkSchema = z
  .object({
    key: z.string().regex(strandKeyPattern),
    name: z.string().trim().min(1),
    source: z.string(),
    isExample: z.boolean(),
    strands: z.array(strandSchema).min(1),
    outcomes: z.array(outcomeSchema).min(1),
  })
  .superRefine((framework, context) => {
    for (const message of frameworkProblems(framework)) context.addIssue({ code: 'custom', message });
  });

export { englishExampleFramework, welshNationalActionPlan2016 };

export const builtInFrameworks: readonly Framework[] = [welshNationalActionPlan2016, englishExampleFramework];

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
