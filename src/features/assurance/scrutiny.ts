import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { londonDate } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import { assertFound } from '../../db/rows.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { BodyForm, RecommendationForm, ResponseForm, WorkItemForm } from './schema.ts';

/** Scrutiny: bodies, their work programmes, and recommendations with responses and RAG + Blue status. */
export class ScrutinyService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return londonDate(this.clock.now());
  }

  listBodies(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const today = this.today();
      return tx
        .selectFrom('scrutiny_bodies as b')
        .leftJoin('scrutiny_bodies as p', 'p.id', 'b.parent_id')
        .select(['b.id', 'b.name', 'b.kind', 'b.chair', 'p.name as parent_name'])
        .select((eb) => {
          // The body's recommendations, counted: all of them, those complete, those overdue.
          const counted = () =>
            eb
              .selectFrom('scrutiny_recommendations as r')
              .whereRef('r.body_id', '=', 'b.id')
              .select((e) => e.fn.countAll<number>().as('n'));
          return [
            counted().as('recommendations'),
            counted().where('r.status', '=', 'blue').as('complete'),
            counted().where('r.status', 'not in', ['blue', 'not-applicable']).where('r.due_on', '<', today).as('overdue'),
          ];
        })
        .orderBy('b.name')
        .execute();
    });
  }

  getBody(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const body = await tx
        .selectFrom('scrutiny_bodies as b')
        .leftJoin('scrutiny_bodies as p', 'p.id', 'b.parent_id')
        .select(['b.id', 'b.name', 'b.kind', 'b.chair', 'b.remit', 'p.name as parent_name', 'p.id as parent_id'])
        .where('b.id', '=', id)
        .executeTakeFirst();
      if (!body) throw notFound();
      const workItems = await tx
        .selectFrom('scrutiny_work_items')
        .select(['id', sql<string>`meets_on::text`.as('meets_on'), 'topic', 'details'])
        .where('body_id', '=', id)
        .orderBy('meets_on')
        .execute();
      const today = this.today();
      const recommendations = (
        await tx
          .selectFrom('scrutiny_recommendations')
          .select([
            'id',
            'reference',
            'recommendation',
            sql<string>`made_on::text`.as('made_on'),
            'cross_reference',
            'response',
            'owner',
            sql<string | null>`due_on::text`.as('due_on'),
            'status',
            'evidence_source',
          ])
          .where('body_id', '=', id)
          .orderBy('reference')
          .execute()
      ).map((r) => ({ ...r, overdue: !!r.due_on && r.due_on < today && !['blue', 'not-applicable'].includes(r.status) }));
      return { body, workItems, recommendations };
    });
  }

  createBody(user: SessionUser, form: BodyForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('scrutiny_bodies').select('id').where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'name in use');
      const row = await tx
        .insertInto('scrutiny_bodies')
        .values({ partnership_id: user.partnershipId, ...form })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_body', recordId: row.id });
      return row.id;
    });
  }

  addWorkItem(user: SessionUser, bodyId: string, form: WorkItemForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await assertFound(tx, 'scrutiny_bodies', bodyId);
      const row = await tx
        .insertInto('scrutiny_work_items')
        .values({ partnership_id: user.partnershipId, body_id: bodyId, meets_on: form.meetsOn, topic: form.topic, details: form.details })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_work_item', recordId: row.id, details: { bodyId } });
    });
  }

  addRecommendation(user: SessionUser, bodyId: string, form: RecommendationForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await assertFound(tx, 'scrutiny_bodies', bodyId);
      const clash = await tx
        .selectFrom('scrutiny_recommendations')
        .select('id')
        .where('body_id', '=', bodyId)
        .where('reference', '=', form.reference)
        .executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'reference in use');
      const row = await tx
        .insertInto('scrutiny_recommendations')
        .values({
          partnership_id: user.partnershipId,
          body_id: bodyId,
          reference: form.reference,
          recommendation: form.recommendation,
          made_on: form.madeOn,
          cross_reference: form.crossReference,
          evidence_source: form.evidenceSource,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_recommendation', recordId: row.id, details: { bodyId } });
      return row.id;
    });
  }

  getRecommendation(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const r = await tx
        .selectFrom('scrutiny_recommendations as r')
        .innerJoin('scrutiny_bodies as b', 'b.id', 'r.body_id')
        .select([
          'r.id',
          'r.reference',
          'r.recommendation',
          sql<string>`r.made_on::text`.as('made_on'),
          'r.cross_reference',
          'r.response',
          'r.response_text',
          'r.owner',
          sql<string | null>`r.due_on::text`.as('due_on'),
          'r.status',
          'r.evidence_source',
          'r.updated_at',
          'b.id as body_id',
          'b.name as body_name',
        ])
        .where('r.id', '=', id)
        .executeTakeFirst();
      if (!r) throw notFound();
      return r;
    });
  }

  respond(user: SessionUser, id: string, form: ResponseForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await tx.selectFrom('scrutiny_recommendations').select(['response', 'status']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      await tx
        .updateTable('scrutiny_recommendations')
        .set({
          response: form.response,
          response_text: form.responseText,
          owner: form.owner,
          due_on: form.dueOn,
          status: form.status,
          evidence_source: form.evidenceSource,
          updated_at: this.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: 'scrutiny_recommendation',
        recordId: id,
        details: { response: { from: before.response, to: form.response }, status: { from: before.status, to: form.status } },
      });
    });
  }
}
