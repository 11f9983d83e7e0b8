import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { entityExists, eventLinks, eventRow, findEvents, linkChoices, sourceRecord } from './repository.ts';
import type { EntityKind, EventForm } from './schema.ts';
import { IntelligenceValidationError } from './service.ts';

/** The audit record type of an event (locales auditRecordTypes). */
export const eventRecordType = 'intel_event';

/** A unique index refused the row (the found location of an episode recorded twice). */
const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505';

/**
 * Intelligence events (issue 12 §1, migration 0350): sightings, incidents, where a missing child was
 * found or went missing from, and submissions, each at a date and a place and linked to the children
 * and entities it concerns. A found location recorded from a missing episode is one event per episode
 * and also the child's found_at link to the place, both naming the episode as their source record, so
 * hotspot queries count it once (repository foundLocationCounts). Every read and change is audited.
 */
export class IntelEventsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The events page: the newest. */
  list(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const events = await findEvents(tx);
      await act.audit({
        action: 'record.view',
        recordType: eventRecordType,
        details: { list: 'intelligence events', results: events.length },
        disclosedIds: events.map((e) => e.id),
      });
      return events;
    });
  }

  /**
   * The new event form's choices, and with `episodeId` the missing episode it records the found
   * location of (its child, the day it ended and the words of "where found"); not found when the
   * episode is not one the reader sees or has not ended.
   */
  formChoices(user: SessionUser, episodeId?: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const choices = await linkChoices(tx);
      const localities = await tx.selectFrom('localities').select(['id', 'name']).orderBy('name').execute();
      if (!episodeId) return { choices, localities, episode: null };
      const episode = await sourceRecord(tx, 'missing_episode', episodeId);
      if (!episode) throw notFound();
      await act.audit({
        action: 'record.view',
        recordType: 'child',
        recordId: episode.child.id,
        details: { page: 'found location form', episode: episodeId },
      });
      return { choices, localities, episode };
    });
  }

  /** A new event and its links; from a missing episode also the child's found_at link to the place. Its id. */
  create(user: SessionUser, form: EventForm): Promise<string> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const created = { partnership_id: user.partnershipId, created_at: this.clock.now(), created_by: user.userId, created_by_name: user.displayName };
      const linked: { kind: EntityKind; id: string }[] = [];
      const episode = form.episodeId ? await sourceRecord(tx, 'missing_episode', form.episodeId) : undefined;
      if (form.episodeId && !episode) throw notFound();
      if (episode) linked.push({ kind: 'child', id: episode.child.id });
      if (form.childReference) {
        const child = await tx.selectFrom('children').select('id').where('reference', '=', form.childReference).executeTakeFirst();
        if (!child) throw new IntelligenceValidationError('childReference', 'intelligence.errors.childNotFound');
        if (!linked.some((l) => l.id === child.id)) linked.push({ kind: 'child', id: child.id });
      }
      for (const [kind, id] of [
        ['location', form.locationId],
        ['person', form.personId],
        ['object', form.objectId],
      ] as const) {
        if (!id) continue;
        if (!(await entityExists(tx, kind, id))) throw new IntelligenceValidationError(`${kind}Id`, `intelligence.errors.target.${kind}`);
        linked.push({ kind, id });
      }
      if (form.localityId && !(await tx.selectFrom('localities').select('id').where('id', '=', form.localityId).executeTakeFirst()))
        throw new IntelligenceValidationError('localityId', 'intelligence.errors.locality');
      const source = episode ? { source_record_kind: 'missing_episode' as const, source_record_id: episode.id } : {};
      let row: { id: string };
      try {
        row = await tx
          .insertInto('intel_events')
          .values({
            ...created,
            ...source,
            kind: form.kind,
            occurred_on: form.occurredOn,
            location_id: form.locationId,
            locality_id: form.localityId,
            description: form.description,
            source: form.source,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      } catch (error) {
        if (episode && isUniqueViolation(error)) throw new IntelligenceValidationError('locationId', 'intelligence.errors.foundRecorded');
        throw error;
      }
      if (linked.length > 0)
        await tx
          .insertInto('intel_event_links')
          .values(linked.map((l) => ({ ...created, event_id: row.id, entity_kind: l.kind, entity_id: l.id })))
          .execute();
      if (episode && form.locationId)
        await tx
          .insertInto('intel_links')
          .values({
            ...created,
            ...source,
            from_kind: 'child',
            from_id: episode.child.id,
            to_kind: 'location',
            to_id: form.locationId,
            relation: 'found_at',
            first_seen_on: form.occurredOn,
            last_seen_on: form.occurredOn,
            source: form.source,
            confidence: 'high',
          })
          .execute();
      await act.audit({
        action: 'record.create',
        recordType: eventRecordType,
        recordId: row.id,
        details: { kind: form.kind, linked: linked.map((l) => `${l.kind}:${l.id}`), ...(episode ? { episode: episode.id } : {}) },
        disclosedIds: linked.map((l) => l.id),
      });
      return row.id;
    });
  }

  /** An event's page: the event, what it is linked to and its access log; the view audited. */
  page(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const event = await eventRow(tx, id);
      if (!event) throw notFound();
      const links = await eventLinks(tx, id);
      await act.audit({
        action: 'record.view',
        recordType: eventRecordType,
        recordId: id,
        disclosedIds: links.flatMap((l) => (l.entity.label === null ? [] : [l.entity.id])),
      });
      const accessLog = await accessLogFor(tx, eventRecordType, id);
      return { event, links, accessLog };
    });
  }
}
