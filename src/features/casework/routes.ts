import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { translator } from '../../i18n/i18n.ts';
import { multipartFileLimit, refusalMessage, riskToolFileLimits } from '../../uploads/limits.ts';
import type { FormErrors } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import type { DefinitionError } from '../assessments/tool/definition.ts';
import { episodeTypes, riskLevels, type EpisodeCorrection } from './episodes.ts';
import { toLondonFields } from '../../dates.ts';
import {
  actionEditSchema, actionFormSchema, answersFromForm, assessmentHeaderSchema, assessmentJudgementSchema, childParam, episodeEditSchema,
  episodeFormSchema, episodeReturnSchema, episodeTypeChangeSchema, interviewFormSchema, meetingFormSchema, noteFormSchema, recordParam,
  referralFormSchema, referralSearchQuery, referralStatuses, referralUpdateSchema, TOOL_FILE_MAX_BYTES, toolUploadSchema, worklistQuerySchema,
} from './schema.ts';
import { ReferralValidationError } from './referrals.ts';
import { CaseworkService } from './service.ts';

const t = translator('en');
const view = (name: string) => `features/casework/views/${name}.njk`;
const here = path.dirname(fileURLToPath(import.meta.url));
// Whether the children feature's sub-navigation is there to include: looked up once, not on every request.
const childNav = fs.existsSync(path.join(here, '..', 'children', 'views', 'child-nav.njk'));

/** Zod issues → GOV.UK error summary; this feature's messages are keys under casework.* or validation.*. */
export function caseworkErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fields[field]) continue;
    const text = t(/^(casework|validation)\./.test(issue.message) ? issue.message : 'validation.invalid');
    fields[field] = { text };
    list.push({ text, href: `#${field}` });
  }
  return { list, fields };
}

const oneError = (field: string, key: string): FormErrors => ({ list: [{ text: t(key), href: `#${field}` }], fields: { [field]: { text: t(key) } } });

/** Problems the tool schema found in a definition, each with its JSON path, linked to the field it came from. */
const MAX_LISTED_PROBLEMS = 25;
function definitionErrors(field: string, problems: DefinitionError[], count = problems.length): FormErrors {
  const list = problems.slice(0, MAX_LISTED_PROBLEMS)
    .map((p) => ({ text: t('casework.tools.problemAt', { path: p.path, message: p.message }), href: `#${field}` }));
  if (count > MAX_LISTED_PROBLEMS) list.push({ text: t('casework.tools.moreProblems', { count: count - MAX_LISTED_PROBLEMS }), href: `#${field}` });
  return { list, fields: { [field]: { text: t('casework.tools.invalid') } } };
}

/** Why a correction of an episode's times was refused, as the key of its message. */
function episodeCorrectionKey(problem: Extract<EpisodeCorrection, { ok: false }>): string {
  switch (problem.reason) {
    case 'start_required': return 'casework.validation.startDateTime';
    case 'end_required': return 'casework.validation.returnRequired';
    case 'in_future': return problem.field === 'startDate' ? 'casework.validation.startInFuture' : 'casework.validation.endInFuture';
    case 'end_before_start': return 'casework.validation.endBeforeStart';
    case 'start_after_end': return 'casework.validation.startAfterEnd';
    case 'after_interview': return 'casework.validation.returnAfterInterview';
  }
}

export const caseworkFeature: Feature = {
  name: 'casework',
  async register(app, { casework, referrals, caseworkEdits: edits, clock }) {
    const read = { config: { permission: 'casework.read' as const } };
    const write = { config: { permission: 'casework.write' as const } };
    const tools = { config: { permission: 'risk-tools.manage' as const } };

    /** Shared page context: the children feature's sub-navigation when it is there, else a back link. */
    const page = (reply: FastifyReply, name: string, active: string, context: Record<string, unknown>) =>
      reply.page(view(name), { active, childNav, episodeTypes, riskLevels, ...context });
    const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

    // ---------------------------------------------------------------- risk tools

    app.get('/risk-tools', tools, async (request, reply) =>
      reply.page(view('risk-tools'), { tools: await casework.listTools(request.user!), values: {}, maxKilobytes: TOOL_FILE_MAX_BYTES / 1024 }));

    // A definition comes as a file or pasted. Multipart only in this encapsulated context, as the
    // assurance and strategy uploads do: attachFieldsToBody puts the _csrf field in request.body,
    // where the CSRF check in web/app.ts reads it. A file over the limit is cut at limit + 1 bytes
    // (not refused outright), so the schema can say so in the error summary.
    await app.register(async (scoped: FastifyInstance) => {
      if (!scoped.hasRequestDecorator('isMultipart')) {
        await scoped.register(multipart, { attachFieldsToBody: 'keyValues', throwFileSizeLimit: false,
          limits: { fileSize: multipartFileLimit(riskToolFileLimits), files: 1, fields: 5, parts: 6 } });
      }
      scoped.post('/risk-tools', tools, async (request, reply) => {
        const parsed = toolUploadSchema.safeParse(body(request));
        // A chosen file cannot be put back into its input; the pasted text can.
        const values = { definition: typeof body(request).definition === 'string' ? body(request).definition : '' };
        const again = async (errors: FormErrors) => reply.status(400).page(view('risk-tools'), {
          tools: await casework.listTools(request.user!), values, errors, maxKilobytes: TOOL_FILE_MAX_BYTES / 1024 });
        if (!parsed.success) return again(caseworkErrors(parsed.error));
        const result = await casework.loadTool(request.user!, parsed.data.text);
        if (!result.ok && 'refusal' in result) {
          request.log.info({ refusal: result.refusal }, 'risk tool upload refused');
          const text = refusalMessage(result.refusal, t);
          return again({ list: [{ text, href: `#${parsed.data.field}` }], fields: { [parsed.data.field]: { text } } });
        }
        if (!result.ok) return again(definitionErrors(parsed.data.field, result.errors, result.errorCount));
        return reply.redirect('/risk-tools');
      });
    });

    // ---------------------------------------------------------------- assessments

    app.get('/children/:id/assessments', read, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      return page(reply, 'assessments', 'assessments', await casework.assessmentsPage(request.user!, id));
    });

    app.get('/children/:id/assessments/new', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const toolId = (request.query as { tool?: string }).tool;
      const user = request.user!;
      const data = await casework.assessmentForm(user, id, typeof toolId === 'string' ? toolId : undefined);
      return page(reply, 'assessment-form', 'assessments', {
        ...data, values: { ...data.knownFacts, assessedOn: toLondonFields(clock.now()).date, assessorAgencyId: user.agencyId }, answers: {},
      });
    });

    app.post('/children/:id/assessments/new', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const form = body(request);
      const answers = answersFromForm(form);
      const toolId = typeof form.toolId === 'string' ? form.toolId : undefined;
      const header = assessmentHeaderSchema.safeParse(form);
      // Loaded without a view row: a successful save leaves exactly its one audit row. Showing the form again is a view.
      const data = await casework.assessmentForm(request.user!, id, toolId, { audit: false });
      const answerErrors = (errors: { path: string; message: string }[]): FormErrors =>
        ({ list: errors.map((e) => ({ text: e.message, href: '#answers' })), fields: {} });
      const again = async (status: number, extra: Record<string, unknown>) => {
        const shown = await casework.assessmentForm(request.user!, id, data.tool.id);
        return reply.status(status).page(view('assessment-form'), { active: 'assessments', childNav, ...shown, values: form, answers, ...extra });
      };
      // "Work out the score" shows the score and its explanation before the worker records a judgement.
      const assessedOn = header.success ? header.data.assessedOn : toLondonFields(clock.now()).date;
      const scored = CaseworkService.score(data.tool, data.child, answers, assessedOn);
      if (!scored.ok) return again(400, { errors: answerErrors(scored.errors) });
      if (form.step === 'score') {
        return again(header.success ? 200 : 400, { score: scored.assessment, ageKnown: scored.ageKnown, ...(header.success ? {} : { errors: caseworkErrors(header.error) }) });
      }
      const judgement = assessmentJudgementSchema.safeParse(form);
      if (!header.success || !judgement.success) {
        const errors = caseworkErrors({ issues: [...(header.error?.issues ?? []), ...(judgement.error?.issues ?? [])] });
        return again(400, { score: scored.assessment, ageKnown: scored.ageKnown, errors });
      }
      if (!data.tool.definition.bands.some((b) => b.key === judgement.data.judgementCategory)) {
        return again(400, { score: scored.assessment, ageKnown: scored.ageKnown, errors: oneError('judgementCategory', 'casework.validation.judgementRequired') });
      }
      const assessmentId = await casework.createAssessment(request.user!, id, { ...header.data, toolId: data.tool.id }, answers, judgement.data);
      return reply.redirect(`/children/${id}/assessments/${assessmentId}`);
    });

    app.get('/children/:id/assessments/:recordId', read, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      return page(reply, 'assessment', 'assessments', await casework.assessment(request.user!, id, recordId));
    });

    // ---------------------------------------------------------------- missing episodes

    const missingPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      page(reply, 'missing', 'missing', { ...(await casework.missingPage(request.user!, id)), values: {}, ...extra });

    app.get('/children/:id/missing', read, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      return missingPage(request, reply, id);
    });

    app.post('/children/:id/missing', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const parsed = episodeFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return missingPage(request, reply, id, { values: body(request), errors: caseworkErrors(parsed.error) });
      }
      try {
        await casework.createEpisode(request.user!, id, parsed.data);
      } catch (error) {
        if ((error as { code?: string }).code !== 'LANTERN_E_CONFLICT') throw error;
        reply.status(409);
        return missingPage(request, reply, id, { values: body(request), errors: oneError('episodeType', 'casework.validation.episodeOpen') });
      }
      return reply.redirect(`/children/${id}/missing`);
    });

    const reasonKey = { already_ended: 'casework.validation.episodeEnded', same_type: 'casework.validation.sameType',
      before_start: 'casework.validation.beforeStart', not_returned: 'casework.validation.notReturned',
      before_return: 'casework.validation.beforeReturn', already_recorded: 'casework.validation.interviewRecorded' } as const;

    app.post('/children/:id/missing/:recordId/return', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = episodeReturnSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return missingPage(request, reply, id, { returnValues: { [recordId]: body(request) }, errors: caseworkErrors(parsed.error), errorEpisode: recordId });
      }
      const result = await casework.returnFromEpisode(request.user!, id, recordId, parsed.data.returnedAt, parsed.data.whereFound);
      if (!result.ok) {
        reply.status(409);
        return missingPage(request, reply, id, { errors: oneError('returnDate', reasonKey[result.reason]), errorEpisode: recordId });
      }
      return reply.redirect(`/children/${id}/missing`);
    });

    app.post('/children/:id/missing/:recordId/type', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = episodeTypeChangeSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return missingPage(request, reply, id, { errors: caseworkErrors(parsed.error), errorEpisode: recordId });
      }
      const result = await casework.changeEpisodeType(request.user!, id, recordId, parsed.data.newType, parsed.data.at);
      if (!result.ok) {
        reply.status(409);
        return missingPage(request, reply, id, { errors: oneError('changeDate', reasonKey[result.reason]), errorEpisode: recordId });
      }
      return reply.redirect(`/children/${id}/missing`);
    });

    const episodeEditPage = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown> = {}) => {
      const data = await edits.episodeEditPage(request.user!, id, recordId);
      return page(reply, 'episode-edit', 'missing', { ...data, values: data.current, ...extra });
    };

    app.get('/children/:id/missing/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      return episodeEditPage(request, reply, id, recordId);
    });

    app.post('/children/:id/missing/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = episodeEditSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return episodeEditPage(request, reply, id, recordId, { values: body(request), errors: caseworkErrors(parsed.error) });
      }
      const result = await edits.updateEpisode(request.user!, id, recordId, parsed.data);
      if (!result.ok) {
        reply.status(400);
        return episodeEditPage(request, reply, id, recordId, { values: body(request), errors: oneError(result.field, episodeCorrectionKey(result)) });
      }
      return reply.redirect(`/children/${id}/missing`);
    });

    const interviewPage = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown>) => {
      const data = await casework.missingPage(request.user!, id);
      const episode = data.episodes.find((e) => e.id === recordId);
      if (!episode || !episode.ended_at || episode.ended_by !== 'returned' || episode.interview) return null;
      return page(reply, 'interview-form', 'missing', { ...data, episode, ...extra });
    };

    app.get('/children/:id/missing/:recordId/interview', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const rendered = await interviewPage(request, reply, id, recordId, { values: { interviewerAgencyId: request.user!.agencyId } });
      if (!rendered) return reply.redirect(`/children/${id}/missing`);
      return rendered;
    });

    app.post('/children/:id/missing/:recordId/interview', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = interviewFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        const rendered = await interviewPage(request, reply, id, recordId, { values: body(request), errors: caseworkErrors(parsed.error) });
        return rendered ?? reply.redirect(`/children/${id}/missing`);
      }
      const result = await casework.recordInterview(request.user!, id, recordId, parsed.data);
      if (!result.ok) {
        reply.status(409);
        const rendered = await interviewPage(request, reply, id, recordId, { values: body(request), errors: oneError('offeredDate', reasonKey[result.reason]) });
        return rendered ?? reply.redirect(`/children/${id}/missing`);
      }
      return reply.redirect(`/children/${id}/missing`);
    });

    // ---------------------------------------------------------------- meetings and plan

    const meetingsPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) => {
      const { service } = referralSearchQuery.parse(request.query ?? {});
      const data = await casework.meetingsPage(request.user!, id);
      return page(reply, 'meetings', 'meetings', {
        ...data, serviceSearch: service, services: await referrals.directory(request.user!, service), referralStatuses,
        values: {}, actionValues: {}, referralValues: { referredByName: request.user!.displayName, referredByAgencyId: request.user!.agencyId }, ...extra,
      });
    };

    app.get('/children/:id/meetings', read, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      return meetingsPage(request, reply, id);
    });

    app.post('/children/:id/meetings', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const parsed = meetingFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return meetingsPage(request, reply, id, { values: body(request), errors: caseworkErrors(parsed.error) });
      }
      await casework.createMeeting(request.user!, id, parsed.data);
      return reply.redirect(`/children/${id}/meetings`);
    });

    const meetingEditPage = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown> = {}) => {
      const data = await edits.meetingEditPage(request.user!, id, recordId);
      return page(reply, 'meeting-edit', 'meetings', { ...data, values: data.current, ...extra });
    };

    app.get('/children/:id/meetings/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      return meetingEditPage(request, reply, id, recordId);
    });

    // The same schema as a new meeting: an edit is held to the same rules.
    app.post('/children/:id/meetings/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = meetingFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return meetingEditPage(request, reply, id, recordId, { values: body(request), errors: caseworkErrors(parsed.error) });
      }
      await edits.updateMeeting(request.user!, id, recordId, parsed.data);
      return reply.redirect(`/children/${id}/meetings#meeting-${recordId}`);
    });

    app.post('/children/:id/actions', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const parsed = actionFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return meetingsPage(request, reply, id, { actionValues: body(request), errors: caseworkErrors(parsed.error) });
      }
      await casework.createAction(request.user!, id, parsed.data);
      return reply.redirect(`/children/${id}/meetings#plan`);
    });

    app.post('/children/:id/actions/:recordId/done', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      await casework.completeAction(request.user!, id, recordId);
      return reply.redirect(`/children/${id}/meetings#plan`);
    });

    app.post('/children/:id/actions/:recordId/not-done', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      await edits.reopenAction(request.user!, id, recordId);
      return reply.redirect(`/children/${id}/meetings#plan`);
    });

    const actionEditPage = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown> = {}) => {
      const data = await edits.actionEditPage(request.user!, id, recordId);
      return page(reply, 'action-edit', 'meetings', { ...data, values: data.current, ...extra });
    };

    app.get('/children/:id/actions/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      return actionEditPage(request, reply, id, recordId);
    });

    app.post('/children/:id/actions/:recordId/edit', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = actionEditSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return actionEditPage(request, reply, id, recordId, { values: body(request), errors: caseworkErrors(parsed.error) });
      }
      const result = await edits.updateAction(request.user!, id, recordId, parsed.data);
      if (!result.ok) {
        reply.status(400);
        return actionEditPage(request, reply, id, recordId, { values: body(request), errors: oneError(result.field, result.messageKey) });
      }
      return reply.redirect(`/children/${id}/meetings#plan`);
    });

    // ---------------------------------------------------------------- referrals to directory services

    app.post('/children/:id/referrals', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const parsed = referralFormSchema.safeParse(body(request));
      const again = (errors: FormErrors) => {
        reply.status(400);
        return meetingsPage(request, reply, id, { referralValues: body(request), errors });
      };
      if (!parsed.success) return again(caseworkErrors(parsed.error));
      try {
        await referrals.create(request.user!, id, parsed.data);
      } catch (error) {
        if (error instanceof ReferralValidationError) return again(oneError(error.field, error.messageKey));
        throw error;
      }
      return reply.redirect(`/children/${id}/meetings#referrals`);
    });

    app.post('/children/:id/referrals/:recordId', write, async (request, reply) => {
      const { id, recordId } = recordParam.parse(request.params);
      const parsed = referralUpdateSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return meetingsPage(request, reply, id, { errors: caseworkErrors(parsed.error) });
      }
      await referrals.update(request.user!, id, recordId, parsed.data);
      return reply.redirect(`/children/${id}/meetings#referrals`);
    });

    // ---------------------------------------------------------------- notes and timeline

    app.get('/children/:id/notes', read, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      return page(reply, 'notes', 'notes', { ...(await casework.notesPage(request.user!, id)), values: {} });
    });

    app.post('/children/:id/notes', write, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      const parsed = noteFormSchema.safeParse(body(request));
      if (!parsed.success) {
        reply.status(400);
        return page(reply, 'notes', 'notes', { ...(await casework.notesPage(request.user!, id)), values: body(request), errors: caseworkErrors(parsed.error) });
      }
      await casework.createNote(request.user!, id, parsed.data.body);
      return reply.redirect(`/children/${id}/notes`);
    });

    app.get('/children/:id/timeline', read, async (request, reply) => {
      const { id } = childParam.parse(request.params);
      return page(reply, 'timeline', 'timeline', await casework.timeline(request.user!, id));
    });

    // ---------------------------------------------------------------- worklists

    app.get('/worklists', { config: { permission: 'worklists.view' as const } }, async (request, reply) => {
      const query = worklistQuerySchema.parse(request.query ?? {});
      return reply.page(view('worklists'), { query, ...(await casework.worklists(request.user!, query)) });
    });
  },
};
