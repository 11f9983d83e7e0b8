import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { can } from '../../authz/policy.ts';
import { translator, requestTranslator } from '../../i18n/i18n.ts';
import { textIn } from '../../i18n/local-text.ts';
import { formErrors, postedForm, singleError } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { flagKinds } from '../children/flag-schema.ts';
import type { Feature } from '../feature.ts';
import { auditReport } from './report.ts';
import { auditReportDocx } from './report-docx.ts';
import {
  addToPlanFormSchema,
  answerFormSchema,
  auditFormSchema,
  auditorFormSchema,
  findingsFormSchema,
  learningFormSchema,
  learningParams,
  methods,
  moderationFormSchema,
  recordParams,
  reportQuerySchema,
  statusFormSchema,
  stratifications,
} from './schema.ts';
import { CaseAuditValidationError } from './service.ts';
import { builtInAuditTools, grades, optionsOf } from './tool.ts';

const t = requestTranslator();
const view = (name: string) => `features/case-audits/views/${name}.njk`;
const byId = { params: idParams };
const options = { grades, methods, stratifications, riskLevels, flagKinds };

export const caseAuditsFeature: Feature = {
  name: 'case-audits',
  async register(app, services) {
    const { caseAudits, disclosure, pdf } = services;
    const perm = (p: 'case-audits.read' | 'case-audits.manage' | 'case-audits.audit' | 'case-audits.list' | 'strategy.manage') => ({
      config: { permission: p },
    });
    const refused = (error: unknown) => {
      if (!(error instanceof CaseAuditValidationError)) throw error;
      return singleError(error.field, t(error.messageKey, error.params));
    };

    app.get('/case-audits', perm('case-audits.list'), async (request, reply) =>
      reply.page(view('list'), { audits: await caseAudits.list(request.user!), canRead: can(request.user, 'case-audits.read') }),
    );

    // ── Scope and sample ──────────────────────────────────────────────────────────────
    const newPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('new'), {
        ...(await caseAudits.formChoices(request.user!)),
        tools: builtInAuditTools.map((tool) => ({ value: `${tool.id}@${tool.version}`, text: textIn(tool.name, request.language) })),
        ...options,
        ...extra,
      });
    app.get('/case-audits/new', perm('case-audits.manage'), async (request, reply) =>
      newPage(request, reply, { values: { tool: `${builtInAuditTools[0]!.id}@${builtInAuditTools[0]!.version}`, sampleSize: '10', method: 'random' } }),
    );
    app.post('/case-audits/new', { ...perm('case-audits.manage'), schema: { body: auditFormSchema }, attachValidation: true }, async (request, reply) => {
      const values = postedForm(request);
      if (request.validationError) return newPage(request, reply.status(400), { values, errors: formErrors(request.validationError) });
      try {
        const id = await caseAudits.create(request.user!, request.body);
        return reply.saved(`/case-audits/${id}`, 'flash.caseAuditCreated');
      } catch (error) {
        return newPage(request, reply.status(400), { values, errors: refused(error) });
      }
    });

    // ── The audit's page (the lead's and readers') ────────────────────────────────────────
    const auditPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const user = request.user!;
      const data = await caseAudits.get(user, id);
      const manage = can(user, 'case-audits.manage');
      return reply.page(view('audit'), {
        ...data,
        ...options,
        canManage: manage,
        canPlan: can(user, 'strategy.manage'),
        isAuditor: data.auditors.some((a) => a.user_id === user.userId) && data.audit.status === 'in_progress',
        eligible: manage && data.audit.status !== 'closed' ? await caseAudits.eligibleAuditors(user) : [],
        plans: can(user, 'strategy.manage') ? await caseAudits.plans(user) : [],
        values: {},
        ...extra,
      });
    };
    app.get('/case-audits/:id', { ...perm('case-audits.read'), schema: byId }, async (request, reply) => auditPage(request, reply, request.params.id));

    /** A form posted on the audit's page: saved → back to the page with a banner; refused → the page with the error summary. */
    const onAuditPage = <B>(
      path: string,
      permission: 'case-audits.manage' | 'strategy.manage',
      body: ZodType<B>,
      flash: `flash.${string}`,
      save: (request: FastifyRequest, id: string, input: B) => Promise<unknown>,
    ) =>
      app.post(path, { ...perm(permission), schema: { params: idParams, body }, attachValidation: true }, async (request, reply) => {
        const { id } = request.params;
        if (request.validationError)
          return auditPage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
        try {
          await save(request, id, request.body as B);
          return reply.saved(`/case-audits/${id}`, flash);
        } catch (error) {
          return auditPage(request, reply.status(400), id, { values: postedForm(request), errors: refused(error) });
        }
      });
    onAuditPage('/case-audits/:id/auditors', 'case-audits.manage', auditorFormSchema, 'flash.caseAuditAuditorAdded', (r, id, b) =>
      caseAudits.addAuditor(r.user!, id, b.userId),
    );
    onAuditPage('/case-audits/:id/status', 'case-audits.manage', statusFormSchema, 'flash.caseAuditStatus', (r, id, b) =>
      caseAudits.setStatus(r.user!, id, b.to),
    );
    onAuditPage('/case-audits/:id/moderation', 'case-audits.manage', moderationFormSchema, 'flash.caseAuditModerated', (r, id, b) =>
      caseAudits.moderate(r.user!, id, b),
    );
    onAuditPage('/case-audits/:id/findings', 'case-audits.manage', findingsFormSchema, 'flash.caseAuditFindings', (r, id, b) =>
      caseAudits.saveFindings(r.user!, id, b.findings),
    );
    onAuditPage('/case-audits/:id/learning', 'case-audits.manage', learningFormSchema, 'flash.caseAuditLearning', (r, id, b) =>
      caseAudits.addLearning(r.user!, id, b.text),
    );
    app.post(
      '/case-audits/:id/learning/:learningId/plan',
      { ...perm('strategy.manage'), schema: { params: learningParams, body: addToPlanFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id, learningId } = request.params;
        const extra = { values: { ...postedForm(request), learningId } };
        if (request.validationError) return auditPage(request, reply.status(400), id, { ...extra, errors: formErrors(request.validationError) });
        try {
          const { planId, actionId } = await caseAudits.addToPlan(request.user!, id, learningId, request.body);
          return reply.saved(`/case-audits/${id}`, 'flash.caseAuditAddedToPlan', { planId, actionId });
        } catch (error) {
          return auditPage(request, reply.status(400), id, { ...extra, errors: refused(error) });
        }
      },
    );

    // ── The auditor's pages: the sample, and each sampled record with the tool ─────────────────
    app.get('/case-audits/:id/records', { ...perm('case-audits.audit'), schema: byId }, async (request, reply) =>
      reply.page(view('records'), await caseAudits.auditorSample(request.user!, request.params.id)),
    );
    const recordPage = async (request: FastifyRequest, reply: FastifyReply, id: string, childId: string, extra: Record<string, unknown> = {}) => {
      const data = await caseAudits.record(request.user!, id, childId);
      const tool = data.audit.tool;
      const mine = (await caseAudits.get(request.user!, id)).sample
        .find((s) => s.child_id === childId)
        ?.answers.find((a) => a.agency_id === request.user!.agencyId);
      const values = mine
        ? { grade: mine.grade, comment: mine.comment, ...Object.fromEntries(Object.entries(mine.answers).map(([k, v]) => [`q-${k}`, v])) }
        : {};
      return reply.page(view('record'), {
        ...data,
        themes: tool.themes.map((theme) => ({
          title: textIn(theme.title, request.language),
          questions: theme.questions.map((q) => ({
            id: q.id,
            text: textIn(q.text, request.language),
            options: optionsOf(tool, q.scale).map((o) => ({ value: o.value, text: textIn(o.label, request.language) })),
          })),
        })),
        toolName: textIn(tool.name, request.language),
        toolDescription: tool.description ? textIn(tool.description, request.language) : null,
        grades,
        values,
        ...extra,
      });
    };
    app.get('/case-audits/:id/records/:childId', { ...perm('case-audits.audit'), schema: { params: recordParams } }, async (request, reply) =>
      recordPage(request, reply, request.params.id, request.params.childId),
    );
    app.post(
      '/case-audits/:id/records/:childId',
      { ...perm('case-audits.audit'), schema: { params: recordParams, body: answerFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id, childId } = request.params;
        if (request.validationError)
          return recordPage(request, reply.status(400), id, childId, { values: postedForm(request), errors: formErrors(request.validationError) });
        try {
          const position = await caseAudits.answer(request.user!, id, childId, request.body);
          return reply.saved(`/case-audits/${id}/records`, 'flash.caseAuditAnswered', { position });
        } catch (error) {
          return recordPage(request, reply.status(400), id, childId, { values: postedForm(request), errors: refused(error) });
        }
      },
    );

    // ── The report: HTML, DOCX, accessible PDF; no names, figures controlled ───────────────────
    const reportOf = async (request: FastifyRequest, id: string, language: 'en' | 'cy') => {
      const user = request.user!;
      const data = await caseAudits.get(user, id);
      const settings = await disclosure.settings(user);
      const agencyCount = new Set(data.sample.flatMap((s) => s.answers.map((a) => a.agency_id))).size;
      return auditReport(
        {
          audit: { ...data.audit, seed: String(data.audit.seed) },
          tool: data.tool,
          sample: data.sample,
          learning: data.learning,
          agencyCount,
          partnershipName: user.partnershipName,
        },
        settings,
        translator(language),
        language,
      );
    };
    app.get('/case-audits/:id/report', { ...perm('case-audits.read'), schema: byId }, async (request, reply) =>
      reply.page(view('report'), { report: await reportOf(request, request.params.id, request.language), id: request.params.id }),
    );
    for (const format of ['docx', 'pdf'] as const) {
      app.get(
        `/case-audits/:id/report.${format}`,
        { ...perm('case-audits.read'), schema: { params: idParams, querystring: reportQuerySchema } },
        async (request, reply) => {
          const language = request.query.language ?? request.language;
          const report = await reportOf(request, request.params.id, language);
          const tr = translator(language);
          const body =
            format === 'docx'
              ? await auditReportDocx(
                  report,
                  {
                    scope: tr('caseAudits.scope'),
                    grades: tr('caseAudits.report.grades'),
                    themes: tr('caseAudits.report.themes'),
                    findings: tr('caseAudits.findings'),
                    learning: tr('caseAudits.learning'),
                    planRef: tr('caseAudits.report.planRef'),
                  },
                  language,
                )
              : await pdf.print(reply.documentHtml(view('report-document'), { report }, language));
          return reply
            .header('content-type', format === 'docx' ? 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' : 'application/pdf')
            .header('content-disposition', `attachment; filename="case-audit-report.${format}"`)
            .header('cache-control', 'no-store')
            .header('x-content-type-options', 'nosniff')
            .send(body);
        },
      );
    }
  },
};
