import type { Feature } from '../feature.ts';
import { uuidParams } from '../../web/params.ts';
import type { MergeKind } from './merges.ts';

const view = (name: string) => `features/linkage/views/${name}.njk`;

/** Where each kind's records live, and the permission its merge routes ask before anything is read. */
const kinds = {
  child: { base: '/children', permission: 'children.merge' },
  person: { base: '/intelligence/persons', permission: 'intelligence.write' },
} as const satisfies Record<MergeKind, { base: string; permission: string }>;

/**
 * Merging a duplicate into the record kept, and undoing it (issue 14 §2). The review queue links a pair
 * judged "the same" to the confirmation page; the kept record's page lists its merges with "Undo".
 *   GET  /children/:keepId/merge/:otherId                 POST the same: merges, then the kept child's page
 *   GET  /intelligence/persons/:keepId/merge/:otherId     POST the same
 *   POST /children/merges/:mergeId/unmerge                POST /intelligence/persons/merges/:mergeId/unmerge
 */
export const linkageFeature: Feature = {
  name: 'linkage',
  async register(app, services) {
    const { recordMerges } = services;
    for (const kind of ['child', 'person'] as const) {
      const { base, permission } = kinds[kind];
      const config = { permission };
      const pair = { params: uuidParams('keepId', 'otherId') };
      app.get(`${base}/:keepId/merge/:otherId`, { config, schema: pair }, async (request, reply) => {
        const { keepId, otherId } = request.params;
        const sides = await recordMerges.preview(request.user!, kind, keepId, otherId);
        return reply.page(view('confirm'), { kind, base, ...sides, action: `${base}/${keepId}/merge/${otherId}` });
      });
      app.post(`${base}/:keepId/merge/:otherId`, { config, schema: pair }, async (request, reply) => {
        const { keepId, otherId } = request.params;
        await recordMerges.merge(request.user!, kind, keepId, otherId);
        return reply.saved(`${base}/${keepId}`, `flash.merge.merged.${kind}`);
      });
      app.post(`${base}/merges/:mergeId/unmerge`, { config, schema: { params: uuidParams('mergeId') } }, async (request, reply) => {
        const { keptId } = await recordMerges.unmerge(request.user!, kind, request.params.mergeId);
        return reply.saved(`${base}/${keptId}`, `flash.merge.unmerged.${kind}`);
      });
    }
  },
};
