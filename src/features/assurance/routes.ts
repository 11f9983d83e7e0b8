import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can } from '../../authz/policy.ts';
import { LanternError } from '../../errors.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { attendanceImportLimits, checkFileSize, refusalMessage } from '../../uploads/limits.ts';
import { acceptUploads } from '../../uploads/multipart.ts';
import { prepareUploadParser } from '../../uploads/parse.ts';
import { formErrors, postedForm, refusedForm, singleError } from '../../web/forms.ts';
import type { FlashKey } from '../../web/flash.ts';
import { idParams, uuidParams } from '../../web/params.ts';
import { ragStatuses } from '../strategy/domain/rag.ts';
import type { SessionUser } from '../../auth/service.ts';
import type { Feature, LanternApp } from '../feature.ts';
import {
  attendanceFormSchema,
  audiences,
  bodyFormSchema,
  bodyKinds,
  campaignFilterSchema,
  campaignFormSchema,
  complianceQuerySchema,
  courseFormSchema,
  courseKinds,
  importConfirmSchema,
  importUploadSchema,
  materialFormSchema,
  materialKinds,
  measureFormSchema,
  questionFormSchema,
  questionScales,
  recommendationFormSchema,
  responseFormSchema,
  responses,
  scaleAnswers,
  serviceFilterSchema,
  serviceFormSchema,
  sessionFilterSchema,
  sessionFormSchema,
  tallyFormSchema,
  workItemFormSchema,
  type ServiceForm,
} from './schema.ts';
import { attendanceUploadParser } from './attendance-csv.ts';

const t = requestTranslator();
const view = (name: string) => `features/assurance/views/${name}.njk`;
const options = { courseKinds, audiences, materialKinds, questionScales, scaleAnswers, bodyKinds, responses, ragStatuses };

const isConflict = (error: unknown) => error instanceof LanternError && error.code === 'LANTERN_E_CONFLICT';
const byId = { params: idParams };

export const assuranceFeature: Feature = {
  name: 'assurance',
  async register(app, services) {
    const { assurance } = services;
    const perm = <
      P extends
        'training.read' | 'training.manage' | 'campaigns.read' | 'campaigns.manage' | 'services.read' | 'services.manage' | 'scrutiny.read' | 'scrutiny.manage',
    >(
      p: P,
    ) => ({ config: { permission: p } });

    /** A record's page: how to show it (with a form's input and errors), and where to go once a form on it is saved. */
    interface RecordPage {
      show: (request: FastifyRequest, reply: FastifyReply, id: string, extra?: Record<string, unknown>) => Promise<unknown>;
      savedAt: (id: string) => string;
    }
    /**
     * A form on a record's page (a session's attendance, a campaign's materials, a body's work
     * items): input that does not validate shows the page again (400) with what was typed and the
     * form named `form` open; saved input goes back to the page (post/redirect/get).
     */
    const formOnPage = <B extends z.ZodType>(
      path: string,
      permission: Parameters<typeof perm>[0],
      body: B,
      page: RecordPage,
      form: string | null,
      saved: FlashKey,
      save: (user: SessionUser, id: string, input: z.output<B>) => Promise<unknown>,
    ) =>
      app.post(path, { ...perm(permission), schema: { ...byId, body }, attachValidation: true }, async (request, reply) => {
        const { id } = request.params;
        const refused = refusedForm(request);
        if (refused) return page.show(request, reply.status(400), id, { ...refused, ...(form ? { form } : {}) });
        await save(request.user!, id, request.body as z.output<B>);
        return reply.saved(page.savedAt(id), saved);
      });

    // ── Training ──────────────────────────────────────────────────────────────────────────
    app.get('/training', { ...perm('training.read'), schema: { querystring: sessionFilterSchema } }, async (request, reply) => {
      const { year } = request.query;
      const overview = await assurance.training.trainingOverview(request.user!, year);
      // Board members see counts only: the trainer's name is left out of what reaches the page.
      const sessions = can(request.user, 'training.manage') ? overview.sessions : overview.sessions.map(({ trainer: _trainer, ...rest }) => rest);
      return reply.page(view('training'), { ...overview, sessions, year, ...options });
    });

    // The compliance pages are GET forms: a filter that does not check out is shown on the page with everything.
    const compliancePage = (path: string, name: string, outstanding: boolean) =>
      app.get(
        path,
        { ...perm(outstanding ? 'training.manage' : 'training.read'), schema: { querystring: complianceQuerySchema }, attachValidation: true },
        async (request, reply) => {
          const invalid = request.validationError;
          const result = await assurance.trainingMeasures.compliance(request.user!, invalid ? {} : request.query, outstanding);
          return reply.status(invalid ? 400 : 200).page(view(name), { ...result, values: request.query, errors: invalid ? formErrors(invalid) : undefined });
        },
      );
    compliancePage('/training/compliance', 'compliance', false);
    compliancePage('/training/outstanding', 'outstanding', true);

    app.get('/training/courses/new', perm('training.manage'), async (_request, reply) => reply.page(view('course-form'), { values: {}, ...options }));
    app.post('/training/courses/new', { ...perm('training.manage'), schema: { body: courseFormSchema }, attachValidation: true }, async (request, reply) => {
      const values = postedForm(request);
      if (request.validationError) return reply.status(400).page(view('course-form'), { values, errors: formErrors(request.validationError), ...options });
      try {
        await assurance.training.createCourse(request.user!, request.body);
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('course-form'), { values, errors: singleError('title', t('assurance.v.titleInUse')), ...options });
      }
      return reply.saved('/training', 'flash.courseAdded');
    });

    // A course's edit form: the creation form's checks, its title unique as when it was added.
    const courseEdit = (id: string) => ({ action: `/training/courses/${id}/edit`, editing: true });
    app.get('/training/courses/:id/edit', { ...perm('training.manage'), schema: byId }, async (request, reply) => {
      const course = await assurance.training.getCourse(request.user!, request.params.id);
      return reply.page(view('course-form'), {
        values: { title: course.title, kind: course.kind, description: course.description },
        ...courseEdit(course.id),
        ...options,
      });
    });
    app.post(
      '/training/courses/:id/edit',
      { ...perm('training.manage'), schema: { ...byId, body: courseFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        const values = postedForm(request);
        const again = (status: number, errors: unknown) => reply.status(status).page(view('course-form'), { values, errors, ...courseEdit(id), ...options });
        // The course must be there (and this partnership's) before its form is shown again.
        await assurance.training.getCourse(request.user!, id);
        if (request.validationError) return again(400, formErrors(request.validationError));
        try {
          await assurance.training.updateCourse(request.user!, id, request.body);
        } catch (error) {
          if (!isConflict(error)) throw error;
          return again(409, singleError('title', t('assurance.v.titleInUse')));
        }
        return reply.saved('/training', 'flash.courseChanged');
      },
    );

    const sessionFormPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('session-form'), { courses: await assurance.training.listCourses(request.user!), ...extra });
    app.get('/training/sessions/new', perm('training.manage'), async (request, reply) => sessionFormPage(request, reply, { values: {} }));
    app.post('/training/sessions/new', { ...perm('training.manage'), schema: { body: sessionFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return sessionFormPage(request, reply.status(400), { values: request.body, errors: formErrors(request.validationError) });
      const id = await assurance.training.createSession(request.user!, request.body);
      return reply.saved(`/training/sessions/${id}`, 'flash.sessionAdded');
    });

    app.get('/training/sessions/:id/edit', { ...perm('training.manage'), schema: byId }, async (request, reply) => {
      const session = await assurance.training.sessionForEdit(request.user!, request.params.id);
      const values = { courseId: session.course_id, heldOn: session.held_on, trainer: session.trainer, venue: session.venue };
      return sessionFormPage(request, reply, { values, session, action: `/training/sessions/${session.id}/edit`, editing: true });
    });
    app.post(
      '/training/sessions/:id/edit',
      { ...perm('training.manage'), schema: { ...byId, body: sessionFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        const session = await assurance.training.sessionForEdit(request.user!, id);
        const refused = refusedForm(request);
        if (refused) return sessionFormPage(request, reply.status(400), { ...refused, session, action: `/training/sessions/${id}/edit`, editing: true });
        await assurance.training.updateSession(request.user!, id, request.body);
        return reply.saved(`/training/sessions/${id}`, 'flash.sessionChanged');
      },
    );

    const sessionPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('session'), {
        ...(await assurance.training.getSession(request.user!, id)),
        agencies: await assurance.training.listAgencies(request.user!),
        values: {},
        ...extra,
      });
    const trainingSession = { show: sessionPage, savedAt: (id: string) => `/training/sessions/${id}` };
    app.get('/training/sessions/:id', { ...perm('training.manage'), schema: byId }, async (request, reply) => sessionPage(request, reply, request.params.id));
    formOnPage(
      '/training/sessions/:id/attendance',
      'training.manage',
      attendanceFormSchema,
      trainingSession,
      null,
      'flash.attendanceAdded',
      (user, id, input) => assurance.training.addAttendance(user, id, input),
    );
    app.post(
      '/training/sessions/:id/attendance/:attendanceId/remove',
      { ...perm('training.manage'), schema: { params: uuidParams('id', 'attendanceId') } },
      async (request, reply) => {
        const { id, attendanceId } = request.params;
        await assurance.training.removeAttendance(request.user!, id, attendanceId);
        return reply.saved(`/training/sessions/${id}`, 'flash.attendanceRemoved');
      },
    );

    // CSV import: multipart only in this encapsulated context.
    await app.register(async (scoped: LanternApp) => {
      await acceptUploads(scoped, attendanceImportLimits, { fields: 5, parts: 6 });
      scoped.get('/training/sessions/:id/import', { ...perm('training.manage'), schema: byId }, async (request, reply) => {
        const { session } = await assurance.attendanceImport.previewImport(request.user!, request.params.id, 'name,agency\n');
        prepareUploadParser(attendanceUploadParser);
        return reply.page(view('import'), { session });
      });
      scoped.post(
        '/training/sessions/:id/import',
        { ...perm('training.manage'), schema: { ...byId, body: importUploadSchema }, attachValidation: true },
        async (request, reply) => {
          const { id } = request.params;
          const refuse = async (text: string) => {
            const { session } = await assurance.attendanceImport.previewImport(request.user!, id, 'name,agency\n');
            return reply.status(400).page(view('import'), { session, errors: singleError('file', text) });
          };
          const file = postedForm(request).file;
          const size = checkFileSize(Buffer.isBuffer(file) ? file.length : 0, attendanceImportLimits);
          if (!size.ok) return refuse(refusalMessage(size.refusal, t));
          if (request.validationError) return refuse(t('assurance.v.fileRequired'));
          const csv = request.body.file;
          const preview = await assurance.attendanceImport.previewImport(request.user!, id, csv);
          if (preview.refusal) {
            request.log.info({ refusal: preview.refusal }, 'attendance upload refused');
            return refuse(refusalMessage(preview.refusal, t, 'assurance.csv.unreadable'));
          }
          return reply.page(view('import'), { session: preview.session, rows: preview.rows, rowErrors: preview.errors, csv, previewed: true });
        },
      );
    });
    app.post(
      '/training/sessions/:id/import/confirm',
      { ...perm('training.manage'), schema: { ...byId, body: importConfirmSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        if (request.validationError) return reply.redirect(`/training/sessions/${id}/import`);
        const { added, skipped, already } = await assurance.attendanceImport.confirmImport(request.user!, id, request.body.csv);
        return reply.saved(`/training/sessions/${id}`, 'flash.attendanceImported', { added, skipped, already });
      },
    );

    const measureFormPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>) =>
      reply.page(view('measure-form'), { courses: await assurance.training.listCourses(request.user!), ...extra });
    app.get('/training/measures/new', perm('training.manage'), async (request, reply) =>
      measureFormPage(request, reply, { values: { windowMonths: '2', targetPercent: '90', courseIds: [] } }),
    );
    app.post('/training/measures/new', { ...perm('training.manage'), schema: { body: measureFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return measureFormPage(request, reply.status(400), { values: request.body, errors: formErrors(request.validationError) });
      const id = await assurance.trainingMeasures.createMeasure(request.user!, request.body);
      return reply.saved(`/training/compliance?measureId=${id}`, 'flash.measureAdded');
    });

    // ── Campaigns ─────────────────────────────────────────────────────────────────────────
    app.get('/campaigns', { ...perm('campaigns.read'), schema: { querystring: campaignFilterSchema } }, async (request, reply) => {
      const { audience } = request.query;
      return reply.page(view('campaigns'), { ...(await assurance.campaigns.listCampaigns(request.user!, audience)), values: { audience }, ...options });
    });
    app.get('/campaigns/new', perm('campaigns.manage'), async (_request, reply) => reply.page(view('campaign-form'), { values: {}, ...options }));
    app.post('/campaigns/new', { ...perm('campaigns.manage'), schema: { body: campaignFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError)
        return reply.status(400).page(view('campaign-form'), { values: request.body, errors: formErrors(request.validationError), ...options });
      const id = await assurance.campaigns.createCampaign(request.user!, request.body);
      return reply.saved(`/campaigns/${id}`, 'flash.campaignAdded');
    });
    const campaignEdit = (id: string) => ({ action: `/campaigns/${id}/edit`, editing: true, campaignId: id });
    app.get('/campaigns/:id/edit', { ...perm('campaigns.manage'), schema: byId }, async (request, reply) => {
      const c = await assurance.campaigns.campaignForEdit(request.user!, request.params.id);
      const values = {
        title: c.title,
        audience: c.audience,
        startsOn: c.starts_on,
        endsOn: c.ends_on,
        peopleReached: String(c.people_reached),
        summary: c.summary,
      };
      return reply.page(view('campaign-form'), { values, ...campaignEdit(c.id), ...options });
    });
    app.post(
      '/campaigns/:id/edit',
      { ...perm('campaigns.manage'), schema: { ...byId, body: campaignFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        await assurance.campaigns.campaignForEdit(request.user!, id);
        const refused = refusedForm(request);
        if (refused) return reply.status(400).page(view('campaign-form'), { ...refused, ...campaignEdit(id), ...options });
        await assurance.campaigns.updateCampaign(request.user!, id, request.body);
        return reply.saved(`/campaigns/${id}`, 'flash.campaignChanged');
      },
    );
    const campaignPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('campaign'), { ...(await assurance.campaigns.getCampaign(request.user!, id)), ...options, values: {}, ...extra });
    const campaign = { show: campaignPage, savedAt: (id: string) => `/campaigns/${id}` };
    app.get('/campaigns/:id', { ...perm('campaigns.read'), schema: byId }, async (request, reply) => campaignPage(request, reply, request.params.id));
    app.post(
      '/campaigns/:id/tallies',
      { ...perm('campaigns.manage'), schema: { ...byId, body: tallyFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        if (request.validationError) return campaignPage(request, reply.status(400), id, { errors: formErrors(request.validationError) });
        await assurance.campaigns.recordTallies(request.user!, id, request.body);
        return reply.saved(`/campaigns/${id}#question-${request.body.questionId}`, 'flash.talliesSaved');
      },
    );
    formOnPage('/campaigns/:id/materials', 'campaigns.manage', materialFormSchema, campaign, 'material', 'flash.materialAdded', (user, id, input) =>
      assurance.campaigns.addMaterial(user, id, input),
    );
    formOnPage('/campaigns/:id/questions', 'campaigns.manage', questionFormSchema, campaign, 'question', 'flash.questionAdded', (user, id, input) =>
      assurance.campaigns.addQuestion(user, id, input),
    );

    // ── Services directory ────────────────────────────────────────────────────────────────
    // A GET form: a filter that does not check out is shown on the page, with every service.
    app.get('/directory', { ...perm('services.read'), schema: { querystring: serviceFilterSchema }, attachValidation: true }, async (request, reply) => {
      const invalid = request.validationError;
      const filter = invalid ? {} : request.query;
      const result = await assurance.directory.searchServices(request.user!, filter);
      return reply.status(invalid ? 400 : 200).page(view('directory'), {
        ...result,
        values: request.query,
        searched: Object.keys(filter).length > 0,
        errors: invalid ? formErrors(invalid) : undefined,
      });
    });
    const saveService = async (request: FastifyRequest, reply: FastifyReply, id: string | null, form: ServiceForm) => {
      const values = postedForm(request);
      if (request.validationError) return reply.status(400).page(view('service-form'), { values, errors: formErrors(request.validationError), id });
      try {
        const saved = await assurance.directory.saveService(request.user!, id, form);
        return reply.saved(`/directory/${saved}`, 'flash.serviceSaved');
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('service-form'), { values, errors: singleError('name', t('assurance.v.nameInUse')), id });
      }
    };
    app.get('/directory/new', perm('services.manage'), async (_request, reply) => reply.page(view('service-form'), { values: {}, id: null }));
    app.post('/directory/new', { ...perm('services.manage'), schema: { body: serviceFormSchema }, attachValidation: true }, async (request, reply) =>
      saveService(request, reply, null, request.body),
    );
    app.get('/directory/:id', { ...perm('services.read'), schema: byId }, async (request, reply) =>
      reply.page(view('service'), { service: await assurance.directory.getService(request.user!, request.params.id) }),
    );
    app.get('/directory/:id/edit', { ...perm('services.manage'), schema: byId }, async (request, reply) => {
      const s = await assurance.directory.getService(request.user!, request.params.id);
      const values = {
        name: s.name,
        provider: s.provider,
        description: s.description,
        forWhom: s.for_whom,
        ageFrom: s.age_from,
        ageTo: s.age_to,
        referralRoute: s.referral_route,
        contact: s.contact,
        area: s.area,
      };
      return reply.page(view('service-form'), { values, id: s.id });
    });
    app.post(
      '/directory/:id/edit',
      { ...perm('services.manage'), schema: { ...byId, body: serviceFormSchema }, attachValidation: true },
      async (request, reply) => saveService(request, reply, request.params.id, request.body),
    );

    // ── Scrutiny ──────────────────────────────────────────────────────────────────────────
    app.get('/scrutiny', perm('scrutiny.read'), async (request, reply) =>
      reply.page(view('scrutiny'), { bodies: await assurance.scrutiny.listBodies(request.user!), ...options }),
    );
    app.get('/scrutiny/new', perm('scrutiny.manage'), async (_request, reply) => reply.page(view('body-form'), { values: {}, ...options }));
    app.post('/scrutiny/new', { ...perm('scrutiny.manage'), schema: { body: bodyFormSchema }, attachValidation: true }, async (request, reply) => {
      const values = postedForm(request);
      if (request.validationError) return reply.status(400).page(view('body-form'), { values, errors: formErrors(request.validationError), ...options });
      try {
        const id = await assurance.scrutiny.createBody(request.user!, request.body);
        return reply.saved(`/scrutiny/${id}`, 'flash.scrutinyBodyAdded');
      } catch (error) {
        if (!isConflict(error)) throw error;
        return reply.status(409).page(view('body-form'), { values, errors: singleError('name', t('assurance.v.nameInUse')), ...options });
      }
    });
    const bodyPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      reply.page(view('body'), { ...(await assurance.scrutiny.getBody(request.user!, id)), ...options, values: {}, ...extra });
    const scrutinyBody = { show: bodyPage, savedAt: (id: string) => `/scrutiny/${id}` };
    app.get('/scrutiny/:id', { ...perm('scrutiny.read'), schema: byId }, async (request, reply) => bodyPage(request, reply, request.params.id));
    formOnPage('/scrutiny/:id/work-items', 'scrutiny.manage', workItemFormSchema, scrutinyBody, 'work', 'flash.workItemAdded', (user, id, input) =>
      assurance.scrutiny.addWorkItem(user, id, input),
    );
    app.post(
      '/scrutiny/:id/recommendations',
      { ...perm('scrutiny.manage'), schema: { ...byId, body: recommendationFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        const values = postedForm(request);
        if (request.validationError)
          return bodyPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError), form: 'recommendation' });
        try {
          const created = await assurance.scrutiny.addRecommendation(request.user!, id, request.body);
          return reply.saved(`/scrutiny/recommendations/${created}`, 'flash.recommendationAdded');
        } catch (error) {
          if (!isConflict(error)) throw error;
          return bodyPage(request, reply.status(409), id, {
            values,
            errors: singleError('reference', t('assurance.v.referenceInUse')),
            form: 'recommendation',
          });
        }
      },
    );
    const recommendationPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const r = await assurance.scrutiny.getRecommendation(request.user!, id);
      const values = {
        response: r.response,
        responseText: r.response_text,
        owner: r.owner,
        dueOn: r.due_on,
        status: r.status,
        evidenceSource: r.evidence_source,
      };
      return reply.page(view('recommendation'), { recommendation: r, values, canManage: can(request.user, 'scrutiny.manage'), ...options, ...extra });
    };
    const recommendation = { show: recommendationPage, savedAt: (id: string) => `/scrutiny/recommendations/${id}` };
    app.get('/scrutiny/recommendations/:id', { ...perm('scrutiny.read'), schema: byId }, async (request, reply) =>
      recommendationPage(request, reply, request.params.id),
    );
    formOnPage('/scrutiny/recommendations/:id', 'scrutiny.manage', responseFormSchema, recommendation, null, 'flash.responseSaved', (user, id, input) =>
      assurance.scrutiny.respond(user, id, input),
    );
  },
};
