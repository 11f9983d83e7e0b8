import { can } from '../../authz/policy.ts';
import type { Feature } from '../feature.ts';

export const homeFeature: Feature = {
  name: 'home',
  async register(app, { auth, casework, home }) {
    app.get('/', { config: { permission: 'home.view' } }, async (request, reply) => {
      const user = request.user!;
      const partnerships = await auth.actingOptions(user.userId);
      // Those with worklists see what needs them first: counts that link to the lists.
      const summary = can(user, 'worklists.view') ? await casework.homeSummary(user, can(user, 'triage.manage')) : null;
      // A strategy lead's, board member's and co-ordinator's own summaries (issue 15 §4).
      const roles = await home.summaries(user);
      return reply.page('features/home/views/home.njk', { partnerships, summary, roles });
    });
  },
};
