import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../../authz/policy.ts';
import { forbidden } from '../../../errors.ts';
import { formErrors, postedForm } from '../../../web/forms.ts';
import { idParams } from '../../../web/params.ts';
import type { Feature } from '../../feature.ts';
import { decisionSchema, queueQuerySchema, runSchema } from './schema.ts';
import { reviewPermission, type PairDetail } from './service.ts';
import { likelyThreshold, type RecordKind } from './scorer.ts';

const view = (name: string) => `features/linkage/live/views/${name}.njk`;

/** Where the merge confirmation of a pair decided "same" is (the merge feature's pages). */
export function mergeHref(pair: Pick<PairDetail, 'record_kind' | 'left' | 'right'>): string {
  return pair.record_kind === 'child' ? `/children/${pair.left.id}/merge/${pair.right.id}` : `/intelligence/persons/${pair.left.id}/merge/${pair.right.id}`;
}

/** The duplicate review queue, a pair and its decision, and the batch run (issue 14 §2; docs/LINKAGE.md). */
export const duplicatesFeature: Feature = {
  name: 'duplicates',
  async register(app, { duplicates }) {
    const config = { config: { permission: 'duplicates.view' as const } };

    app.get('/duplicates', { ...config, schema: { querystring: queueQuerySchema } }, async (request, reply) => {
      const kinds = duplicates.kindsFor(request.user!);
      const kind: RecordKind = request.query.kind ?? kinds[0]!;
      if (!kinds.includes(kind)) throw forbidden('kind');
      const queue = await duplicates.queue(request.user!, kind, request.query.page);
      return reply.page(view('queue'), { ...queue, kind, kinds, likelyThreshold });
    });

    const pairPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const pair = await duplicates.pair(request.user!, id);
      return reply.page(view('pair'), { pair, mergeHref: mergeHref(pair), likelyThreshold, values: {}, ...extra });
    };

    app.get('/duplicates/pairs/:id', { ...config, schema: { params: idParams } }, async (request, reply) => pairPage(request, reply, request.params.id));

    app.post('/duplicates/pairs/:id', { ...config, schema: { params: idParams, body: decisionSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError)
        return pairPage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
      const pair = await duplicates.decide(request.user!, id, request.body.decision, request.body.note);
      return reply.saved(`/duplicates/pairs/${pair.id}`, 'flash.duplicateDecided');
    });

    app.post('/duplicates/runs', { ...config, schema: { body: runSchema } }, async (request, reply) => {
      if (!can(request.user, reviewPermission[request.body.kind])) throw forbidden('kind');
      const runId = await duplicates.startRun(request.user!, request.body.kind);
      return reply.saved(`/duplicates/runs/${runId}`, 'flash.duplicateRunStarted');
    });

    app.get('/duplicates/runs/:id', { ...config, schema: { params: idParams } }, async (request, reply) => {
      const run = await duplicates.run(request.user!, request.params.id);
      return reply.page(view('run'), { run, refresh: run.status === 'queued' || run.status === 'running' });
    });
  },
};
