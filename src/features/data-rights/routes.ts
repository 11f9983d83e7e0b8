import type { FastifyReply, FastifyRequest } from 'fastify';
import { formErrors, postedForm, singleError } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { LanternError } from '../../errors.ts';
import type { Feature } from '../feature.ts';
import {
  decisions,
  decisionSchema,
  findSubjectSchema,
  liftSchema,
  rectificationSchema,
  restrictionSchema,
  subjectKinds,
  subjectParams,
  type SubjectKind,
} from './schema.ts';

const view = (name: string) => `features/data-rights/views/${name}.njk`;
const base = '/dpo/data-rights';
const subjectBase = (kind: SubjectKind, id: string) => `${base}/${kind}/${id}`;

/**
 * Data subjects' rights (issue 16 §3) for the data protection officer: open requests and restrictions in
 * force (/dpo/data-rights), a subject's page, recording and deciding a rectification request, and placing
 * and lifting a restriction of processing. The child's and the person's pages link here (DPO only).
 */
export const dataRightsFeature: Feature = {
  name: 'data-rights',
  async register(app, { dataRights }) {
    const config = { config: { permission: 'data-rights.manage' as const } };
    const bySubject = { ...config, schema: { params: subjectParams } };
    const byId = { ...config, schema: { params: idParams } };

    const overview = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
      reply.page(view('overview'), { ...(await dataRights.overview(request.user!)), subjectKinds, values: {}, ...extra });
    app.get(base, config, (request, reply) => overview(request, reply));
    app.post(`${base}/find`, { ...config, schema: { body: findSubjectSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return overview(request, reply.status(400), { values: postedForm(request), errors: formErrors(request.validationError) });
      try {
        const id = await dataRights.find(request.user!, request.body.kind, request.body.key);
        return reply.redirect(subjectBase(request.body.kind, id), 303);
      } catch (error) {
        if (!(error instanceof LanternError) || error.code !== 'LANTERN_E_NOT_FOUND') throw error;
        const t = requestTranslator();
        return overview(request, reply.status(400), { values: request.body, errors: singleError('key', t('dataRights.v.notFound')) });
      }
    });

    const subjectPage = async (request: FastifyRequest, reply: FastifyReply, kind: SubjectKind, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('subject'), { ...(await dataRights.subject(request.user!, kind, id)), values: {}, ...extra });
    app.get(`${base}/:kind/:id`, bySubject, (request, reply) => subjectPage(request, reply, request.params.kind, request.params.id));

    // ---- Rectification ----
    const rectificationPage = async (request: FastifyRequest, reply: FastifyReply, kind: SubjectKind, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('rectification-new'), { subject: await dataRights.label(request.user!, kind, id), values: {}, ...extra });
    app.get(`${base}/:kind/:id/rectification`, bySubject, (request, reply) => rectificationPage(request, reply, request.params.kind, request.params.id));
    app.post(
      `${base}/:kind/:id/rectification`,
      { ...config, schema: { params: subjectParams, body: rectificationSchema }, attachValidation: true },
      async (request, reply) => {
        const { kind, id } = request.params;
        if (request.validationError)
          return rectificationPage(request, reply.status(400), kind, id, { values: postedForm(request), errors: formErrors(request.validationError) });
        const requestId = await dataRights.recordRectification(request.user!, kind, id, request.body);
        return reply.saved(`${base}/requests/${requestId}`, 'flash.dataRights.requestRecorded');
      },
    );

    const requestPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('request'), { ...(await dataRights.request(request.user!, id)), decisions, values: {}, ...extra });
    app.get(`${base}/requests/:id`, byId, (request, reply) => requestPage(request, reply, request.params.id));
    app.post(
      `${base}/requests/:id/decision`,
      { ...config, schema: { params: idParams, body: decisionSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        if (request.validationError)
          return requestPage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
        const subject = await dataRights.decide(request.user!, id, request.body);
        return reply.saved(subjectBase(subject.kind, subject.id), `flash.dataRights.${request.body.decision}`);
      },
    );

    // ---- Restriction of processing ----
    const restrictionPage = async (request: FastifyRequest, reply: FastifyReply, kind: SubjectKind, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('restriction-new'), { subject: await dataRights.label(request.user!, kind, id), values: {}, ...extra });
    app.get(`${base}/:kind/:id/restriction`, bySubject, (request, reply) => restrictionPage(request, reply, request.params.kind, request.params.id));
    app.post(
      `${base}/:kind/:id/restriction`,
      { ...config, schema: { params: subjectParams, body: restrictionSchema }, attachValidation: true },
      async (request, reply) => {
        const { kind, id } = request.params;
        if (request.validationError)
          return restrictionPage(request, reply.status(400), kind, id, { values: postedForm(request), errors: formErrors(request.validationError) });
        await dataRights.restrict(request.user!, kind, id, request.body);
        return reply.saved(subjectBase(kind, id), 'flash.dataRights.restricted');
      },
    );
    app.post(
      `${base}/:kind/:id/restriction/lift`,
      { ...config, schema: { params: subjectParams, body: liftSchema }, attachValidation: true },
      async (request, reply) => {
        const { kind, id } = request.params;
        if (request.validationError)
          return subjectPage(request, reply.status(400), kind, id, { values: postedForm(request), errors: formErrors(request.validationError) });
        await dataRights.lift(request.user!, kind, id, request.body.liftReason);
        return reply.saved(subjectBase(kind, id), 'flash.dataRights.lifted');
      },
    );
  },
};
