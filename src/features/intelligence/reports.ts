import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { canHoldOriginalText, canReleaseReport } from '../../authz/policy.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { entityExists, findReports, linkChoices, reportLinks, reportOriginal, reportRelease, reportRow } from './repository.ts';
import type { ReportForm, ReportLinkForm } from './schema.ts';
import { IntelligenceValidationError } from './service.ts';

/** The audit record type of a report (locales auditRecordTypes). */
export const reportRecordType = 'intel_report';

/** A report's grading as analysts say it: "2/B/P". */
export const grading = (r: { source_evaluation: string; intelligence_assessment: string; handling_code: string }) =>
  `${r.source_evaluation}/${r.intelligence_assessment}/${r.handling_code}`;

/**
 * Graded intelligence reports (issue 12 §2): submitted, listed and searched by their sanitised text,
 * read with their links and — for the submitting agency's analyst alone — their original text, and
 * linked to children and entities. Every read and change is audited in its own transaction. Which
 * reports and originals a person reads is row-level security's answer (migration 0301), not this
 * module's: a query here never filters by handling code itself.
 */
export class IntelReportsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The reports page: the newest, or with `term` those whose sanitised text contains it. */
  list(user: SessionUser, term?: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const reports = await findReports(tx, term);
      await act.audit({
        action: term === undefined ? 'record.view' : 'search',
        recordType: reportRecordType,
        details: { list: 'intelligence reports', results: reports.length },
        disclosedIds: reports.map((r) => r.id),
      });
      return reports;
    });
  }

  /** A new report, submitted as the acting person's agency; the original text only from an analyst (the database refuses anyone else's). */
  create(user: SessionUser, form: ReportForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (form.originalText && !canHoldOriginalText(user)) throw new IntelligenceValidationError('originalText', 'intelligence.errors.originalNotAllowed');
      const row = await tx
        .insertInto('intel_reports')
        .values({
          partnership_id: user.partnershipId,
          source_evaluation: form.sourceEvaluation,
          intelligence_assessment: form.intelligenceAssessment,
          handling_code: form.handlingCode,
          handling_conditions: form.handlingConditions,
          released_to_partnership: form.released,
          obtained_on: form.obtainedOn,
          submitting_agency_id: user.agencyId,
          officer_name: form.officerName,
          sanitised_text: form.sanitisedText,
          created_at: this.clock.now(),
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (form.originalText)
        await tx
          .insertInto('intel_report_originals')
          .values({
            report_id: row.id,
            partnership_id: user.partnershipId,
            agency_id: user.agencyId,
            original_text: form.originalText,
            created_at: this.clock.now(),
          })
          .execute();
      await act.audit({
        action: 'record.create',
        recordType: reportRecordType,
        recordId: row.id,
        details: {
          grading: grading({
            source_evaluation: form.sourceEvaluation,
            intelligence_assessment: form.intelligenceAssessment,
            handling_code: form.handlingCode,
          }),
          original: !!form.originalText,
        },
      });
      return row.id;
    });
  }

  /** A report's page: the report, its original text when the context reads it, its links, the link form's choices and its access log. */
  page(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const report = await reportRow(tx, id);
      if (!report) throw notFound();
      const original = await reportOriginal(tx, id);
      const links = await reportLinks(tx, id);
      const release = await reportRelease(tx, id);
      const choices = await linkChoices(tx);
      await act.audit({
        action: 'record.view',
        recordType: reportRecordType,
        recordId: id,
        details: { original: original !== undefined },
        disclosedIds: links.flatMap((l) => (l.entity.label === null ? [] : [l.entity.id])),
      });
      const accessLog = await accessLogFor(tx, reportRecordType, id);
      return { report, original: original ?? null, links, release: release ?? null, mayRelease: canReleaseReport(user, report), choices, accessLog };
    });
  }

  /**
   * Releases a C report to the partnership's intelligence roles, with the reason: only the analyst of
   * the agency that submitted it, once (the database refuses anyone else, migration 0350). After it the
   * other agencies' intelligence roles read the report's sanitised text and its links, never the original.
   */
  release(user: SessionUser, reportId: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const report = await reportRow(tx, reportId);
      if (!report) throw notFound();
      if (!canReleaseReport(user, report)) throw new IntelligenceValidationError('reason', 'intelligence.errors.releaseNotAllowed');
      await tx
        .insertInto('intel_report_releases')
        .values({
          report_id: reportId,
          partnership_id: user.partnershipId,
          agency_id: user.agencyId,
          reason,
          released_at: this.clock.now(),
          released_by: user.userId,
          released_by_name: user.displayName,
        })
        .execute();
      await tx.updateTable('intel_reports').set({ released_to_partnership: true }).where('id', '=', reportId).execute();
      await act.audit({ action: 'record.update', recordType: reportRecordType, recordId: reportId, details: { released: true, reason } });
    });
  }

  /** Links a report to a child (by reference) or an entity; linking one twice is refused on the form. */
  addLink(user: SessionUser, reportId: string, form: ReportLinkForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await reportRow(tx, reportId))) throw notFound();
      let entity: { kind: 'child' | 'person' | 'location' | 'object'; id: string };
      if (form.kind === 'child') {
        const child = await tx.selectFrom('children').select('id').where('reference', '=', form.reference).executeTakeFirst();
        if (!child) throw new IntelligenceValidationError('childReference', 'intelligence.errors.childNotFound');
        entity = { kind: 'child', id: child.id };
      } else {
        if (!(await entityExists(tx, form.kind, form.id))) throw new IntelligenceValidationError(`${form.kind}Id`, `intelligence.errors.target.${form.kind}`);
        entity = { kind: form.kind, id: form.id };
      }
      const existing = await tx
        .selectFrom('intel_report_links')
        .select('id')
        .where('report_id', '=', reportId)
        .where('entity_kind', '=', entity.kind)
        .where('entity_id', '=', entity.id)
        .executeTakeFirst();
      if (existing) throw new IntelligenceValidationError(entity.kind === 'child' ? 'childReference' : `${entity.kind}Id`, 'intelligence.errors.alreadyLinked');
      await tx
        .insertInto('intel_report_links')
        .values({
          partnership_id: user.partnershipId,
          report_id: reportId,
          entity_kind: entity.kind,
          entity_id: entity.id,
          created_at: this.clock.now(),
          created_by: user.userId,
          created_by_name: user.displayName,
        })
        .execute();
      await act.audit({
        action: 'record.update',
        recordType: reportRecordType,
        recordId: reportId,
        details: { linked: `${entity.kind}:${entity.id}` },
        disclosedIds: [entity.id],
      });
    });
  }
}
