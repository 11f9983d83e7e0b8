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
  removeEntityFormSchema,
  searchFormSchema,
  type IntelEntityKind,
} from './schema.ts';
import { registerDisruptionRoutes } from './disruption-routes.ts';
import { registerNetworkRoutes } from './network/routes.ts';
import { registerReportRoutes } from './report-routes.ts';
import { registerEventRoutes } from './event-routes.ts';
import { registerShareRoutes } from './share-routes.ts';
import { describeSource } from './source-label.ts';
import { objectName, personName } from './repository.ts';
import { IntelligenceValidationError, type Captured, type CreatedEntity, type PossibleDuplicates } from './service.ts';

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

type Row = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const oneALine = (v: unknown) => (Array.isArray(v) ? v.join('\n') : '');

/** A record as its edit form's values (the names the form posts). */
const formValues: Record<IntelEntityKind, (r: Row) => Row> = {
  person: (r) => ({
    givenName: str(r.given_name),
    familyName: str(r.family_name),
    aliases: oneALine(r.aliases),
    dateOfBirth: r.date_of_birth,
    estimatedAge: str(r.estimated_age),
    description: str(r.description),
    phoneNumbers: oneALine(r.phone_numbers),
    socialMedia: oneALine(r.social_media),
    markers: r.markers,
    status: r.status,
    owningAgencyId: r.owning_agency_id,
  }),
  location: (r) => ({
    name: str(r.name),
    kind: r.kind,
    address: str(r.address),
    postcode: str(r.postcode),
    localityId: str(r.locality_id),
    businessType: str(r.business_type),
    licensingAuthority: str(r.licensing_authority),
    licenceNumber: str(r.licence_number),
    description: str(r.description),
  }),
  object: (r) => ({
    kind: r.kind,
    registration: str(r.registration),
    make: str(r.make),
    model: str(r.model),
    colour: str(r.colour),
    identifier: str(r.identifier),
    platform: str(r.platform),
    description: str(r.description),
  }),
};

/** What a record is called on its removal page. */
const labelOf: Record<IntelEntityKind, (r: Row) => string> = {
  person: (r) => personName(r as Parameters<typeof personName>[0]),
  location: (r) => str(r.name),
  object: (r) => objectName(r as Parameters<typeof objectName>[0]),
};

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
        create: (user: SessionUser, form: never, captured: Captured | null) => Promise<CreatedEntity | PossibleDuplicates>;
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

    const updates = {
      person: (user: SessionUser, id: string, form: never) => intelligence.updatePerson(user, id, form),
      location: (user: SessionUser, id: string, form: never) => intelligence.updateLocation(user, id, form),
      object: (user: SessionUser, id: string, form: never) => intelligence.updateObject(user, id, form),
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
          // Entry-time matching (issue 14 §2): the persons who may be this one, before anything is saved.
          if ('duplicates' in created) return formPage(request, reply, capture, { values, duplicates: created.duplicates });
          if (created.returnTo) return reply.saved(created.returnTo, 'flash.intelligence.captured', { entity: t(`intelligence.capture.added.${kind}`) });
          return reply.saved(`${base}/${created.id}`, `flash.intelligence.${kind}Added` satisfies FlashKey);
        } catch (error) {
          return formPage(request, reply.status(400), capture, { values, errors: refusal(error) });
        }
      });

      const entityPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
        const page = await pages[kind](request.user!, id);
        return reply.page(view(kind), { ...page, events: page.accessLog, kind, entityPath: `${base}/${id}`, ...vocabulary, values: {}, ...extra });
      };
      app.get(`${base}/:id`, { ...read, schema: { params: idParams } }, async (request, reply) => {
        if (kind !== 'person') return entityPage(request, reply, request.params.id);
        // A person merged into another (issue 14 §2) leads to the record kept; the kept one lists its merges.
        const { mergedInto, merges } = await services.recordMerges.recordState(request.user!, 'person', request.params.id);
        if (mergedInto) return reply.saved(`${base}/${mergedInto}`, 'flash.merge.redirected');
        return entityPage(request, reply, request.params.id, { merges, mergeBase: base });
      });

      // ---- Editing and removing it: the owning agency's intelligence roles (the service asks authz, row-level security the same) ----
      const editPage = async (
        request: FastifyRequest,
        reply: FastifyReply,
        id: string,
        extra: { values?: Record<string, unknown>; errors?: FormErrors } = {},
      ) => {
        const { record, ...choices } = await intelligence.editForm(request.user!, kind, id, 'edit');
        return reply.page(view(`${kind}-form`), {
          ...choices,
          ...vocabulary,
          editing: id,
          owningAgency: record.owning_agency,
          values: extra.values ? { ...extra.values, kind: kind === 'object' ? record.kind : extra.values.kind } : formValues[kind](record),
          ...(extra.errors ? { errors: extra.errors } : {}),
        });
      };
      app.get(`${base}/:id/edit`, { ...write, schema: { params: idParams } }, async (request, reply) => editPage(request, reply, request.params.id));
      app.post(`${base}/:id/edit`, { ...write, schema: { params: idParams, body: form.schema }, attachValidation: true }, async (request, reply) => {
        const { id } = request.params;
        const values = postedForm(request);
        if (request.validationError) return editPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
        try {
          await updates[kind](request.user!, id, request.body as never);
        } catch (error) {
          return editPage(request, reply.status(400), id, { values, errors: refusal(error) });
        }
        return reply.saved(`${base}/${id}`, `flash.intelligence.${kind}Updated` satisfies FlashKey);
      });
      const removePage = async (
        request: FastifyRequest,
        reply: FastifyReply,
        id: string,
        extra: { values?: Record<string, unknown>; errors?: FormErrors } = {},
      ) => {
        const { record } = await intelligence.editForm(request.user!, kind, id, 'remove');
        return reply.page(view('remove'), { record, kind, label: labelOf[kind](record), entityPath: `${base}/${id}`, values: {}, ...extra });
      };
      app.get(`${base}/:id/remove`, { ...write, schema: { params: idParams } }, async (request, reply) => removePage(request, reply, request.params.id));
      app.post(
        `${base}/:id/remove`,
        { ...write, schema: { params: idParams, body: removeEntityFormSchema }, attachValidation: true },
        async (request, reply) => {
          const { id } = request.params;
          if (request.validationError)
            return removePage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
          await intelligence.remove(request.user!, kind, id, request.body.reason);
          return reply.saved(`${base}/${id}`, `flash.intelligence.${kind}Removed` satisfies FlashKey);
        },
      );
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
