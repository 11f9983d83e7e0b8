import { databaseState } from '../../db/database.ts';
import type { Feature } from '../feature.ts';

export const healthFeature: Feature = {
  name: 'health',
  async register(app, services) {
    app.get('/health', { config: { public: true } }, async (_request, reply) => {
      const state = await databaseState(services.db);
      reply.status(state.ok ? 200 : 503);
      return { status: state.ok ? 'ok' : 'unavailable', database: { kind: services.dbKind, ...state } };
    });
  },
};
