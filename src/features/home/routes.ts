import type { Feature } from '../index.ts';

export const homeFeature: Feature = {
  name: 'home',
  async register(app, { auth }) {
    app.get('/', { config: { permission: 'home.view' } }, async (request, reply) => {
      const user = request.user!;
      const partnerships = await auth.actingOptions(user.userId);
      return reply.page('features/home/views/home.njk', { partnerships });
    });
  },
};
