import { highRoles } from '../../authz/policy.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, singleError } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import { securityEventKinds } from '../../security-events.ts';
import { auditFilterFormSchema, auditFilterSchema, rolesGrantedQuery, securityEventsQuery } from './schema.ts';

const t = requestTranslator();
const auditView = 'features/audit-log/views/audit.njk';

export const auditLogFeature: Feature = {
  name: 'audit-log',
  async register(app, { auditLog }) {
    const auditConfig = { config: { permission: 'audit.read' as const } };

    app.get('/audit', { ...auditConfig, schema: { querystring: auditFilterSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.status(400).page(auditView, { errors: formErrors(request.validationError), values: {}, events: [] });
      }
      const filter = request.query;
      const result = await auditLog.search(request.user!, filter);
      const query = new URLSearchParams(
        Object.entries(filter)
          .filter(([k, v]) => k !== 'page' && v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      return reply.page(auditView, { ...result, values: { ...filter, actorEmail: result.actorEmail }, query: query.toString() });
    });

    // The filter form posts, so the email typed never appears in a URL; the page it redirects to carries the person's id.
    app.post('/audit', { ...auditConfig, schema: { body: auditFilterFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.status(400).page(auditView, { errors: formErrors(request.validationError), values: request.body, events: [] });
      }
      const { actorEmail, ...rest } = request.body;
      const actor = actorEmail ? await auditLog.findActor(request.user!, actorEmail) : undefined;
      if (actor === null) {
        return reply.status(400).page(auditView, { errors: singleError('actorEmail', t('audit.actorNotFound')), values: request.body, events: [] });
      }
      const query = new URLSearchParams(
        Object.entries({ ...rest, actor })
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      const search = query.toString();
      return reply.redirect(search ? `/audit?${search}` : '/audit', 303);
    });

    // The DPO's security alerts: a GET form (the filters name no one), with the error summary for a date that is not one.
    const securityView = 'features/audit-log/views/security-events.njk';
    app.get('/audit/security-events', { ...auditConfig, schema: { querystring: securityEventsQuery }, attachValidation: true }, async (request, reply) => {
      const choices = { eventKinds: securityEventKinds, outcomes: ['success', 'failure', 'denied'] };
      if (request.validationError) {
        return reply.status(400).page(securityView, { errors: formErrors(request.validationError), values: {}, events: [], ...choices });
      }
      const filter = request.query;
      const result = await auditLog.securityEvents(request.user!, filter);
      const query = new URLSearchParams(
        Object.entries(filter)
          .filter(([k, v]) => k !== 'page' && v !== undefined)
          .map(([k, v]) => [k, String(v)]),
      );
      return reply.page(securityView, { ...result, values: filter, query: query.toString(), ...choices });
    });

    app.get('/audit/roles-granted', { ...auditConfig, schema: { querystring: rolesGrantedQuery } }, async (request, reply) => {
      const { page } = request.query;
      return reply.page('features/audit-log/views/roles-granted.njk', { ...(await auditLog.rolesGranted(request.user!, page)), highRoles });
    });
  },
};
