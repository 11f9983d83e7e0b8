import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTranslator } from '../../i18n/i18n.ts';
import { refusalMessage } from '../../uploads/limits.ts';
import { acceptUploads } from '../../uploads/multipart.ts';
import { prepareUploadParser } from '../../uploads/parse.ts';
import { fieldErrors, formErrors, type FormErrors } from '../../web/forms.ts';
import type { Feature, LanternApp } from '../feature.ts';
import { peopleFeedLimits, peopleFeedUploadParser, type FeedRefusal } from './feed.ts';
import { peopleFeedApplySchema, peopleFeedUploadSchema } from './schema.ts';
import { dormantAfterDays, dormantNoticeDays } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/lifecycle/views/${name}.njk`;

/** Why the whole file was refused, as one message. */
const feedRefusalMessage = (refusal: FeedRefusal): string => {
  switch (refusal.kind) {
    case 'upload':
      return refusalMessage(refusal.refusal, t, 'lifecycle.import.errors.unreadable');
    case 'heading':
      return t('lifecycle.import.errors.heading', { columns: refusal.missing.join(', ') });
    case 'empty':
      return t('lifecycle.import.errors.empty');
  }
};

/** An example file: the machine words (heading, roles, actions) are the same in either language. */
const example = [
  'email,given_name,family_name,agency,role,action',
  'sam.jones@example.org,Sam,Jones,Northmere Police,practitioner,join',
  'alex.smith@example.org,Alex,Smith,Northmere Police,practitioner;triage_worker,change',
  'jo.brown@example.org,Jo,Brown,Northmere Police,practitioner,leave',
].join('\n');

/**
 * Account lifecycle (issue 16 §1): dormant accounts (/admin/people/dormant) given notice and then
 * disabled, and the joiners and leavers feed from HR (/admin/people/import), previewed before it applies.
 * `lantern accounts disable-dormant` and `lantern accounts import` do the same from the command line.
 */
export const lifecycleFeature: Feature = {
  name: 'lifecycle',
  async register(app, { lifecycle }) {
    const config = { config: { permission: 'users.manage' as const } };

    app.get('/admin/people/dormant', config, async (request, reply) => {
      const page = await lifecycle.dormant(lifecycle.acting(request.user!));
      return reply.page(view('dormant'), { ...page, dormantAfterDays, dormantNoticeDays });
    });
    app.post('/admin/people/dormant/notice', config, async (request, reply) => {
      const count = await lifecycle.giveDormantNotice(lifecycle.acting(request.user!));
      return reply.saved('/admin/people/dormant', 'flash.lifecycle.noticeGiven', { n: count });
    });
    app.post('/admin/people/dormant/disable', config, async (request, reply) => {
      const count = await lifecycle.disableDormant(lifecycle.acting(request.user!));
      return reply.saved('/admin/people/dormant', 'flash.lifecycle.dormantDisabled', { n: count });
    });

    const importPage = (reply: FastifyReply, status: number, extra: { errors?: FormErrors; values?: Record<string, unknown> } = {}) =>
      reply.status(status).page(view('import'), {
        example,
        maxKilobytes: Math.floor(peopleFeedLimits.maxFileBytes / 1024),
        values: {},
        ...extra,
      });
    app.get('/admin/people/import', config, (_request, reply) => {
      // A large file is read in a worker thread: start one while the form is read.
      prepareUploadParser(peopleFeedUploadParser);
      return importPage(reply, 200);
    });

    // The upload is multipart, in this encapsulated context only; it shows the preview and changes nothing.
    await app.register(async (scoped: LanternApp) => {
      await acceptUploads(scoped, peopleFeedLimits, { fields: 3, parts: 4 });
      scoped.post('/admin/people/import', { ...config, schema: { body: peopleFeedUploadSchema }, attachValidation: true }, async (request, reply) => {
        if (request.validationError) return importPage(reply, 400, { errors: formErrors(request.validationError) });
        const { field, text } = request.body;
        const result = await lifecycle.previewFeed(lifecycle.acting(request.user!), text);
        if (!result.ok) return importPage(reply, 400, { errors: fieldErrors(field, [feedRefusalMessage(result.refusal)]) });
        return reply.page(view('preview'), { plan: result.plan, csv: text });
      });
    });

    app.post(
      '/admin/people/import/apply',
      { ...config, schema: { body: peopleFeedApplySchema }, attachValidation: true },
      async (request: FastifyRequest<{ Body: { csv: string } }>, reply) => {
        if (request.validationError) return importPage(reply, 400, { errors: formErrors(request.validationError) });
        const result = await lifecycle.applyFeed(lifecycle.acting(request.user!), request.body.csv, 'page');
        if (!result.ok) return importPage(reply, 400, { errors: fieldErrors('csvFile', [feedRefusalMessage(result.refusal)]) });
        return reply.saved('/admin/people/import', 'flash.lifecycle.imported', result.plan.counts);
      },
    );
  },
};
