import { notFoundResponse, refusals } from '../../../web/api/schema.ts';
import { idParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import { newMeeting, responses } from './schema.ts';

/**
 * The MACE API (issue 12 §4): meetings (list, one with its agenda, actions and decisions, create) and
 * building a meeting's VOLT agenda. Each route calls the service the pages call, with the pages'
 * permissions (mace.read: the co-ordinator and the analyst; mace.manage: the co-ordinator), so the same
 * rules, row-level security and audit rows apply; the token's scope mace:read or mace:write is required too.
 */
export const maceApi: ApiRoutes = async (api, { mace }) => {
  const read = { config: { permission: 'mace.read' as const, scope: 'mace:read' as const } };
  const write = { config: { permission: 'mace.manage' as const, scope: 'mace:write' as const } };
  const one = { 404: notFoundResponse, ...refusals };

  api.get(
    '/api/v1/mace/meetings',
    { ...read, schema: { summary: 'MACE meetings, newest first', operationId: 'listMaceMeetings', response: { 200: responses.meetings, ...refusals } } },
    async (request, reply) => {
      const { upcoming, past } = await mace.list(request.user!);
      return reply.send({ meetings: [...[...upcoming].reverse(), ...past] });
    },
  );

  api.get(
    '/api/v1/mace/meetings/:id',
    {
      ...read,
      schema: {
        summary: 'A MACE meeting with its agenda, actions and decisions',
        operationId: 'getMaceMeeting',
        params: idParams,
        response: { 200: responses.meeting, ...one },
      },
    },
    async (request, reply) => {
      const { meeting, items, actions, decisions } = await mace.meeting(request.user!, request.params.id);
      return reply.send({
        id: meeting.id,
        title: meeting.title,
        held_on: meeting.held_on,
        venue: meeting.venue,
        chair_name: meeting.chair_name,
        agenda_built_at: meeting.agenda_built_at,
        items: items.map((i) => ({
          id: i.id,
          section: i.section,
          entity_kind: i.entityKind,
          entity_id: i.label === null ? null : i.entityId,
          label: i.label,
          reasons: i.reasons,
          linked_children: i.linkedChildren,
          found_at_links: i.foundAtLinks,
          restricted_to_agency_ids: i.restrictedTo,
          minutes: i.minutes,
          removed: i.removedAt !== null,
          removed_reason: i.removedReason,
        })),
        actions: actions.map((a) => ({
          id: a.id,
          item_id: a.itemId,
          description: a.description,
          owner_agency_id: a.ownerAgencyId,
          owner_agency: a.ownerAgency,
          due_on: a.dueOn,
          status: a.status,
        })),
        decisions: decisions.map((d) => ({ id: d.id, item_id: d.itemId, kind: d.kind, note: d.note, created_at: d.createdAt })),
      });
    },
  );

  api.post(
    '/api/v1/mace/meetings',
    { ...write, schema: { summary: 'Plan a MACE meeting', operationId: 'createMaceMeeting', body: newMeeting, response: { 201: responses.created, ...one } } },
    async (request, reply) => {
      const { title, held_on: heldOn, venue } = request.body;
      return reply.status(201).send({ id: await mace.create(request.user!, { title, heldOn, venue }) });
    },
  );

  api.post(
    '/api/v1/mace/meetings/:id/agenda',
    {
      ...write,
      schema: {
        summary: 'Build (or bring up to date) a meeting’s VOLT agenda',
        operationId: 'buildMaceAgenda',
        params: idParams,
        response: { 200: responses.built, ...one },
      },
    },
    async (request, reply) => {
      const built = await mace.buildAgenda(request.user!, request.params.id);
      return reply.send({ victims: built.victims, offenders: built.offenders, locations: built.locations, cut_off: built.cutOff });
    },
  );
};
