import { can } from '../../authz/policy.ts';
import type { Feature } from '../feature.ts';

export const homeFeature: Feature = {
  name: 'home',
  async register(app, { auth, casework }) {
    app.get('/', { config: { permission: 'home.view' } }, async (request, reply) => {
      const user = request.user!;
      const partnerships = await auth.actingOptions(user.userId);
      // Those with worklists see what needs them first: counts that link to the lists.
      const summary = can(user, 'worklists.view') ? await casework.homeSummary(user, can(user, 'triage.manage')) : null;
      return reply.page('features/home/views/home.njk', { partnerships, summary });
    });
  },
};
