import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { londonDate, quarterOf } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { agencyChoices } from '../children/repository.ts';
import { disruptionQuarters, quartersUpTo } from './disruption-figures.ts';
import type { DisruptionFilter, DisruptionForm, OutcomeForm } from './disruption-schema.ts';
import { disruptionChildren, disruptionRow, findDisruptions } from './disruption-repository.ts';
import { entityExists, linkChoices } from './repository.ts';
import { IntelligenceValidationError } from './service.ts';

/** The audit record type of a disruption (locales auditRecordTypes). */
export const disruptionRecordType = 'intel_disruption';

/** How many quarters the figures page shows, up to the current one. */
export const figureQuarters = 8;

/**
 * Disruption and outcomes (issue 12 §3): the tactics used against those who exploit children, each with
 * its date, agency, target, the children it protects and its outcome, and the figures by quarter. Every
 * read and change is audited in its own transaction; row-level security (migration 0310) keeps the rows
 * to the acting partnership's intelligence roles, and the figures come from functions that return counts
 * only (disruption-figures.ts), which the strategy's Pursue measures read too.
 */
export class DisruptionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private currentQuarter() {
    return quarterOf(londonDate(this.clock.now()));
  }

  /** The list: the newest disruptions, or a quarter's and/or a tactic's. */
  list(user: SessionUser, filter: DisruptionFilter = {}) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const disruptions = await findDisruptions(tx, filter);
      const filtered = filter.quarter !== undefined || filter.tactic !== undefined;
      await act.audit({
        action: filtered ? 'search' : 'record.view',
        recordType: disruptionRecordType,
        details: {
          list: 'disruptions',
          ...(filter.quarter ? { quarter: filter.quarter } : {}),
          ...(filter.tactic ? { tactic: filter.tactic } : {}),
          results: disruptions.length,
        },
        disclosedIds: disruptions.map((d) => d.id),
      });
      return { disruptions, quarters: quartersUpTo(this.currentQuarter(), figureQuarters).reverse() };
    });
  }

  /** The form's choices: the agencies that may have acted, and the persons and locations it may target (their names shown: audited). */
  formChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const { persons, locations } = await linkChoices(tx);
      await act.audit({
        action: 'record.view',
        recordType: disruptionRecordType,
        details: { page: 'disruption form', persons: persons.length, locations: locations.length },
        disclosedIds: [...persons, ...locations].map((e) => e.id),
      });
      return { agencies: await agencyChoices(tx), persons, locations };
    });
  }

  /** A new disruption; its children named by reference, each one the recorder may see. */
  create(user: SessionUser, form: DisruptionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (form.personId && !(await entityExists(tx, 'person', form.personId)))
        throw new IntelligenceValidationError('personId', 'intelligence.errors.target.person');
      if (form.locationId && !(await entityExists(tx, 'location', form.locationId)))
        throw new IntelligenceValidationError('locationId', 'intelligence.errors.target.location');
      if (!(await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId).executeTakeFirst()))
        throw new IntelligenceValidationError('agencyId', 'disruption.errors.agency');
      const children =
        form.childReferences.length === 0
          ? []
          : await tx.selectFrom('children').select(['id', 'reference']).where('reference', 'in', form.childReferences).execute();
      const unknown = form.childReferences.filter((r) => !children.some((c) => c.reference === r));
      if (unknown.length > 0) throw new IntelligenceValidationError('childReferences', 'disruption.errors.childNotFound');
      const now = this.clock.now();
      const row = await tx
        .insertInto('intel_disruptions')
        .values({
          partnership_id: user.partnershipId,
          tactic: form.tactic,
          tactic_other: form.tacticOther,
          disrupted_on: form.disruptedOn,
          agency_id: form.agencyId,
          target_person_id: form.personId,
          target_location_id: form.locationId,
          summary: form.summary,
          outcome: form.outcome,
          outcome_notes: form.outcomeNotes,
          outcome_recorded_at: form.outcome === 'pending' ? null : now,
          outcome_recorded_by_name: form.outcome === 'pending' ? null : user.displayName,
          created_at: now,
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (children.length > 0)
        await tx
          .insertInto('intel_disruption_children')
          .values(children.map((c) => ({ partnership_id: user.partnershipId, disruption_id: row.id, linked_child_id: c.id, created_at: now })))
          .execute();
      await act.audit({
        action: 'record.create',
        recordType: disruptionRecordType,
        recordId: row.id,
        details: { tactic: form.tactic, disruptedOn: form.disruptedOn, outcome: form.outcome, children: children.length },
        disclosedIds: [...[form.personId, form.locationId].filter((x): x is string => x !== null), ...children.map((c) => c.id)],
      });
      return row.id;
    });
  }

  /** A disruption's page: the record, the children it protects and its access log; the view audited. */
  page(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const disruption = await disruptionRow(tx, id);
      if (!disruption) throw notFound();
      const children = await disruptionChildren(tx, id);
      await act.audit({
        action: 'record.view',
        recordType: disruptionRecordType,
        recordId: id,
        disclosedIds: [
          ...[disruption.target_person_id, disruption.target_location_id].filter((x): x is string => x !== null),
          ...children.flatMap((c) => (c.label === null ? [] : [c.id])),
        ],
      });
      const accessLog = await accessLogFor(tx, disruptionRecordType, id);
      return { disruption, children, accessLog };
    });
  }

  /** Records (or changes) a disruption's outcome; the audit row keeps the old one. */
  recordOutcome(user: SessionUser, id: string, form: OutcomeForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await tx.selectFrom('intel_disruptions').select(['outcome', 'outcome_notes']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      await tx
        .updateTable('intel_disruptions')
        .set({ outcome: form.outcome, outcome_notes: form.outcomeNotes, outcome_recorded_at: this.clock.now(), outcome_recorded_by_name: user.displayName })
        .where('id', '=', id)
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: disruptionRecordType,
        recordId: id,
        details: { outcome: { from: before.outcome, to: form.outcome } },
      });
    });
  }

  /** The figures by quarter, oldest first, for the last eight quarters: aggregates only, audited as a view of the figures. */
  figures(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const quarters = await disruptionQuarters(tx, quartersUpTo(this.currentQuarter(), figureQuarters));
      await act.audit({ action: 'record.view', recordType: disruptionRecordType, details: { page: 'disruption figures', quarters: quarters.length } });
      return quarters;
    });
  }
}
