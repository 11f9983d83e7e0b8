import type { Feature } from '../feature.ts';

/** Static information pages, readable without signing in. */
export const pagesFeature: Feature = {
  name: 'pages',
  async register(app) {
    for (const name of ['privacy', 'accessibility'] as const) {
      app.get(`/${name}`, { config: { public: true } }, async (_request, reply) => reply.page(`features/pages/views/${name}.njk`));
    }
  },
};
