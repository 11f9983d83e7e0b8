import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { insertCount, pick, scaledChildren, type ScaleSeedContext } from '../../seed/scale.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';
import { textIn, type ToolDefinition } from '../assessments/tool/definition.ts';
import { addDays, addHours, ageOn } from '../../dates.ts';
import { nextReviewDue, scoreAssessment, type Answers } from '../assessments/tool/engine.ts';
import { builtInTools, defaultTool } from '../assessments/tool/tools/index.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { scoreColumns } from './lookups.ts';

// Demo casework is laid out around a fixed day so the demo and the tests (whose clock starts on
// 2 November 2026) agree on what is overdue.
const ANCHOR = new Date('2026-11-01T09:00:00Z');
const ANCHOR_DAY = '2026-11-01';
/** An instant so many whole days of 24 hours (and hours) from the anchor, whatever the clocks did. */
const daysAgo = (days: number, hours = 0) => addHours(ANCHOR, hours - days * 24);
const dateAgo = (days: number) => addDays(ANCHOR_DAY, -days);

const places = ['the bus station', 'a takeaway on the high street', 'the retail park car park', 'a flat above the parade of shops', 'the skate park'];
const peopleMentioned = ['an older male called "J"', 'two older girls from another school', 'a man with a silver car', 'a cousin’s friend'];

/** A strategy meeting's plan actions as the demo has them, one row each in order (the 0171 trigger shares the child with each owning agency). */
export async function seedPlanActions(
  tx: Tx,
  meeting: { partnership_id: string; child_id: string; meeting_id: string; recorded_by: string | null; created_at: Date },
  actions: { description: string; owner_name: string; agency_id: string; due_on: string; done_at?: Date | null }[],
): Promise<void> {
  for (const a of actions)
    await tx
      .insertInto('plan_actions')
      .values({ ...meeting, ...a })
      .execute();
}

/** Random but deterministic answers to a tool: a few ticks in each section. */
function answersFor(def: ToolDefinition, ctx: DemoSeedContext, intensity: number): Answers {
  const answers: Record<string, Record<string, boolean>> = {};
  for (const section of def.sections) {
    const picks = ctx.faker.helpers.arrayElements(
      section.indicators,
      Math.min(section.indicators.length, intensity + (section.kind === 'significant' ? 0 : 1)),
    );
    for (const ind of picks) {
      const windows = ctx.faker.helpers.arrayElements(section.windows, { min: 1, max: section.windows.length });
      answers[ind.id] = Object.fromEntries(windows.map((w) => [w.id, true]));
    }
  }
  return answers;
}

/**
 * Risk tools for both partnerships, and for up to five children of each (created by the children
 * feature's seed): assessments with a review history, missing episodes (one changing type, one
 * with an overdue return interview), strategy meetings, plan actions (some overdue) and notes.
 */
export async function caseworkSeed(tx: Tx, ctx: DemoSeedContext): Promise<void> {
  for (const p of Object.values(ctx.partnerships)) {
    const toolIds = new Map<string, string>();
    for (const def of builtInTools) {
      const row = await tx
        .insertInto('risk_tools')
        .values({
          partnership_id: p.id,
          tool_key: def.id,
          version: def.version,
          name: textIn(def.name, 'en'),
          definition: JSON.stringify(def),
          source: 'built_in',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      toolIds.set(def.id, row.id);
    }
    const children = await tx.selectFrom('children').select(['id', 'date_of_birth']).where('partnership_id', '=', p.id).orderBy('reference').limit(5).execute();
    const worker = p.users['social-worker'] ?? null;
    const police = p.users.police ?? null;
    const coordinator = p.users.coordinator ?? null;
    const cs = p.agencies.childrens_services!;
    const voluntary = p.agencies.voluntary ?? cs;
    const policeAgency = p.agencies.police ?? cs;
    const education = p.agencies.education ?? cs;

    for (const [i, child] of children.entries()) {
      // Assessments: the first child has a history, and several are past their review date.
      const history = i === 0 ? [230, 120] : i === 1 ? [30] : i === 2 ? [130] : [60];
      for (const [h, ago] of history.entries()) {
        const assessedOn = dateAgo(ago);
        const answers = answersFor(defaultTool, ctx, i === 0 ? 1 + h * 2 : 1 + (i % 3));
        const scored = scoreAssessment(defaultTool, answers, { ageYears: child.date_of_birth ? Math.max(0, ageOn(child.date_of_birth, assessedOn)) : 0 });
        if (!scored.ok) continue;
        const s = scored.assessment;
        // Now and then the worker judges the risk one level higher than the score suggests.
        const suggested = riskLevels.indexOf(s.suggestedLevel);
        const judged = riskLevels[i === 3 ? Math.min(suggested + 1, riskLevels.length - 1) : suggested]!;
        await tx
          .insertInto('risk_assessments')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            risk_tool_id: toolIds.get(defaultTool.id)!,
            tool_key: defaultTool.id,
            tool_version: defaultTool.version,
            assessed_on: assessedOn,
            assessor_user_id: worker,
            assessor_name: ctx.faker.person.fullName(),
            assessor_agency_id: cs,
            known_to_social_care: true,
            in_care: i % 2 === 0,
            child_protection_plan: i === 0,
            youth_justice: i === 2,
            other_agencies: 'School safeguarding lead; school nurse',
            ...scoreColumns(answers, s),
            judgement_level: judged,
            judgement_reasons:
              judged === s.suggestedLevel
                ? 'The score matches what the agencies are seeing.'
                : 'Recent disclosures to the school suggest the risk is higher than the score shows.',
            review_due_on: nextReviewDue(assessedOn, defaultTool),
            created_at: daysAgo(ago),
          })
          .execute();
      }

      // Missing episodes.
      if (i === 0) {
        const e = await tx
          .insertInto('missing_episodes')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            episode_type: 'missing',
            started_at: daysAgo(21, 19),
            ended_at: daysAgo(20, 7),
            ended_by: 'returned',
            reported_by: 'Foster carer',
            where_found: ctx.faker.helpers.arrayElement(places),
            risk_level: 'high',
            police_reference: `MP/${ctx.faker.string.numeric(6)}`,
            recorded_by: worker,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('return_interviews')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            episode_id: e.id,
            offered_at: daysAgo(19, 10),
            interviewer_name: ctx.faker.person.fullName(),
            interviewer_agency_id: voluntary,
            independent_of_placement: true,
            outcome: 'accepted',
            held_at: daysAgo(19, 10),
            learned: 'Was given a lift by an older male and taken to a flat; says she was given alcohol.',
            places_mentioned: ctx.faker.helpers.arrayElements(places, 2),
            people_mentioned: ctx.faker.helpers.arrayElements(peopleMentioned, 1),
            recorded_by: worker,
          })
          .execute();
      }
      if (i === 1) {
        // Absent from placement, then whereabouts unknown: the change of type closed one episode and opened the next.
        const first = await tx
          .insertInto('missing_episodes')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            episode_type: 'absent',
            started_at: daysAgo(11, 16),
            ended_at: daysAgo(11, 23),
            ended_by: 'type_changed',
            reported_by: 'Residential worker',
            risk_level: 'medium',
            recorded_by: worker,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('missing_episodes')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            episode_type: 'missing',
            started_at: daysAgo(11, 23),
            ended_at: daysAgo(10, 14),
            ended_by: 'returned',
            reported_by: 'Residential worker',
            where_found: ctx.faker.helpers.arrayElement(places),
            risk_level: 'high',
            police_reference: `MP/${ctx.faker.string.numeric(6)}`,
            previous_episode_id: first.id,
            recorded_by: police,
          })
          .execute();
      }

      // Strategy meetings and the plan.
      if (i <= 1) {
        const heldAgo = i === 0 ? 100 : 25;
        const meeting = await tx
          .insertInto('strategy_meetings')
          .values({
            partnership_id: p.id,
            child_id: child.id,
            meeting_kind: i === 0 ? 'meeting' : 'discussion',
            held_on: dateAgo(heldAgo),
            attending_agency_ids: [cs, policeAgency, education],
            attendees: `${ctx.faker.person.fullName()} (social worker), ${ctx.faker.person.fullName()} (police), ${ctx.faker.person.fullName()} (school)`,
            decisions: 'Share information about the vehicle with the police intelligence unit; safety plan with the carers; weekly check-ins at school.',
            risk_level: i === 0 ? 'high' : 'medium',
            next_review_on: dateAgo(i === 0 ? 10 : -35),
            recorded_by: coordinator,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const actions =
          i === 0
            ? [
                { d: 'Request a Child Abduction Warning Notice for the adult identified', agency: policeAgency, due: 60, done: true },
                { d: 'Refer to the specialist exploitation support service', agency: cs, due: 14, done: false },
              ]
            : [{ d: 'Agree a safety plan with the residential home', agency: cs, due: -10, done: false }];
        await seedPlanActions(
          tx,
          { partnership_id: p.id, child_id: child.id, meeting_id: meeting.id, recorded_by: coordinator, created_at: daysAgo(heldAgo) },
          actions.map((a) => ({
            description: a.d,
            owner_name: ctx.faker.person.fullName(),
            agency_id: a.agency,
            due_on: dateAgo(a.due),
            done_at: a.done ? daysAgo(a.due + 5) : null,
          })),
        );
      }

      await tx
        .insertInto('case_notes')
        .values({
          partnership_id: p.id,
          child_id: child.id,
          author_user_id: worker,
          author_name: ctx.faker.person.fullName(),
          created_at: daysAgo(5 + i),
          body: 'Home visit. Spoke with the young person alone; they were more open about friendships and agreed to meet again next week.',
        })
        .execute();
    }
  }
}

/**
 * Benchmark history for the scaled children (src/seed/scale.ts), set-based and deterministic:
 * 1–3 risk assessments each on the partnership's default tool (answers left empty, plausible
 * totals and bands), missing episodes for about 30% with return interviews for most, strategy
 * meetings with two plan actions for about 20%, and a few case notes. The allocated worker (the
 * children feature's involvement in the owning agency) is the assessor and recorder, so "my
 * children" lists fill up realistically.
 */
export async function scaleSeedCasework(tx: Tx, range: ScaleSeedContext): Promise<number> {
  const h = (salt: string, m: number) => pick('c.reference', salt, m);
  const scaled = scaledChildren('c', range);
  const lastBand = defaultTool.bands.at(-1)!;
  const maxScore = lastBand.min + 10;
  const band = (total: RawBuilder<number>, field: 'key' | 'label' | 'level') =>
    sql<string>`CASE ${sql.join(
      [...defaultTool.bands].reverse().map((b) => sql`WHEN ${total} >= ${sql.lit(b.min)} THEN ${field === 'label' ? textIn(b.label, 'en') : b[field]}::text`),
      sql` `,
    )} END`;
  // The scaled children, their allocated worker and a few hashes, once.
  await sql`CREATE TEMP TABLE scale_kids ON COMMIT DROP AS
    SELECT c.id, c.partnership_id, c.owning_agency_id, c.reference, i.worker_user_id AS worker, coalesce(u.display_name, 'Allocated worker') AS worker_name,
           ${h('assessments', 3)} + 1 AS assessments, ${h('latest', 100)} AS latest, ${h('missing', 10)} < 3 AS missing,
           ${h('episodes', 3)} + 1 AS episodes, ${h('meeting', 5)} = 0 AS meeting, ${h('notes', 2)} = 0 AS notes, ${h('n', 1000)} AS n
    FROM children c
    LEFT JOIN LATERAL (SELECT worker_user_id FROM child_involvements i WHERE i.child_id = c.id AND i.agency_id = c.owning_agency_id
                       ORDER BY i.started_on LIMIT 1) i ON true
    LEFT JOIN users u ON u.id = i.worker_user_id
    WHERE ${scaled}`.execute(tx);
  let rows = 0;
  const total = sql<number>`(((hashtext(k.reference || ':score' || g::text) & 2147483647) % ${sql.lit(maxScore + 1)}))`;
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO risk_assessments (partnership_id, child_id, risk_tool_id, tool_key, tool_version, assessed_on, assessor_user_id, assessor_name,
      assessor_agency_id, known_to_social_care, in_care, child_protection_plan, youth_justice, answers, score_total, score_category,
      score_category_label, score_level, score_explanation, judgement_level, judgement_reasons, review_due_on, created_at)
    SELECT k.partnership_id, k.id, t.id, t.tool_key, t.version, x.on_day, k.worker, k.worker_name, k.owning_agency_id,
           true, k.n % 6 = 0, k.n % 5 = 0, k.n % 8 = 0, '{}'::jsonb, ${total}, ${band(total, 'key')}, ${band(total, 'label')}, ${band(total, 'level')},
           '[]'::jsonb, ${band(total, 'level')}, 'The score matches what the agencies are seeing.',
           x.on_day + ${sql.lit(defaultTool.reviewIntervalDays)}, x.on_day + interval '10 hours'
    FROM scale_kids k
    CROSS JOIN LATERAL generate_series(1, k.assessments) g
    CROSS JOIN LATERAL (SELECT current_date - k.latest - (k.assessments - g) * ${sql.lit(defaultTool.reviewIntervalDays)} AS on_day) x
    JOIN (SELECT DISTINCT ON (partnership_id) partnership_id, id, tool_key, version FROM risk_tools WHERE tool_key = ${defaultTool.id}
          ORDER BY partnership_id, version DESC) t ON t.partnership_id = k.partnership_id`,
  );
  // Missing episodes over the last year, each back within two days; about one child in 300 is missing now.
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO missing_episodes (partnership_id, child_id, episode_type, started_at, ended_at, ended_by, reported_by, where_found, risk_level,
                                  police_reference, recorded_by)
    SELECT k.partnership_id, k.id, CASE WHEN x.r % 4 = 0 THEN 'absent' ELSE 'missing' END, x.started,
           CASE WHEN NOT x.open THEN x.started + make_interval(hours => 2 + x.r % 46) END, CASE WHEN NOT x.open THEN 'returned' END,
           (ARRAY['Foster carer', 'Residential worker', 'Parent', 'School'])[1 + x.r % 4], CASE WHEN NOT x.open THEN 'Found at a friend''s address' END,
           (ARRAY['low', 'medium', 'medium', 'high'])[1 + (x.r / 7) % 4], 'MP/' || lpad((x.r % 1000000)::text, 6, '0'), k.worker
    FROM scale_kids k
    CROSS JOIN LATERAL generate_series(1, k.episodes) g
    CROSS JOIN LATERAL (SELECT (hashtext(k.reference || ':episode' || g::text) & 2147483647) AS r) r0
    CROSS JOIN LATERAL (SELECT r0.r, g = 1 AND k.n < 3 AS open,
                               now() - make_interval(days => CASE WHEN g = 1 AND k.n < 3 THEN 0 ELSE 3 + (r0.r % 360) END, hours => r0.r % 24) AS started) x
    WHERE k.missing`,
  );
  // Return interviews for about 85% of returns, offered the next day.
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO return_interviews (partnership_id, child_id, episode_id, offered_at, interviewer_name, interviewer_agency_id, independent_of_placement,
                                   outcome, held_at, learned, places_mentioned, recorded_by)
    SELECT e.partnership_id, e.child_id, e.id, e.ended_at + interval '1 day', 'Return interview worker', coalesce(v.id, k.owning_agency_id), true,
           CASE WHEN x.r % 5 = 0 THEN 'declined' ELSE 'accepted' END, CASE WHEN x.r % 5 <> 0 THEN e.ended_at + interval '1 day' END,
           CASE WHEN x.r % 5 <> 0 THEN 'Stayed with friends; would not say who drove them.' END,
           CASE WHEN x.r % 3 = 0 THEN ARRAY['the bus station'] ELSE '{}' END, e.recorded_by
    FROM scale_kids k JOIN missing_episodes e ON e.child_id = k.id
    CROSS JOIN LATERAL (SELECT (hashtext(k.reference || ':interview' || e.police_reference) & 2147483647) AS r) x
    LEFT JOIN agencies v ON v.partnership_id = k.partnership_id AND v.kind = 'voluntary'
    WHERE e.ended_by = 'returned' AND x.r % 100 < 85`,
  );
  // Strategy meetings in the last 200 days, reviewed 90 days on; two plan actions each, the older ones done.
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO strategy_meetings (partnership_id, child_id, meeting_kind, held_on, attending_agency_ids, attendees, decisions, risk_level,
                                   next_review_on, recorded_by)
    SELECT k.partnership_id, k.id, CASE WHEN k.n % 3 = 0 THEN 'discussion' ELSE 'meeting' END, current_date - (k.n % 200),
           ARRAY[k.owning_agency_id], k.worker_name || ' (allocated worker), police, school', 'Safety plan with the carers; weekly check-ins at school.',
           (ARRAY['low', 'medium', 'high'])[1 + k.n % 3], current_date - (k.n % 200) + 90, k.worker
    FROM scale_kids k WHERE k.meeting`,
  );
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO plan_actions (partnership_id, child_id, meeting_id, description, owner_name, agency_id, due_on, done_at, recorded_by, created_at)
    SELECT m.partnership_id, m.child_id, m.id, (ARRAY['Refer to the specialist exploitation support service', 'Agree a safety plan with the carers'])[g],
           k.worker_name, k.owning_agency_id, m.held_on + 14 * g,
           CASE WHEN m.held_on + 14 * g < current_date - 10 AND (k.n + g) % 4 <> 0 THEN (m.held_on + 14 * g - 2)::timestamptz END,
           m.recorded_by, m.held_on::timestamptz + interval '15 hours'
    FROM scale_kids k JOIN strategy_meetings m ON m.child_id = k.id
    CROSS JOIN generate_series(1, 2) g`,
  );
  rows += await insertCount(
    tx,
    sql`
    INSERT INTO case_notes (partnership_id, child_id, body, author_user_id, author_name, created_at)
    SELECT k.partnership_id, k.id, 'Home visit. Spoke with the young person alone; agreed to meet again next week.', k.worker, k.worker_name,
           now() - make_interval(days => (k.n * g) % 365)
    FROM scale_kids k CROSS JOIN LATERAL generate_series(1, 1 + k.n % 3) g WHERE k.notes`,
  );
  return rows;
}
