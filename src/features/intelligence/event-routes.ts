import type { FastifyReply, FastifyRequest } from 'fastify';
import { dateInputValues } from '../../dates.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { Services } from '../../services.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import { eventFormSchema, eventKinds, eventQuerySchema } from './schema.ts';
import { IntelligenceValidationError } from './service.ts';
import { describeSource } from './source-label.ts';

const t = requestTranslator();
const view = (name: string) => `features/intelligence/views/${name}.njk`;

function refusal(error: unknown): FormErrors {
  if (!(error instanceof IntelligenceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

/** Intelligence events (issue 12 §1): the list, the form (also for a missing episode's found location) and an event's page. */
export function registerEventRoutes(app: LanternApp, services: Services) {
  const { intelEvents } = services;
  const read = { config: { permission: 'intelligence.read' as const } };
  const write = { config: { permission: 'intelligence.write' as const } };

  app.get('/intelligence/events', read, async (request, reply) => reply.page(view('events'), { intelEvents: await intelEvents.list(request.user!) }));

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    episodeId: string | undefined,
    extra: { values?: Record<string, unknown>; errors?: FormErrors },
  ) => {
    const { choices, localities, episode } = await intelEvents.formChoices(request.user!, episodeId);
    // From a missing episode: a found location on the day it ended, its words as the description, the episode as the source.
    const prefill = episode
      ? {
          kind: 'found_location',
          ...Object.fromEntries(Object.entries(dateInputValues(episode.on)).map(([part, v]) => [`occurredOn-${part}`, v])),
          description: episode.whereFound ? t('intelligence.event.foundDescription', { place: episode.whereFound }) : '',
          source: describeSource('missing_episode', episode.on),
        }
      : {};
    return reply.page(view('event-form'), { eventKinds, choices, localities, episode, values: extra.values ?? prefill, errors: extra.errors });
  };
  app.get('/intelligence/events/new', { ...write, schema: { querystring: eventQuerySchema } }, async (request, reply) =>
    formPage(request, reply, request.query.episode, {}),
  );
  app.post('/intelligence/events/new', { ...write, schema: { body: eventFormSchema }, attachValidation: true }, async (request, reply) => {
    const values = postedForm(request);
    const episodeId = eventQuerySchema.safeParse({ episode: values.episodeId || undefined }).data?.episode;
    if (request.validationError) return formPage(request, reply.status(400), episodeId, { values, errors: formErrors(request.validationError) });
    try {
      const id = await intelEvents.create(request.user!, request.body);
      return reply.saved(`/intelligence/events/${id}`, 'flash.intelligence.eventAdded');
    } catch (error) {
      return formPage(request, reply.status(400), episodeId, { values, errors: refusal(error) });
    }
  });

  app.get('/intelligence/events/:id', { ...read, schema: { params: idParams } }, async (request, reply) => {
    const page = await intelEvents.page(request.user!, request.params.id);
    return reply.page(view('event'), { ...page, events: page.accessLog });
  });
}
