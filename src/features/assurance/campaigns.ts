import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import { assertFound } from '../../db/rows.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { changedFields } from '../casework/edits.ts';
import { answerShares, percentage } from './compliance.ts';
import { count, disclosureIn, type Disclosure } from '../disclosure/publish.ts';
import { suppressCells } from '../disclosure/suppress.ts';
import { scaleAnswers, type CampaignForm, type MaterialForm, type QuestionForm, type TallyForm } from './schema.ts';

/**
 * People reached by every campaign and by each audience (the sum of its campaigns'), as `d`'s reader
 * may see them (issue 13 §2): small counts withheld, and others too where an audience's total would
 * give one away. Worked out over every campaign, whatever a page shows, so the list, its filter and a
 * campaign's own page agree.
 */
async function controlledReach(tx: Tx, d: Disclosure) {
  const rows = await tx.selectFrom('campaigns').select(['id', 'audience', 'people_reached']).execute();
  const byCampaign = new Map<string, number | string>(rows.map((r) => [r.id, r.people_reached]));
  const audiences = [...new Set(rows.map((r) => r.audience))];
  const byAudience = new Map<string, number | string>(
    audiences.map((a) => [a, rows.filter((r) => r.audience === a).reduce((n, r) => n + r.people_reached, 0)]),
  );
  if (!d.controlled) return { byCampaign, byAudience };
  const cells = [
    ...rows.map((r) => ({ id: `c:${r.id}`, value: r.people_reached })),
    ...audiences.map((a) => ({ id: `a:${a}`, value: byAudience.get(a) as number })),
  ];
  const constraints = audiences.map((a) => ({ total: `a:${a}`, parts: rows.filter((r) => r.audience === a).map((r) => `c:${r.id}`) }));
  const { suppressed } = suppressCells(cells, constraints, d.threshold);
  for (const r of rows) if (suppressed.get(`c:${r.id}`)) byCampaign.set(r.id, d.symbol);
  for (const a of audiences) if (suppressed.get(`a:${a}`)) byAudience.set(a, d.symbol);
  return { byCampaign, byAudience };
}

/** A question's answer tallies and their total as the reader may see them, each share the symbol when its count or the total is. */
function controlledAnswers(d: Disclosure, tallies: readonly { answer: string; count: number }[]) {
  const total = tallies.reduce((sum, c) => sum + c.count, 0);
  if (!d.controlled)
    return {
      answers: answerShares(tallies) as { answer: string; count: number | string; percentage: number | string | null }[],
      total: total as number | string,
    };
  const cells = [...tallies.map((c) => ({ id: `x:${c.answer}`, value: c.count })), { id: 'total', value: total }];
  const { suppressed } = suppressCells(cells, [{ total: 'total', parts: tallies.map((c) => `x:${c.answer}`) }], d.threshold);
  const shownTotal = suppressed.get('total') ? d.symbol : total;
  return {
    answers: tallies.map((c) => {
      const shown = suppressed.get(`x:${c.answer}`) ? d.symbol : c.count;
      const share = percentage(c.count, total);
      return { answer: c.answer, count: shown, percentage: share === null ? null : shown === d.symbol || shownTotal === d.symbol ? d.symbol : share };
    }),
    total: shownTotal,
  };
}

/** Awareness campaigns: materials distributed, people reached and feedback tallies; the people counted are controlled for board members. */
/** A campaign's own columns, as its page and its edit form read them. */
const campaignColumns = [
  'id',
  'title',
  'audience',
  sql<string>`starts_on::text`.as('starts_on'),
  sql<string | null>`ends_on::text`.as('ends_on'),
  'people_reached',
  'summary',
] as const;

export class CampaignService {
  constructor(private readonly db: Database) {}

  listCampaigns(user: SessionUser, audience?: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      let q = tx
        .selectFrom('campaigns as c')
        .select([
          'c.id',
          'c.title',
          'c.audience',
          sql<string>`c.starts_on::text`.as('starts_on'),
          sql<string | null>`c.ends_on::text`.as('ends_on'),
          'c.people_reached',
        ])
        .select((eb) =>
          eb
            .selectFrom('campaign_materials as m')
            .whereRef('m.campaign_id', '=', 'c.id')
            .select(sql<number>`coalesce(sum(m.quantity), 0)::int`.as('n'))
            .as('materials_distributed'),
        );
      if (audience) q = q.where('c.audience', '=', audience);
      const disclosure = await disclosureIn(tx, user);
      const reach = await controlledReach(tx, disclosure);
      const campaigns = (await q.orderBy('c.starts_on', 'desc').execute()).map((c) => ({
        ...c,
        people_reached: reach.byCampaign.get(c.id) ?? c.people_reached,
      }));
      const totals = (
        await tx
          .selectFrom('campaigns')
          .select(['audience', sql<number>`sum(people_reached)::int`.as('reached'), sql<number>`count(*)::int`.as('campaigns')])
          .groupBy('audience')
          .orderBy('audience')
          .execute()
      ).map((row) => ({ ...row, reached: reach.byAudience.get(row.audience) ?? row.reached }));
      const anyWithheld = campaigns.some((c) => c.people_reached === disclosure.symbol) || totals.some((r) => r.reached === disclosure.symbol);
      return { campaigns, totals, disclosure, anyWithheld };
    });
  }

  getCampaign(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const campaign = await tx.selectFrom('campaigns').select(campaignColumns).where('id', '=', id).executeTakeFirst();
      if (!campaign) throw notFound();
      const materials = await tx
        .selectFrom('campaign_materials')
        .select(['id', 'kind', 'title', 'quantity'])
        .where('campaign_id', '=', id)
        .orderBy('title')
        .execute();
      const questions = await tx
        .selectFrom('campaign_questions')
        .select(['id', 'position', 'text', 'scale'])
        .where('campaign_id', '=', id)
        .orderBy('position')
        .execute();
      const counts = questions.length
        ? await tx
            .selectFrom('campaign_answer_counts')
            .select(['question_id', 'answer', 'count'])
            .where(
              'question_id',
              'in',
              questions.map((q) => q.id),
            )
            .execute()
        : [];
      const disclosure = await disclosureIn(tx, user);
      const feedback = questions.map((q) => {
        const answers = scaleAnswers[q.scale as keyof typeof scaleAnswers] ?? [];
        const tallies = answers.map((answer) => ({ answer, count: counts.find((c) => c.question_id === q.id && c.answer === answer)?.count ?? 0 }));
        // The raw tallies stay in `tallies` for the form that corrects them (campaigns.manage, which reads figures raw).
        return { ...q, ...controlledAnswers(disclosure, tallies), tallies };
      });
      // Concerns from the public that named this campaign as how they heard of the form: a count only (migration 0252).
      const named = await sql<{ reports: number }>`SELECT reports FROM lantern_campaign_report_counts() WHERE campaign_id = ${id}::uuid`.execute(tx);
      const reach = await controlledReach(tx, disclosure);
      const reportsNamingIt = count(disclosure, Number(named.rows[0]?.reports ?? 0));
      const shownCampaign = { ...campaign, people_reached: reach.byCampaign.get(campaign.id) ?? campaign.people_reached };
      const anyWithheld =
        shownCampaign.people_reached === disclosure.symbol ||
        reportsNamingIt === disclosure.symbol ||
        feedback.some((q) => q.total === disclosure.symbol || q.answers.some((a) => a.count === disclosure.symbol));
      return { campaign: shownCampaign, materials, feedback, reportsNamingIt, disclosure, anyWithheld };
    });
  }

  createCampaign(user: SessionUser, form: CampaignForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .insertInto('campaigns')
        .values({
          partnership_id: user.partnershipId,
          title: form.title,
          audience: form.audience,
          starts_on: form.startsOn,
          ends_on: form.endsOn,
          people_reached: form.peopleReached,
          summary: form.summary,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign', recordId: row.id });
      return row.id;
    });
  }

  /** A campaign as its edit form shows it: the figures as recorded (campaigns.manage reads them raw). */
  campaignForEdit(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx.selectFrom('campaigns').select(campaignColumns).where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      return row;
    });
  }

  /** Corrects a campaign; the audit row names what changed, before → after (the summary named, never copied). */
  updateCampaign(user: SessionUser, id: string, form: CampaignForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .selectFrom('campaigns')
        .select([
          'title',
          'audience',
          sql<string>`starts_on::text`.as('starts_on'),
          sql<string | null>`ends_on::text`.as('ends_on'),
          'people_reached',
          'summary',
        ])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound();
      const shape = (c: { title: string; audience: string; startsOn: string; endsOn: string | null; peopleReached: number; summary: string | null }) => ({
        ...c,
        peopleReached: String(c.peopleReached),
      });
      const before = shape({
        title: row.title,
        audience: row.audience,
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        peopleReached: row.people_reached,
        summary: row.summary,
      });
      const diff = changedFields(before, shape(form), ['summary']);
      if (diff.fields.length === 0) return;
      await tx
        .updateTable('campaigns')
        .set({
          title: form.title,
          audience: form.audience,
          starts_on: form.startsOn,
          ends_on: form.endsOn,
          people_reached: form.peopleReached,
          summary: form.summary,
        })
        .where('id', '=', id)
        .execute();
      await act.audit({ action: 'record.update', recordType: 'campaign', recordId: id, details: { change: 'edited', ...diff } });
    });
  }

  addMaterial(user: SessionUser, campaignId: string, form: MaterialForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await assertFound(tx, 'campaigns', campaignId);
      const row = await tx
        .insertInto('campaign_materials')
        .values({ partnership_id: user.partnershipId, campaign_id: campaignId, ...form })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign_material', recordId: row.id, details: { campaignId } });
    });
  }

  addQuestion(user: SessionUser, campaignId: string, form: QuestionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await assertFound(tx, 'campaigns', campaignId);
      const last = await tx
        .selectFrom('campaign_questions')
        .select(sql<number>`coalesce(max(position), 0)::int`.as('n'))
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      const row = await tx
        .insertInto('campaign_questions')
        .values({ partnership_id: user.partnershipId, campaign_id: campaignId, position: last.n + 1, text: form.text, scale: form.scale })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign_question', recordId: row.id, details: { campaignId } });
    });
  }

  /** Replaces a question's answer tallies with the counts given. */
  recordTallies(user: SessionUser, campaignId: string, form: TallyForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const question = await tx
        .selectFrom('campaign_questions')
        .select(['id', 'scale'])
        .where('id', '=', form.questionId)
        .where('campaign_id', '=', campaignId)
        .executeTakeFirst();
      if (!question) throw notFound();
      const answers = scaleAnswers[question.scale as keyof typeof scaleAnswers] ?? [];
      await tx.deleteFrom('campaign_answer_counts').where('question_id', '=', question.id).execute();
      const values = answers.map((answer) => ({ partnership_id: user.partnershipId, question_id: question.id, answer, count: form[answer] ?? 0 }));
      if (values.length) await tx.insertInto('campaign_answer_counts').values(values).execute();
      await act.audit({
        action: 'record.update',
        recordType: 'campaign_question',
        recordId: question.id,
        details: Object.fromEntries(values.map((v) => [v.answer, v.count])),
      });
    });
  }
}
