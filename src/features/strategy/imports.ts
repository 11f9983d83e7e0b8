import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError } from '../../errors.ts';
import { planImportLimits, type UploadRefusal } from '../../uploads/limits.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { previewImport, type ImportPreview, type ImportedAction } from './reports/import.ts';
import { ragLabel } from './reports/model.ts';
import { planFileWeight, planUploadParser } from './reports/plan-file.ts';
import { loadPlan } from './repository.ts';

/** Reading a plan back in from XLSX or CSV: a preview first, then the checked rows saved. */
export class PlanImportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Reads an uploaded plan and checks its rows against the plan's framework (in a worker thread when
   * the file is large; see src/uploads). Nothing is saved. A file over a cap is refused without a preview.
   */
  async previewUpload(user: SessionUser, planId: string, content: Buffer): Promise<{ refusal: UploadRefusal } | (ImportPreview & { planTitle: string })> {
    const weight = planFileWeight(content);
    if (!weight.ok) return { refusal: weight.refusal };
    const { plan, agencies } = await withActor(this.db, actorOf(user), async (tx) => ({
      plan: await loadPlan(tx, planId),
      agencies: await tx.selectFrom('agencies').select('name').execute(),
    }));
    const preview = await runUploadParser(planUploadParser, { content, framework: plan.framework, agencyNames: agencies.map((a) => a.name) }, weight.value);
    return preview.ok ? { ...preview.value, planTitle: plan.title } : { refusal: preview.refusal };
  }

  /** Saves previewed actions: new action ids are added, existing ones updated. Nothing is saved if any row is wrong. */
  applyImport(user: SessionUser, planId: string, actions: ImportedAction[]) {
    if (actions.length > planImportLimits.maxRows) throw new LanternError('LANTERN_E_VALIDATION', 'more import rows than an upload may have');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const plan = await loadPlan(tx, planId);
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).execute();
      const checked = previewImport(
        importRows(actions),
        plan.framework,
        agencies.map((a) => a.name),
      );
      if (checked.fileErrors.length > 0 || checked.rows.some((r) => r.errors.length > 0)) {
        throw new LanternError('LANTERN_E_VALIDATION', 'import rows changed since the preview');
      }
      let updated = 0;
      // One read of the plan's action ids and one insert of the new actions: an import may hold 1,000.
      const existing = new Map(
        (await tx.selectFrom('strategy_actions').select(['id', 'action_ref']).where('plan_id', '=', planId).execute()).map((a) => [a.action_ref, a.id]),
      );
      const agencyIds = new Map(agencies.map((a) => [a.name.toLowerCase(), a.id]));
      const added = [];
      for (const { action } of checked.rows) {
        if (!action) continue;
        const values = {
          outcome_ref: action.outcomeRef,
          text: action.text,
          lead_title: action.leadTitle,
          lead_agency_id: agencyIds.get(action.leadAgency.toLowerCase()) ?? null,
          start_on: action.startOn,
          due_on: action.dueOn,
          cost_pounds: action.costPounds,
          cost_note: action.costNote,
          success_measure: action.successMeasure,
          target_value: action.targetValue,
          measure_unit: action.measureUnit,
          evidence_source: action.evidenceSource,
          board_plan_ref: action.boardPlanRef,
          status: action.status,
          updated_at: this.clock.now(),
        };
        const id = existing.get(action.ref);
        if (id) {
          await tx.updateTable('strategy_actions').set(values).where('id', '=', id).execute();
          updated++;
        } else {
          added.push({ ...values, partnership_id: user.partnershipId, plan_id: planId, action_ref: action.ref });
        }
      }
      if (added.length > 0) await tx.insertInto('strategy_actions').values(added).execute();
      await act.audit({ action: 'record.update', recordType: 'strategy_plan', recordId: planId, details: { imported: { added: added.length, updated } } });
      return { added: added.length, updated };
    });
  }
}

/** Turns previewed actions back into rows with the export's headings, so the same checks run again on save. */
export function importRows(actions: ImportedAction[]): string[][] {
  // The export's order (reports/model.ts): action and success measure side by side (seed 003).
  const header = [
    'Action id',
    'Action',
    'Success measure',
    'Target',
    'Unit',
    'Evidence source',
    'Board plan reference',
    'Lead (post)',
    'Lead agency',
    'Start date',
    'Due date',
    'Cost (£)',
    'Cost note',
    'RAG status',
  ];
  return [
    header,
    ...actions.map((a) => [
      a.ref,
      a.text,
      a.successMeasure,
      a.targetValue ?? '',
      a.measureUnit,
      a.evidenceSource,
      a.boardPlanRef,
      a.leadTitle,
      a.leadAgency,
      a.startOn ?? '',
      a.dueOn ?? '',
      a.costPounds ?? '',
      a.costNote,
      ragLabel(a.status),
    ]),
  ];
}
