import type { FastifyReply } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { z } from 'zod';
import { LanternError } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { apiRateLimit } from '../../../web/rate-limits.ts';
import type { Feature } from '../../feature.ts';
import { parseIsoDate } from '../../../dates.ts';
import { parsePostcode } from '../parsing.ts';
import { apiConcernSchema, apiListQuery, idParam } from '../schema.ts';
import { childSearchBody, openApiDocument } from './openapi.ts';

const t = translator('en');

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.status(400).send({ error: { code: 'LANTERN_E_VALIDATION', message: t('errors.validation'),
    issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } });
}

/**
 * The JSON API for partner systems. Requests authenticate with an API token only (app.ts never
 * reads the session cookie under /api/, and CSRF does not apply there); the token becomes
 * request.user, so the one authorisation hook, withActor, RLS and audit apply unchanged. Each token
 * (or, without a valid one, each address) has LANTERN_API_RATE_LIMIT requests a minute.
 */
export const childrenApiFeature: Feature = {
  name: 'children-api',
  async register(app, { children, apiTokens, config }) {
    const document = openApiDocument();
    app.get('/api/openapi.json', { config: { public: true } }, async (_request, reply) => reply.send(document));

    await app.register(async (api) => {
      api.addHook('onRequest', async (request) => {
        request.user = await apiTokens.resolve(request.headers.authorization, { clientAddress: request.ip, userAgent: request.headers['user-agent'] ?? null });
      });
      await api.register(rateLimit, apiRateLimit(config.apiRateLimitPerMinute));
      const read = { config: { permission: 'children.read' as const } };

      api.get('/api/v1/children', read, async (request, reply) => {
        const query = apiListQuery.safeParse(request.query);
        if (!query.success) return invalid(reply, query.error);
        const list = await children.records.listChildren(request.user!, {
          status: query.data.status,
          page: Math.floor(query.data.offset / query.data.limit) + 1, pageSize: query.data.limit,
        });
        return reply.send(list);
      });

      api.post('/api/v1/children/search', read, async (request, reply) => {
        const parsed = childSearchBody.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, parsed.error);
        const { name, dateOfBirth, postcode, includeClosed } = parsed.data;
        const dob = dateOfBirth ? parseIsoDate(dateOfBirth) : null;
        const pc = postcode ? parsePostcode(postcode) : null;
        if ((dateOfBirth && !dob) || (postcode && !pc) || (!name && !dob && !pc)) {
          throw new LanternError('LANTERN_E_VALIDATION', 'search needs a name, a real date of birth or a postcode');
        }
        const { matches, restrictedMatch } = await children.records.search(request.user!, { name: name ?? null, dateOfBirth: dob, postcode: pc, includeClosed: includeClosed ?? false });
        return reply.send({ matches, restrictedMatch });
      });

      api.get('/api/v1/children/:id', read, async (request, reply) => {
        const params = idParam.safeParse(request.params);
        if (!params.success) throw new LanternError('LANTERN_E_NOT_FOUND');
        return reply.send(await children.records.getChildSummary(request.user!, params.data.id));
      });

      api.get('/api/v1/concerns', read, async (request, reply) => {
        const query = apiListQuery.safeParse(request.query);
        if (!query.success) return invalid(reply, query.error);
        return reply.send({ concerns: await children.concerns.listConcerns(request.user!, query.data) });
      });

      api.post('/api/v1/concerns', { config: { permission: 'concerns.raise' as const } }, async (request, reply) => {
        const parsed = apiConcernSchema.safeParse(request.body ?? {});
        if (!parsed.success) return invalid(reply, parsed.error);
        const created = await children.concerns.raiseConcern(request.user!, parsed.data, 'partner_system');
        return reply.status(201).send({ id: created.id, reference: created.reference, deadline_at: created.deadline_at });
      });
    });
  },
};
