import { LanternError } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { notFoundResponse, refusals } from '../../../web/api/schema.ts';
import { idParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import type { Disruption } from '../disruption-repository.ts';
import { IntelligenceValidationError } from '../service.ts';
import { disruptionListQuery, disruptionResponses, newDisruption } from './disruption-schema.ts';

const en = translator('en');
/** The request fields the service's refusals name (it names the web form's fields). */
const apiField: Record<string, string> = { childReferences: 'childReferences', personId: 'personId', locationId: 'locationId', agencyId: 'agencyId' };

/** What the service refused after the request was valid (an unknown child or person): invalid input, on its field. */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof IntelligenceValidationError)) throw error;
    const message = en(error.messageKey);
    throw new LanternError('LANTERN_E_VALIDATION', message, [{ path: apiField[error.field] ?? error.field, message }]);
  }
}

/** A disruption as the API gives it: its own columns and its targets' labels. */
const out = (d: Disruption) => ({
  id: d.id,
  tactic: d.tactic,
  tactic_other: d.tactic_other,
  disrupted_on: d.disrupted_on,
  agency_id: d.agency_id,
  agency: d.agency,
  person: d.person,
  location: d.location,
  outcome: d.outcome,
  summary: d.summary,
  outcome_notes: d.outcome_notes,
  outcome_recorded_at: d.outcome_recorded_at,
  outcome_recorded_by_name: d.outcome_recorded_by_name,
  created_at: d.created_at,
  created_by_name: d.created_by_name,
});

/**
 * The disruptions API (issue 12 §3): list (by quarter and tactic), one, create. Each route calls the
 * service the pages call, with the pages' permissions (intelligence.read / intelligence.write: only the
 * co-ordinator and the analyst), so the same rules, row-level security and audit rows apply; the token's
 * scope disruptions:read or disruptions:write is required too (migration 0310).
 */
export const disruptionsApi: ApiRoutes = async (api, { disruptions }) => {
  const read = { config: { permission: 'intelligence.read' as const, scope: 'disruptions:read' as const } };
  const write = { config: { permission: 'intelligence.write' as const, scope: 'disruptions:write' as const } };
  const one = { 404: notFoundResponse, ...refusals };

  api.get(
    '/api/v1/intelligence/disruptions',
    {
      ...read,
      schema: {
        summary: 'The newest disruptions, or a quarter’s and/or a tactic’s',
        operationId: 'listDisruptions',
        querystring: disruptionListQuery,
        response: { 200: disruptionResponses.list, ...refusals },
      },
    },
    async (request, reply) => {
      const { disruptions: rows } = await disruptions.list(request.user!, request.query);
      return reply.send({ disruptions: rows.map(out) });
    },
  );

  api.get(
    '/api/v1/intelligence/disruptions/:id',
    { ...read, schema: { summary: 'One disruption', operationId: 'getDisruption', params: idParams, response: { 200: disruptionResponses.one, ...one } } },
    async (request, reply) => {
      const page = await disruptions.page(request.user!, request.params.id);
      return reply.send({
        ...out(page.disruption),
        children: page.children.map((c) => ({ id: c.label === null ? null : c.id, label: c.label, withheld: c.label === null })),
      });
    },
  );

  api.post(
    '/api/v1/intelligence/disruptions',
    {
      ...write,
      schema: {
        summary: 'Record a disruption: a tactic used against a person of concern and/or a location, its agency, the children it protects and its outcome',
        operationId: 'createDisruption',
        body: newDisruption,
        response: { 201: disruptionResponses.created, ...one },
      },
    },
    async (request, reply) => {
      const user = request.user!;
      const { agencyId, ...form } = request.body;
      const id = await refusing(() => disruptions.create(user, { ...form, agencyId: agencyId ?? user.agencyId }));
      return reply.status(201).send({ id });
    },
  );
};
