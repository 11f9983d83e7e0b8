import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestTranslator, translator, type Language } from '../../i18n/i18n.ts';
import { refusalMessage, riskToolFileLimits } from '../../uploads/limits.ts';
import { acceptUploads } from '../../uploads/multipart.ts';
import { formErrors, postedForm, refusedForm, singleError, type FormErrors } from '../../web/forms.ts';
import type { FlashKey } from '../../web/flash.ts';
import { idParams, optionalQueryId, recordParams } from '../../web/params.ts';
import type { SessionUser } from '../../auth/service.ts';
import type { Feature, LanternApp } from '../feature.ts';
import { textsWithoutWelsh, type DefinitionError } from '../assessments/tool/definition.ts';
import type { ScoredAssessment } from '../assessments/tool/engine.ts';
import { explanationIn } from '../assessments/tool/explain.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { episodeTypes, riskLevels as episodeRiskLevels, type EpisodeCorrection } from './episodes.ts';
import { formatDateTime, toLondonFields } from '../../dates.ts';
import { chronologyKinds, type ChronologyFilters } from './chronology.ts';
import { chronologyToDocx, type ChronologyDocxContent } from './chronology-docx.ts';
import {
  actionEditSchema,
  actionFormSchema,
  assessmentFormSchema,
  chronologyDocumentParams,
  chronologyDocumentQuery,
  chronologyQuerySchema,
  episodeEditSchema,
  episodeFormSchema,
  episodeReturnSchema,
  episodeTypeChangeSchema,
  interviewFormSchema,
  meetingFormSchema,
  noteFormSchema,
  referralFormSchema,
  referralSearchQuery,
  referralStatuses,
  referralUpdateSchema,
  TOOL_FILE_MAX_BYTES,
  toolUploadSchema,
  worklistQuerySchema,
} from './schema.ts';
import { ReferralValidationError } from './referrals.ts';
import { CaseworkService, type StoredTool } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/casework/views/${name}.njk`;
const here = path.dirname(fileURLToPath(import.meta.url));
// Whether the children feature's sub-navigation is there to include: looked up once, not on every request.
const childNav = fs.existsSync(path.join(here, '..', 'children', 'views', 'child-nav.njk'));

const chronologyContentTypes = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
} as const;

/** The filters as a query string, for the download links (the documents show what the page shows). */
function chronologyQueryString(filters: ChronologyFilters): string {
  const query = new URLSearchParams();
  for (const type of filters.types) query.append('type', type);
  if (filters.agency) query.set('agency', filters.agency);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/**
 * The chronology document's own words, in the language it is made in (documents.chronology; the
 * entries come already in it): the DOCX and the PDF (chronology-document.njk) say the same.
 */
function chronologyDocumentText(
  chronology: {
    child: { given_name: string; family_name: string; reference: string };
    agencies: { id: string; name: string }[];
    entries: unknown[];
    withheld: number;
  },
  filters: ChronologyFilters,
  language: Language,
  options: { printedAt: Date; by: string; demo: boolean },
): Omit<ChronologyDocxContent, 'entries'> {
  const t = translator(language);
  const c = (key: string, values?: Record<string, unknown>) => (values ? t(`documents.chronology.${key}`, values) : t(`documents.chronology.${key}`));
  const agency = chronology.agencies.find((a) => a.id === filters.agency)?.name ?? c('allAgencies');
  const types = filters.types.length === 0 ? c('filterEveryType') : filters.types.map((k) => t(`casework.chronology.kinds.${k}`)).join(', ');
  const { child } = chronology;
  return {
    language,
    title: c('title'),
    heading: c('heading', { name: `${child.given_name} ${child.family_name}`, reference: child.reference }),
    caption: c('caption', { count: chronology.entries.length }),
    printed: c('printed', { when: formatDateTime(options.printedAt, language), who: options.by }),
    filters: filters.types.length === 0 && filters.agency === undefined ? c('filterAll') : c('filterSome', { types, agency }),
    withheldNote: chronology.withheld > 0 ? c('withheldIntro', { count: chronology.withheld }) : null,
    demoNote: options.demo ? `${t('common.demoTag')}: ${t('common.demoBanner')}` : null,
    headers: { when: c('when'), type: c('type'), agency: c('agency'), what: c('what'), since: c('since') },
    by: c('by'),
    start: c('start'),
    withheldTag: c('withheldTag'),
    none: c('none'),
  };
}

/** The casework forms' date inputs: a refusal on one of them links to its day box. */
const dateInputs = new Set(['assessedOn', 'startDate', 'endDate', 'returnDate', 'changeDate', 'offeredDate', 'heldOn', 'nextReviewOn', 'dueOn', 'referredOn']);
const oneError = (field: string, key: string): FormErrors => singleError(field, t(key), dateInputs.has(field));

/** Problems the tool schema found in a definition, each with its JSON path, linked to the field it came from. */
const MAX_LISTED_PROBLEMS = 25;
function definitionErrors(field: string, problems: DefinitionError[], count = problems.length): FormErrors {
  const list = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((p) => ({ text: t('casework.tools.problemAt', { path: p.path, message: p.message }), href: `#${field}` }));
  if (count > MAX_LISTED_PROBLEMS) list.push({ text: t('casework.tools.moreProblems', { count: count - MAX_LISTED_PROBLEMS }), href: `#${field}` });
  return { list, fields: { [field]: { text: t('casework.tools.invalid') } } };
}

/** The tools as the risk-tools page lists them: each with how many of its texts have no Welsh. */
const toolsShown = (tools: StoredTool[]) => tools.map((tool) => ({ ...tool, untranslated: textsWithoutWelsh(tool.definition).length }));

/** A worked-out score as the form shows it: its explanation in the page's language. */
const scoreShown = (request: FastifyRequest, score: ScoredAssessment) => ({ score, scoreExplanation: explanationIn(score.explanationLines, request.language) });

/** Why a correction of an episode's times was refused, as the key of its message. */
function episodeCorrectionKey(problem: Extract<EpisodeCorrection, { ok: false }>): string {
  switch (problem.reason) {
    case 'start_required':
      return 'casework.validation.startDateTime';
    case 'end_required':
      return 'casework.validation.returnRequired';
    case 'in_future':
      return problem.field === 'startDate' ? 'casework.validation.startInFuture' : 'casework.validation.endInFuture';
    case 'end_before_start':
      return 'casework.validation.endBeforeStart';
    case 'start_after_end':
      return 'casework.validation.startAfterEnd';
    case 'after_interview':
      return 'casework.validation.returnAfterInterview';
  }
}

export const caseworkFeature: Feature = {
  name: 'casework',
  async register(app, { casework, referrals, caseworkEdits: edits, clock, pdf, config }) {
    const demo = config.demo;
    const read = { config: { permission: 'casework.read' as const } };
    const write = { config: { permission: 'casework.write' as const } };
    const tools = { config: { permission: 'risk-tools.manage' as const } };
    const ofChild = { params: idParams };
    const ofRecord = { params: recordParams };

    /** Shared page context: the children feature's sub-navigation when it is there, else a back link. */
    const page = (reply: FastifyReply, name: string, active: string, context: Record<string, unknown>) =>
      reply.page(view(name), { active, childNav, episodeTypes, episodeRiskLevels, riskLevels, ...context });

    /**
     * A record's edit form: GET shows it filled with the record as it is; POST saves it. Input that
     * does not validate, or a change `save` refuses (its errors), shows the form again (400) with
     * what was typed; a saved change goes to `savedAt` (post/redirect/get).
     */
    const editForm = <B extends z.ZodType>(
      path: string,
      body: B,
      [name, active]: [view: string, section: string],
      load: (user: SessionUser, id: string, recordId: string) => Promise<{ current: Record<string, unknown> }>,
      save: (user: SessionUser, id: string, recordId: string, input: z.output<B>) => Promise<FormErrors | null>,
      savedAt: (id: string, recordId: string) => string,
      savedKey: FlashKey,
    ) => {
      const show = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown> = {}) => {
        const data = await load(request.user!, id, recordId);
        return page(reply, name, active, { ...data, values: data.current, ...extra });
      };
      app.get(path, { ...write, schema: ofRecord }, async (request, reply) => show(request, reply, request.params.id, request.params.recordId));
      app.post(path, { ...write, schema: { ...ofRecord, body }, attachValidation: true }, async (request, reply) => {
        const { id, recordId } = request.params;
        const refused = refusedForm(request);
        if (refused) return show(request, reply.status(400), id, recordId, refused);
        const errors = await save(request.user!, id, recordId, request.body as z.output<B>);
        if (errors) return show(request, reply.status(400), id, recordId, { values: postedForm(request), errors });
        return reply.saved(savedAt(id, recordId), savedKey);
      });
    };

    // ---------------------------------------------------------------- risk tools

    app.get('/risk-tools', tools, async (request, reply) =>
      reply.page(view('risk-tools'), { tools: toolsShown(await casework.listTools(request.user!)), values: {}, maxKilobytes: TOOL_FILE_MAX_BYTES / 1024 }),
    );

    // A definition comes as a file or pasted. Multipart only in this encapsulated context, as the
    // assurance and strategy uploads do; a file over the limit comes cut, so the schema can say so.
    await app.register(async (scoped: LanternApp) => {
      await acceptUploads(scoped, riskToolFileLimits, { fields: 5, parts: 6 });
      scoped.post('/risk-tools', { ...tools, schema: { body: toolUploadSchema }, attachValidation: true }, async (request, reply) => {
        // A chosen file cannot be put back into its input; the pasted text can.
        const pasted = postedForm(request).definition;
        const values = { definition: typeof pasted === 'string' ? pasted : '' };
        const again = async (errors: FormErrors) =>
          reply.status(400).page(view('risk-tools'), {
            tools: toolsShown(await casework.listTools(request.user!)),
            values,
            errors,
            maxKilobytes: TOOL_FILE_MAX_BYTES / 1024,
          });
        if (request.validationError) return again(formErrors(request.validationError));
        const { field, text } = request.body;
        const result = await casework.loadTool(request.user!, text);
        if (!result.ok && 'refusal' in result) {
          request.log.info({ refusal: result.refusal }, 'risk tool upload refused');
          return again(singleError(field, refusalMessage(result.refusal, t)));
        }
        if (!result.ok) return again(definitionErrors(field, result.errors, result.errorCount));
        return reply.saved('/risk-tools', 'flash.toolLoaded');
      });
    });

    // ---------------------------------------------------------------- assessments

    app.get('/children/:id/assessments', { ...read, schema: ofChild }, async (request, reply) =>
      page(reply, 'assessments', 'assessments', await casework.assessmentsPage(request.user!, request.params.id)),
    );

    // Any tool but one of the partnership's (or none): the default tool.
    app.get('/children/:id/assessments/new', { ...write, schema: { ...ofChild, querystring: z.object({ tool: optionalQueryId }) } }, async (request, reply) => {
      const user = request.user!;
      const data = await casework.assessmentForm(user, request.params.id, request.query.tool);
      return page(reply, 'assessment-form', 'assessments', {
        ...data,
        untranslated: textsWithoutWelsh(data.tool.definition).length,
        values: { ...data.knownFacts, assessedOn: toLondonFields(clock.now()).date, assessorAgencyId: user.agencyId },
        answers: data.fromRecord,
      });
    });

    app.post('/children/:id/assessments/new', { ...write, schema: { ...ofChild, body: assessmentFormSchema } }, async (request, reply) => {
      const { id } = request.params;
      const { answers, toolId, scoreOnly, header, judgement } = request.body;
      const form = postedForm(request);
      // Loaded without a view row: a successful save leaves exactly its one audit row. Showing the form again is a view.
      const data = await casework.assessmentForm(request.user!, id, toolId, { audit: false });
      // Only a changed or stale form sends answers the tool cannot read: one message in the page's language (the details go to the log).
      const answerErrors = (errors: { path: string; message: string }[]): FormErrors => {
        request.log.info({ problems: errors.slice(0, 10) }, 'assessment answers refused');
        return { list: [{ text: t('casework.assessments.answersUnreadable', { count: errors.length }), href: '#answers' }], fields: {} };
      };
      const again = async (status: number, extra: Record<string, unknown>) => {
        const shown = await casework.assessmentForm(request.user!, id, data.tool.id);
        return reply.status(status).page(view('assessment-form'), {
          active: 'assessments',
          childNav,
          riskLevels,
          ...shown,
          untranslated: textsWithoutWelsh(shown.tool.definition).length,
          values: form,
          answers,
          ...extra,
        });
      };
      // "Work out the score" shows the score and its explanation before the worker records a judgement.
      const assessedOn = header.success ? header.data.assessedOn : toLondonFields(clock.now()).date;
      const scored = CaseworkService.score(data.tool, data.child, answers, assessedOn);
      if (!scored.ok) return again(400, { errors: answerErrors(scored.errors) });
      if (scoreOnly) {
        return again(header.success ? 200 : 400, {
          ...scoreShown(request, scored.assessment),
          ageKnown: scored.ageKnown,
          ...(header.success ? {} : { errors: formErrors(header.error) }),
        });
      }
      if (!header.success || !judgement.success) {
        const errors = formErrors({ issues: [...(header.error?.issues ?? []), ...(judgement.error?.issues ?? [])] });
        return again(400, { ...scoreShown(request, scored.assessment), ageKnown: scored.ageKnown, errors });
      }
      const created = await casework.createAssessment(request.user!, id, { ...header.data, toolId: data.tool.id }, answers, judgement.data);
      return reply.saved(`/children/${id}/assessments/${created.id}`, 'flash.assessmentSaved');
    });

    // The explanation in the page's language when the tool's score of the stored answers is still the one
    // recorded (service.ts); otherwise as it was recorded, in English.
    app.get('/children/:id/assessments/:recordId', { ...read, schema: ofRecord }, async (request, reply) => {
      const data = await casework.assessment(request.user!, request.params.id, request.params.recordId);
      const lines = data.explanationLines;
      return page(reply, 'assessment', 'assessments', {
        ...data,
        explanation: lines ? explanationIn(lines, request.language) : data.assessment.explanation,
        explanationLanguage: lines ? request.language : 'en',
      });
    });

    // ---------------------------------------------------------------- missing episodes

    const missingPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
      page(reply, 'missing', 'missing', { ...(await casework.missingPage(request.user!, id)), values: {}, ...extra });

    app.get('/children/:id/missing', { ...read, schema: ofChild }, async (request, reply) => missingPage(request, reply, request.params.id));

    app.post('/children/:id/missing', { ...write, schema: { ...ofChild, body: episodeFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError) return missingPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError) });
      try {
        await casework.createEpisode(request.user!, id, request.body);
      } catch (error) {
        if ((error as { code?: string }).code !== 'LANTERN_E_CONFLICT') throw error;
        return missingPage(request, reply.status(409), id, { values, errors: oneError('episodeType', 'casework.validation.episodeOpen') });
      }
      return reply.saved(`/children/${id}/missing`, 'flash.episodeAdded');
    });

    const reasonKey = {
      already_ended: 'casework.validation.episodeEnded',
      same_type: 'casework.validation.sameType',
      before_start: 'casework.validation.beforeStart',
      not_returned: 'casework.validation.notReturned',
      before_return: 'casework.validation.beforeReturn',
      already_recorded: 'casework.validation.interviewRecorded',
    } as const;

    /**
     * A change to one episode (its return, its type) posted from the missing page: input that does not
     * validate (400), or a change the episode's state refuses (409, by `field`), shows the page again
     * with the problem by that episode.
     */
    const episodeChange = <B extends z.ZodType>(
      action: string,
      body: B,
      field: string,
      change: (user: SessionUser, id: string, recordId: string, input: z.output<B>) => Promise<{ ok: true } | { ok: false; reason: keyof typeof reasonKey }>,
      savedKey: FlashKey,
    ) =>
      app.post(`/children/:id/missing/:recordId/${action}`, { ...write, schema: { ...ofRecord, body }, attachValidation: true }, async (request, reply) => {
        const { id, recordId } = request.params;
        if (request.validationError)
          return missingPage(request, reply.status(400), id, {
            returnValues: { [recordId]: postedForm(request) },
            errors: formErrors(request.validationError),
            errorEpisode: recordId,
          });
        const result = await change(request.user!, id, recordId, request.body as z.output<B>);
        if (!result.ok) return missingPage(request, reply.status(409), id, { errors: oneError(field, reasonKey[result.reason]), errorEpisode: recordId });
        return reply.saved(`/children/${id}/missing`, savedKey);
      });

    episodeChange(
      'return',
      episodeReturnSchema,
      'returnDate',
      (user, id, recordId, input) => casework.returnFromEpisode(user, id, recordId, input.returnedAt, input.whereFound),
      'flash.episodeReturned',
    );
    episodeChange(
      'type',
      episodeTypeChangeSchema,
      'changeDate',
      (user, id, recordId, input) => casework.changeEpisodeType(user, id, recordId, input.newType, input.at),
      'flash.episodeTypeChanged',
    );

    editForm(
      '/children/:id/missing/:recordId/edit',
      episodeEditSchema,
      ['episode-edit', 'missing'],
      (user, id, recordId) => edits.episodeEditPage(user, id, recordId),
      async (user, id, recordId, input) => {
        const result = await edits.updateEpisode(user, id, recordId, input);
        return result.ok ? null : oneError(result.field, episodeCorrectionKey(result));
      },
      (id) => `/children/${id}/missing`,
      'flash.episodeSaved',
    );

    const interviewPage = async (request: FastifyRequest, reply: FastifyReply, id: string, recordId: string, extra: Record<string, unknown>) => {
      const data = await casework.missingPage(request.user!, id);
      const episode = data.episodes.find((e) => e.id === recordId);
      if (!episode || !episode.ended_at || episode.ended_by !== 'returned' || episode.interview) return null;
      return page(reply, 'interview-form', 'missing', { ...data, episode, ...extra });
    };

    app.get('/children/:id/missing/:recordId/interview', { ...write, schema: ofRecord }, async (request, reply) => {
      const { id, recordId } = request.params;
      const rendered = await interviewPage(request, reply, id, recordId, { values: { interviewerAgencyId: request.user!.agencyId } });
      if (!rendered) return reply.redirect(`/children/${id}/missing`);
      return rendered;
    });

    app.post(
      '/children/:id/missing/:recordId/interview',
      { ...write, schema: { ...ofRecord, body: interviewFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id, recordId } = request.params;
        const values = postedForm(request);
        if (request.validationError) {
          const rendered = await interviewPage(request, reply.status(400), id, recordId, { values, errors: formErrors(request.validationError) });
          return rendered ?? reply.redirect(`/children/${id}/missing`);
        }
        const result = await casework.recordInterview(request.user!, id, recordId, request.body);
        if (!result.ok) {
          const rendered = await interviewPage(request, reply.status(409), id, recordId, { values, errors: oneError('offeredDate', reasonKey[result.reason]) });
          return rendered ?? reply.redirect(`/children/${id}/missing`);
        }
        return reply.saved(`/children/${id}/missing`, 'flash.interviewSaved');
      },
    );

    // ---------------------------------------------------------------- meetings and plan

    /** The meetings and plan page; `service` is the directory search of its GET form. */
    const meetingsPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}, service = '') => {
      const data = await casework.meetingsPage(request.user!, id);
      return page(reply, 'meetings', 'meetings', {
        ...data,
        serviceSearch: service,
        services: await referrals.directory(request.user!, service),
        referralStatuses,
        values: {},
        actionValues: {},
        referralValues: { referredByName: request.user!.displayName, referredByAgencyId: request.user!.agencyId },
        ...extra,
      });
    };

    app.get('/children/:id/meetings', { ...read, schema: { ...ofChild, querystring: referralSearchQuery } }, async (request, reply) =>
      meetingsPage(request, reply, request.params.id, {}, request.query.service),
    );

    app.post('/children/:id/meetings', { ...write, schema: { ...ofChild, body: meetingFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError)
        return meetingsPage(request, reply.status(400), id, { values: postedForm(request), errors: formErrors(request.validationError) });
      await casework.createMeeting(request.user!, id, request.body);
      return reply.saved(`/children/${id}/meetings`, 'flash.meetingAdded');
    });

    // The same schema as a new meeting: an edit is held to the same rules.
    editForm(
      '/children/:id/meetings/:recordId/edit',
      meetingFormSchema,
      ['meeting-edit', 'meetings'],
      (user, id, recordId) => edits.meetingEditPage(user, id, recordId),
      async (user, id, recordId, input) => {
        await edits.updateMeeting(user, id, recordId, input);
        return null;
      },
      (id, recordId) => `/children/${id}/meetings#meeting-${recordId}`,
      'flash.meetingSaved',
    );

    app.post('/children/:id/actions', { ...write, schema: { ...ofChild, body: actionFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError)
        return meetingsPage(request, reply.status(400), id, { actionValues: postedForm(request), errors: formErrors(request.validationError) });
      await casework.createAction(request.user!, id, request.body);
      return reply.saved(`/children/${id}/meetings#plan`, 'flash.actionAdded');
    });

    app.post('/children/:id/actions/:recordId/done', { ...write, schema: ofRecord }, async (request, reply) => {
      await casework.completeAction(request.user!, request.params.id, request.params.recordId);
      return reply.saved(`/children/${request.params.id}/meetings#plan`, 'flash.actionDone');
    });

    app.post('/children/:id/actions/:recordId/not-done', { ...write, schema: ofRecord }, async (request, reply) => {
      await edits.reopenAction(request.user!, request.params.id, request.params.recordId);
      return reply.saved(`/children/${request.params.id}/meetings#plan`, 'flash.actionReopened');
    });

    editForm(
      '/children/:id/actions/:recordId/edit',
      actionEditSchema,
      ['action-edit', 'meetings'],
      (user, id, recordId) => edits.actionEditPage(user, id, recordId),
      async (user, id, recordId, input) => {
        const result = await edits.updateAction(user, id, recordId, input);
        return result.ok ? null : oneError(result.field, result.messageKey);
      },
      (id) => `/children/${id}/meetings#plan`,
      'flash.actionSaved',
    );

    // ---------------------------------------------------------------- referrals to directory services

    app.post('/children/:id/referrals', { ...write, schema: { ...ofChild, body: referralFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const again = (errors: FormErrors) => meetingsPage(request, reply.status(400), id, { referralValues: postedForm(request), errors });
      if (request.validationError) return again(formErrors(request.validationError));
      try {
        await referrals.create(request.user!, id, request.body);
      } catch (error) {
        if (error instanceof ReferralValidationError) return again(oneError(error.field, error.messageKey));
        throw error;
      }
      return reply.saved(`/children/${id}/meetings#referrals`, 'flash.referralAdded');
    });

    app.post(
      '/children/:id/referrals/:recordId',
      { ...write, schema: { ...ofRecord, body: referralUpdateSchema }, attachValidation: true },
      async (request, reply) => {
        const { id, recordId } = request.params;
        if (request.validationError) return meetingsPage(request, reply.status(400), id, { errors: formErrors(request.validationError) });
        await referrals.update(request.user!, id, recordId, request.body);
        return reply.saved(`/children/${id}/meetings#referrals`, 'flash.referralSaved');
      },
    );

    // ---------------------------------------------------------------- notes and timeline

    app.get('/children/:id/notes', { ...read, schema: ofChild }, async (request, reply) =>
      page(reply, 'notes', 'notes', { ...(await casework.notesPage(request.user!, request.params.id)), values: {} }),
    );

    app.post('/children/:id/notes', { ...write, schema: { ...ofChild, body: noteFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        return page(reply.status(400), 'notes', 'notes', {
          ...(await casework.notesPage(request.user!, id)),
          values: postedForm(request),
          errors: formErrors(request.validationError),
        });
      }
      await casework.createNote(request.user!, id, request.body.body);
      return reply.saved(`/children/${id}/notes`, 'flash.noteAdded');
    });

    // ---------------------------------------------------------------- chronology

    const chronologyPage = { ...read, schema: { ...ofChild, querystring: chronologyQuerySchema } };
    app.get('/children/:id/chronology', chronologyPage, async (request, reply) => {
      const filters = request.query;
      const chronology = await casework.chronology(request.user!, request.params.id, filters);
      return page(reply, 'chronology', 'timeline', {
        ...chronology,
        filters,
        kinds: chronologyKinds,
        filtered: filters.types.length > 0 || filters.agency !== undefined,
        query: chronologyQueryString(filters),
      });
    });

    app.get(
      '/children/:id/chronology/:format',
      { ...read, schema: { params: chronologyDocumentParams, querystring: chronologyDocumentQuery } },
      async (request, reply) => {
        const { id, format } = request.params;
        const { filters } = request.query;
        // Welsh or English, chosen at download (issue 11); without a choice, the page's language.
        const language = request.query.language ?? request.language;
        const file = await casework.chronologyDocument(request.user!, id, filters, format, language, async (chronology) => {
          const content = chronologyDocumentText(chronology, filters, language, { printedAt: clock.now(), by: request.user!.displayName, demo });
          if (format === 'pdf') return pdf.print(reply.documentHtml(view('chronology-document'), { ...chronology, ...content }, language));
          return chronologyToDocx({ ...content, entries: chronology.entries });
        });
        return reply
          .header('Content-Type', chronologyContentTypes[format])
          .header('Content-Disposition', `attachment; filename="${file.fileName.replace(/[^A-Za-z0-9._-]/g, '-')}"`)
          .header('X-Content-Type-Options', 'nosniff')
          .send(file.body);
      },
    );

    // The journey became the chronology (issue 10); an old link or bookmark still arrives.
    app.get('/children/:id/timeline', { ...read, schema: ofChild }, async (request, reply) => reply.redirect(`/children/${request.params.id}/chronology`));

    // ---------------------------------------------------------------- worklists

    app.get('/worklists', { config: { permission: 'worklists.view' as const }, schema: { querystring: worklistQuerySchema } }, async (request, reply) =>
      reply.page(view('worklists'), { query: request.query, ...(await casework.worklists(request.user!, request.query)) }),
    );
  },
};
