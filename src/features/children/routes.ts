import type { FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { z } from 'zod';
import { aggregatesOnly } from '../../authz/policy.ts';
import { translator } from '../../i18n/i18n.ts';
import type { FormErrors } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import { ageOn, londonDate } from '../../dates.ts';
import {
  addressSchema, apiTokenLifetimes, apiTokenRoles, apiTokenSchema, childDetailsSchema, childSearchSchema, closeSchema, closingOutcomes,
  decisions, defaultApiTokenLifetime, educationStatuses, ethnicities, genders, idParam, involvementSchema, involvementAgencyQuery, newChildSchema,
  professionalConcernSchema, publicConcernSchema, reasonSchema, riskLevels, sendOptions, shareAgencySchema, shareParams,
  sharePartnershipSchema, stopSharingSchema, triageSchema,
} from './schema.ts';

const t = translator('en');
const view = (name: string) => `features/children/views/${name}.njk`;

/** zod issues → GOV.UK error summary; messages are translation keys (validation.* or children.*). */
export function errorsOf(error: z.ZodError): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fields[field]) continue;
    const text = t(/^(validation|children)\./.test(issue.message) ? issue.message : 'validation.invalid');
    fields[field] = { text };
    list.push({ text, href: `#${field}` });
  }
  return { list, fields };
}

/** Lists the page templates need to build their selects and radios. */
const vocabulary = { genders, ethnicities, educationStatuses, sendOptions, riskLevels, decisions, closingOutcomes, apiTokenRoles };

const listQuery = z.object({
  status: z.enum(['open', 'closed', 'all']).catch('open'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
const newConcernQuery = z.object({ child: z.string().uuid().optional().catch(undefined) });

export const childrenFeature: Feature = {
  name: 'children',
  async register(app, { children, apiTokens, clock }) {
    const read = { config: { permission: 'children.read' as const } };
    const write = { config: { permission: 'children.write' as const } };
    const triage = { config: { permission: 'triage.manage' as const } };
    const raise = { config: { permission: 'concerns.raise' as const } };

    // ---- A concern from anyone: public, rate limited on this route only ----
    const publicForm = async (reply: FastifyReply, extra: Record<string, unknown> = {}) =>
      reply.page(view('report'), { partnerships: await children.concerns.publicPartnerships(), values: {}, ...extra });
    app.get('/report', { config: { public: true } }, async (_request, reply) => publicForm(reply));
    await app.register(async (scope) => {
      await scope.register(rateLimit, { global: false });
      scope.post('/report', { config: { public: true, rateLimit: { max: 5, timeWindow: '10 minutes' } } }, async (request, reply) => {
        const parsed = publicConcernSchema.safeParse(request.body);
        if (!parsed.success) return publicForm(reply.status(400), { values: request.body, errors: errorsOf(parsed.error) });
        const { reference } = await children.concerns.raisePublicConcern(parsed.data, request.headers['user-agent'] ?? null);
        return reply.page(view('concern-raised'), { reference, isPublic: true });
      });
    });

    // ---- A concern from a professional or a councillor ----
    app.get('/concerns/new', raise, async (request, reply) => {
      const { child } = newConcernQuery.parse(request.query);
      return reply.page(view('concern-form'), { values: { childId: aggregatesOnly(request.user!.roles) ? '' : (child ?? '') } });
    });
    app.post('/concerns/new', raise, async (request, reply) => {
      const parsed = professionalConcernSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('concern-form'), { values: request.body, errors: errorsOf(parsed.error) });
      const created = await children.concerns.raiseConcern(request.user!, parsed.data);
      return reply.page(view('concern-raised'), { reference: created.reference, isPublic: false });
    });

    // ---- Triage ----
    app.get('/triage', triage, async (request, reply) => reply.page(view('triage'), await children.triage.triageQueue(request.user!)));

    const concernPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, search?: Parameters<typeof children.triage.getConcern>[2]) =>
      reply.page(view('concern'), { ...(await children.triage.getConcern(request.user!, id, search)), ...vocabulary, values: {}, searchValues: {}, ...extra });

    app.get('/triage/:id', triage, async (request, reply) => concernPage(request, reply, idParam.parse(request.params).id));

    app.post('/triage/:id/search', triage, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = childSearchSchema.safeParse({ ...(request.body as object), includeClosed: 'yes' });
      if (!parsed.success) return concernPage(request, reply.status(400), id, { searchValues: request.body, searchErrors: errorsOf(parsed.error) });
      return concernPage(request, reply, id, { searchValues: request.body }, parsed.data);
    });

    app.post('/triage/:id', triage, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const body = (request.body ?? {}) as Record<string, string>;
      const parsed = triageSchema.safeParse(body);
      if (!parsed.success) return concernPage(request, reply.status(400), id, { values: body, errors: errorsOf(parsed.error) });
      const newChild = parsed.data.link === 'new' ? newChildSchema.parse(body) : null;
      const result = await children.triage.decide(request.user!, id, parsed.data, newChild, body.confirmNew === 'yes');
      if ('duplicates' in result) {
        const list = [
          ...(result.duplicates.length ? [{ text: t('children.triage.duplicateWarning'), href: '#duplicates' }] : []),
          ...(result.restrictedMatch ? [{ text: t('children.search.restrictedMatch'), href: '#restricted-match' }] : []),
        ];
        return concernPage(request, reply.status(409), id, { values: body, duplicates: result.duplicates,
          duplicateRestrictedMatch: result.restrictedMatch, errors: { list, fields: {} } });
      }
      return reply.redirect(result.childId ? `/children/${result.childId}` : '/triage');
    });

    // ---- Children: list, search, record ----
    app.get('/children', read, async (request, reply) => {
      const query = listQuery.parse(request.query);
      const list = await children.records.listChildren(request.user!, query);
      return reply.page(view('children'), { ...list, ...query, values: {} });
    });

    app.post('/children/search', read, async (request, reply) => {
      const parsed = childSearchSchema.safeParse(request.body);
      if (!parsed.success) return reply.status(400).page(view('children'), { children: [], values: request.body, errors: errorsOf(parsed.error), searched: false });
      const { matches, restrictedMatch } = await children.records.search(request.user!, parsed.data);
      return reply.page(view('children'), { matches, restrictedMatch, values: request.body, searched: true });
    });

    const childPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const record = await children.records.getChild(request.user!, id);
      if (record.restricted) return reply.status(extra.errors ? 400 : 200).page(view('break-glass'), { childId: id, values: {}, ...extra });
      const age = record.child.date_of_birth ? ageOn(record.child.date_of_birth, londonDate(clock.now())) : null;
      return reply.page(view('child'), { ...record, ...vocabulary, age, events: record.accessLog, active: 'overview', values: {}, ...extra });
    };

    app.get('/children/:id', read, async (request, reply) => childPage(request, reply, idParam.parse(request.params).id));

    app.post('/children/:id/break-glass', read, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = reasonSchema.safeParse(request.body);
      if (!parsed.success) return childPage(request, reply, id, { values: request.body, errors: errorsOf(parsed.error) });
      await children.restrictions.breakGlass(request.user!, id, parsed.data.reason);
      return reply.redirect(`/children/${id}`);
    });

    // The owning agency's case workers lift a restriction with a reason; the DPO is alerted (H2).
    app.post('/children/:id/lift-restriction', write, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = reasonSchema.safeParse(request.body);
      if (!parsed.success) {
        const errors = errorsOf(parsed.error);
        return childPage(request, reply.status(400), id, { values: request.body, errors: { list: errors.list.map((e) => ({ ...e, href: '#liftReason' })),
          fields: { liftReason: errors.fields.reason } } });
      }
      await children.restrictions.liftRestriction(request.user!, id, parsed.data.reason);
      return reply.redirect(`/children/${id}`);
    });

    app.get('/children/:id/edit', write, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const record = await children.records.getChild(request.user!, id);
      if (record.restricted) return reply.redirect(`/children/${id}`);
      return reply.page(view('child-edit'), { child: record.child, values: detailsValues(record.child), ...vocabulary });
    });

    app.post('/children/:id/edit', write, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = childDetailsSchema.safeParse(request.body);
      if (!parsed.success) {
        const record = await children.records.getChild(request.user!, id);
        if (record.restricted) return reply.redirect(`/children/${id}`);
        return reply.status(400).page(view('child-edit'), { child: record.child, values: request.body, errors: errorsOf(parsed.error), ...vocabulary });
      }
      await children.records.updateDetails(request.user!, id, parsed.data);
      return reply.redirect(`/children/${id}`);
    });

    // Small forms on the child page: on a mistake the page is shown again with the error summary.
    const childAction = <S extends z.ZodType>(path: string, schema: S, act: (request: FastifyRequest, id: string, data: z.infer<S>) => Promise<unknown>) =>
      app.post(`/children/:id/${path}`, write, async (request, reply) => {
        const { id } = idParam.parse(request.params);
        const parsed = schema.safeParse(request.body);
        if (!parsed.success) return childPage(request, reply.status(400), id, { values: request.body, errors: errorsOf(parsed.error), form: path });
        await act(request, id, parsed.data);
        return reply.redirect(`/children/${id}`);
      });
    childAction('addresses', addressSchema, (request, id, data) => children.records.addAddress(request.user!, id, data));
    // Adding an agency or allocating a worker has its own page: choose the agency, then one of its workers.
    const involvementPage = async (request: FastifyRequest, reply: FastifyReply, id: string, agencyId: string | undefined, extra: Record<string, unknown> = {}) =>
      reply.page(view('involvement-new'), { ...(await children.records.involvementChoices(request.user!, id, agencyId)), values: {}, ...extra });
    app.get('/children/:id/involvements/new', write, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const agencyId = involvementAgencyQuery.parse(request.query ?? {}).agencyId;
      return involvementPage(request, reply, id, agencyId, { values: { agencyId } });
    });
    app.post('/children/:id/involvements', write, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = involvementSchema.safeParse(request.body);
      if (!parsed.success) {
        const values = (request.body ?? {}) as Record<string, string>;
        return involvementPage(request, reply.status(400), id, involvementAgencyQuery.parse(values).agencyId, { values, errors: errorsOf(parsed.error) });
      }
      await children.records.addInvolvement(request.user!, id, parsed.data);
      return reply.redirect(`/children/${id}`);
    });
    childAction('share', shareAgencySchema, (request, id, data) => children.sharing.shareWithAgency(request.user!, id, data));
    childAction('share-partnership', sharePartnershipSchema, (request, id, data) => children.sharing.shareWithPartnership(request.user!, id, data));

    // Stopping a share: one small form per share on the child page, with a reason. Same permission as sharing.
    const stopSharing = (path: string, kind: 'agency' | 'partnership') =>
      app.post(`/children/:id/${path}/:shareId/stop`, write, async (request, reply) => {
        const { id, shareId } = shareParams.parse(request.params);
        const parsed = stopSharingSchema.safeParse(request.body);
        if (!parsed.success) {
          // Each share has its own reason field, so the summary links to this one.
          const { fields } = errorsOf(parsed.error);
          const text = fields.stopReason?.text ?? t('validation.invalid');
          const errors = { list: [{ text, href: `#stop-reason-${shareId}` }], fields: { [`stop-${shareId}`]: { text } } };
          return childPage(request, reply.status(400), id, { values: request.body, errors, form: `stop-${shareId}` });
        }
        await children.sharing.stopSharing(request.user!, id, kind, shareId, parsed.data.stopReason);
        return reply.redirect(`/children/${id}`);
      });
    stopSharing('shares', 'agency');
    stopSharing('partnership-shares', 'partnership');
    childAction('close', closeSchema, (request, id, data) => children.records.close(request.user!, id, data));
    childAction('reopen', reasonSchema, (request, id, data) => children.records.reopen(request.user!, id, data.reason));

    // ---- The data protection officer's break-glass alerts ----
    const review = { config: { permission: 'break-glass.review' as const } };
    const alertsPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
      const { grants, lifted } = await children.restrictions.breakGlassAlerts(request.user!);
      return reply.page(view('alerts'), { alerts: grants, lifted, restrictedRecords: await children.restrictions.restrictedRecords(request.user!), values: {}, ...extra });
    };
    app.get('/break-glass', review, async (request, reply) => alertsPage(request, reply, { liftedBanner: (request.query as { lifted?: string }).lifted === '1' }));
    // The DPO lifts a restriction from the list of restricted records (never under break-glass).
    app.post('/break-glass/restricted/:id/lift', review, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = reasonSchema.safeParse(request.body);
      if (!parsed.success) {
        const errors = errorsOf(parsed.error);
        const field = `reason-${id}`;
        return alertsPage(request, reply.status(400), { errors: { list: errors.list.map((e) => ({ ...e, href: `#${field}` })), fields: { [field]: errors.fields.reason } } });
      }
      await children.restrictions.liftRestriction(request.user!, id, parsed.data.reason);
      return reply.redirect('/break-glass?lifted=1');
    });
    app.post('/break-glass/lifted/:id/acknowledge', review, async (request, reply) => {
      await children.restrictions.acknowledgeLift(request.user!, idParam.parse(request.params).id);
      return reply.redirect('/break-glass');
    });
    app.post('/break-glass/:id/acknowledge', review, async (request, reply) => {
      await children.restrictions.acknowledgeAlert(request.user!, idParam.parse(request.params).id);
      return reply.redirect('/break-glass');
    });

    // ---- API tokens for partner systems ----
    const tokens = { config: { permission: 'api-tokens.manage' as const } };
    const tokenChoices = { apiTokenLifetimes };
    app.get('/admin/api-tokens', tokens, async (request, reply) =>
      reply.page(view('api-tokens'), { ...(await apiTokens.list(request.user!)), ...tokenChoices,
        values: { roles: [], expiresInDays: defaultApiTokenLifetime } }));
    app.post('/admin/api-tokens', tokens, async (request, reply) => {
      const parsed = apiTokenSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).page(view('api-tokens'), { ...(await apiTokens.list(request.user!)), ...tokenChoices, values: request.body, errors: errorsOf(parsed.error) });
      }
      const created = await apiTokens.create(request.user!, parsed.data);
      return reply.page(view('api-token-created'), { token: created.token, name: parsed.data.name, expiresAt: created.expiresAt });
    });
    app.post('/admin/api-tokens/:id/approve', { config: { permission: 'api-tokens.approve' as const } }, async (request, reply) => {
      await apiTokens.approve(request.user!, idParam.parse(request.params).id);
      return reply.redirect('/admin/api-tokens');
    });
    app.post('/admin/api-tokens/:id/revoke', tokens, async (request, reply) => {
      await apiTokens.revoke(request.user!, idParam.parse(request.params).id);
      return reply.redirect('/admin/api-tokens');
    });
  },
};

/** The edit form's values from the record. */
function detailsValues(child: Record<string, unknown>) {
  const yes = (v: unknown) => (v ? 'yes' : '');
  return {
    aliases: ((child.aliases as string[] | null) ?? []).join(', '), gender: child.gender, ethnicity: child.ethnicity, firstLanguage: child.first_language,
    school: child.school, educationStatus: child.education_status, send: child.send, lookedAfter: yes(child.looked_after), placement: child.placement,
    childProtectionPlan: yes(child.child_protection_plan), childInNeed: yes(child.child_in_need), youthJustice: yes(child.youth_justice),
    flagCse: yes(child.flag_cse), flagCce: yes(child.flag_cce), flagTrafficking: yes(child.flag_trafficking), riskLevel: child.risk_level,
    restricted: yes(child.restricted), restrictedReason: child.restricted_reason,
  };
}
