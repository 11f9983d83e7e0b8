import { z } from 'zod';
import { LanternError, notFound } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { conflictResponse, json, notFoundResponse, refusals } from '../../../web/api/schema.ts';
import { idParams, recordParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import { textIn } from '../../assessments/tool/definition.ts';
import { ReferralValidationError } from '../referrals.ts';
import { latestVersions } from '../service.ts';
import {
  childRiskOf,
  chronologyQuery,
  directoryQuery,
  episodeReturn,
  newEpisode,
  newMeeting,
  newPlanAction,
  newCaseNote,
  newReferral,
  newReturnInterview,
  newRiskAssessment,
  referralUpdate,
  responses,
} from './schema.ts';

/** A change the record's state refuses, with the reason the service gave (the web form shows the same reason). */
const conflict = (field: string, reason: string) => new LanternError('LANTERN_E_CONFLICT', reason, [{ path: field, message: reason }]);

const en = translator('en');
/** A referral the service refused after the request was valid (a service no longer active, an unknown agency, a future day): invalid input, on its field. */
async function refusingReferrals<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ReferralValidationError)) throw error;
    const message = en(error.messageKey);
    throw new LanternError('LANTERN_E_VALIDATION', message, [{ path: error.field, message }]);
  }
}

/** The record with the path's id among those its page read (the page's audit row with it), or 404. */
function recordIn<R extends { id: string }>(records: R[], recordId: string): R {
  const found = records.find((r) => r.id === recordId);
  if (!found) throw notFound();
  return found;
}

/**
 * The casework API: a child's risk assessments, missing and absent episodes with their return
 * interviews, strategy meetings, plan actions, referrals to services, case notes and chronology. Each route calls the service the web
 * page calls, with the page's permission (casework.read / casework.write), so the same rules,
 * row-level security and audit apply; the token's scope for the resource family is required too.
 */
export const caseworkApi: ApiRoutes = async (api, { casework, referrals }) => {
  const read = <S extends 'assessments:read' | 'episodes:read' | 'meetings:read' | 'plans:read' | 'referrals:read' | 'notes:read' | 'chronology:read'>(
    scope: S,
  ) => ({
    config: { permission: 'casework.read' as const, scope },
  });
  const write = <S extends 'assessments:write' | 'episodes:write' | 'meetings:write' | 'plans:write' | 'referrals:write' | 'notes:write'>(scope: S) => ({
    config: { permission: 'casework.write' as const, scope },
  });
  const ofChild = { 404: notFoundResponse, ...refusals };
  const ofChange = { 404: notFoundResponse, 409: conflictResponse, ...refusals };

  // ---------------------------------------------------------------- risk tools and assessments

  api.get(
    '/api/v1/risk-tools',
    {
      ...read('assessments:read'),
      schema: {
        summary: 'The partnership’s risk tools (latest version of each), with the indicators and time windows an assessment answers',
        operationId: 'listRiskTools',
        response: {
          200: json(
            'Risk tools',
            z.object({
              tools: z.array(
                z
                  .object({ id: z.uuid(), tool_key: z.string(), version: z.number().int(), name: z.string(), definition: z.record(z.string(), z.unknown()) })
                  .meta({ id: 'RiskTool' }),
              ),
            }),
          ),
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      const tools = latestVersions(await casework.listTools(request.user!));
      return reply.send({ tools });
    },
  );

  api.get(
    '/api/v1/children/:id/risk-assessments',
    {
      ...read('assessments:read'),
      schema: {
        summary: 'A child’s risk assessments',
        operationId: 'listRiskAssessments',
        params: idParams,
        response: { 200: responses.assessments, ...ofChild },
      },
    },
    async (request, reply) => {
      const { assessments } = await casework.assessmentsPage(request.user!, request.params.id);
      return reply.send({ assessments });
    },
  );

  api.get(
    '/api/v1/children/:id/risk-assessments/:recordId',
    {
      ...read('assessments:read'),
      schema: {
        summary: 'One risk assessment, with its answers and score',
        operationId: 'getRiskAssessment',
        params: recordParams,
        response: { 200: responses.assessment, ...ofChild },
      },
    },
    async (request, reply) => {
      const { assessment } = await casework.assessment(request.user!, request.params.id, request.params.recordId);
      return reply.send(assessment);
    },
  );

  api.post(
    '/api/v1/children/:id/risk-assessments',
    {
      ...write('assessments:write'),
      schema: {
        summary: 'Record a risk assessment: scored by the tool, the practitioner’s judgement sets the child’s current risk level',
        operationId: 'createRiskAssessment',
        params: idParams,
        body: newRiskAssessment,
        response: { 201: responses.assessmentCreated, ...ofChild },
      },
    },
    async (request, reply) => {
      const user = request.user!;
      const { answers, judgementLevel, judgementReasons, assessorAgencyId, ...header } = request.body;
      const created = await casework.createAssessment(user, request.params.id, { ...header, assessorAgencyId: assessorAgencyId ?? user.agencyId }, answers, {
        judgementLevel,
        judgementReasons,
      });
      return reply.status(201).send({
        id: created.id,
        score_total: created.score.total,
        score_category: created.score.category.key,
        score_category_label: textIn(created.score.category.label, 'en'),
        score_level: created.score.suggestedLevel,
        judgement_level: judgementLevel,
        review_due_on: created.reviewDueOn,
        explanation: [...created.score.explanation],
        child: childRiskOf(created.child),
      });
    },
  );

  // ---------------------------------------------------------------- missing and absent episodes

  api.get(
    '/api/v1/children/:id/episodes',
    {
      ...read('episodes:read'),
      schema: {
        summary: 'A child’s missing and absent episodes with their return interviews',
        operationId: 'listEpisodes',
        params: idParams,
        response: { 200: responses.episodes, ...ofChild },
      },
    },
    async (request, reply) => reply.send({ episodes: (await casework.missingPage(request.user!, request.params.id)).episodes }),
  );

  api.get(
    '/api/v1/children/:id/episodes/:recordId',
    {
      ...read('episodes:read'),
      schema: {
        summary: 'One episode with its return interview',
        operationId: 'getEpisode',
        params: recordParams,
        response: { 200: responses.episode, ...ofChild },
      },
    },
    async (request, reply) => reply.send(recordIn((await casework.missingPage(request.user!, request.params.id)).episodes, request.params.recordId)),
  );

  api.post(
    '/api/v1/children/:id/episodes',
    {
      ...write('episodes:write'),
      schema: {
        summary: 'Record a missing or absent episode (one open episode at a time)',
        operationId: 'createEpisode',
        params: idParams,
        body: newEpisode,
        response: { 201: responses.created, ...ofChange },
      },
    },
    async (request, reply) => reply.status(201).send({ id: await casework.createEpisode(request.user!, request.params.id, request.body) }),
  );

  api.post(
    '/api/v1/children/:id/episodes/:recordId/return',
    {
      ...write('episodes:write'),
      schema: {
        summary: 'End an episode: the child has returned or been found, and the return interview falls due',
        operationId: 'returnFromEpisode',
        params: recordParams,
        body: episodeReturn,
        response: { 200: responses.done, ...ofChange },
      },
    },
    async (request, reply) => {
      const { id, recordId } = request.params;
      const result = await casework.returnFromEpisode(request.user!, id, recordId, request.body.returnedAt, request.body.whereFound);
      if (!result.ok) throw conflict('returnedAt', result.reason);
      return reply.send({ id: recordId });
    },
  );

  api.post(
    '/api/v1/children/:id/episodes/:recordId/interview',
    {
      ...write('episodes:write'),
      schema: {
        summary: 'Record the return interview of an ended episode',
        operationId: 'recordReturnInterview',
        params: recordParams,
        body: newReturnInterview,
        response: { 201: responses.created, ...ofChange },
      },
    },
    async (request, reply) => {
      const { id, recordId } = request.params;
      const result = await casework.recordInterview(request.user!, id, recordId, request.body);
      if (!result.ok) throw conflict('offeredAt', result.reason);
      return reply.status(201).send({ id: result.id });
    },
  );

  // ---------------------------------------------------------------- strategy meetings

  api.get(
    '/api/v1/children/:id/strategy-meetings',
    {
      ...read('meetings:read'),
      schema: {
        summary: 'A child’s strategy meetings and discussions',
        operationId: 'listStrategyMeetings',
        params: idParams,
        response: { 200: responses.meetings, ...ofChild },
      },
    },
    async (request, reply) => reply.send({ meetings: (await casework.meetingsPage(request.user!, request.params.id)).meetings }),
  );

  api.get(
    '/api/v1/children/:id/strategy-meetings/:recordId',
    {
      ...read('meetings:read'),
      schema: { summary: 'One strategy meeting', operationId: 'getStrategyMeeting', params: recordParams, response: { 200: responses.meeting, ...ofChild } },
    },
    async (request, reply) => reply.send(recordIn((await casework.meetingsPage(request.user!, request.params.id)).meetings, request.params.recordId)),
  );

  api.post(
    '/api/v1/children/:id/strategy-meetings',
    {
      ...write('meetings:write'),
      schema: {
        summary: 'Record a strategy meeting: the risk agreed may become the child’s current level, and the attending agencies get access to the child',
        operationId: 'createStrategyMeeting',
        params: idParams,
        body: newMeeting,
        response: { 201: responses.meetingCreated, ...ofChild },
      },
    },
    async (request, reply) => {
      const created = await casework.createMeeting(request.user!, request.params.id, request.body);
      return reply.status(201).send({ id: created.id, child: childRiskOf(created.child) });
    },
  );

  // ---------------------------------------------------------------- plan actions

  api.get(
    '/api/v1/children/:id/plan-actions',
    {
      ...read('plans:read'),
      schema: { summary: 'The actions of a child’s plan', operationId: 'listPlanActions', params: idParams, response: { 200: responses.actions, ...ofChild } },
    },
    async (request, reply) => reply.send({ actions: (await casework.meetingsPage(request.user!, request.params.id)).actions }),
  );

  api.post(
    '/api/v1/children/:id/plan-actions',
    {
      ...write('plans:write'),
      schema: {
        summary: 'Add an action to the child’s plan: the owning agency gets access to the child',
        operationId: 'createPlanAction',
        params: idParams,
        body: newPlanAction,
        response: { 201: responses.created, ...ofChild },
      },
    },
    async (request, reply) => reply.status(201).send({ id: await casework.createAction(request.user!, request.params.id, request.body) }),
  );

  api.post(
    '/api/v1/children/:id/plan-actions/:recordId/done',
    {
      ...write('plans:write'),
      schema: { summary: 'Mark a plan action done', operationId: 'completePlanAction', params: recordParams, response: { 200: responses.done, ...ofChild } },
    },
    async (request, reply) => {
      await casework.completeAction(request.user!, request.params.id, request.params.recordId);
      return reply.send({ id: request.params.recordId });
    },
  );

  // ---------------------------------------------------------------- referrals to services of the directory

  api.get(
    '/api/v1/directory-services',
    {
      ...read('referrals:read'),
      schema: {
        summary: 'Active services of the partnership’s directory a child can be referred to (the plan page’s directory search)',
        operationId: 'listDirectoryServices',
        querystring: directoryQuery,
        response: { 200: responses.directory, ...refusals },
      },
    },
    async (request, reply) => reply.send({ services: await referrals.directory(request.user!, request.query.q ?? '') }),
  );

  api.get(
    '/api/v1/children/:id/referrals',
    {
      ...read('referrals:read'),
      schema: {
        summary: 'A child’s referrals to services of the directory',
        operationId: 'listServiceReferrals',
        params: idParams,
        response: { 200: responses.referrals, ...ofChild },
      },
    },
    async (request, reply) => reply.send({ referrals: (await casework.meetingsPage(request.user!, request.params.id)).referrals }),
  );

  api.post(
    '/api/v1/children/:id/referrals',
    {
      ...write('referrals:write'),
      schema: {
        summary: 'Refer the child to a service of the directory',
        operationId: 'createServiceReferral',
        params: idParams,
        body: newReferral,
        response: { 201: responses.created, ...ofChild },
      },
    },
    async (request, reply) => {
      const user = request.user!;
      const { referredByAgencyId, ...referral } = request.body;
      const id = await refusingReferrals(() =>
        referrals.create(user, request.params.id, { ...referral, referredByAgencyId: referredByAgencyId ?? user.agencyId }),
      );
      return reply.status(201).send({ id });
    },
  );

  api.put(
    '/api/v1/children/:id/referrals/:recordId',
    {
      ...write('referrals:write'),
      schema: {
        summary: 'Update a referral’s status and outcome',
        operationId: 'updateServiceReferral',
        params: recordParams,
        body: referralUpdate,
        response: { 200: responses.done, ...ofChild },
      },
    },
    async (request, reply) => {
      await referrals.update(request.user!, request.params.id, request.params.recordId, request.body);
      return reply.send({ id: request.params.recordId });
    },
  );

  // ---------------------------------------------------------------- case notes

  api.get(
    '/api/v1/children/:id/case-notes',
    {
      ...read('notes:read'),
      schema: { summary: 'A child’s case notes', operationId: 'listCaseNotes', params: idParams, response: { 200: responses.notes, ...ofChild } },
    },
    async (request, reply) => reply.send({ notes: (await casework.notesPage(request.user!, request.params.id)).notes }),
  );

  api.post(
    '/api/v1/children/:id/case-notes',
    {
      ...write('notes:write'),
      schema: {
        summary: 'Add a case note to the child: its author is the token’s name, its audit row names the token and its issuer',
        operationId: 'createCaseNote',
        params: idParams,
        body: newCaseNote,
        response: { 201: responses.created, ...ofChild },
      },
    },
    async (request, reply) => reply.status(201).send({ id: await casework.createNote(request.user!, request.params.id, request.body.body) }),
  );

  // ---------------------------------------------------------------- chronology

  api.get(
    '/api/v1/children/:id/chronology',
    {
      ...read('chronology:read'),
      schema: {
        summary: 'The child’s whole chronology, oldest first; rows the token may not see are marked withheld, with their kind and day only',
        operationId: 'getChronology',
        params: idParams,
        querystring: chronologyQuery,
        response: { 200: responses.chronology, ...ofChild },
      },
    },
    async (request, reply) => {
      const { child, events } = await casework.chronologyEvents(request.user!, request.params.id, request.query);
      return reply.send({
        child_id: child.id,
        entries: events.map(({ event: e, day, daysSincePrevious }) =>
          e.withheld
            ? { kind: e.kind, date: day, withheld: true as const }
            : {
                kind: e.kind,
                date: day,
                at: e.dayOnly ? null : e.at,
                agency_ids: e.agencyIds,
                summary: e.summary,
                detail: e.detail,
                who: e.who,
                withheld: false as const,
                days_since_previous: daysSincePrevious,
              },
        ),
      });
    },
  );
};
