import { LanternError } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { notFoundResponse, refusals } from '../../../web/api/schema.ts';
import { idParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import { IntelligenceValidationError, type IntelligenceService } from '../service.ts';
import { newLink, newLocation, newObject, newPerson, newReport, removal, reportSearch, responses, search } from './schema.ts';

const en = translator('en');
/** The request fields the service's refusals name (it names the web form's fields). */
const apiField: Record<string, string> = { childReference: 'to.reference', personId: 'to.id', locationId: 'to.id', objectId: 'to.id' };

/** What the service refused after the request was valid (an unknown child, a vehicle already recorded …): invalid input, on its field. */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof IntelligenceValidationError)) throw error;
    const message = en(error.messageKey);
    throw new LanternError('LANTERN_E_VALIDATION', message, [{ path: apiField[error.field] ?? error.field, message }]);
  }
}

/** A link as the API gives it: the other end's id and label withheld when it is a child the token may not see. */
const linkOut = (l: Awaited<ReturnType<IntelligenceService['person']>>['links'][number]) => ({
  ...l,
  other: { kind: l.other.kind, id: l.other.label === null ? null : l.other.id, label: l.other.label, withheld: l.other.label === null },
});

/**
 * The intelligence API (issue 12 §1): persons of concern, locations and objects (list, search, one,
 * create) and their links (an entity's links, create). Each route calls the service the pages call,
 * with the pages' permissions (intelligence.read / intelligence.write: only the co-ordinator and the
 * analyst), so the same rules, row-level security and audit rows apply; the token's scope
 * intelligence:read or intelligence:write is required too.
 */
export const intelligenceApi: ApiRoutes = async (api, { intelligence, intelReports }) => {
  const read = { config: { permission: 'intelligence.read' as const, scope: 'intelligence:read' as const } };
  const write = { config: { permission: 'intelligence.write' as const, scope: 'intelligence:write' as const } };
  const one = { 404: notFoundResponse, ...refusals };

  // ---------------------------------------------------------------- persons of concern

  api.get(
    '/api/v1/intelligence/persons',
    { ...read, schema: { summary: 'The newest persons of concern', operationId: 'listPersonsOfConcern', response: { 200: responses.persons, ...refusals } } },
    async (request, reply) => reply.send({ persons: await intelligence.listOf(request.user!, 'person') }),
  );

  api.post(
    '/api/v1/intelligence/persons/search',
    {
      ...read,
      schema: {
        summary: 'Persons of concern by name, nickname, phone number or handle',
        operationId: 'searchPersonsOfConcern',
        body: search,
        response: { 200: responses.persons, ...refusals },
      },
    },
    async (request, reply) => reply.send({ persons: await intelligence.listOf(request.user!, 'person', request.body.q) }),
  );

  api.get(
    '/api/v1/intelligence/persons/:id',
    { ...read, schema: { summary: 'One person of concern', operationId: 'getPersonOfConcern', params: idParams, response: { 200: responses.person, ...one } } },
    async (request, reply) => reply.send((await intelligence.person(request.user!, request.params.id)).record),
  );

  api.post(
    '/api/v1/intelligence/persons',
    {
      ...write,
      schema: { summary: 'Record a person of concern', operationId: 'createPersonOfConcern', body: newPerson, response: { 201: responses.created, ...one } },
    },
    async (request, reply) => {
      const user = request.user!;
      const { owningAgencyId, ...form } = request.body;
      // A client system records what it holds without a person to confirm: no entry-time check here;
      // the persons' duplicate queue (batch run) proposes any pair it makes.
      const created = await intelligence.createPerson(user, { ...form, owningAgencyId: owningAgencyId ?? user.agencyId, confirmNew: true });
      if ('duplicates' in created) throw new Error('unreachable: confirmed records are always created');
      return reply.status(201).send({ id: created.id });
    },
  );

  // ---------------------------------------------------------------- locations

  api.get(
    '/api/v1/intelligence/locations',
    { ...read, schema: { summary: 'The newest locations', operationId: 'listIntelLocations', response: { 200: responses.locations, ...refusals } } },
    async (request, reply) => reply.send({ locations: await intelligence.listOf(request.user!, 'location') }),
  );

  api.post(
    '/api/v1/intelligence/locations/search',
    {
      ...read,
      schema: {
        summary: 'Locations by name, address, postcode or licence number',
        operationId: 'searchIntelLocations',
        body: search,
        response: { 200: responses.locations, ...refusals },
      },
    },
    async (request, reply) => reply.send({ locations: await intelligence.listOf(request.user!, 'location', request.body.q) }),
  );

  api.get(
    '/api/v1/intelligence/locations/:id',
    { ...read, schema: { summary: 'One location', operationId: 'getIntelLocation', params: idParams, response: { 200: responses.location, ...one } } },
    async (request, reply) => reply.send((await intelligence.location(request.user!, request.params.id)).record),
  );

  api.post(
    '/api/v1/intelligence/locations',
    {
      ...write,
      schema: {
        summary: 'Record a location: an address or named place, with its licence when licensed',
        operationId: 'createIntelLocation',
        body: newLocation,
        response: { 201: responses.created, ...one },
      },
    },
    async (request, reply) => reply.status(201).send({ id: (await intelligence.createLocation(request.user!, request.body)).id }),
  );

  // ---------------------------------------------------------------- objects: vehicles, phones, online accounts

  api.get(
    '/api/v1/intelligence/objects',
    {
      ...read,
      schema: {
        summary: 'The newest vehicles, phones and online accounts',
        operationId: 'listIntelObjects',
        response: { 200: responses.objects, ...refusals },
      },
    },
    async (request, reply) => reply.send({ objects: await intelligence.listOf(request.user!, 'object') }),
  );

  api.post(
    '/api/v1/intelligence/objects/search',
    {
      ...read,
      schema: {
        summary: 'Vehicles by registration (spaces and case do not matter), make or model; phones and accounts by number or handle',
        operationId: 'searchIntelObjects',
        body: search,
        response: { 200: responses.objects, ...refusals },
      },
    },
    async (request, reply) => reply.send({ objects: await intelligence.listOf(request.user!, 'object', request.body.q) }),
  );

  api.get(
    '/api/v1/intelligence/objects/:id',
    {
      ...read,
      schema: { summary: 'One vehicle, phone or online account', operationId: 'getIntelObject', params: idParams, response: { 200: responses.object, ...one } },
    },
    async (request, reply) => reply.send((await intelligence.object(request.user!, request.params.id)).record),
  );

  api.post(
    '/api/v1/intelligence/objects',
    {
      ...write,
      schema: {
        summary: 'Record a vehicle (one per registration, however it is typed), a phone or an online account',
        operationId: 'createIntelObject',
        body: newObject,
        response: { 201: responses.created, ...one },
      },
    },
    async (request, reply) => reply.status(201).send({ id: (await refusing(() => intelligence.createObject(request.user!, request.body))).id }),
  );

  // ---------------------------------------------------------------- corrections and removal
  // As on the pages: only the owning agency's intelligence roles change a record; a person keeps its
  // owning agency and an object its kind; a removed record is kept, marked, with the reason.

  const changed = { 200: responses.updated, ...one };
  api.put(
    '/api/v1/intelligence/persons/:id',
    {
      ...write,
      schema: {
        summary: 'Correct a person of concern (every field; the owning agency stays)',
        operationId: 'updatePersonOfConcern',
        params: idParams,
        body: newPerson,
        response: changed,
      },
    },
    async (request, reply) => {
      // The owning agency stays whatever the body says (as on the page).
      const { owningAgencyId: _owner, ...form } = request.body;
      await refusing(() => intelligence.updatePerson(request.user!, request.params.id, form));
      return reply.send({ id: request.params.id });
    },
  );

  api.put(
    '/api/v1/intelligence/locations/:id',
    {
      ...write,
      schema: { summary: 'Correct a location (every field)', operationId: 'updateIntelLocation', params: idParams, body: newLocation, response: changed },
    },
    async (request, reply) => {
      await refusing(() => intelligence.updateLocation(request.user!, request.params.id, request.body));
      return reply.send({ id: request.params.id });
    },
  );

  api.put(
    '/api/v1/intelligence/objects/:id',
    {
      ...write,
      schema: {
        summary: 'Correct a vehicle, phone or online account (every field; its kind stays)',
        operationId: 'updateIntelObject',
        params: idParams,
        body: newObject,
        response: changed,
      },
    },
    async (request, reply) => {
      await refusing(() => intelligence.updateObject(request.user!, request.params.id, request.body));
      return reply.send({ id: request.params.id });
    },
  );

  const removable = {
    persons: { kind: 'person', operationId: 'removePersonOfConcern', what: 'a person of concern' },
    locations: { kind: 'location', operationId: 'removeIntelLocation', what: 'a location' },
    objects: { kind: 'object', operationId: 'removeIntelObject', what: 'a vehicle, phone or online account' },
  } as const;
  for (const [path, entity] of Object.entries(removable))
    api.post(
      `/api/v1/intelligence/${path}/:id/remove`,
      {
        ...write,
        schema: {
          summary: `Remove ${entity.what}, with the reason: kept, marked removed, left out of lists, searches and the network`,
          operationId: entity.operationId,
          params: idParams,
          body: removal,
          response: changed,
        },
      },
      async (request, reply) => {
        await intelligence.remove(request.user!, entity.kind, request.params.id, request.body.reason);
        return reply.send({ id: request.params.id });
      },
    );

  // ---------------------------------------------------------------- links

  const pages = {
    persons: { read: intelligence.person.bind(intelligence), operationId: 'listPersonOfConcernLinks', what: 'a person of concern' },
    locations: { read: intelligence.location.bind(intelligence), operationId: 'listIntelLocationLinks', what: 'a location' },
    objects: { read: intelligence.object.bind(intelligence), operationId: 'listIntelObjectLinks', what: 'a vehicle, phone or online account' },
  };
  for (const [path, page] of Object.entries(pages))
    api.get(
      `/api/v1/intelligence/${path}/:id/links`,
      {
        ...read,
        schema: {
          summary: `The links of ${page.what} to children and other entities`,
          operationId: page.operationId,
          params: idParams,
          response: { 200: responses.links, ...one },
        },
      },
      async (request, reply) => reply.send({ links: (await page.read(request.user!, request.params.id)).links.map(linkOut) }),
    );

  api.post(
    '/api/v1/intelligence/links',
    {
      ...write,
      schema: {
        summary: 'Link a person of concern, location or object to a child (by reference) or to another entity',
        operationId: 'createIntelLink',
        body: newLink,
        response: { 201: responses.created, ...one },
      },
    },
    async (request, reply) => {
      const { from, to, ...link } = request.body;
      const id = await refusing(() =>
        intelligence.addLink(request.user!, from, {
          ...link,
          target: to.kind === 'child' ? { kind: 'child', reference: to.reference } : { kind: to.kind, id: to.id },
        }),
      );
      return reply.status(201).send({ id });
    },
  );

  // ---------------------------------------------------------------- graded reports (issue 12 §2)
  // The service the pages call: row-level security decides which reports and originals the token's
  // owner reads (a C report only its agency's intelligence roles unless released; the original its
  // agency's analyst alone), so the sanitised text is all a partner ever gets.

  api.get(
    '/api/v1/intelligence/reports',
    { ...read, schema: { summary: 'The newest graded reports', operationId: 'listIntelReports', response: { 200: responses.reports, ...refusals } } },
    async (request, reply) => reply.send({ reports: await intelReports.list(request.user!) }),
  );

  api.post(
    '/api/v1/intelligence/reports/search',
    {
      ...read,
      schema: {
        summary: 'Graded reports whose sanitised text contains the words',
        operationId: 'searchIntelReports',
        body: reportSearch,
        response: { 200: responses.reports, ...refusals },
      },
    },
    async (request, reply) => reply.send({ reports: await intelReports.list(request.user!, request.body.q) }),
  );

  api.get(
    '/api/v1/intelligence/reports/:id',
    { ...read, schema: { summary: 'One graded report', operationId: 'getIntelReport', params: idParams, response: { 200: responses.report, ...one } } },
    async (request, reply) => {
      const page = await intelReports.page(request.user!, request.params.id);
      return reply.send({
        ...page.report,
        original_text: page.original,
        links: page.links.map((l) => ({
          kind: l.entity.kind,
          id: l.entity.label === null ? null : l.entity.id,
          label: l.entity.label,
          withheld: l.entity.label === null,
        })),
        release: page.release,
      });
    },
  );

  api.post(
    '/api/v1/intelligence/reports',
    {
      ...write,
      schema: { summary: 'Submit a graded report', operationId: 'createIntelReport', body: newReport, response: { 201: responses.created, ...refusals } },
    },
    async (request, reply) => reply.status(201).send({ id: await refusing(() => intelReports.create(request.user!, request.body)) }),
  );
};
