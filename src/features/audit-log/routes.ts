import { translator } from '../../i18n/i18n.ts';
import { formErrors } from '../../web/forms.ts';
import type { Feature } from '../index.ts';
import { auditFilterSchema } from './schema.ts';

const t = translator('en');

export const auditLogFeature: Feature = {
  name: 'audit-log',
  async register(app, { auditLog }) {
    app.get('/audit', { config: { permission: 'audit.read' } }, async (request, reply) => {
      const parsed = auditFilterSchema.safeParse(request.query);
      if (!parsed.success) {
        return reply.status(400).page('features/audit-log/views/audit.njk', { errors: formErrors(parsed.error, t), values: request.query, events: [] });
      }
      const result = await auditLog.search(request.user!, parsed.data);
      const query = new URLSearchParams(Object.entries(parsed.data).filter(([k, v]) => k !== 'page' && v !== undefined).map(([k, v]) => [k, String(v)]));
      return reply.page('features/audit-log/views/audit.njk', { ...result, values: parsed.data, query: query.toString() });
    });
  },
};
