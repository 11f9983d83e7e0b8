import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import type { FlashKey } from '../../web/flash.ts';
import { idParams } from '../../web/params.ts';
import type { SessionUser } from '../../auth/service.ts';
import type { Feature } from '../feature.ts';
import {
  confidences,
  entityKinds,
  linkFormSchema,
  linkRelations,
  locationFormSchema,
  locationKinds,
  objectFormSchema,
  objectKinds,
  personFormSchema,
  personMarkers,
  personStatuses,
  searchFormSchema,
  type IntelEntityKind,
} from './schema.ts';
import { registerReportRoutes } from './report-routes.ts';
import { registerShareRoutes } from './share-routes.ts';
import { IntelligenceValidationError } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/intelligence/views/${name}.njk`;
/** Lists the templates build their radios, checkboxes and tags from. */
const vocabulary = { personMarkers, personStatuses, locationKinds, objectKinds, linkRelations, confidences, entityKinds };

/** Each entity's path segment, form schema and flash messages. */
const paths = { person: 'persons', location: 'locations', object: 'objects' } as const satisfies Record<IntelEntityKind, string>;

/** What the service refused after the form was valid, as the field's message; anything else is rethrown. */
function refusal(error: unknown): FormErrors {
  if (!(error instanceof IntelligenceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

export const intelligenceFeature: Feature = {
  name: 'intelligence',
  async register(app, services) {
    const { intelligence } = services;
    registerReportRoutes(app, services);
    registerShareRoutes(app, services);
    const read = { config: { permission: 'intelligence.read' as const } };
    const write = { config: { permission: 'intelligence.write' as const } };

    // ---- The list, and a search by name, nickname, place or registration (posted: no names in addresses) ----
    app.get('/intelligence', read, async (request, reply) =>
      reply.page(view('index'), { ...(await intelligence.list(request.user!)), ...vocabulary, values: {} }),
    );
    app.post('/intelligence', { ...read, schema: { body: searchFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError)
        return reply.status(400).page(view('index'), {
          ...(await intelligence.list(request.user!)),
          ...vocabulary,
          values: postedForm(request),
          errors: formErrors(request.validationError),
        });
      const found = await intelligence.list(request.user!, request.body.q);
      return reply.page(view('index'), { ...found, ...vocabulary, values: request.body, searched: request.body.q });
    });

    // ---- Each kind: a form to add one, its page with its links, and a form there to link it ----
    const createForms: {
      [K in IntelEntityKind]: {
        schema: z.ZodType;
        choices: (user: SessionUser) => Promise<object>;
        create: (user: SessionUser, form: never) => Promise<string>;
      };
    } = {
      person: {
        schema: personFormSchema,
        choices: (user) => intelligence.personFormChoices(user),
        create: (user, form) => intelligence.createPerson(user, form),
      },
      location: {
        schema: locationFormSchema,
        choices: (user) => intelligence.locationFormChoices(user),
        create: (user, form) => intelligence.createLocation(user, form),
      },
      object: { schema: objectFormSchema, choices: async () => ({}), create: (user, form) => intelligence.createObject(user, form) },
    };
    const pages = {
      person: (user: SessionUser, id: string) => intelligence.person(user, id),
      location: (user: SessionUser, id: string) => intelligence.location(user, id),
      object: (user: SessionUser, id: string) => intelligence.object(user, id),
    } satisfies Record<IntelEntityKind, unknown>;

    for (const kind of ['person', 'location', 'object'] as const) {
      const base = `/intelligence/${paths[kind]}`;
      const form = createForms[kind];
      const formPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
        reply.page(view(`${kind}-form`), { ...(await form.choices(request.user!)), ...vocabulary, values: {}, ...extra });
      app.get(`${base}/new`, write, async (request, reply) => formPage(request, reply));
      app.post(`${base}/new`, { ...write, schema: { body: form.schema }, attachValidation: true }, async (request, reply) => {
        const values = postedForm(request);
        if (request.validationError) return formPage(request, reply.status(400), { values, errors: formErrors(request.validationError) });
        try {
          const id = await form.create(request.user!, request.body as never);
          return reply.saved(`${base}/${id}`, `flash.intelligence.${kind}Added` satisfies FlashKey);
        } catch (error) {
          return formPage(request, reply.status(400), { values, errors: refusal(error) });
        }
      });

      const entityPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
        const page = await pages[kind](request.user!, id);
        return reply.page(view(kind), { ...page, events: page.accessLog, kind, ...vocabulary, values: {}, ...extra });
      };
      app.get(`${base}/:id`, { ...read, schema: { params: idParams } }, async (request, reply) => entityPage(request, reply, request.params.id));
      app.post(`${base}/:id/links`, { ...write, schema: { params: idParams, body: linkFormSchema }, attachValidation: true }, async (request, reply) => {
        const { id } = request.params;
        const values = postedForm(request);
        if (request.validationError) return entityPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
        try {
          await intelligence.addLink(request.user!, { kind, id }, request.body);
        } catch (error) {
          return entityPage(request, reply.status(400), id, { values, errors: refusal(error) });
        }
        return reply.saved(`${base}/${id}`, 'flash.intelligence.linkAdded');
      });
    }
  },
};
