import type { Feature } from '../feature.ts';
import { securityTxt } from './security-txt.ts';

/** Static information pages, readable without signing in. */
export const pagesFeature: Feature = {
  name: 'pages',
  async register(app, { config }) {
    for (const name of ['privacy', 'accessibility'] as const) {
      app.get(`/${name}`, { config: { public: true } }, async (_request, reply) => reply.page(`features/pages/views/${name}.njk`));
    }

    // RFC 9116: where to report a vulnerability (LANTERN_SECURITY_CONTACT); none configured in production, no file.
    app.get('/.well-known/security.txt', { config: { public: true } }, async (request, reply) => {
      if (config.securityTxt.contact.length === 0) return reply.status(404).type('text/plain; charset=utf-8').send('Not found\n');
      const origin = config.publicUrl ?? `${request.protocol}://${request.host}`;
      return reply.type('text/plain; charset=utf-8').send(securityTxt(config.securityTxt, origin, new Date()));
    });
  },
};
