import type { FastifyReply, FastifyRequest } from 'fastify';
import { formErrors, postedForm } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { Feature } from '../feature.ts';
import { holdFormSchema, holdScopes, retentionActions, retentionRecordTypes, scheduleFormSchema } from './schema.ts';

const view = (name: string) => `features/retention/views/${name}.njk`;
const options = { retentionActions, retentionRecordTypes, holdScopes };

/**
 * Retention and disposal (issue 16 §3): the schedule and what is due (/admin/retention), legal holds
 * (/admin/retention/holds), and disposal runs with their certificates (/admin/retention/disposals/:id).
 */
export const retentionFeature: Feature = {
  name: 'retention',
  async register(app, { retention }) {
    const config = { config: { permission: 'retention.manage' as const } };
    const byId = { ...config, schema: { params: idParams } };

    const overview = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
      const page = await retention.overview(request.user!);
      return reply.page(view('overview'), { ...page, values: page.schedule, ...options, ...extra });
    };
    app.get('/admin/retention', config, (request, reply) => overview(request, reply));
    app.post('/admin/retention', { ...config, schema: { body: scheduleFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        reply.status(400);
        return overview(request, reply, { values: postedForm(request), errors: formErrors(request.validationError) });
      }
      await retention.saveSchedule(request.user!, request.body);
      return reply.saved('/admin/retention', 'flash.retentionSaved');
    });

    const holdsPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
      reply.page(view('holds'), { holds: await retention.holds(request.user!), values: {}, ...options, ...extra });
    app.get('/admin/retention/holds', config, (request, reply) => holdsPage(request, reply));
    app.post('/admin/retention/holds', { ...config, schema: { body: holdFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        reply.status(400);
        return holdsPage(request, reply, { values: postedForm(request), errors: formErrors(request.validationError) });
      }
      await retention.createHold(request.user!, request.body);
      return reply.saved('/admin/retention/holds', 'flash.holdPlaced');
    });
    app.post('/admin/retention/holds/:id/release', byId, async (request, reply) => {
      await retention.releaseHold(request.user!, request.params.id);
      return reply.saved('/admin/retention/holds', 'flash.holdReleased');
    });

    app.post('/admin/retention/disposals', config, async (request, reply) => {
      const id = await retention.propose(request.user!);
      return reply.saved(`/admin/retention/disposals/${id}`, 'flash.runProposed');
    });
    app.get('/admin/retention/disposals/:id', byId, async (request, reply) =>
      reply.page(view('run'), { run: await retention.run(request.user!, request.params.id), ...options }),
    );
    app.post('/admin/retention/disposals/:id/approve', byId, async (request, reply) => {
      await retention.approve(request.user!, request.params.id);
      return reply.saved(`/admin/retention/disposals/${request.params.id}`, 'flash.runApproved');
    });
    app.post('/admin/retention/disposals/:id/cancel', byId, async (request, reply) => {
      await retention.cancel(request.user!, request.params.id);
      return reply.saved(`/admin/retention/disposals/${request.params.id}`, 'flash.runCancelled');
    });
  },
};
