import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { Services } from '../../services.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import { IntelligenceValidationError } from './service.ts';
import { intelShareFormSchema, intelShareParams, sharedEntityKinds } from './share-schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/intelligence/views/${name}.njk`;
const paths = { person: 'persons', location: 'locations' } as const;

function refusal(error: unknown): FormErrors {
  if (!(error instanceof IntelligenceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

/**
 * Intelligence across boundaries (issue 12 §6): "Share with a neighbouring partnership" on a person's
 * or a location's page, the list of shares made and received, and withdrawing a share.
 */
export function registerShareRoutes(app: LanternApp, services: Services) {
  const { intelSharing } = services;
  const read = { config: { permission: 'intelligence.read' as const } };
  const write = { config: { permission: 'intelligence.write' as const } };

  for (const kind of sharedEntityKinds) {
    const base = `/intelligence/${paths[kind]}`;
    const formPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('share-form'), { ...(await intelSharing.shareForm(request.user!, kind, id)), kind, back: `${base}/${id}`, values: {}, ...extra });
    app.get(`${base}/:id/share`, { ...write, schema: { params: idParams } }, async (request, reply) => formPage(request, reply, request.params.id));
    app.post(`${base}/:id/share`, { ...write, schema: { params: idParams, body: intelShareFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError) return formPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
      try {
        await intelSharing.share(request.user!, kind, id, request.body);
      } catch (error) {
        return formPage(request, reply.status(400), id, { values, errors: refusal(error) });
      }
      return reply.saved(`${base}/${id}`, 'flash.crossBoundary.shared');
    });
  }

  app.get('/intelligence/shares', read, async (request, reply) => reply.page(view('shares'), await intelSharing.list(request.user!)));
  app.post('/intelligence/shares/:intelShareId/withdraw', { ...write, schema: { params: intelShareParams } }, async (request, reply) => {
    await intelSharing.withdraw(request.user!, request.params.intelShareId);
    return reply.saved('/intelligence/shares', 'flash.crossBoundary.withdrawn');
  });
}
