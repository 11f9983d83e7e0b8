import { LanternError } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { refusals } from '../../../web/api/schema.ts';
import { idParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import { ChildDetailsRefusal } from '../records.ts';
import { childCorrection, childListQuery, childSearch, concernListQuery, newConcern, responses } from './schema.ts';

/**
 * The children API: children (list, search by POST, one record, correcting its details) and concerns (list, raise), with the
 * permissions of the pages. The host (src/web/api/host.ts) resolves the token, counts the rate
 * limit and requires each route's scope.
 */
export const childrenApi: ApiRoutes = async (api, { children }) => {
  const read = { config: { permission: 'children.read' as const, scope: 'children:read' as const } };

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

  api.patch(
    '/api/v1/children/:id',
    {
      config: { permission: 'children.write' as const, scope: 'children:write' as const },
      schema: {
        summary: 'Correct a child’s record details (the record’s edit page): the fields given change, the others keep their values',
        operationId: 'correctChild',
        params: idParams,
        body: childCorrection,
        response: { 200: responses.childCorrected, 404: responses.notFound, ...refusals },
      },
    },
    async (request, reply) => {
      try {
        return reply.send(await children.records.updateDetails(request.user!, request.params.id, request.body));
      } catch (error) {
        if (!(error instanceof ChildDetailsRefusal)) throw error;
        const message = translator('en')(error.messageKey);
        throw new LanternError('LANTERN_E_VALIDATION', message, [{ path: error.field, message }]);
      }
    },
  );

  api.get(
    '/api/v1/concerns',
    {
      config: { permission: 'children.read' as const, scope: 'concerns:read' as const },
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
      config: { permission: 'concerns.raise' as const, scope: 'concerns:write' as const },
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
};
