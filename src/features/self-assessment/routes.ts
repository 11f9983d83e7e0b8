import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { can } from '../../authz/policy.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { textIn } from '../../i18n/local-text.ts';
import { formErrors, postedForm, singleError } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { Feature } from '../feature.ts';
import { builtInFrameworks, latestFramework } from './framework.ts';
import {
  addToPlanFormSchema,
  compareQuery,
  evidenceFormSchema,
  evidenceKinds,
  evidenceParams,
  newFormSchema,
  rateFormSchema,
  standardParams,
} from './schema.ts';
import { SelfAssessmentValidationError } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/self-assessment/views/${name}.njk`;

/** Board self-assessments (issue 15 §2): /self-assessments, a framework's standards rated with evidence, and the year-on-year comparison. */
export const selfAssessmentFeature: Feature = {
  name: 'self-assessment',
  async register(app, services) {
    const { selfAssessments } = services;
    const perm = (p: 'self-assessments.read' | 'self-assessments.manage' | 'strategy.manage') => ({ config: { permission: p } });
    const refused = (error: unknown) => {
      if (!(error instanceof SelfAssessmentValidationError)) throw error;
      return singleError(error.field, t(error.messageKey, error.params));
    };

    app.get('/self-assessments', perm('self-assessments.read'), async (request, reply) => {
      const assessed = await selfAssessments.frameworksAssessed(request.user!);
      return reply.page(view('list'), {
        assessments: await selfAssessments.list(request.user!),
        comparisons: assessed.map((id) => ({ id, name: latestFramework(id)?.name ?? id })),
      });
    });

    // ── A new assessment ─────────────────────────────────────────────────────────────────────────
    const newPage = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('new'), {
        frameworks: builtInFrameworks.map((f) => ({
          value: `${f.id}@${f.version}`,
          text: textIn(f.name, request.language),
          hint: f.description ? textIn(f.description, request.language) : undefined,
        })),
        ...extra,
      });
    app.get('/self-assessments/new', perm('self-assessments.manage'), async (request, reply) =>
      newPage(request, reply, { values: { year: String(new Date().getUTCFullYear()) } }),
    );
    app.post(
      '/self-assessments/new',
      { ...perm('self-assessments.manage'), schema: { body: newFormSchema }, attachValidation: true },
      async (request, reply) => {
        const values = postedForm(request);
        if (request.validationError) return newPage(request, reply.status(400), { values, errors: formErrors(request.validationError) });
        try {
          const id = await selfAssessments.create(request.user!, request.body);
          return reply.saved(`/self-assessments/${id}`, 'flash.selfAssessmentCreated');
        } catch (error) {
          return newPage(request, reply.status(400), { values, errors: refused(error) });
        }
      },
    );

    // ── Year on year ───────────────────────────────────────────────────────────────────────────
    app.get('/self-assessments/compare', { ...perm('self-assessments.read'), schema: { querystring: compareQuery } }, async (request, reply) =>
      reply.page(view('compare'), await selfAssessments.compare(request.user!, request.query.framework)),
    );

    // ── The assessment ─────────────────────────────────────────────────────────────────────────
    const assessmentPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('assessment'), {
        ...(await selfAssessments.get(request.user!, id)),
        canManage: can(request.user, 'self-assessments.manage'),
        ...extra,
      });
    app.get('/self-assessments/:id', { ...perm('self-assessments.read'), schema: { params: idParams } }, async (request, reply) =>
      assessmentPage(request, reply, request.params.id),
    );
    app.post('/self-assessments/:id/complete', { ...perm('self-assessments.manage'), schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params;
      try {
        await selfAssessments.complete(request.user!, id);
        return reply.saved(`/self-assessments/${id}`, 'flash.selfAssessmentCompleted');
      } catch (error) {
        return assessmentPage(request, reply.status(400), id, { errors: refused(error) });
      }
    });

    // ── A standard: its rating, evidence and improvement action ──────────────────────────────────────
    const standardPage = async (request: FastifyRequest, reply: FastifyReply, id: string, standardId: string, extra: Record<string, unknown> = {}) => {
      const user = request.user!;
      const data = await selfAssessments.standard(user, id, standardId);
      const editable = can(user, 'self-assessments.manage') && data.assessment.status === 'draft';
      const canPlan = can(user, 'strategy.manage');
      return reply.page(view('standard'), {
        ...data,
        editable,
        canPlan,
        evidenceKinds,
        choices: editable ? await selfAssessments.evidenceChoices(user) : null,
        plans: canPlan ? await selfAssessments.plans(user) : [],
        values: data.rating ? { rating: data.rating.rating, narrative: data.rating.narrative, improvementAction: data.rating.improvement_action } : {},
        ...extra,
      });
    };
    app.get('/self-assessments/:id/standards/:standardId', { ...perm('self-assessments.read'), schema: { params: standardParams } }, async (request, reply) =>
      standardPage(request, reply, request.params.id, request.params.standardId),
    );

    /** A form posted on a standard's page: saved → where `to` says with a banner; refused → the page with the error summary. */
    const onStandardPage = <B, P extends { id: string; standardId: string }>(
      path: string,
      permission: 'self-assessments.manage' | 'strategy.manage',
      params: ZodType<P>,
      body: ZodType<B> | null,
      flash: `flash.${string}`,
      save: (request: FastifyRequest, p: P, input: B) => Promise<unknown>,
      to: (p: P) => string = (p) => `/self-assessments/${p.id}/standards/${p.standardId}`,
    ) =>
      app.post(path, { ...perm(permission), schema: body ? { params, body } : { params }, attachValidation: true }, async (request, reply) => {
        const p = request.params as P;
        if (request.validationError) {
          return standardPage(request, reply.status(400), p.id, p.standardId, { values: postedForm(request), errors: formErrors(request.validationError) });
        }
        try {
          await save(request, p, request.body as B);
          return reply.saved(to(p), flash);
        } catch (error) {
          return standardPage(request, reply.status(400), p.id, p.standardId, { values: postedForm(request), errors: refused(error) });
        }
      });
    onStandardPage(
      '/self-assessments/:id/standards/:standardId',
      'self-assessments.manage',
      standardParams,
      rateFormSchema,
      'flash.selfAssessmentRated',
      (r, p, b) => selfAssessments.rate(r.user!, p.id, p.standardId, b),
      (p) => `/self-assessments/${p.id}#standard-${p.standardId}`,
    );
    onStandardPage(
      '/self-assessments/:id/standards/:standardId/evidence',
      'self-assessments.manage',
      standardParams,
      evidenceFormSchema,
      'flash.selfAssessmentEvidenceAdded',
      (r, p, b) => selfAssessments.addEvidence(r.user!, p.id, p.standardId, b.evidence),
    );
    onStandardPage(
      '/self-assessments/:id/standards/:standardId/evidence/:evidenceId/remove',
      'self-assessments.manage',
      evidenceParams,
      null,
      'flash.selfAssessmentEvidenceRemoved',
      (r, p) => selfAssessments.removeEvidence(r.user!, p.id, p.standardId, p.evidenceId),
    );
    onStandardPage(
      '/self-assessments/:id/standards/:standardId/plan',
      'strategy.manage',
      standardParams,
      addToPlanFormSchema,
      'flash.selfAssessmentAddedToPlan',
      (r, p, b) => selfAssessments.addToPlan(r.user!, p.id, p.standardId, b),
    );
  },
};
