import type { FastifyReply, FastifyRequest } from 'fastify';
import { canHoldOriginalText } from '../../authz/policy.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { Services } from '../../services.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import {
  entityKinds,
  handlingCodes,
  intelligenceAssessments,
  reportFormSchema,
  reportLinkFormSchema,
  reportReleaseFormSchema,
  reportSearchFormSchema,
  sourceEvaluations,
} from './schema.ts';
import { IntelligenceValidationError } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/intelligence/views/${name}.njk`;
/** Lists the templates build their radios from. */
const vocabulary = { sourceEvaluations, intelligenceAssessments, handlingCodes, entityKinds };

function refusal(error: unknown): FormErrors {
  if (!(error instanceof IntelligenceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

/** Graded intelligence reports (issue 12 §2): the list and its search, the form, a report's page and its links. */
export function registerReportRoutes(app: LanternApp, services: Services) {
  const { intelReports } = services;
  const read = { config: { permission: 'intelligence.read' as const } };
  const write = { config: { permission: 'intelligence.write' as const } };

  // ---- The list, newest first, and a search of the sanitised text (posted: no words of it in addresses) ----
  app.get('/intelligence/reports', read, async (request, reply) =>
    reply.page(view('reports'), { reports: await intelReports.list(request.user!), values: {} }),
  );
  app.post('/intelligence/reports', { ...read, schema: { body: reportSearchFormSchema }, attachValidation: true }, async (request, reply) => {
    if (request.validationError)
      return reply
        .status(400)
        .page(view('reports'), { reports: await intelReports.list(request.user!), values: postedForm(request), errors: formErrors(request.validationError) });
    const reports = await intelReports.list(request.user!, request.body.q);
    return reply.page(view('reports'), { reports, values: request.body, searched: request.body.q });
  });

  // ---- A new report ----
  const formPage = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.page(view('report-form'), { ...vocabulary, offerOriginal: canHoldOriginalText(request.user), values: {}, ...extra });
  app.get('/intelligence/reports/new', write, async (request, reply) => formPage(request, reply));
  app.post('/intelligence/reports/new', { ...write, schema: { body: reportFormSchema }, attachValidation: true }, async (request, reply) => {
    const values = postedForm(request);
    if (request.validationError) return formPage(request, reply.status(400), { values, errors: formErrors(request.validationError) });
    try {
      const id = await intelReports.create(request.user!, request.body);
      return reply.saved(`/intelligence/reports/${id}`, 'flash.intelligence.reportAdded');
    } catch (error) {
      return formPage(request, reply.status(400), { values, errors: refusal(error) });
    }
  });

  // ---- A report's page, and a link from it to a child or an entity ----
  const reportPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
    const page = await intelReports.page(request.user!, id);
    return reply.page(view('report'), { ...page, events: page.accessLog, ...vocabulary, values: {}, ...extra });
  };
  app.get('/intelligence/reports/:id', { ...read, schema: { params: idParams } }, async (request, reply) => reportPage(request, reply, request.params.id));
  app.post(
    '/intelligence/reports/:id/links',
    { ...write, schema: { params: idParams, body: reportLinkFormSchema }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError) return reportPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
      try {
        await intelReports.addLink(request.user!, id, request.body);
      } catch (error) {
        return reportPage(request, reply.status(400), id, { values, errors: refusal(error) });
      }
      return reply.saved(`/intelligence/reports/${id}`, 'flash.intelligence.reportLinked');
    },
  );

  // ---- The release of a C report by its agency's analyst, with the reason ----
  app.post(
    '/intelligence/reports/:id/release',
    { ...write, schema: { params: idParams, body: reportReleaseFormSchema }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError) return reportPage(request, reply.status(400), id, { releaseValues: values, errors: formErrors(request.validationError) });
      try {
        await intelReports.release(request.user!, id, request.body.reason);
      } catch (error) {
        return reportPage(request, reply.status(400), id, { releaseValues: values, errors: refusal(error) });
      }
      return reply.saved(`/intelligence/reports/${id}`, 'flash.intelligence.reportReleased');
    },
  );
}
