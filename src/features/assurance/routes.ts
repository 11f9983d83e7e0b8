import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { z } from 'zod';
import { can } from '../../authz/policy.ts';
import { LanternError } from '../../errors.ts';
import { translator } from '../../i18n/i18n.ts';
import { attendanceImportLimits, checkFileSize, multipartFileLimit, refusalMessage } from '../../uploads/limits.ts';
import { prepareUploadParser } from '../../uploads/parse.ts';
import { singleError, type FormErrors } from '../../web/forms.ts';
import { ragStatuses } from '../strategy/domain/rag.ts';
import type { Feature } from '../feature.ts';
import {
  attendanceFormSchema, audiences, bodyFormSchema, bodyKinds, campaignFilterSchema, campaignFormSchema, complianceQuerySchema, courseFormSchema,
  courseKinds, idParam, importConfirmSchema, importUploadSchema, materialFormSchema, materialKinds, measureFormSchema, questionFormSchema,
  questionScales, recommendationFormSchema, responseFormSchema, responses, scaleAnswers, serviceFilterSchema, serviceFormSchema,
  sessionFilterSchema, sessionFormSchema, tallyFormSchema, workItemFormSchema,
} from './schema.ts';
import { attendanceUploadParser } from './attendance-csv.ts';

const t = translator('en');
const view = (name: string) => `features/assurance/views/${name}.njk`;
const options = { courseKinds, audiences, materialKinds, questionScales, scaleAnswers, bodyKinds, responses, ragStatuses };

/** zod failure → GOV.UK error summary; messages are keys under validation.* or assurance.v.*. */
function errorsOf(error: z.ZodError): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fields[field]) continue;
    const known = issue.message.startsWith('validation.') || issue.message.startsWith('assurance.v.');
    const text = t(known ? issue.message : 'validation.invalid');
    fields[field] = { text };
    list.push({ text, href: `#${field}` });
  }
  return { list, fields };
}

const isConflict = (error: unknown) => error instanceof LanternError && error.code === 'LANTERN_E_CONFLICT';
const idOf = (request: FastifyRequest) => idParam.parse(request.params).id;

export const assuranceFeature: Feature = {
  name: 'assurance',
  async register(app, services) {
    const { assurance } = services;
    const perm = <P extends 'training.read' | 'training.manage' | 'campaigns.read' | 'campaigns.manage' | 'services.read' | 'services.manage' | 'scrutiny.read' | 'scrutiny.manage'>(p: P) =>
      ({ config: { permission: p } });

    // ── Training ──────────────────────────────────────────────────────────────────────────
    app.get('/training', perm('training.read'), async (request, reply) => {
      const parsed = sessionFilterSchema.safeParse(request.query);
      const year = parsed.success ? parsed.data.year : undefined;
      const overview = await assurance.training.trainingOverview(request.user!, year);
      // Board members see counts only: the trainer's name is left out of what reaches the page.
      const sessions = can(request.user, 'training.manage') ? overview.sessions : overview.sessions.map(({ trainer: _trainer, ...rest }) => rest);
      return reply.page(view('training'), { ...overview, sessions, year, ...options });
    });

    app.get('/training/compliance', perm('training.read'), async (request, reply) => {
      const parsed = complianceQuerySchema.safeParse(request.query);
      const query = parsed.success ? parsed.data : {};
      const result = await assurance.trainingMeasures.compliance(request.user!, query, false);
      return reply.status(parsed.success ? 200 : 400).page(view('compliance'), { ...result, values: request.query, errors: parsed.success ? undefined : errorsOf(parsed.error) });
    });

    app.get('/training/outstanding', perm('training.manage'), async (request, reply) => {
      const parsed = complianceQuerySchema.safeParse(request.query);
      const query = parsed.success ? parsed.data : {};
      const result = await assurance.trainingMeasures.compliance(request.user!, query, true);
      return reply.status(parsed.success ? 200 : 400).page(view('outstanding'), { ...result, values: request.query, errors: parsed.success ? undefined : errorsOf(parsed.error) });
    });

    app.get('/training/courses/new', perm('training.manage'), async (_request, reply) => reply.page(view('course-form'), { values: {}, ...options }));
    app.post('/training/courses/new', perm('training.manage'), async (request, reply) => {
      const parsed = courseFormSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('course-form'), { values: request.body, errors: errorsOf(parsed.error), ...options });
      try {
        await assurance.training.createCourse(request.user!, parsed.data);
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('course-form'), { values: request.body, errors: singleError('title', t('assurance.v.titleInUse')), ...options });
      }
      return reply.redirect('/training');
    });

    const sessionFormPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('session-form'), { courses: await assurance.training.listCourses(request.user!), ...extra });
    app.get('/training/sessions/new', perm('training.manage'), async (request, reply) => sessionFormPage(request, reply, { values: {} }));
    app.post('/training/sessions/new', perm('training.manage'), async (request, reply) => {
      const parsed = sessionFormSchema.safeParse(request.body);
      if (!parsed.success) return sessionFormPage(request, reply.status(400), { values: request.body, errors: errorsOf(parsed.error) });
      const id = await assurance.training.createSession(request.user!, parsed.data);
      return reply.redirect(`/training/sessions/${id}`);
    });

    const sessionPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('session'), { ...(await assurance.training.getSession(request.user!, id)), agencies: await assurance.training.listAgencies(request.user!), values: {}, ...extra });
    app.get('/training/sessions/:id', perm('training.manage'), async (request, reply) => sessionPage(request, reply, idOf(request)));
    app.post('/training/sessions/:id/attendance', perm('training.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = attendanceFormSchema.safeParse(request.body);
      if (!parsed.success) return sessionPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error) });
      await assurance.training.addAttendance(request.user!, id, parsed.data);
      return reply.redirect(`/training/sessions/${id}`);
    });
    app.post('/training/sessions/:id/attendance/:attendanceId/remove', perm('training.manage'), async (request, reply) => {
      const { id, attendanceId } = idParam.extend({ attendanceId: idParam.shape.id }).parse(request.params);
      await assurance.training.removeAttendance(request.user!, id, attendanceId);
      return reply.redirect(`/training/sessions/${id}`);
    });

    // CSV import: multipart only in this encapsulated context. attachFieldsToBody puts the _csrf
    // field in request.body, where the CSRF check in web/app.ts reads it.
    await app.register(async (scoped: FastifyInstance) => {
      if (!scoped.hasRequestDecorator('isMultipart')) {
        // An over-size file arrives cut one byte past the cap and is refused on the form (src/uploads/limits.ts).
        await scoped.register(multipart, { attachFieldsToBody: 'keyValues', throwFileSizeLimit: false,
          limits: { fileSize: multipartFileLimit(attendanceImportLimits), files: 1, fields: 5, parts: 6 } });
      }
      scoped.get('/training/sessions/:id/import', perm('training.manage'), async (request, reply) => {
        const { session } = await assurance.attendanceImport.previewImport(request.user!, idOf(request), 'name,agency\n');
        prepareUploadParser(attendanceUploadParser);
        return reply.page(view('import'), { session });
      });
      scoped.post('/training/sessions/:id/import', perm('training.manage'), async (request, reply) => {
        const id = idOf(request);
        const refuse = async (text: string) => {
          const { session } = await assurance.attendanceImport.previewImport(request.user!, id, 'name,agency\n');
          return reply.status(400).page(view('import'), { session, errors: singleError('file', text) });
        };
        const file = (request.body as Record<string, unknown> | undefined)?.file;
        const size = checkFileSize(Buffer.isBuffer(file) ? file.length : 0, attendanceImportLimits);
        if (!size.ok) return refuse(refusalMessage(size.refusal, t));
        const parsed = importUploadSchema.safeParse(request.body ?? {});
        if (!parsed.success) return refuse(t('assurance.v.fileRequired'));
        const preview = await assurance.attendanceImport.previewImport(request.user!, id, parsed.data.file);
        if (preview.refusal) {
          request.log.info({ refusal: preview.refusal }, 'attendance upload refused');
          return refuse(refusalMessage(preview.refusal, t, 'assurance.csv.unreadable'));
        }
        return reply.page(view('import'), { session: preview.session, rows: preview.rows, rowErrors: preview.errors, csv: parsed.data.file, previewed: true });
      });
    });
    app.post('/training/sessions/:id/import/confirm', perm('training.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = importConfirmSchema.safeParse(request.body);
      if (!parsed.success) return reply.redirect(`/training/sessions/${id}/import`);
      const result = await assurance.attendanceImport.confirmImport(request.user!, id, parsed.data.csv);
      return sessionPage(request, reply, id, { imported: result });
    });

    const measureFormPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('measure-form'), { courses: await assurance.training.listCourses(request.user!), ...extra });
    app.get('/training/measures/new', perm('training.manage'), async (request, reply) =>
      measureFormPage(request, reply, { values: { windowMonths: '2', targetPercent: '90', courseIds: [] } }));
    app.post('/training/measures/new', perm('training.manage'), async (request, reply) => {
      const parsed = measureFormSchema.safeParse(request.body);
      if (!parsed.success) return measureFormPage(request, reply.status(400), { values: request.body, errors: errorsOf(parsed.error) });
      const id = await assurance.trainingMeasures.createMeasure(request.user!, parsed.data);
      return reply.redirect(`/training/compliance?measureId=${id}`);
    });

    // ── Campaigns ─────────────────────────────────────────────────────────────────────────
    app.get('/campaigns', perm('campaigns.read'), async (request, reply) => {
      const parsed = campaignFilterSchema.safeParse(request.query);
      const audience = parsed.success ? parsed.data.audience : undefined;
      return reply.page(view('campaigns'), { ...(await assurance.campaigns.listCampaigns(request.user!, audience)), values: { audience }, ...options });
    });
    app.get('/campaigns/new', perm('campaigns.manage'), async (_request, reply) => reply.page(view('campaign-form'), { values: {}, ...options }));
    app.post('/campaigns/new', perm('campaigns.manage'), async (request, reply) => {
      const parsed = campaignFormSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('campaign-form'), { values: request.body, errors: errorsOf(parsed.error), ...options });
      const id = await assurance.campaigns.createCampaign(request.user!, parsed.data);
      return reply.redirect(`/campaigns/${id}`);
    });
    const campaignPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('campaign'), { ...(await assurance.campaigns.getCampaign(request.user!, id)), ...options, values: {}, ...extra });
    app.get('/campaigns/:id', perm('campaigns.read'), async (request, reply) => campaignPage(request, reply, idOf(request)));
    app.post('/campaigns/:id/materials', perm('campaigns.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = materialFormSchema.safeParse(request.body);
      if (!parsed.success) return campaignPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error), form: 'material' });
      await assurance.campaigns.addMaterial(request.user!, id, parsed.data);
      return reply.redirect(`/campaigns/${id}`);
    });
    app.post('/campaigns/:id/questions', perm('campaigns.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = questionFormSchema.safeParse(request.body);
      if (!parsed.success) return campaignPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error), form: 'question' });
      await assurance.campaigns.addQuestion(request.user!, id, parsed.data);
      return reply.redirect(`/campaigns/${id}`);
    });
    app.post('/campaigns/:id/tallies', perm('campaigns.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = tallyFormSchema.safeParse(request.body);
      if (!parsed.success) return campaignPage(request, reply.status(400), id, { errors: errorsOf(parsed.error) });
      await assurance.campaigns.recordTallies(request.user!, id, parsed.data);
      return reply.redirect(`/campaigns/${id}#question-${parsed.data.questionId}`);
    });

    // ── Services directory ────────────────────────────────────────────────────────────────
    app.get('/directory', perm('services.read'), async (request, reply) => {
      const parsed = serviceFilterSchema.safeParse(request.query);
      const filter = parsed.success ? parsed.data : {};
      const result = await assurance.directory.searchServices(request.user!, filter);
      return reply.status(parsed.success ? 200 : 400).page(view('directory'), {
        ...result, values: request.query, searched: Object.keys(filter).length > 0, errors: parsed.success ? undefined : errorsOf(parsed.error),
      });
    });
    const serviceForm = async (request: FastifyRequest, reply: FastifyReply, id: string | null) => {
      const parsed = serviceFormSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('service-form'), { values: request.body, errors: errorsOf(parsed.error), id });
      try {
        const saved = await assurance.directory.saveService(request.user!, id, parsed.data);
        return reply.redirect(`/directory/${saved}`);
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('service-form'), { values: request.body, errors: singleError('name', t('assurance.v.nameInUse')), id });
      }
    };
    app.get('/directory/new', perm('services.manage'), async (_request, reply) => reply.page(view('service-form'), { values: {}, id: null }));
    app.post('/directory/new', perm('services.manage'), async (request, reply) => serviceForm(request, reply, null));
    app.get('/directory/:id', perm('services.read'), async (request, reply) =>
      reply.page(view('service'), { service: await assurance.directory.getService(request.user!, idOf(request)) }));
    app.get('/directory/:id/edit', perm('services.manage'), async (request, reply) => {
      const s = await assurance.directory.getService(request.user!, idOf(request));
      const values = { name: s.name, provider: s.provider, description: s.description, forWhom: s.for_whom, ageFrom: s.age_from, ageTo: s.age_to,
        referralRoute: s.referral_route, contact: s.contact, area: s.area };
      return reply.page(view('service-form'), { values, id: s.id });
    });
    app.post('/directory/:id/edit', perm('services.manage'), async (request, reply) => serviceForm(request, reply, idOf(request)));

    // ── Scrutiny ──────────────────────────────────────────────────────────────────────────
    app.get('/scrutiny', perm('scrutiny.read'), async (request, reply) =>
      reply.page(view('scrutiny'), { bodies: await assurance.scrutiny.listBodies(request.user!), ...options }));
    app.get('/scrutiny/new', perm('scrutiny.manage'), async (_request, reply) => reply.page(view('body-form'), { values: {}, ...options }));
    app.post('/scrutiny/new', perm('scrutiny.manage'), async (request, reply) => {
      const parsed = bodyFormSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('body-form'), { values: request.body, errors: errorsOf(parsed.error), ...options });
      try {
        const id = await assurance.scrutiny.createBody(request.user!, parsed.data);
        return reply.redirect(`/scrutiny/${id}`);
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('body-form'), { values: request.body, errors: singleError('name', t('assurance.v.nameInUse')), ...options });
      }
    });
    const bodyPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('body'), { ...(await assurance.scrutiny.getBody(request.user!, id)), ...options, values: {}, ...extra });
    app.get('/scrutiny/:id', perm('scrutiny.read'), async (request, reply) => bodyPage(request, reply, idOf(request)));
    app.post('/scrutiny/:id/work-items', perm('scrutiny.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = workItemFormSchema.safeParse(request.body);
      if (!parsed.success) return bodyPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error), form: 'work' });
      await assurance.scrutiny.addWorkItem(request.user!, id, parsed.data);
      return reply.redirect(`/scrutiny/${id}`);
    });
    app.post('/scrutiny/:id/recommendations', perm('scrutiny.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = recommendationFormSchema.safeParse(request.body);
      if (!parsed.success) return bodyPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error), form: 'recommendation' });
      try {
        const created = await assurance.scrutiny.addRecommendation(request.user!, id, parsed.data);
        return reply.redirect(`/scrutiny/recommendations/${created}`);
      } catch (error) {
        if (!isConflict(error)) throw error;
        return bodyPage(request, reply.status(409), id, { values: request.body, errors: singleError('reference', t('assurance.v.referenceInUse')), form: 'recommendation' });
      }
    });
    const recommendationPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const r = await assurance.scrutiny.getRecommendation(request.user!, id);
      const values = { response: r.response, responseText: r.response_text, owner: r.owner, dueOn: r.due_on, status: r.status, evidenceSource: r.evidence_source };
      return reply.page(view('recommendation'), { recommendation: r, values, canManage: can(request.user, 'scrutiny.manage'), ...options, ...extra });
    };
    app.get('/scrutiny/recommendations/:id', perm('scrutiny.read'), async (request, reply) =>
      recommendationPage(request, reply, idOf(request), { saved: (request.query as Record<string, unknown>).saved === '1' }));
    app.post('/scrutiny/recommendations/:id', perm('scrutiny.manage'), async (request, reply) => {
      const id = idOf(request);
      const parsed = responseFormSchema.safeParse(request.body);
      if (!parsed.success) return recommendationPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error) });
      await assurance.scrutiny.respond(request.user!, id, parsed.data);
      return reply.redirect(`/scrutiny/recommendations/${id}?saved=1`);
    });
  },
};
