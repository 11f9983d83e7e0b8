import { highRoles } from '../../authz/policy.ts';
import { translator } from '../../i18n/i18n.ts';
import { formErrors, singleError } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import { auditFilterFormSchema, auditFilterSchema, rolesGrantedQuery } from './schema.ts';

const t = translator('en');
const auditView = 'features/audit-log/views/audit.njk';

export const auditLogFeature: Feature = {
  name: 'audit-log',
  async register(app, { auditLog }) {
    const auditConfig = { config: { permission: 'audit.read' as const } };

    app.get('/audit', auditConfig, async (request, reply) => {
      const parsed = auditFilterSchema.safeParse(request.query);
      if (!parsed.success) {
        return reply.status(400).page(auditView, { errors: formErrors(parsed.error, t), values: {}, events: [] });
      }
      const result = await auditLog.search(request.user!, parsed.data);
      const query = new URLSearchParams(Object.entries(parsed.data).filter(([k, v]) => k !== 'page' && v !== undefined).map(([k, v]) => [k, String(v)]));
      return reply.page(auditView, { ...result, values: { ...parsed.data, actorEmail: result.actorEmail }, query: query.toString() });
    });

    // The filter form posts, so the email typed never appears in a URL; the page it redirects to carries the person's id.
    app.post('/audit', auditConfig, async (request, reply) => {
      const parsed = auditFilterFormSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).page(auditView, { errors: formErrors(parsed.error, t), values: request.body, events: [] });
      }
      const { actorEmail, ...rest } = parsed.data;
      const actor = actorEmail ? await auditLog.findActor(request.user!, actorEmail) : undefined;
      if (actor === null) {
        return reply.status(400).page(auditView, { errors: singleError('actorEmail', t('audit.actorNotFound')), values: parsed.data, events: [] });
      }
      const query = new URLSearchParams(Object.entries({ ...rest, actor }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
      const search = query.toString();
      return reply.redirect(search ? `/audit?${search}` : '/audit', 303);
    });

    app.get('/audit/roles-granted', auditConfig, async (request, reply) => {
      const { page } = rolesGrantedQuery.parse(request.query);
      return reply.page('features/audit-log/views/roles-granted.njk', { ...(await auditLog.rolesGranted(request.user!, page)), highRoles });
    });
  },
};
