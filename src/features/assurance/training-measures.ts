import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { londonDate } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { disclosureIn } from '../disclosure/publish.ts';
import { complianceByAgency, outstandingPeople } from './compliance.ts';
import { publishCompliance } from './compliance-published.ts';
import type { ComplianceQuery, MeasureForm } from './schema.ts';
import { staffTrainingRecords } from './training-records.ts';

/** Training measures and compliance with them, by agency (compliance.ts is the maths). */
export class TrainingMeasureService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today(): string {
    return londonDate(this.clock.now());
  }

  createMeasure(user: SessionUser, form: MeasureForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const known = await tx.selectFrom('training_courses').select('id').where('id', 'in', form.courseIds).execute();
      if (known.length !== new Set(form.courseIds).size) throw notFound();
      const row = await tx
        .insertInto('training_measures')
        .values({
          partnership_id: user.partnershipId,
          title: form.title,
          course_ids: form.courseIds,
          window_months: form.windowMonths,
          target_percent: form.targetPercent,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_measure', recordId: row.id, details: { ...form } });
      return row.id;
    });
  }

  /**
   * Compliance with a measure, by agency. With `people` the list of who is outstanding is
   * returned too, and that view of personal data is audited; board members never get it. The
   * figures are controlled (issue 13 §2, compliance-published.ts) unless the reader may see them raw.
   */
  compliance(user: SessionUser, query: ComplianceQuery, people: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const measures = await tx
        .selectFrom('training_measures')
        .select(['id', 'title', 'course_ids', 'window_months', 'target_percent'])
        .orderBy('created_at')
        .orderBy('window_months')
        .orderBy('title')
        .execute();
      const measure = query.measureId ? measures.find((m) => m.id === query.measureId) : measures[0];
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute();
      if (query.measureId && !measure) throw notFound();
      const disclosure = await disclosureIn(tx, user);
      if (!measure)
        return {
          measures,
          measure: null,
          agencies,
          rows: [],
          overall: null,
          outstanding: null,
          asOf: query.asOf ?? this.today(),
          disclosure,
          anyWithheld: false,
        };
      const asOf = query.asOf ?? this.today();
      const records = await staffTrainingRecords(tx, measure.course_ids, asOf);
      const rule = { windowMonths: measure.window_months, asOf };
      const raw = complianceByAgency(records, rule);
      const shownAgencies = agencies.filter((a) => raw.byAgency.has(a.id));
      const { byAgency, overall } = publishCompliance(disclosure, new Map(shownAgencies.map((a) => [a.id, raw.byAgency.get(a.id)!])), raw.overall);
      const rows = shownAgencies.map((a) => ({ agency: a, figures: byAgency.get(a.id)! }));
      const anyWithheld = overall.withheld || rows.some((r) => r.figures.withheld) || overall.noStartDate === disclosure.symbol;
      let outstanding: { name: string; role: string | null; agency: string; startedOn: string | null }[] | null = null;
      if (people) {
        const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
        outstanding = outstandingPeople(
          records.filter((r) => !query.agencyId || r.agencyId === query.agencyId),
          rule,
        )
          .map((r) => ({ name: r.name, role: r.role, agency: agencyName.get(r.agencyId) ?? '', startedOn: r.startedOn }))
          .sort((a, b) => a.agency.localeCompare(b.agency) || a.name.localeCompare(b.name));
        await act.audit({
          action: 'record.view',
          recordType: 'training_outstanding',
          recordId: measure.id,
          details: { agencyId: query.agencyId ?? null, asOf, people: outstanding.length },
        });
      }
      return { measures, measure, agencies, rows, overall, outstanding, asOf, disclosure, anyWithheld };
    });
  }
}
