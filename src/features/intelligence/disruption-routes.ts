import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { Services } from '../../services.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import { quarterLabel } from '../strategy/progress.ts';
import { disruptionFilterSchema, disruptionFormSchema, disruptionOutcomes, disruptionTactics, outcomeFormSchema } from './disruption-schema.ts';
import { IntelligenceValidationError } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/intelligence/views/${name}.njk`;
/** Lists the templates build their radios, selects and tables from. */
const vocabulary = { disruptionTactics, disruptionOutcomes };

function refusal(error: unknown): FormErrors {
  if (!(error instanceof IntelligenceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

/** Disruption and outcomes (issue 12 §3): the list and its filters, the form, a disruption's page and its outcome, and the figures by quarter. */
export function registerDisruptionRoutes(app: LanternApp, services: Services) {
  const { disruptions } = services;
  const read = { config: { permission: 'intelligence.read' as const } };
  const write = { config: { permission: 'intelligence.write' as const } };

  // ---- The list, newest first, filtered by quarter and tactic (a GET form: no personal data in the address) ----
  app.get('/intelligence/disruptions', { ...read, schema: { querystring: disruptionFilterSchema } }, async (request, reply) => {
    const filter = request.query;
    const { disruptions: rows, quarters } = await disruptions.list(request.user!, filter);
    return reply.page(view('disruptions'), {
      ...vocabulary,
      disruptions: rows,
      quarters: quarters.map((q) => ({ value: q, label: quarterLabel(q) })),
      filter,
      filtered: filter.quarter !== undefined || filter.tactic !== undefined,
      quarterShown: filter.quarter ? quarterLabel(filter.quarter) : null,
    });
  });

  // ---- The figures by quarter (management information; the strategy's Pursue measures read the same) ----
  app.get('/intelligence/disruptions/figures', read, async (request, reply) => {
    const quarters = (await disruptions.figures(request.user!)).map((q) => ({ ...q, label: quarterLabel(q.quarterStart) }));
    return reply.page(view('disruption-figures'), { ...vocabulary, quarters });
  });

  // ---- A new disruption ----
  const formPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.page(view('disruption-form'), { ...(await disruptions.formChoices(request.user!)), ...vocabulary, values: {}, ...extra });
  app.get('/intelligence/disruptions/new', write, async (request, reply) => formPage(request, reply));
  app.post('/intelligence/disruptions/new', { ...write, schema: { body: disruptionFormSchema }, attachValidation: true }, async (request, reply) => {
    const values = postedForm(request);
    if (request.validationError) return formPage(request, reply.status(400), { values, errors: formErrors(request.validationError) });
    try {
      const id = await disruptions.create(request.user!, request.body);
      return reply.saved(`/intelligence/disruptions/${id}`, 'flash.disruption.added');
    } catch (error) {
      return formPage(request, reply.status(400), { values, errors: refusal(error) });
    }
  });

  // ---- A disruption's page, and its outcome recorded there ----
  const disruptionPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
    const page = await disruptions.page(request.user!, id);
    return reply.page(view('disruption'), {
      ...page,
      events: page.accessLog,
      ...vocabulary,
      values: { outcome: page.disruption.outcome, outcomeNotes: page.disruption.outcome_notes ?? '' },
      ...extra,
    });
  };
  app.get('/intelligence/disruptions/:id', { ...read, schema: { params: idParams } }, async (request, reply) =>
    disruptionPage(request, reply, request.params.id),
  );
  app.post(
    '/intelligence/disruptions/:id/outcome',
    { ...write, schema: { params: idParams, body: outcomeFormSchema }, attachValidation: true },
    async (request, reply) => {
      const { id } = request.params;
      if (request.validationError)
        return disruptionPage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
      await disruptions.recordOutcome(request.user!, id, request.body);
      return reply.saved(`/intelligence/disruptions/${id}`, 'flash.disruption.outcomeRecorded');
    },
  );
}
