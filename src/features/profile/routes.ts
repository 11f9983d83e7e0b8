import { requestTranslator, translator } from '../../i18n/i18n.ts';
import type { FastifyRequest } from 'fastify';
import { fieldErrors, formErrors, postedForm, singleError } from '../../web/forms.ts';
import { refusalMessage } from '../../uploads/limits.ts';
import type { Feature, LanternApp } from '../feature.ts';
import { acceptUploads } from '../../uploads/multipart.ts';
import { populationImportLimits } from './populations.ts';
import { trendChartSvg } from './chart.ts';
import { tablesOf } from './tables.ts';
import { partnershipArea, periodMonths, quarterKey, type Period } from './period.ts';
import { can } from '../../authz/policy.ts';
import { downloadName, profileCsv, profileXlsx, type Download } from './downloads.ts';
import { ComparisonOfferError, type Locality } from './service.ts';
import { annualDocument, annualFileName } from './annual.ts';
import { annualToDocx } from './annual-docx.ts';
import { annualQuerySchema, comparisonOfferSchema, populationImportSchema, profileQuerySchema } from './schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/profile/views/${name}.njk`;

/** A period's label in the page's language: 'July to September 2026 (2026-Q3)'. */
function periodLabel(period: Period, language: 'en' | 'cy'): string {
  return t(`profile.periodKinds.${period.kind}`, { ...periodMonths(period, language), key: period.key });
}

/**
 * The problem profile (issue 13 §1–3): the analyst's page of unsuppressed figures ("Not for
 * publication"), the published view (disclosure control applied: all a board member sees, and an
 * analyst's preview), the downloads, and the population estimates.
 */
export const profileFeature: Feature = {
  name: 'profile',
  async register(app, { profile, disclosure, clock, pdf }) {
    const read = { config: { permission: 'profile.read_published' as const } };
    const manage = { config: { permission: 'profile.populations.manage' as const } };

    app.get('/profile', { ...read, schema: { querystring: profileQuerySchema } }, async (request, reply) => {
      const user = request.user!;
      const language = request.language;
      const mayUnsuppressed = can(user, 'profile.read_unsuppressed');
      // A board member always sees the published view; an analyst may preview it.
      const asPublished = !mayUnsuppressed || request.query.view === 'published';
      const selection = { period: request.query.period, area: request.query.area };
      const common = (page: { period: Period; area: string; periods: Period[]; localities: Locality[]; asAt: Date }) => {
        const areaName = page.area === partnershipArea ? null : (page.localities.find((l) => l.id === page.area)?.name ?? null);
        const query = new URLSearchParams({ period: page.period.key, area: page.area, ...(asPublished && mayUnsuppressed ? { view: 'published' } : {}) });
        return {
          period: { ...page.period, label: periodLabel(page.period, language) },
          area: page.area,
          areaName,
          periods: page.periods.map((p) => ({ value: p.key, text: periodLabel(p, language), selected: p.key === page.period.key })),
          areas: [
            { value: partnershipArea, text: t('profile.wholePartnership'), selected: page.area === partnershipArea },
            ...page.localities.map((l) => ({ value: l.id, text: l.name, selected: l.id === page.area })),
          ],
          published: asPublished,
          mayUnsuppressed,
          views: mayUnsuppressed
            ? [
                { value: 'unsuppressed', text: t('published.views.unsuppressed'), selected: !asPublished },
                { value: 'published', text: t('published.views.published'), selected: asPublished },
              ]
            : null,
          downloadQuery: query.toString(),
          asAt: page.asAt,
          // The annual document: the year the page shows, or the 12 months to its quarter; always published figures.
          annualQuery: new URLSearchParams({ period: page.period.kind === 'quarter' ? `R12-${page.period.key}` : page.period.key, area: page.area }).toString(),
        };
      };
      const withCharts = (
        series: readonly { measure: string; points: { quarter: string; value: number | string }[]; direction: string; change: number | null }[],
      ) =>
        Promise.all(
          series.map(async (s) => {
            const points = s.points.map((p) => ({ label: quarterKey(p.quarter), value: p.value }));
            // A withheld quarter is drawn as no bar (its value is the symbol in the table beside the chart).
            const drawn = points.map((p) => ({ label: p.label, value: typeof p.value === 'number' ? p.value : 0 }));
            return { ...s, points, chart: await trendChartSvg(drawn) };
          }),
        );
      if (asPublished) {
        const settings = await disclosure.settings(user);
        const page = await profile.published(user, selection, settings);
        const p = page.published;
        return reply.page(view('profile'), {
          ...common(page),
          settings,
          tables: tablesOf(p.cells, t),
          trend: await withCharts(p.trend),
          themes: p.themes,
          comparison: p.comparison,
          neighbours: page.neighbours,
        });
      }
      const page = await profile.page(user, selection);
      return reply.page(view('profile'), {
        ...common(page),
        tables: tablesOf(page.cells, t),
        trend: await withCharts(page.trend),
        themes: page.themes,
        comparison: page.comparison,
        neighbours: page.neighbours,
      });
    });

    // ---- Every figure the page shows, as CSV or XLSX (issue 13 §3) ----
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(`/profile/figures.${format}`, { ...read, schema: { querystring: profileQuerySchema } }, async (request, reply) => {
        const user = request.user!;
        // Unsuppressed only for a role that may read them and did not ask for the published figures.
        const unsuppressed = can(user, 'profile.read_unsuppressed') && request.query.view !== 'published';
        const settings = await disclosure.settings(user);
        const result = await profile.exportFigures(user, { period: request.query.period, area: request.query.area }, { unsuppressed, settings, format });
        const download: Download = {
          ...result,
          periodLabel: periodLabel(result.period, request.language),
          settings,
          unsuppressed,
          madeAt: clock.now(),
        };
        const body = format === 'csv' ? profileCsv(download) : await profileXlsx(download, t, request.language);
        return reply
          .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
          .header('content-disposition', `attachment; filename="${downloadName(download, format)}"`)
          .header('cache-control', 'no-store')
          .send(body);
      });
    }

    // ---- The annual problem profile as a document (issue 13 §1 "Views"): published figures only ----
    for (const format of ['docx', 'pdf'] as const) {
      app.get(`/profile/annual.${format}`, { ...read, schema: { querystring: annualQuerySchema } }, async (request, reply) => {
        const user = request.user!;
        // Welsh or English, chosen at download (issue 11); without a choice, the page's language.
        const language = request.query.language ?? request.language;
        const settings = await disclosure.settings(user);
        const result = await profile.annualDocument(user, { period: request.query.period, area: request.query.area }, { settings, format, language });
        const doc = annualDocument({ ...result, partnershipName: user.partnershipName, madeAt: clock.now() }, translator(language), language);
        // The PDF draws each trend as a chart beside its table (a withheld quarter is no bar, and `c` in the table).
        const charts = async () =>
          Promise.all(
            result.published.trend.map(async (s) => ({
              measure: s.measure,
              svg: await trendChartSvg(
                s.points.map((p) => ({ label: quarterKey(p.quarter), value: typeof p.value === 'number' ? p.value : 0 })),
                language,
              ),
            })),
          );
        const body =
          format === 'docx'
            ? await annualToDocx(doc)
            : await pdf.print(reply.documentHtml(view('annual-document'), { doc, charts: await charts(), symbol: settings.symbol }, language));
        return reply
          .header('content-type', format === 'docx' ? 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' : 'application/pdf')
          .header('content-disposition', `attachment; filename="${annualFileName(result, format, language)}"`)
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .send(body);
      });
    }

    // ---- The population estimates (per area per year), imported as CSV ----
    const populationsPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
      const { rows, localities } = await profile.populations(request.user!);
      const names = new Map(localities.map((l) => [l.id, l.name]));
      return {
        rows: rows.map((r) => ({ ...r, name: r.area === partnershipArea ? t('profile.wholePartnership') : (names.get(r.area) ?? r.area) })),
        localities,
        // The file's machine words (the heading, `partnership`) are the same in either language.
        example: ['area,year,children', 'partnership,2026,52400', ...localities.slice(0, 1).map((l) => `${l.name},2026,14100`)].join('\n'),
        maxKilobytes: Math.floor(populationImportLimits.maxFileBytes / 1024),
        values: {},
        mayCompare: can(request.user, 'profile.comparison.manage'),
        ...extra,
      };
    };
    app.get('/admin/populations', manage, async (request, reply) => reply.page(view('populations'), await populationsPage(request)));
    // The estimates come as a CSV file or pasted. Multipart only in this encapsulated context, as the
    // other uploads do; a file over the limit comes cut, and the reading refuses it.
    await app.register(async (scoped: LanternApp) => {
      await acceptUploads(scoped, populationImportLimits, { fields: 3, parts: 4 });
      scoped.post('/admin/populations', { ...manage, schema: { body: populationImportSchema }, attachValidation: true }, async (request, reply) => {
        // A chosen file cannot be put back into its input; the pasted text can.
        const pasted = postedForm(request).csv;
        const values = { csv: typeof pasted === 'string' ? pasted : '' };
        if (request.validationError)
          return reply.status(400).page(view('populations'), await populationsPage(request, { values, errors: formErrors(request.validationError) }));
        const { field, text } = request.body;
        const result = await profile.importPopulations(request.user!, text);
        if (result.ok) return reply.saved('/admin/populations', 'flash.profile.populationsImported', { rows: result.rows.length });
        const messages = result.refusal
          ? [refusalMessage(result.refusal, t)]
          : result.errors.map((e) => t('profile.populations.errors.onLine', { line: e.line, message: t(e.messageKey) }));
        const errors = fieldErrors(field, messages);
        return reply.status(400).page(view('populations'), await populationsPage(request, { values, errors }));
      });
    });

    // ---- Comparison with neighbouring partnerships that agree to compare (migration 0450) ----
    const compare = { config: { permission: 'profile.comparison.manage' as const } };
    const offersPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
      const { statuses, choices } = await profile.comparisonOffers(request.user!);
      return {
        statuses,
        choices: [{ value: '', text: t('neighbours.admin.choose') }, ...choices.map((c) => ({ value: c.id, text: c.name }))],
        ...extra,
      };
    };
    app.get('/admin/profile-comparison', compare, async (request, reply) => reply.page(view('comparison-offers'), await offersPage(request)));
    app.post('/admin/profile-comparison', { ...compare, schema: { body: comparisonOfferSchema }, attachValidation: true }, async (request, reply) => {
      const refuse = async (messageKey: string) =>
        reply
          .status(400)
          .page(
            view('comparison-offers'),
            await offersPage(request, { errors: singleError('partnership', t(messageKey)), chosen: postedForm(request).partnership }),
          );
      if (request.validationError) return refuse('neighbours.errors.partnershipRequired');
      try {
        const offered = await profile.offerComparison(request.user!, request.body.partnership);
        return reply.saved('/admin/profile-comparison', offered.agreed ? 'flash.profile.comparisonAgreed' : 'flash.profile.comparisonOffered', {
          name: offered.name,
        });
      } catch (error) {
        if (error instanceof ComparisonOfferError && error.reason !== 'notOffered') return refuse(`neighbours.errors.${error.reason}`);
        throw error;
      }
    });
    app.post('/admin/profile-comparison/withdraw', { ...compare, schema: { body: comparisonOfferSchema } }, async (request, reply) => {
      const withdrawn = await profile.withdrawComparison(request.user!, request.body.partnership);
      return reply.saved('/admin/profile-comparison', 'flash.profile.comparisonWithdrawn', { name: withdrawn.name });
    });
  },
};
