import { sql } from 'kysely';
import { addMonths, endOfLondonDay, startOfLondonDay, type IsoDate } from '../../dates.ts';
import type { Tx } from '../../db/context.ts';
import type { Answers } from '../assessments/tool/engine.ts';
import type { ToolDefinition } from '../assessments/tool/definition.ts';

/**
 * What the child's record already says that a risk assessment asks, read in one place. The
 * assessment form starts from these answers (the worker checks and may change each); a new source
 * of a fact (the child's flags, say) is read here and nowhere else.
 */
export interface RecordFacts {
  lookedAfter: boolean;
  childProtectionPlan: boolean;
  childInNeed: boolean;
  youthJustice: boolean;
  /** Children's services hold or are involved with the record, or the child is looked after or on a plan. */
  knownToSocialCare: boolean;
  /** Missing (not absent) episodes that started before the assessment date, ever and in the six months before it. */
  missingEpisodes: number;
  missingEpisodesLast6Months: number;
}

/** The facts on the assessment date `on`, read under the actor's row-level security. */
export async function readRecordFacts(tx: Tx, childId: string, on: IsoDate): Promise<RecordFacts> {
  const until = endOfLondonDay(on);
  const since = startOfLondonDay(addMonths(on, -6));
  const row = await tx
    .selectFrom('children as c')
    .select([
      'c.looked_after',
      'c.child_protection_plan',
      'c.child_in_need',
      'c.youth_justice',
      sql<boolean>`EXISTS (SELECT 1 FROM agencies a WHERE a.kind = 'childrens_services'
        AND (a.id = c.owning_agency_id OR a.id IN (SELECT i.agency_id FROM child_involvements i WHERE i.child_id = c.id AND i.ended_on IS NULL)))`.as(
        'childrens_services',
      ),
      sql<number>`(SELECT count(*)::int FROM missing_episodes e WHERE e.child_id = c.id AND e.episode_type = 'missing'
        AND e.started_at < ${until})`.as('missing_ever'),
      sql<number>`(SELECT count(*)::int FROM missing_episodes e WHERE e.child_id = c.id AND e.episode_type = 'missing'
        AND e.started_at >= ${since} AND e.started_at < ${until})`.as('missing_recent'),
    ])
    .where('c.id', '=', childId)
    .executeTakeFirstOrThrow();
  return {
    lookedAfter: row.looked_after,
    childProtectionPlan: row.child_protection_plan,
    childInNeed: row.child_in_need,
    youthJustice: row.youth_justice,
    knownToSocialCare: row.childrens_services || row.looked_after || row.child_protection_plan || row.child_in_need,
    missingEpisodes: Number(row.missing_ever),
    missingEpisodesLast6Months: Number(row.missing_recent),
  };
}

/** The form's questions about the child's services, answered from the facts. */
export function headerAnswers(facts: RecordFacts): Record<'knownToSocialCare' | 'inCare' | 'childProtectionPlan' | 'youthJustice', 'yes' | 'no'> {
  const yesNo = (v: boolean) => (v ? 'yes' : 'no');
  return {
    knownToSocialCare: yesNo(facts.knownToSocialCare),
    inCare: yesNo(facts.lookedAfter),
    childProtectionPlan: yesNo(facts.childProtectionPlan),
    youthJustice: yesNo(facts.youthJustice),
  };
}

/**
 * Tool indicators the record answers, by indicator id (the built-in tools' ids; a partnership's own
 * tool that uses the same id is answered the same way): the window ticked and the fact that ticks it.
 */
export const indicatorsFromRecord: Readonly<Record<string, { window: string; holds: (facts: RecordFacts) => boolean }>> = {
  'v-looked-after': { window: 'ever', holds: (f) => f.lookedAfter },
  'v-missing-history': { window: 'ever', holds: (f) => f.missingEpisodes > 0 },
  'm-missing-recent': { window: 'last6Months', holds: (f) => f.missingEpisodesLast6Months > 0 },
};

/** The answers the record gives for a tool: only indicators the tool has, in windows of their section. */
export function answersFromRecord(definition: ToolDefinition, facts: RecordFacts): Answers {
  const answers: Record<string, Record<string, boolean>> = {};
  for (const section of definition.sections) {
    for (const indicator of section.indicators) {
      const rule = indicatorsFromRecord[indicator.id];
      if (rule && section.windows.some((w) => w.id === rule.window) && rule.holds(facts)) answers[indicator.id] = { [rule.window]: true };
    }
  }
  return answers;
}
