import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { ApiRoutes, Feature, LanternApp } from '../../features/feature.ts';
import { apiRateLimit } from '../rate-limits.ts';
import { apiDocumentOptions } from './openapi.ts';

/**
 * The JSON API for partner systems, one context for every feature's API routes. Requests
 * authenticate with an API token only (app.ts never reads the session cookie under /api/, and CSRF
 * does not apply there); the token becomes request.user, so the one authorisation hook, withActor,
 * RLS and audit apply unchanged. Each token (or, without a valid one, each address) has
 * LANTERN_API_RATE_LIMIT requests a minute, counted over all the routes together.
 *
 * Every route declares its permission (the pages' own, src/authz/policy.ts) and the token scope it
 * needs, or the server does not start. Each route's schema validates the request and serialises the
 * response (fields it does not name are not sent), and the OpenAPI document at /api/openapi.json is
 * generated from those schemas.
 */
export function apiFeature(routeSets: readonly ApiRoutes[]): Feature {
  return {
    name: 'api',
    async register(app, services) {
      // Before the routes it describes: the document is built from the routes registered after it.
      await app.register(swagger, apiDocumentOptions);
      let document: unknown;
      app.get('/api/openapi.json', { config: { public: true } }, async (_request, reply) => reply.send((document ??= app.swagger())));

      await app.register(async (api: LanternApp) => {
        api.addHook('onRoute', (route) => {
          if (!route.config?.permission || !route.config.scope) throw new Error(`${route.url}: an API route declares its permission and scope`);
          if (!route.schema?.response) throw new Error(`${route.url}: an API route declares its responses`);
          // The document names the scope each operation needs (OpenAPI 3.1 allows scopes on any scheme).
          route.schema = { ...route.schema, security: [{ bearerToken: [route.config.scope] }] };
        });
        api.addHook('onRequest', async (request) => {
          request.user = await services.apiTokens.resolve(request.headers.authorization, {
            clientAddress: request.ip,
            userAgent: request.headers['user-agent'] ?? null,
          });
        });
        await api.register(rateLimit, apiRateLimit(services.config.apiRateLimitPerMinute));
        for (const routes of routeSets) await routes(api, services);
      });
    },
  };
}
