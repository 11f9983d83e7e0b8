import type { FastifyReply, FastifyRequest } from 'fastify';
import { formErrors, postedForm } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { Feature } from '../feature.ts';
import { flagReasons } from './redaction.ts';
import { exportLanguages, newRequestQuerySchema, redactionFormSchema, requesterKinds, requestFormSchema, subjectKinds } from './schema.ts';

const view = (name: string) => `features/subject-access/views/${name}.njk`;
const options = { subjectKinds, requesterKinds, exportLanguages, flagReasons };

/**
 * Subject access requests (issue 16 §3): the DPO's register (/dpo/subject-access), logging a request,
 * a request's page, the redaction page where each flagged piece of third-party information is redacted
 * or released, the release (a ZIP of JSON and a tagged PDF) and its download.
 */
export const subjectAccessFeature: Feature = {
  name: 'subject-access',
  async register(app, { subjectAccess, pdf }) {
    const config = { config: { permission: 'subject-access.manage' as const } };
    const byId = { ...config, schema: { params: idParams } };

    app.get('/dpo/subject-access', config, async (request, reply) =>
      reply.page(view('list'), { requests: await subjectAccess.list(request.user!), ...options }),
    );

    const newPage = (reply: FastifyReply, values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      reply.page(view('new'), { values, ...options, ...extra });
    app.get('/dpo/subject-access/new', { ...config, schema: { querystring: newRequestQuerySchema } }, (request, reply) =>
      newPage(reply, { subjectKind: request.query.kind, subjectId: request.query.subject, language: request.language }),
    );
    app.post('/dpo/subject-access', { ...config, schema: { body: requestFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        reply.status(400);
        return newPage(reply, postedForm(request), { errors: formErrors(request.validationError) });
      }
      const id = await subjectAccess.log(request.user!, request.body);
      return reply.saved(`/dpo/subject-access/${id}`, 'flash.subjectAccessLogged');
    });

    app.get('/dpo/subject-access/:id', byId, async (request, reply) =>
      reply.page(view('request'), { request: await subjectAccess.get(request.user!, request.params.id), ...options }),
    );

    const redactionsPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('redactions'), { ...(await subjectAccess.review(request.user!, id)), ...options, ...extra });
    app.get('/dpo/subject-access/:id/redactions', byId, (request, reply) => redactionsPage(request, reply, request.params.id));
    app.post(
      '/dpo/subject-access/:id/redactions',
      { ...config, schema: { params: idParams, body: redactionFormSchema }, attachValidation: true },
      async (request, reply) => {
        if (request.validationError) {
          reply.status(400);
          return redactionsPage(request, reply, request.params.id, { errors: formErrors(request.validationError) });
        }
        const { undecided } = await subjectAccess.decide(request.user!, request.params.id, request.body);
        return undecided === 0
          ? reply.saved(`/dpo/subject-access/${request.params.id}`, 'flash.subjectAccessReady')
          : reply.saved(`/dpo/subject-access/${request.params.id}/redactions`, 'flash.subjectAccessDecisionsSaved');
      },
    );

    app.post('/dpo/subject-access/:id/release', byId, async (request, reply) => {
      await subjectAccess.release(request.user!, request.params.id, (doc) => pdf.print(reply.documentHtml(view('document'), { doc }, doc.request.language)));
      return reply.saved(`/dpo/subject-access/${request.params.id}`, 'flash.subjectAccessReleased');
    });
    app.post('/dpo/subject-access/:id/withdraw', byId, async (request, reply) => {
      await subjectAccess.withdraw(request.user!, request.params.id);
      return reply.saved(`/dpo/subject-access/${request.params.id}`, 'flash.subjectAccessWithdrawn');
    });
    app.get('/dpo/subject-access/:id/download', byId, async (request, reply) => {
      const body = await subjectAccess.download(request.user!, request.params.id);
      return reply
        .header('Content-Type', 'application/zip')
        .header('Content-Disposition', `attachment; filename="subject-access-${request.params.id}.zip"`)
        .header('X-Content-Type-Options', 'nosniff')
        .send(body);
    });
  },
};
