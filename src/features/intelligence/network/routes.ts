import { formErrors } from '../../../web/forms.ts';
import { idParams } from '../../../web/params.ts';
import type { LanternApp } from '../../feature.ts';
import type { Services } from '../../../services.ts';
import { confidences, entityKinds, linkRelations, locationKinds, objectKinds } from '../schema.ts';
import { hotspotsQuerySchema, networkQuerySchema, pathQuerySchema } from './schema.ts';

const view = (name: string) => `features/intelligence/network/views/${name}.njk`;
const vocabulary = { linkRelations, confidences, entityKinds, locationKinds, objectKinds };

/**
 * The network pages (issue 12 §5): a record's network and "how are these two children connected" and
 * the hotspots, for the intelligence roles; a child's sanitised links for whoever may read the child.
 */
export function registerNetworkRoutes(app: LanternApp, services: Services): void {
  const { intelNetwork } = services;
  const read = { config: { permission: 'intelligence.read' as const } };

  app.get('/intelligence/network', { ...read, schema: { querystring: networkQuerySchema } }, async (request, reply) => {
    const { kind, id, hops } = request.query;
    const network = await intelNetwork.network(request.user!, { kind, id }, hops);
    return reply.page(view('network'), { ...network, ...vocabulary, hops, kind, id });
  });

  app.get('/intelligence/network/path', { ...read, schema: { querystring: pathQuerySchema }, attachValidation: true }, async (request, reply) => {
    if (request.validationError)
      return reply.status(400).page(view('path'), { values: request.query, errors: formErrors(request.validationError), ...vocabulary });
    const { from, to } = request.query;
    if (!from || !to) return reply.page(view('path'), { values: { from, to }, ...vocabulary });
    const found = await intelNetwork.path(request.user!, from, to);
    return reply.page(view('path'), { ...found, values: { from, to }, ...vocabulary });
  });

  app.get('/intelligence/hotspots', { ...read, schema: { querystring: hotspotsQuerySchema }, attachValidation: true }, async (request, reply) => {
    if (request.validationError) {
      const periods = intelNetwork.periods();
      return reply
        .status(400)
        .page(view('hotspots'), { errors: formErrors(request.validationError), values: request.query, periods, locations: [], localities: [], map: [] });
    }
    const periods = intelNetwork.periods(request.query.from, request.query.to);
    const found = await intelNetwork.hotspots(request.user!, periods);
    return reply.page(view('hotspots'), { ...found, periods, values: { from: periods.from, to: periods.to }, ...vocabulary });
  });

  // A child's links as a practitioner may know them: what kind of person, place or thing, never who or which.
  app.get('/children/:id/network', { config: { permission: 'children.read' as const }, schema: { params: idParams } }, async (request, reply) => {
    const found = await intelNetwork.sanitised(request.user!, request.params.id);
    return reply.page(view('sanitised'), { ...found, ...vocabulary });
  });
}
