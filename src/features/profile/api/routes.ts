import { can } from '../../../authz/policy.ts';
import { refusals } from '../../../web/api/schema.ts';
import type { ApiRoutes } from '../../feature.ts';
import { profileQuerySchema } from '../schema.ts';
import { responses } from './schema.ts';

/**
 * The problem profile's API (issue 13 §3): GET /api/v1/profile?period=&area= gives the same cells as
 * the page's CSV download. A token whose roles may read unsuppressed figures (the analyst, strategy
 * lead, co-ordinator) gets them unless it asks for view=published; any other (a board member's) gets
 * only the figures after the partnership's disclosure control. Audited as an export, as the download is.
 */
export const profileApi: ApiRoutes = async (api, { profile, disclosure }) => {
  api.get(
    '/api/v1/profile',
    {
      config: { permission: 'profile.read_published' as const, scope: 'profile:read' as const },
      schema: {
        summary: 'The problem profile’s figures for a period and area, as tidy cells',
        operationId: 'getProblemProfile',
        querystring: profileQuerySchema,
        response: { 200: responses.profile, ...refusals },
      },
    },
    async (request, reply) => {
      const user = request.user!;
      const unsuppressed = can(user, 'profile.read_unsuppressed') && request.query.view !== 'published';
      const settings = await disclosure.settings(user);
      const result = await profile.exportFigures(user, { period: request.query.period, area: request.query.area }, { unsuppressed, settings, format: 'json' });
      return reply.send({
        period: result.period.key,
        area: result.area,
        published: !unsuppressed,
        threshold: settings.threshold,
        symbol: settings.symbol,
        cells: result.cells,
      });
    },
  );
};
