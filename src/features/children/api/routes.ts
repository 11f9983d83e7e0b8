import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { apiRateLimit } from '../../../web/rate-limits.ts';
import { idParams } from '../../../web/params.ts';
import type { Feature, LanternApp } from '../../feature.ts';
import { apiDocumentOptions } from './openapi.ts';
import { childListQuery, childSearch, concernListQuery, newConcern, refusals, responses } from './schema.ts';

/**
 * The JSON API for partner systems. Requests authenticate with an API token only (app.ts never
 * reads the session cookie under /api/, and CSRF does not apply there); the token becomes
 * request.user, so the one authorisation hook, withActor, RLS and audit apply unchanged. Each token
 * (or, without a valid one, each address) has LANTERN_API_RATE_LIMIT requests a minute.
 *
 * Each route's schema validates the request and serialises the response (fields it does not name
 * are not sent), and the OpenAPI document at /api/openapi.json is generated from those schemas.
 */
export const childrenApiFeature: Feature = {
  name: 'children-api',
  async register(app, { children, apiTokens, config }) {
    // Before the routes it describes: the document is built from the routes registered after it.
    await app.register(swagger, apiDocumentOptions);
    let document: unknown;
    app.get('/api/openapi.json', { config: { public: true } }, async (_request, reply) => reply.send((document ??= app.swagger())));

    await app.register(async (api: LanternApp) => {
      api.addHook('onRequest', async (request) => {
        request.user = await apiTokens.resolve(request.headers.authorization, { clientAddress: request.ip, userAgent: request.headers['user-agent'] ?? null });
      });
      await api.register(rateLimit, apiRateLimit(config.apiRateLimitPerMinute));
      const read = { config: { permission: 'children.read' as const } };

      api.get(
        '/api/v1/children',
        {
          ...read,
          schema: {
            summary: 'Children the token may see, by family name',
            operationId: 'listChildren',
            querystring: childListQuery,
            response: { 200: responses.childList, ...refusals },
          },
        },
        async (request, reply) => {
          const { status, limit, offset } = request.query;
          return reply.send(await children.records.listChildren(request.user!, { status, page: Math.floor(offset / limit) + 1, pageSize: limit }));
        },
      );

      api.post(
        '/api/v1/children/search',
        {
          ...read,
          schema: {
            summary: 'Search by name, date of birth or postcode, with near-duplicate strength',
            operationId: 'searchChildren',
            body: childSearch,
            response: { 200: responses.childMatches, ...refusals },
          },
        },
        async (request, reply) => reply.send(await children.records.search(request.user!, request.body)),
      );

      api.get(
        '/api/v1/children/:id',
        {
          ...read,
          schema: {
            summary: 'One child’s core record',
            operationId: 'getChild',
            params: idParams,
            response: { 200: responses.child, 404: responses.notFound, ...refusals },
          },
        },
        async (request, reply) => reply.send(await children.records.getChildSummary(request.user!, request.params.id)),
      );

      api.get(
        '/api/v1/concerns',
        {
          ...read,
          schema: {
            summary: 'Concerns the token may see, newest first',
            operationId: 'listConcerns',
            querystring: concernListQuery,
            response: { 200: responses.concernList, ...refusals },
          },
        },
        async (request, reply) => reply.send({ concerns: await children.concerns.listConcerns(request.user!, request.query) }),
      );

      api.post(
        '/api/v1/concerns',
        {
          config: { permission: 'concerns.raise' as const },
          schema: {
            summary: 'Raise a concern into the partnership’s triage queue',
            operationId: 'raiseConcern',
            body: newConcern,
            response: { 201: responses.concernRaised, ...refusals },
          },
        },
        async (request, reply) => {
          const created = await children.concerns.raiseConcern(request.user!, request.body, 'partner_system');
          return reply.status(201).send(created);
        },
      );
    });
  },
};
