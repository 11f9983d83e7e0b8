import type { FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { aggregatesOnly, apiScopes, can } from '../../authz/policy.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { LanternError } from '../../errors.ts';
import { askPurposes, asksPerDay } from '../linkage/encoded/ask.ts';
import { formErrors, postedForm, singleError } from '../../web/forms.ts';
import type { FlashKey } from '../../web/flash.ts';
import { idParams, isUuid, uuidParams } from '../../web/params.ts';
import type { Feature, LanternApp } from '../feature.ts';
import { registerCohortRoutes } from './cohort-routes.ts';
import { ChildDetailsRefusal } from './records.ts';
import { ageOn, londonDate } from '../../dates.ts';
import {
  addressSchema,
  askNeighbourSchema,
  apiTokenLifetimes,
  apiTokenRoles,
  apiTokenSchema,
  childDetailsSchema,
  childSearchSchema,
  closeSchema,
  closingOutcomes,
  decisions,
  defaultApiTokenLifetime,
  educationStatuses,
  ethnicities,
  genders,
  involvementSchema,
  involvementAgencyQuery,
  newConcernQuery,
  professionalConcernSchema,
  publicConcernSchema,
  reasonSchema,
  reporterKinds,
  riskLevels,
  sendOptions,
  shareAgencySchema,
  sharePartnershipSchema,
  stopSharingSchema,
  triageSchema,
} from './schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/children/views/${name}.njk`;

/** Lists the page templates need to build their selects and radios. */
const vocabulary = { genders, ethnicities, educationStatuses, sendOptions, riskLevels, decisions, closingOutcomes, apiTokenRoles, askPurposes };

export const childrenFeature: Feature = {
  name: 'children',
  async register(app, services) {
    const { children, apiTokens, clock } = services;
    const read = { config: { permission: 'children.read' as const } };
    const write = { config: { permission: 'children.write' as const } };
    const triage = { config: { permission: 'triage.manage' as const } };
    const raise = { config: { permission: 'concerns.raise' as const } };
    const byId = { params: idParams };

    // ---- A concern from anyone: public, rate limited on this route only ----
    const publicForm = async (reply: FastifyReply, extra: Record<string, unknown> = {}) => {
      const partnerships = await children.concerns.publicPartnerships();
      const names = new Map(partnerships.map((p) => [p.id, p.name]));
      // A campaign is named with its partnership's, as the list holds every partnership's.
      const campaigns = (await children.concerns.publicCampaigns()).map((c) => ({ ...c, partnership: names.get(c.partnership_id) ?? '' }));
      return reply.page(view('report'), { partnerships, campaigns, reporterKinds, values: {}, ...extra });
    };
    app.get('/report', { config: { public: true } }, async (_request, reply) => publicForm(reply));
    await app.register(async (scope: LanternApp) => {
      await scope.register(rateLimit, { global: false });
      scope.post(
        '/report',
        { config: { public: true, rateLimit: { max: 5, timeWindow: '10 minutes' } }, schema: { body: publicConcernSchema }, attachValidation: true },
        async (request, reply) => {
          if (request.validationError) return publicForm(reply.status(400), { values: request.body, errors: formErrors(request.validationError) });
          const { campaignId } = request.body.heardFrom;
          if (campaignId && !(await children.concerns.publicCampaigns()).some((c) => c.id === campaignId && c.partnership_id === request.body.partnershipId)) {
            return publicForm(reply.status(400), { values: postedForm(request), errors: singleError('heardFrom', t('children.errors.heardFromPartnership')) });
          }
          const { reference } = await children.concerns.raisePublicConcern(request.body, request.headers['user-agent'] ?? null);
          return reply.saved('/report/sent', 'flash.concernSent', { reference });
        },
      );
    });
    // The confirmation is a page of its own (post/redirect/get): a refresh shows it again and sends nothing.
    app.get('/report/sent', { config: { public: true } }, async (_request, reply) => reply.page(view('concern-raised'), { isPublic: true, flashInPage: true }));

    // ---- A concern from a professional or a councillor ----
    app.get('/concerns/new', { ...raise, schema: { querystring: newConcernQuery } }, async (request, reply) => {
      const { child } = request.query;
      return reply.page(view('concern-form'), { values: { childId: aggregatesOnly(request.user!.roles) ? '' : (child ?? '') } });
    });
    app.post('/concerns/new', { ...raise, schema: { body: professionalConcernSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return reply.status(400).page(view('concern-form'), { values: request.body, errors: formErrors(request.validationError) });
      const created = await children.concerns.raiseConcern(request.user!, request.body);
      return reply.saved('/concerns/sent', 'flash.concernSent', { reference: created.reference });
    });
    app.get('/concerns/sent', raise, async (_request, reply) => reply.page(view('concern-raised'), { isPublic: false, flashInPage: true }));

    // ---- Triage ----
    app.get('/triage', triage, async (request, reply) => reply.page(view('triage'), await children.triage.triageQueue(request.user!)));

    const concernPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      extra: Record<string, unknown> = {},
      search?: Parameters<typeof children.triage.getConcern>[2],
    ) =>
      reply.page(view('concern'), { ...(await children.triage.getConcern(request.user!, id, search)), ...vocabulary, values: {}, searchValues: {}, ...extra });

    app.get('/triage/:id', { ...triage, schema: byId }, async (request, reply) => concernPage(request, reply, request.params.id));

    app.post('/triage/:id/search', { ...triage, schema: { ...byId, body: childSearchSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const searchValues = postedForm(request);
      if (request.validationError)
        return concernPage(request, reply.status(400), id, {
          searchValues,
          searchErrors: formErrors(request.validationError, { href: (field) => (field === 'dateOfBirth' ? 'searchDateOfBirth' : field) }),
        });
      // Triage looks for closed records too.
      return concernPage(request, reply, id, { searchValues }, { ...request.body, includeClosed: true });
    });

    app.post('/triage/:id', { ...triage, schema: { ...byId, body: triageSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError) return concernPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
      const { newChild, confirmNew, ...decision } = request.body;
      const result = await children.triage.decide(request.user!, id, decision, newChild, confirmNew);
      if ('duplicates' in result) {
        const list = [
          ...(result.duplicates.length ? [{ text: t('children.triage.duplicateWarning'), href: '#duplicates' }] : []),
          ...(result.restrictedMatch ? [{ text: t('children.search.restrictedMatch'), href: '#restricted-match' }] : []),
        ];
        return concernPage(request, reply.status(409), id, {
          values,
          duplicates: result.duplicates,
          duplicateRestrictedMatch: result.restrictedMatch,
          errors: { list, fields: {} },
        });
      }
      return reply.saved(result.childId ? `/children/${result.childId}` : '/triage', 'flash.triageDecided');
    });

    // ---- Children: list, search, record ----
    // The list with its filters, sorts, pages and exports, and a child's flags (cohort-routes.ts).
    await registerCohortRoutes(app, services);

    app.post('/children/search', { ...read, schema: { body: childSearchSchema }, attachValidation: true }, async (request, reply) => {
      const values = postedForm(request);
      if (request.validationError)
        return reply.status(400).page(view('children'), { children: [], values, errors: formErrors(request.validationError), searched: false });
      const { matches, restrictedMatch } = await children.records.search(request.user!, request.body);
      return reply.page(view('children'), { matches, restrictedMatch, values, searched: true });
    });

    const childPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const record = await children.records.getChild(request.user!, id);
      if (record.restricted) return reply.status(extra.errors ? 400 : 200).page(view('break-glass'), { childId: id, values: {}, ...extra });
      const age = record.child.date_of_birth ? ageOn(record.child.date_of_birth, londonDate(clock.now())) : null;
      // The intelligence roles see the persons, places and vehicles linked to the child (issue 12).
      const intelLinks =
        record.ownPartnership && can(request.user, 'intelligence.read') ? await services.intelligence.childLinks(request.user!, id) : undefined;
      return reply.page(view('child'), { ...record, ...vocabulary, age, events: record.accessLog, intelLinks, active: 'overview', values: {}, ...extra });
    };

    // A child merged into another (issue 14 §2) leads to the record kept; the kept one lists its merges.
    app.get('/children/:id', { ...read, schema: byId }, async (request, reply) => {
      const { mergedInto, merges } = await services.recordMerges.recordState(request.user!, 'child', request.params.id);
      if (mergedInto) return reply.saved(`/children/${mergedInto}`, 'flash.merge.redirected');
      return childPage(request, reply, request.params.id, { merges, mergeBase: '/children' });
    });

    app.post('/children/:id/break-glass', { ...read, schema: { ...byId, body: reasonSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) return childPage(request, reply, id, { values: request.body, errors: formErrors(request.validationError) });
      await children.restrictions.breakGlass(request.user!, id, request.body.reason);
      return reply.saved(`/children/${id}`, 'flash.breakGlass');
    });

    // The owning agency's case workers lift a restriction with a reason; the DPO is alerted (H2).
    app.post('/children/:id/lift-restriction', { ...write, schema: { ...byId, body: reasonSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        const errors = formErrors(request.validationError, { href: () => 'liftReason', key: () => 'liftReason' });
        return childPage(request, reply.status(400), id, { values: request.body, errors });
      }
      await children.restrictions.liftRestriction(request.user!, id, request.body.reason);
      return reply.saved(`/children/${id}`, 'flash.restrictionLifted');
    });

    app.get('/children/:id/edit', { ...write, schema: byId }, async (request, reply) => {
      const { id } = request.params;
      const record = await children.records.getChild(request.user!, id);
      if (record.restricted) return reply.redirect(`/children/${id}`);
      return reply.page(view('child-edit'), { child: record.child, values: detailsValues(record.child), ...vocabulary });
    });

    app.post('/children/:id/edit', { ...write, schema: { ...byId, body: childDetailsSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        const record = await children.records.getChild(request.user!, id);
        if (record.restricted) return reply.redirect(`/children/${id}`);
        return reply
          .status(400)
          .page(view('child-edit'), { child: record.child, values: request.body, errors: formErrors(request.validationError), ...vocabulary });
      }
      try {
        await children.records.updateDetails(request.user!, id, request.body);
      } catch (error) {
        if (!(error instanceof ChildDetailsRefusal)) throw error;
        const record = await children.records.getChild(request.user!, id);
        if (record.restricted) return reply.redirect(`/children/${id}`);
        const errors = singleError(error.field, t(error.messageKey));
        return reply.status(400).page(view('child-edit'), { child: record.child, values: postedForm(request), errors, ...vocabulary });
      }
      return reply.saved(`/children/${id}`, 'flash.childDetailsSaved');
    });

    // Small forms on the child page: on a mistake the page is shown again with the error summary.
    const childAction = <S extends z.ZodType>(
      path: string,
      schema: S,
      saved: FlashKey,
      act: (request: FastifyRequest, id: string, data: z.output<S>) => Promise<unknown>,
    ) =>
      app.post(`/children/:id/${path}`, { ...write, schema: { ...byId, body: schema }, attachValidation: true }, async (request, reply) => {
        const { id } = request.params;
        if (request.validationError)
          return childPage(request, reply.status(400), id, { values: request.body, errors: formErrors(request.validationError), form: path });
        await act(request, id, request.body as z.output<S>); // the provider cannot resolve a generic schema
        return reply.saved(`/children/${id}`, saved);
      });
    childAction('addresses', addressSchema, 'flash.addressAdded', (request, id, data) => children.records.addAddress(request.user!, id, data));
    // Adding an agency or allocating a worker has its own page: choose the agency, then one of its workers.
    const involvementPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      agencyId: string | undefined,
      extra: Record<string, unknown> = {},
    ) => reply.page(view('involvement-new'), { ...(await children.records.involvementChoices(request.user!, id, agencyId)), values: {}, ...extra });
    app.get('/children/:id/involvements/new', { ...write, schema: { ...byId, querystring: involvementAgencyQuery } }, async (request, reply) => {
      const { agencyId } = request.query;
      return involvementPage(request, reply, request.params.id, agencyId, { values: { agencyId } });
    });
    app.post('/children/:id/involvements', { ...write, schema: { ...byId, body: involvementSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        const values = postedForm(request);
        const agencyId = isUuid(values.agencyId) ? values.agencyId : undefined;
        return involvementPage(request, reply.status(400), id, agencyId, { values, errors: formErrors(request.validationError) });
      }
      await children.records.addInvolvement(request.user!, id, request.body);
      return reply.saved(`/children/${id}`, 'flash.involvementAdded');
    });
    childAction('share', shareAgencySchema, 'flash.shared', (request, id, data) => children.sharing.shareWithAgency(request.user!, id, data));
    childAction('share-partnership', sharePartnershipSchema, 'flash.shared', (request, id, data) =>
      children.sharing.shareWithPartnership(request.user!, id, data),
    );

    // "Do you hold this child?" asked of the partnership on the other side of an agreement (issue 14 §3):
    // the answer is a strength band only, on a page of its own (post/redirect/get).
    const ask = { config: { permission: 'linkage.ask' as const } };
    app.post('/children/:id/ask-neighbour', { ...ask, schema: { ...byId, body: askNeighbourSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError)
        return childPage(request, reply.status(400), id, { values: request.body, errors: formErrors(request.validationError), form: 'ask-neighbour' });
      try {
        const askId = await children.linkageAsk.ask(request.user!, id, request.body.agreementId, request.body.purpose);
        return reply.redirect(`/children/${id}/neighbour-answers/${askId}`, 303);
      } catch (error) {
        if (!(error instanceof LanternError) || error.code !== 'LANTERN_E_RATE_LIMITED') throw error;
        const errors = singleError('purpose', t('children.neighbourCheck.tooMany', { count: asksPerDay }));
        return childPage(request, reply.status(429), id, { values: request.body, errors, form: 'ask-neighbour' });
      }
    });
    app.get('/children/:id/neighbour-answers/:askId', { ...ask, schema: { params: uuidParams('id', 'askId') } }, async (request, reply) => {
      const answer = await children.linkageAsk.result(request.user!, request.params.id, request.params.askId);
      return reply.page(view('neighbour-answer'), { answer });
    });

    // Stopping a share: one small form per share on the child page, with a reason. Same permission as sharing.
    const stopSharing = (path: string, kind: 'agency' | 'partnership') =>
      app.post(
        `/children/:id/${path}/:shareId/stop`,
        { ...write, schema: { params: uuidParams('id', 'shareId'), body: stopSharingSchema }, attachValidation: true },
        async (request, reply) => {
          const { id, shareId } = request.params;
          if (request.validationError) {
            // Each share has its own reason field, so the summary links to this one.
            const errors = formErrors(request.validationError, { href: () => `stop-reason-${shareId}`, key: () => `stop-${shareId}` });
            return childPage(request, reply.status(400), id, { values: request.body, errors, form: `stop-${shareId}` });
          }
          await children.sharing.stopSharing(request.user!, id, kind, shareId, request.body.stopReason);
          return reply.saved(`/children/${id}`, 'flash.sharingStopped');
        },
      );
    stopSharing('shares', 'agency');
    stopSharing('partnership-shares', 'partnership');
    childAction('close', closeSchema, 'flash.recordClosed', (request, id, data) => children.records.close(request.user!, id, data));
    childAction('reopen', reasonSchema, 'flash.recordReopened', (request, id, data) => children.records.reopen(request.user!, id, data.reason));

    // ---- The data protection officer's break-glass alerts ----
    const review = { config: { permission: 'break-glass.review' as const } };
    const alertsPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
      const { grants, lifted } = await children.restrictions.breakGlassAlerts(request.user!);
      return reply.page(view('alerts'), {
        alerts: grants,
        lifted,
        restrictedRecords: await children.restrictions.restrictedRecords(request.user!),
        values: {},
        ...extra,
      });
    };
    app.get('/break-glass', review, async (request, reply) => alertsPage(request, reply));
    // The DPO lifts a restriction from the list of restricted records (never under break-glass).
    app.post('/break-glass/restricted/:id/lift', { ...review, schema: { ...byId, body: reasonSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        const field = `reason-${id}`;
        return alertsPage(request, reply.status(400), { errors: formErrors(request.validationError, { href: () => field, key: () => field }) });
      }
      await children.restrictions.liftRestriction(request.user!, id, request.body.reason);
      return reply.saved('/break-glass', 'flash.restrictionLifted');
    });
    app.post('/break-glass/lifted/:id/acknowledge', { ...review, schema: byId }, async (request, reply) => {
      await children.restrictions.acknowledgeLift(request.user!, request.params.id);
      return reply.saved('/break-glass', 'flash.acknowledged');
    });
    app.post('/break-glass/:id/acknowledge', { ...review, schema: byId }, async (request, reply) => {
      await children.restrictions.acknowledgeAlert(request.user!, request.params.id);
      return reply.saved('/break-glass', 'flash.acknowledged');
    });

    // ---- API tokens for partner systems ----
    const tokens = { config: { permission: 'api-tokens.manage' as const } };
    const tokenChoices = { apiTokenLifetimes, apiScopes };
    app.get('/admin/api-tokens', tokens, async (request, reply) =>
      reply.page(view('api-tokens'), {
        ...(await apiTokens.list(request.user!)),
        ...tokenChoices,
        values: { roles: [], scopes: [], expiresInDays: defaultApiTokenLifetime },
      }),
    );
    app.post('/admin/api-tokens', { ...tokens, schema: { body: apiTokenSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.status(400).page(view('api-tokens'), {
          ...(await apiTokens.list(request.user!)),
          ...tokenChoices,
          values: request.body,
          errors: formErrors(request.validationError),
        });
      }
      const created = await apiTokens.create(request.user!, request.body);
      // The token is shown once, on the page the post leads to (src/web/flash.ts: the cookie is sealed).
      return reply.saved('/admin/api-tokens/created', 'flash.apiTokenCreated', {
        token: created.token,
        name: request.body.name,
        expiresAt: created.expiresAt.toISOString(),
      });
    });
    app.get('/admin/api-tokens/created', tokens, async (_request, reply) => reply.page(view('api-token-created'), { flashInPage: true }));
    app.post('/admin/api-tokens/:id/approve', { config: { permission: 'api-tokens.approve' as const }, schema: byId }, async (request, reply) => {
      await apiTokens.approve(request.user!, request.params.id);
      return reply.saved('/admin/api-tokens', 'flash.apiTokenApproved');
    });
    app.post('/admin/api-tokens/:id/revoke', { ...tokens, schema: byId }, async (request, reply) => {
      await apiTokens.revoke(request.user!, request.params.id);
      return reply.saved('/admin/api-tokens', 'flash.apiTokenRevoked');
    });
  },
};

/** The edit form's values from the record. */
function detailsValues(child: Record<string, unknown>) {
  const yes = (v: unknown) => (v ? 'yes' : '');
  return {
    aliases: ((child.aliases as string[] | null) ?? []).join(', '),
    gender: child.gender,
    ethnicity: child.ethnicity,
    firstLanguage: child.first_language,
    school: child.school,
    educationStatus: child.education_status,
    send: child.send,
    placement: child.placement,
    flagCse: yes(child.flag_cse),
    flagCce: yes(child.flag_cce),
    flagTrafficking: yes(child.flag_trafficking),
    restricted: yes(child.restricted),
    restrictedReason: child.restricted_reason,
  };
}
