import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { translator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams, recordParams } from '../../web/params.ts';
import type { LanternApp } from '../feature.ts';
import type { Services } from '../../services.ts';
import { riskLevels } from '../assessments/risk-level.ts';
import { ageBands, childFilterQuery, filterQueryString, listSorts, riskFilters, type ChildFilters } from './cohort-schema.ts';
import { countCap, exportCap, pageSize } from './cohort.ts';
import { addFlagSchema, correctFlagSchema, dateInputValues, endFlagSchema, flagKinds, nrmDecisions } from './flag-schema.ts';
import { FlagValidationError } from './flags.ts';

const t = translator('en');
const view = (name: string) => `features/children/views/${name}.njk`;

/** Date fields' error summary entries link to the day box of their GOV.UK date input. */
const dateFields = new Set(['startDate', 'endDate', 'nrmReferredOn']);
const placement = (prefix = '') => ({
  href: (field: string) => `${prefix}${field}${dateFields.has(field) ? '-day' : ''}`,
  key: (field: string) => `${prefix}${field}`,
});

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

  const refused = (error: unknown, prefix = ''): FormErrors | null =>
    error instanceof FlagValidationError ? singleError(`${prefix}${error.field}${dateFields.has(error.field) ? '-day' : ''}`, t(error.messageKey)) : null;
  /** A refusal's message under the field's own key (the error summary links to the day box). */
  const fieldKeyed = (errors: FormErrors, field: string): FormErrors => ({ list: errors.list, fields: { [field]: errors.list[0]! } });

  app.post('/children/:id/flags', { ...write, schema: { params: idParams, body: addFlagSchema }, attachValidation: true }, async (request, reply) => {
    const { id } = request.params;
    const values = postedForm(request);
    if (request.validationError) return flagsPage(request, reply.status(400), id, { values, errors: formErrors(request.validationError, placement()) });
    try {
      await children.flags.addFlag(request.user!, id, request.body);
    } catch (error) {
      const errors = refused(error);
      if (!errors || !(error instanceof FlagValidationError)) throw error;
      return flagsPage(request, reply.status(400), id, { values, errors: fieldKeyed(errors, error.field) });
    }
    return reply.redirect(`/children/${id}/flags?saved=added`);
  });

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
      ...dateInputValues('startDate', flag.started_on),
      ...dateInputValues('endDate', flag.ended_on),
      ...dateInputValues('nrmReferredOn', flag.nrm_referred_on),
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
  app.post(
    '/children/:id/flags/:recordId',
    { ...write, schema: { params: recordParams, body: correctFlagSchema }, attachValidation: true },
    async (request, reply) => {
      const { id, recordId } = request.params;
      const values = postedForm(request);
      if (request.validationError)
        return flagEditPage(request, reply.status(400), id, recordId, { values, errors: formErrors(request.validationError, placement()) });
      try {
        await children.flags.correctFlag(request.user!, id, recordId, request.body);
      } catch (error) {
        const errors = refused(error);
        if (!errors || !(error instanceof FlagValidationError)) throw error;
        return flagEditPage(request, reply.status(400), id, recordId, { values, errors: fieldKeyed(errors, error.field) });
      }
      return reply.redirect(`/children/${id}/flags?saved=corrected`);
    },
  );
  app.post(
    '/children/:id/flags/:recordId/end',
    { ...write, schema: { params: recordParams, body: endFlagSchema }, attachValidation: true },
    async (request, reply) => {
      const { id, recordId } = request.params;
      const endValues = postedForm(request);
      if (request.validationError)
        return flagEditPage(request, reply.status(400), id, recordId, { endValues, endErrors: formErrors(request.validationError, placement('end-')) });
      try {
        await children.flags.endFlag(request.user!, id, recordId, request.body);
      } catch (error) {
        const errors = refused(error, 'end-');
        if (!errors || !(error instanceof FlagValidationError)) throw error;
        return flagEditPage(request, reply.status(400), id, recordId, { endValues, endErrors: fieldKeyed(errors, `end-${error.field}`) });
      }
      return reply.redirect(`/children/${id}/flags?saved=ended`);
    },
  );
}
