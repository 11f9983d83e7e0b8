import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, type FieldPlacement, type InvalidInput } from '../../web/forms.ts';
import { idParams, recordParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import type { Services } from '../../services.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { ageBands, childFilterQuery, filterQueryString, listSorts, riskFilters, type ChildFilters } from './cohort-schema.ts';
import { countCap, exportCap, pageSize } from './cohort.ts';
import { addFlagSchema, correctFlagSchema, endFlagSchema, flagKinds, nrmDecisions } from './flag-schema.ts';
import { FlagValidationError } from './flags.ts';

const t = requestTranslator();
const view = (name: string) => `features/children/views/${name}.njk`;

/**
 * Where a field's message links: its id (`idPrefix` on a page with two forms), the day box of a date
 * input. The messages stay under the fields' own names, as the date input macro reads them.
 */
const dateFields = new Set(['startDate', 'endDate', 'nrmReferredOn']);
const placement = (idPrefix = ''): FieldPlacement => ({ href: (field: string) => `${idPrefix}${field}${dateFields.has(field) ? '-day' : ''}` });

const savedQuery = z.object({ saved: z.enum(['added', 'ended', 'corrected']).optional().catch(undefined) });

/** The children list with its filters, sorts, pages and exports; a child's flags (issue 10 §3). */
export async function registerCohortRoutes(app: LanternApp, { children }: Services) {
  const read = { config: { permission: 'children.read' as const } };
  const write = { config: { permission: 'children.write' as const } };
  const exporting = { config: { permission: 'children.export' as const } };

  const listPage = async (request: FastifyRequest, reply: FastifyReply, filters: ChildFilters, extra: Record<string, unknown> = {}) => {
    const list = await children.cohort.list(request.user!, filters);
    const query = (overrides: Partial<Pick<ChildFilters, 'page' | 'sort'>> = {}) => filterQueryString(filters, overrides);
    const lastPage = list.countCapped ? null : Math.max(1, Math.ceil(list.count / pageSize));
    return reply.page(view('children'), {
      ...list,
      filters,
      status: filters.status,
      page: filters.page,
      pageSize,
      lastPage,
      countCap,
      exportCap,
      filterQuery: query(),
      pageHref: (page: number) => `/children?${query({ page })}`,
      exportQuery: query({ page: 1 }),
      riskFilters,
      riskLevels,
      flagKinds,
      ageBands,
      listSorts,
      values: {},
      filtered:
        filters.risk.length + filters.flag.length > 0 || Boolean(filters.agency || filters.worker || filters.locality || filters.age || filters.missing),
      ...extra,
    });
  };

  app.get('/children', { ...read, schema: { querystring: childFilterQuery } }, async (request, reply) => listPage(request, reply, request.query));

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/children/export.${format}`, { ...exporting, schema: { querystring: childFilterQuery } }, async (request, reply) => {
      const result = await children.cohort.export(request.user!, request.query, format);
      if (result.tooMany)
        return listPage(
          request,
          reply.status(409),
          { ...request.query, page: 1 },
          {
            errors: { list: [{ text: t('children.export.tooMany', { cap: exportCap.toLocaleString('en-GB') }), href: '#result-count' }], fields: {} },
          },
        );
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="children.${format}"`)
        .send(result.body);
    });
  }

  // ---- A child's flags ----
  const flagsPage = async (request: FastifyRequest, reply: FastifyReply, id: string, extra: Record<string, unknown> = {}) =>
    reply.page(view('flags'), {
      ...(await children.flags.flagsPage(request.user!, id)),
      flagKinds,
      nrmDecisions,
      childNav: true,
      active: 'flags',
      values: {},
      ...extra,
    });

  app.get('/children/:id/flags', { ...read, schema: { params: idParams, querystring: savedQuery } }, async (request, reply) =>
    flagsPage(request, reply, request.params.id, { saved: request.query.saved }),
  );

  // Correcting or ending one flag: its own page, with the flag's details filled in.
  const flagEditPage = async (request: FastifyRequest, reply: FastifyReply, id: string, flagId: string, extra: Record<string, unknown> = {}) => {
    const page = await children.flags.flagsPage(request.user!, id);
    const flag = page.flags.find((f) => f.id === flagId);
    if (!flag) return reply.callNotFound();
    const values = {
      source: flag.source,
      sourceAgencyId: flag.source_agency_id,
      note: flag.note,
      placingAuthority: flag.placing_authority,
      placedHereByOtherAuthority: flag.placed_here_by_other_authority ? 'yes' : '',
      placedOutOfArea: flag.placed_out_of_area ? 'yes' : '',
      nrmDecision: flag.nrm_decision,
      // The date inputs show a stored 'YYYY-MM-DD' as its boxes (web/views/partials/date-input.njk).
      startDate: flag.started_on,
      endDate: flag.ended_on,
      nrmReferredOn: flag.nrm_referred_on,
    };
    return reply.page(view('flag-edit'), {
      ...page,
      flag,
      flagChanges: page.changes.filter((c) => c.flag_id === flagId),
      nrmDecisions,
      childNav: true,
      active: 'flags',
      values,
      endValues: {},
      ...extra,
    });
  };
  app.get('/children/:id/flags/:recordId', { ...read, schema: { params: recordParams } }, async (request, reply) =>
    flagEditPage(request, reply, request.params.id, request.params.recordId),
  );

  /** What the service refused when saving (a FlagValidationError, as an issue on its field), or nothing when it saved. */
  const refusal = async (save: () => Promise<unknown>): Promise<InvalidInput | null> => {
    try {
      await save();
      return null;
    } catch (error) {
      if (!(error instanceof FlagValidationError)) throw error;
      return { issues: [{ path: [error.field], message: error.messageKey }] };
    }
  };
  /**
   * A flag form's post: saved, back to the flags page with its banner; refused by its schema or by
   * the service, its page again (the flags page, or the flag's own with `recordId`) with what was
   * typed and why, under the names `form` gives them (`idPrefix`: its fields' ids, on a page of two forms).
   */
  const saveFlag = async (
    request: FastifyRequest,
    reply: FastifyReply,
    { id, recordId }: { id: string; recordId?: string },
    saved: 'added' | 'ended' | 'corrected',
    save: () => Promise<unknown>,
    form: { values: string; errors: string; idPrefix?: string } = { values: 'values', errors: 'errors' },
  ) => {
    const invalid = request.validationError ?? (await refusal(save));
    if (!invalid) return reply.redirect(`/children/${id}/flags?saved=${saved}`);
    const extra = { [form.values]: postedForm(request), [form.errors]: formErrors(invalid, placement(form.idPrefix)) };
    return recordId ? flagEditPage(request, reply.status(400), id, recordId, extra) : flagsPage(request, reply.status(400), id, extra);
  };

  app.post('/children/:id/flags', { ...write, schema: { params: idParams, body: addFlagSchema }, attachValidation: true }, async (request, reply) =>
    saveFlag(request, reply, request.params, 'added', () => children.flags.addFlag(request.user!, request.params.id, request.body)),
  );
  app.post(
    '/children/:id/flags/:recordId',
    { ...write, schema: { params: recordParams, body: correctFlagSchema }, attachValidation: true },
    async (request, reply) =>
      saveFlag(request, reply, request.params, 'corrected', () =>
        children.flags.correctFlag(request.user!, request.params.id, request.params.recordId, request.body),
      ),
  );
  // The end form shares its page with the correction form: its own values, errors and field ids.
  const endForm = { values: 'endValues', errors: 'endErrors', idPrefix: 'end-' };
  app.post(
    '/children/:id/flags/:recordId/end',
    { ...write, schema: { params: recordParams, body: endFlagSchema }, attachValidation: true },
    async (request, reply) =>
      saveFlag(
        request,
        reply,
        request.params,
        'ended',
        () => children.flags.endFlag(request.user!, request.params.id, request.params.recordId, request.body),
        endForm,
      ),
  );
}
