import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import { assertFound } from '../../db/rows.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { answerShares } from './compliance.ts';
import { scaleAnswers, type CampaignForm, type MaterialForm, type QuestionForm, type TallyForm } from './schema.ts';

/** Awareness campaigns: materials distributed, people reached and feedback tallies. */
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
      const campaigns = await q.orderBy('c.starts_on', 'desc').execute();
      const totals = await tx
        .selectFrom('campaigns')
        .select(['audience', sql<number>`sum(people_reached)::int`.as('reached'), sql<number>`count(*)::int`.as('campaigns')])
        .groupBy('audience')
        .orderBy('audience')
        .execute();
      return { campaigns, totals };
    });
  }

  getCampaign(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const campaign = await tx
        .selectFrom('campaigns')
        .select([
          'id',
          'title',
          'audience',
          sql<string>`starts_on::text`.as('starts_on'),
          sql<string | null>`ends_on::text`.as('ends_on'),
          'people_reached',
          'summary',
        ])
        .where('id', '=', id)
        .executeTakeFirst();
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
      const feedback = questions.map((q) => {
        const answers = scaleAnswers[q.scale as keyof typeof scaleAnswers] ?? [];
        const tallies = answers.map((answer) => ({ answer, count: counts.find((c) => c.question_id === q.id && c.answer === answer)?.count ?? 0 }));
        return { ...q, answers: answerShares(tallies), total: tallies.reduce((s, c) => s + c.count, 0) };
      });
      // Concerns from the public that named this campaign as how they heard of the form: a count only (migration 0252).
      const named = await sql<{ reports: number }>`SELECT reports FROM lantern_campaign_report_counts() WHERE campaign_id = ${id}::uuid`.execute(tx);
      return { campaign, materials, feedback, reportsNamingIt: Number(named.rows[0]?.reports ?? 0) };
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
