import type { FastifyReply, FastifyRequest } from 'fastify';
import { LanternError } from '../../errors.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { londonDate } from '../../dates.ts';
import { planImportLimits, refusalMessage } from '../../uploads/limits.ts';
import { acceptUploads } from '../../uploads/multipart.ts';
import { prepareUploadParser } from '../../uploads/parse.ts';
import { dateOfInput } from '../../web/form-fields.ts';
import { fieldErrors, formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { uuidParams } from '../../web/params.ts';
import type { Feature, LanternApp } from '../feature.ts';
import { measureSources } from './computed-measures.ts';
import { frameworkFormBodySchema, frameworkFormValues, postedFrameworkForm } from './framework-form.ts';
import { returnKinds } from './domain/framework.ts';
import { ragStatusDefinitions } from './domain/rag.ts';
import { smartRules } from './domain/smart.ts';
import { quarterLabel, recentQuarters } from './progress.ts';
import { planUploadParser } from './reports/plan-file.ts';
import {
  actionFormSchema,
  exportParams,
  exportQuery,
  glossaryFormSchema,
  importConfirmSchema,
  measureFormSchema,
  measureValueSchema,
  planFormSchema,
  progressFormSchema,
  quarterQuery,
  showQuery,
  reviewCycles,
  type ActionForm,
} from './schema.ts';
import { StrategyValidationError } from './errors.ts';

const t = requestTranslator();
const view = (name: string) => `features/strategy/views/${name}.njk`;
const read = { config: { permission: 'strategy.read' as const } };
const manage = { config: { permission: 'strategy.manage' as const } };
const update = { config: { permission: 'actions.update' as const } };
const exporting = { config: { permission: 'strategy.export' as const } };
const ofPlan = { params: uuidParams('planId') };
const ofAction = { params: uuidParams('actionId') };

const ragItems = ragStatusDefinitions.map((d) => ({ status: d.status, label: d.label, meaning: d.meaning }));
const quarterItems = (quarters: string[]) => quarters.map((q) => ({ value: q, text: quarterLabel(q) }));

/** A file from a multipart form (attachFieldsToBody: 'keyValues' gives its content as a Buffer). */
const uploadedFile = (body: unknown, field: string): Buffer | null => {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  return Buffer.isBuffer(value) && value.length > 0 ? value : null;
};

export const strategyFeature: Feature = {
  name: 'strategy',
  async register(app, { strategy, clock, pdf }) {
    app.get('/strategy', { ...read, schema: { querystring: showQuery } }, async (request, reply) => {
      const showArchived = request.query.show === 'archived';
      return reply.page(view('index'), { plans: await strategy.plans.listPlans(request.user!, showArchived), showArchived });
    });

    // Archive and restore (issue 15): never deleted; each change audited, then back to the page (PRG).
    const lifecycle = [
      {
        kind: 'plans',
        param: 'planId',
        set: strategy.plans.setPlanArchived.bind(strategy.plans),
        archived: 'flash.planArchived',
        restored: 'flash.planRestored',
      },
      {
        kind: 'actions',
        param: 'actionId',
        set: strategy.plans.setActionArchived.bind(strategy.plans),
        archived: 'flash.actionArchived',
        restored: 'flash.actionRestored',
      },
    ] as const;
    for (const { kind, param, set, archived, restored } of lifecycle) {
      for (const archive of [true, false]) {
        const path = `/strategy/${kind}/:${param}/${archive ? 'archive' : 'restore'}`;
        app.post(path, { ...manage, schema: { params: uuidParams(param) } }, async (request, reply) => {
          const id = (request.params as Record<typeof param, string>)[param];
          await set(request.user!, id, archive);
          return reply.saved(`/strategy/${kind}/${id}`, archive ? archived : restored);
        });
      }
    }

    // Plans ------------------------------------------------------------------------------------
    const planFormPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('plan-form'), { ...(await strategy.plans.formChoices(request.user!)), reviewCycles, ...extra });

    app.get('/strategy/plans/new', manage, async (request, reply) => planFormPage(request, reply, { values: { reviewCycle: 'quarterly' } }));

    app.post('/strategy/plans/new', { ...manage, schema: { body: planFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError)
        return planFormPage(request, reply.status(400), { values: postedForm(request), errors: formErrors(request.validationError) });
      const id = await strategy.plans.createPlan(request.user!, request.body);
      return reply.saved(`/strategy/plans/${id}`, 'flash.planAdded');
    });

    app.get('/strategy/plans/:planId/edit', { ...manage, schema: ofPlan }, async (request, reply) => {
      const { planId } = request.params;
      const { plan } = await strategy.plans.getPlan(request.user!, planId);
      const values = {
        title: plan.title,
        frameworkId: plan.framework_id,
        agencyId: plan.agency_id ?? '',
        periodStart: plan.period_start,
        periodEnd: plan.period_end,
        reviewCycle: plan.review_cycle,
        nextReviewOn: plan.next_review_on ?? '',
        namedReview: plan.named_review,
        owningBody: plan.owning_body,
        accountableTo: plan.accountable_to,
        linkedPlans: plan.linked_plans,
        requiresBoardPlanRef: plan.requires_board_plan_ref ? 'yes' : '',
      };
      return planFormPage(request, reply, { values, planId, mode: 'edit' });
    });

    app.post('/strategy/plans/:planId/edit', { ...manage, schema: { ...ofPlan, body: planFormSchema }, attachValidation: true }, async (request, reply) => {
      const { planId } = request.params;
      await strategy.plans.getPlan(request.user!, planId);
      if (request.validationError) {
        return planFormPage(request, reply.status(400), { values: postedForm(request), errors: formErrors(request.validationError), planId, mode: 'edit' });
      }
      await strategy.plans.updatePlan(request.user!, planId, request.body);
      return reply.saved(`/strategy/plans/${planId}`, 'flash.planSaved');
    });

    app.get('/strategy/plans/:planId', { ...read, schema: { ...ofPlan, querystring: showQuery } }, async (request, reply) =>
      reply.page(view('plan'), { ...(await strategy.plans.getPlan(request.user!, request.params.planId, request.query.show === 'archived')), ragItems }),
    );

    app.get('/strategy/plans/:planId/smart', { ...read, schema: ofPlan }, async (request, reply) =>
      reply.page(view('smart'), { ...(await strategy.plans.smartReportFor(request.user!, request.params.planId)), rules: smartRules }),
    );

    app.get('/strategy/plans/:planId/quarterly', { ...read, schema: { ...ofPlan, querystring: quarterQuery } }, async (request, reply) => {
      const { planId } = request.params;
      const quarter = request.query.quarter ?? strategy.plans.currentQuarter();
      const report = await strategy.exports.quarterlyReport(request.user!, planId, quarter);
      return reply.page(view('quarterly'), { report, planId, quarter, quarters: quarterItems(recentQuarters(londonDate(clock.now()), 8)) });
    });

    app.get(
      '/strategy/plans/:planId/export/:document',
      { ...exporting, schema: { params: exportParams, querystring: exportQuery } },
      async (request, reply) => {
        const { planId, document } = request.params;
        const quarter = request.query.quarter ?? strategy.plans.currentQuarter();
        // Welsh or English, chosen at download (issue 11); without a choice, the page's language.
        const language = request.query.language ?? request.language;
        const file = await strategy.exports.exportDocument(request.user!, planId, document, quarter, language, (report) =>
          pdf.print(reply.documentHtml(view('quarterly-document'), { report }, language)),
        );
        return reply
          .header('Content-Type', file.contentType)
          .header('Content-Disposition', `attachment; filename="${file.fileName}"`)
          .header('X-Content-Type-Options', 'nosniff')
          .send(file.body);
      },
    );

    // Actions ----------------------------------------------------------------------------------
    const actionFormPage = async (request: FastifyRequest, reply: FastifyReply, planId: string, extra: Record<string, unknown>) => {
      const values = (extra.values ?? {}) as Record<string, string | undefined>;
      const choices = await strategy.plans.formChoices(request.user!);
      const agencyName = choices.agencies.find((a) => a.id === values.leadAgencyId)?.name ?? '';
      const findings = await strategy.plans.checkDraft(request.user!, planId, {
        text: values.text ?? '',
        successMeasure: values.successMeasure ?? '',
        target: values.targetValue ? `${values.targetValue}${values.measureUnit ? ` ${values.measureUnit}` : ''}` : '',
        leadPerson: values.leadTitle ?? '',
        leadAgency: agencyName,
        dueDate: dateOfInput(values.dueOn) ?? '',
        evidenceSource: values.evidenceSource ?? '',
        boardPlanRef: values.boardPlanRef ?? '',
      });
      return reply.page(view('action-form'), { ...choices, planId, findings, ...extra });
    };

    app.get('/strategy/plans/:planId/actions/new', { ...manage, schema: ofPlan }, async (request, reply) => {
      const { planId } = request.params;
      await strategy.plans.getPlan(request.user!, planId);
      return actionFormPage(request, reply, planId, { values: {}, mode: 'create' });
    });

    /** Saves an action from its form (a route with the action form as its body schema), or shows the form again. */
    const saveAction = async (request: FastifyRequest, reply: FastifyReply, planId: string, actionId: string | null, form: ActionForm) => {
      const mode = actionId ? 'edit' : 'create';
      const values = postedForm(request);
      if (request.validationError)
        return actionFormPage(request, reply.status(400), planId, { values, errors: formErrors(request.validationError), mode, actionId });
      if (form.intent === 'check') return actionFormPage(request, reply, planId, { values, mode, actionId, checked: true });
      try {
        const id = await strategy.plans.saveAction(request.user!, planId, actionId, form);
        return reply.saved(`/strategy/actions/${id}`, actionId ? 'flash.actionSaved' : 'flash.actionAdded');
      } catch (error) {
        if (!(error instanceof StrategyValidationError)) throw error;
        return actionFormPage(request, reply.status(400), planId, {
          values,
          errors: singleError(error.field, t(error.messageKey), ['startOn', 'dueOn'].includes(error.field)),
          mode,
          actionId,
        });
      }
    };

    app.post(
      '/strategy/plans/:planId/actions/new',
      { ...manage, schema: { ...ofPlan, body: actionFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { planId } = request.params;
        await strategy.plans.getPlan(request.user!, planId);
        return saveAction(request, reply, planId, null, request.body);
      },
    );

    app.get('/strategy/actions/:actionId', { ...read, schema: ofAction }, async (request, reply) =>
      reply.page(view('action'), { ...(await strategy.plans.getAction(request.user!, request.params.actionId)), ragItems }),
    );

    app.get('/strategy/actions/:actionId/edit', { ...manage, schema: ofAction }, async (request, reply) => {
      const { actionId } = request.params;
      const { action } = await strategy.plans.getAction(request.user!, actionId);
      const values = {
        actionRef: action.action_ref,
        text: action.text,
        leadTitle: action.lead_title,
        leadUserId: action.lead_user_id ?? '',
        leadAgencyId: action.lead_agency_id ?? '',
        startOn: action.start_on ?? '',
        dueOn: action.due_on ?? '',
        costPounds: action.cost_pounds ?? '',
        costNote: action.cost_note,
        successMeasure: action.success_measure,
        targetValue: action.target_value ?? '',
        measureUnit: action.measure_unit,
        evidenceSource: action.evidence_source,
        boardPlanRef: action.board_plan_ref,
      };
      return actionFormPage(request, reply, action.plan_id, { values, mode: 'edit', actionId });
    });

    app.post(
      '/strategy/actions/:actionId/edit',
      { ...manage, schema: { ...ofAction, body: actionFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { actionId } = request.params;
        const { action } = await strategy.plans.getAction(request.user!, actionId);
        return saveAction(request, reply, action.plan_id, actionId, request.body);
      },
    );

    const progressPage = async (request: FastifyRequest, reply: FastifyReply, actionId: string, extra: Record<string, unknown>) => {
      const detail = await strategy.plans.getAction(request.user!, actionId);
      if (!detail.mayUpdate) {
        reply.status(403);
        return reply.page('web/views/error.njk', { code: 'LANTERN_E_FORBIDDEN', status: 403, messageKey: 'errors.forbidden' });
      }
      return reply.page(view('progress-form'), { ...detail, ragItems, quarters: quarterItems(recentQuarters(londonDate(clock.now()))), ...extra });
    };

    app.get('/strategy/actions/:actionId/progress', { ...update, schema: ofAction }, async (request, reply) =>
      progressPage(request, reply, request.params.actionId, { values: { quarterStart: strategy.plans.currentQuarter() } }),
    );

    app.post(
      '/strategy/actions/:actionId/progress',
      { ...update, schema: { ...ofAction, body: progressFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { actionId } = request.params;
        const values = postedForm(request);
        if (request.validationError) return progressPage(request, reply.status(400), actionId, { values, errors: formErrors(request.validationError) });
        try {
          await strategy.plans.recordProgress(request.user!, actionId, request.body);
        } catch (error) {
          if (!(error instanceof StrategyValidationError)) throw error;
          return progressPage(request, reply.status(400), actionId, { values, errors: singleError(error.field, t(error.messageKey)) });
        }
        return reply.saved(`/strategy/actions/${actionId}`, 'flash.progressSaved');
      },
    );

    // Performance measures -----------------------------------------------------------------------
    const measuresPage = async (request: FastifyRequest, reply: FastifyReply, planId: string, extra: Record<string, unknown>) =>
      reply.page(view('measures'), {
        ...(await strategy.measures.listMeasures(request.user!, planId)),
        planId,
        quarters: quarterItems(recentQuarters(londonDate(clock.now()), 8)),
        measureSources,
        values: { direction: 'up', frequency: 'quarterly' },
        ...extra,
      });

    app.get('/strategy/plans/:planId/measures', { ...read, schema: ofPlan }, async (request, reply) => measuresPage(request, reply, request.params.planId, {}));

    app.post(
      '/strategy/plans/:planId/measures',
      { ...manage, schema: { ...ofPlan, body: measureFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { planId } = request.params;
        let errors: FormErrors;
        if (request.validationError) {
          errors = formErrors(request.validationError);
        } else {
          try {
            await strategy.measures.addMeasure(request.user!, planId, request.body);
            return reply.saved(`/strategy/plans/${planId}/measures`, 'flash.measureAdded');
          } catch (error) {
            if (!(error instanceof StrategyValidationError)) throw error;
            errors = singleError(error.field, t(error.messageKey));
          }
        }
        await strategy.plans.getPlan(request.user!, planId);
        return measuresPage(request, reply.status(400), planId, { values: postedForm(request), errors });
      },
    );

    app.post(
      '/strategy/measures/:measureId/values',
      { ...manage, schema: { params: uuidParams('measureId'), body: measureValueSchema }, attachValidation: true },
      async (request, reply) => {
        const { measureId } = request.params;
        try {
          if (request.validationError) throw new StrategyValidationError(`value-${measureId}`, 'strategy.validation.number');
          const planId = await strategy.measures.recordMeasureValue(request.user!, measureId, request.body);
          return reply.saved(`/strategy/plans/${planId}/measures`, 'flash.measureValueSaved');
        } catch (error) {
          if (!(error instanceof StrategyValidationError)) throw error;
          const planId = await strategy.measures.planOfMeasure(request.user!, measureId);
          const text = t(error.messageKey);
          return measuresPage(request, reply.status(400), planId, {
            errors: { list: [{ text, href: `#value-${measureId}` }], fields: {} },
            valueError: { measureId, text },
          });
        }
      },
    );

    // Glossary ---------------------------------------------------------------------------------
    app.get('/strategy/glossary', read, async (request, reply) =>
      reply.page(view('glossary'), { terms: await strategy.glossary.listGlossary(request.user!), values: {} }),
    );

    app.post('/strategy/glossary', { ...manage, schema: { body: glossaryFormSchema }, attachValidation: true }, async (request, reply) => {
      let errors: FormErrors;
      if (request.validationError) {
        errors = formErrors(request.validationError);
      } else {
        try {
          await strategy.glossary.addGlossaryTerm(request.user!, request.body);
          return reply.saved('/strategy/glossary', 'flash.termAdded');
        } catch (error) {
          if (!(error instanceof StrategyValidationError)) throw error;
          errors = singleError(error.field, t(error.messageKey));
        }
      }
      return reply.status(400).page(view('glossary'), { terms: await strategy.glossary.listGlossary(request.user!), values: postedForm(request), errors });
    });

    app.post('/strategy/glossary/:termId/remove', { ...manage, schema: { params: uuidParams('termId') } }, async (request, reply) => {
      await strategy.glossary.removeGlossaryTerm(request.user!, request.params.termId);
      return reply.saved('/strategy/glossary', 'flash.termRemoved');
    });

    app.get('/strategy/frameworks', read, async (request, reply) =>
      reply.page(view('frameworks'), { frameworks: await strategy.frameworks.listFrameworks(request.user!) }),
    );

    // A framework in a form (issue 15 §4), beside the JSON upload. "Add another" posts the form back with one
    // more blank row (200, nothing saved); a built-in framework is shown with why it is not changed here.
    const ofFramework = { params: uuidParams('frameworkId') };
    const frameworkForm = (reply: FastifyReply, extra: Record<string, unknown>) => reply.page(view('framework-form'), { returnKinds, ...extra });
    const postedFramework = (request: FastifyRequest) => postedFrameworkForm(postedForm(request));
    const malformed = () => singleError('framework', t('strategy.frameworkForm.v.malformed'));
    app.get('/strategy/frameworks/new', manage, async (_request, reply) => frameworkForm(reply, { values: frameworkFormValues() }));
    app.post('/strategy/frameworks/new', { ...manage, schema: { body: frameworkFormBodySchema }, attachValidation: true }, async (request, reply) => {
      const values = postedFramework(request);
      if (request.validationError) return frameworkForm(reply.status(400), { values, errors: malformed() });
      if (values.more) return frameworkForm(reply, { values, focus: values.more });
      try {
        const result = await strategy.frameworks.createFramework(request.user!, values);
        if ('errors' in result) return frameworkForm(reply.status(400), { values, errors: result.errors });
      } catch (error) {
        if (!(error instanceof LanternError && error.code === 'LANTERN_E_CONFLICT')) throw error;
        return frameworkForm(reply.status(409), { values, errors: singleError('key', t('strategy.frameworkForm.v.keyInUse')) });
      }
      return reply.saved('/strategy/frameworks', 'flash.frameworkAdded');
    });
    app.get('/strategy/frameworks/:frameworkId/edit', { ...manage, schema: ofFramework }, async (request, reply) => {
      const framework = await strategy.frameworks.frameworkForEdit(request.user!, request.params.frameworkId);
      return frameworkForm(reply, { framework, values: framework.values });
    });
    app.post(
      '/strategy/frameworks/:frameworkId/edit',
      { ...manage, schema: { ...ofFramework, body: frameworkFormBodySchema }, attachValidation: true },
      async (request, reply) => {
        const framework = await strategy.frameworks.frameworkForEdit(request.user!, request.params.frameworkId);
        const values = { ...postedFramework(request), key: framework.key };
        if (framework.builtIn) return frameworkForm(reply.status(409), { framework, values: framework.values });
        if (request.validationError) return frameworkForm(reply.status(400), { framework, values, errors: malformed() });
        if (values.more) return frameworkForm(reply, { framework, values, focus: values.more });
        const result = await strategy.frameworks.updateFramework(request.user!, framework.id, values);
        if ('errors' in result) return frameworkForm(reply.status(400), { framework, values, errors: result.errors });
        return reply.saved('/strategy/frameworks', 'flash.frameworkChanged');
      },
    );

    // Import of an existing plan ---------------------------------------------------------------
    app.get('/strategy/plans/:planId/import', { ...manage, schema: ofPlan }, async (request, reply) => {
      const { plan } = await strategy.plans.planOnly(request.user!, request.params.planId);
      prepareUploadParser(planUploadParser);
      return reply.page(view('import'), { plan });
    });

    app.post(
      '/strategy/plans/:planId/import/confirm',
      { ...manage, schema: { ...ofPlan, body: importConfirmSchema }, attachValidation: true },
      async (request, reply) => {
        const { planId } = request.params;
        if (request.validationError) {
          const { plan } = await strategy.plans.planOnly(request.user!, planId);
          return reply.status(400).page(view('import'), { plan, errors: singleError('file', t('strategy.import.chooseFile')) });
        }
        const { added, updated } = await strategy.imports.applyImport(request.user!, planId, request.body.rows);
        return reply.saved(`/strategy/plans/${planId}`, 'flash.planImported', { added, updated });
      },
    );

    // Uploads need multipart; it is registered for these routes only.
    await app.register(async (uploads: LanternApp) => {
      await acceptUploads(uploads, planImportLimits, { fields: 20 });

      uploads.post('/strategy/plans/:planId/import', { ...manage, schema: ofPlan }, async (request, reply) => {
        const { planId } = request.params;
        const file = uploadedFile(request.body, 'file');
        const { plan } = await strategy.plans.planOnly(request.user!, planId);
        const refuse = (text: string) => reply.status(400).page(view('import'), { plan, errors: singleError('file', text) });
        if (!file) return refuse(t('strategy.import.chooseFile'));
        const preview = await strategy.imports.previewUpload(request.user!, planId, file);
        if ('refusal' in preview) {
          request.log.info({ refusal: preview.refusal }, 'plan upload refused');
          return refuse(refusalMessage(preview.refusal, t, 'strategy.import.chooseFile'));
        }
        const valid = preview.rows.filter((r) => r.action).map((r) => r.action);
        const hasErrors = preview.fileErrors.length > 0 || preview.rows.some((r) => r.errors.length > 0);
        if (hasErrors) reply.status(400);
        return reply.page(view('import'), { plan, preview, hasErrors, rowsJson: JSON.stringify(valid) });
      });

      uploads.post('/strategy/frameworks', manage, async (request, reply) => {
        const file = uploadedFile(request.body, 'file');
        const result = file ? await strategy.frameworks.addFramework(request.user!, file) : { problems: [t('strategy.frameworks.chooseFile')] };
        if (result.problems.length === 0 && !result.refusal) return reply.saved('/strategy/frameworks', 'flash.frameworkAdded');
        if (result.refusal) request.log.info({ refusal: result.refusal }, 'framework upload refused');
        const problems = result.refusal ? [refusalMessage(result.refusal, t, 'strategy.frameworks.chooseFile')] : [...result.problems];
        if (result.moreProblems) problems.push(t('uploads.moreProblems', { count: result.moreProblems }));
        reply.status(400);
        return reply.page(view('frameworks'), {
          frameworks: await strategy.frameworks.listFrameworks(request.user!),
          errors: fieldErrors('file', problems),
        });
      });
    });
  },
};
