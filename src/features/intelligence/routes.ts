import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { IsoDate } from '../../dates.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import type { FlashKey } from '../../web/flash.ts';
import { idParams } from '../../web/params.ts';
import type { SessionUser } from '../../auth/service.ts';
import type { Feature } from '../feature.ts';
import {
  captureFormSchema,
  captureQuerySchema,
  captureRelations,
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
import { registerDisruptionRoutes } from './disruption-routes.ts';
import { registerNetworkRoutes } from './network/routes.ts';
import { registerReportRoutes } from './report-routes.ts';
import { registerEventRoutes } from './event-routes.ts';
import { registerShareRoutes } from './share-routes.ts';
import { describeSource } from './source-label.ts';
import { IntelligenceValidationError, type Captured, type CreatedEntity } from './service.ts';

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
    registerDisruptionRoutes(app, services);
    registerEventRoutes(app, services);
    registerNetworkRoutes(app, services);
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
    // Opened from a concern, a return interview or a strategy meeting ("add the person, place or vehicle
    // mentioned here"), the form says which child the new entity will be linked to and from what record;
    // the entity and that link are saved in one transaction and the reader goes back to the record.
    const createForms: {
      [K in IntelEntityKind]: {
        schema: z.ZodType;
        choices: (user: SessionUser) => Promise<object>;
        create: (user: SessionUser, form: never, captured: Captured | null) => Promise<CreatedEntity>;
      };
    } = {
      person: {
        schema: personFormSchema,
        choices: (user) => intelligence.personFormChoices(user),
        create: (user, form, captured) => intelligence.createPerson(user, form, captured),
      },
      location: {
        schema: locationFormSchema,
        choices: (user) => intelligence.locationFormChoices(user),
        create: (user, form, captured) => intelligence.createLocation(user, form, captured),
      },
      object: { schema: objectFormSchema, choices: async () => ({}), create: (user, form, captured) => intelligence.createObject(user, form, captured) },
    };
    const pages = {
      person: (user: SessionUser, id: string) => intelligence.person(user, id),
      location: (user: SessionUser, id: string) => intelligence.location(user, id),
      object: (user: SessionUser, id: string) => intelligence.object(user, id),
    } satisfies Record<IntelEntityKind, unknown>;

    /** The source record as the form shows it, or null when the form was not opened from one. */
    const captureOf = async (user: SessionUser, kind: IntelEntityKind, query: { sourceKind?: string | undefined; sourceId?: string | undefined }) => {
      const parsed = captureQuerySchema.safeParse(query);
      if (!parsed.success || !parsed.data.sourceKind || !parsed.data.sourceId) return null;
      const source = await intelligence.captureSource(user, parsed.data.sourceKind, parsed.data.sourceId);
      return { ...source, label: describeSource(source.kind, source.on), relations: captureRelations[kind] };
    };

    for (const kind of ['person', 'location', 'object'] as const) {
      const base = `/intelligence/${paths[kind]}`;
      const form = createForms[kind];
      const formPage = async (request: FastifyRequest, reply: FastifyReply, capture: unknown, extra: Record<string, unknown> = {}) =>
        reply.page(view(`${kind}-form`), { ...(await form.choices(request.user!)), ...vocabulary, confidences, capture, values: {}, ...extra });
      app.get(`${base}/new`, { ...write, schema: { querystring: captureQuerySchema } }, async (request, reply) =>
        formPage(request, reply, await captureOf(request.user!, kind, request.query)),
      );
      const body = z.intersection(form.schema, captureFormSchema);
      app.post(`${base}/new`, { ...write, schema: { body }, attachValidation: true }, async (request, reply) => {
        const values = postedForm(request);
        const capture = await captureOf(request.user!, kind, {
          sourceKind: values.sourceKind as string | undefined,
          sourceId: values.sourceId as string | undefined,
        });
        if (request.validationError) return formPage(request, reply.status(400), capture, { values, errors: formErrors(request.validationError) });
        const posted = request.body;
        try {
          const captured = posted.capture ? { ...posted.capture, describe: (on: IsoDate) => describeSource(posted.capture.kind, on) } : null;
          const created = await form.create(request.user!, request.body as never, captured);
          if (created.returnTo) return reply.saved(created.returnTo, 'flash.intelligence.captured', { entity: t(`intelligence.capture.added.${kind}`) });
          return reply.saved(`${base}/${created.id}`, `flash.intelligence.${kind}Added` satisfies FlashKey);
        } catch (error) {
          return formPage(request, reply.status(400), capture, { values, errors: refusal(error) });
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
