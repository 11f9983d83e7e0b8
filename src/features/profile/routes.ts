import { requestTranslator } from '../../i18n/i18n.ts';
import type { FastifyRequest } from 'fastify';
import { fieldErrors, formErrors, postedForm } from '../../web/forms.ts';
import { refusalMessage } from '../../uploads/limits.ts';
import type { Feature } from '../feature.ts';
import { measures, sections, total, type MeasureDefinition } from './catalogue.ts';
import { trendChartSvg } from './chart.ts';
import type { ProfileCell } from './figures.ts';
import { partnershipArea, periodMonths, quarterKey, type Period } from './period.ts';
import { populationImportSchema, profileQuerySchema } from './schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/profile/views/${name}.njk`;

/** Categories whose labels another feature already has. */
const sharedCategoryLabels: Record<string, string> = {
  tactic: 'disruption.tactics.',
  audience: 'assurance.audience.',
  closing_outcome: 'children.outcomes.',
  agency_kind: 'agencyKinds.',
};
export const categoryLabelKey = (breakdown: string, category: string) =>
  category === total ? 'profile.total' : (sharedCategoryLabels[breakdown] ?? `profile.categories.${breakdown}.`) + category;

/** A period's label in the page's language: 'July to September 2026 (2026-Q3)'. */
function periodLabel(period: Period, language: 'en' | 'cy'): string {
  return t(`profile.periodKinds.${period.kind}`, { ...periodMonths(period, language), key: period.key });
}

/** The cells as the page's tables: each measure's breakdowns, each a table of categories with the Total last. */
function tablesOf(cells: readonly ProfileCell[]) {
  return sections
    .map((section) => ({
      section,
      measures: Object.entries(measures as Record<string, MeasureDefinition>)
        .filter(([, d]) => d.section === section)
        .map(([measure, d]) => ({
          measure,
          breakdowns: Object.keys(d.breakdowns)
            .map((breakdown) => ({
              breakdown,
              rows: cells
                .filter((c) => c.measure === measure && c.breakdown === breakdown)
                .map((c) => ({ category: c.category, label: t(categoryLabelKey(breakdown, c.category)), value: c.value, total: c.category === total })),
            }))
            .filter((b) => b.rows.length > 0),
        }))
        .filter((m) => m.breakdowns.length > 0),
    }))
    .filter((s) => s.measures.length > 0);
}

/** The problem profile (issue 13 §1): the analyst's page of unsuppressed figures, and the population estimates. */
export const profileFeature: Feature = {
  name: 'profile',
  async register(app, { profile }) {
    const read = { config: { permission: 'profile.read_unsuppressed' as const } };
    const manage = { config: { permission: 'profile.populations.manage' as const } };

    app.get('/profile', { ...read, schema: { querystring: profileQuerySchema } }, async (request, reply) => {
      const page = await profile.page(request.user!, request.query);
      const language = request.language;
      const trend = await Promise.all(
        page.trend.map(async (s) => {
          const points = s.points.map((p) => ({ label: quarterKey(p.quarter), value: p.value }));
          return { ...s, points, chart: await trendChartSvg(points) };
        }),
      );
      const areaName = page.area === partnershipArea ? null : (page.localities.find((l) => l.id === page.area)?.name ?? null);
      return reply.page(view('profile'), {
        period: { ...page.period, label: periodLabel(page.period, language) },
        area: page.area,
        areaName,
        periods: page.periods.map((p) => ({ value: p.key, text: periodLabel(p, language), selected: p.key === page.period.key })),
        areas: [
          { value: partnershipArea, text: t('profile.wholePartnership'), selected: page.area === partnershipArea },
          ...page.localities.map((l) => ({ value: l.id, text: l.name, selected: l.id === page.area })),
        ],
        tables: tablesOf(page.cells),
        trend,
        themes: page.themes,
        comparison: page.comparison,
      });
    });

    // ---- The population estimates (per area per year), imported as CSV ----
    const populationsPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
      const { rows, localities } = await profile.populations(request.user!);
      const names = new Map(localities.map((l) => [l.id, l.name]));
      return {
        rows: rows.map((r) => ({ ...r, name: r.area === partnershipArea ? t('profile.wholePartnership') : (names.get(r.area) ?? r.area) })),
        localities,
        // The file's machine words (the heading, `partnership`) are the same in either language.
        example: ['area,year,children', 'partnership,2026,52400', ...localities.slice(0, 1).map((l) => `${l.name},2026,14100`)].join('\n'),
        values: {},
        ...extra,
      };
    };
    app.get('/admin/populations', manage, async (request, reply) => reply.page(view('populations'), await populationsPage(request)));
    app.post('/admin/populations', { ...manage, schema: { body: populationImportSchema }, attachValidation: true }, async (request, reply) => {
      const values = postedForm(request);
      if (request.validationError)
        return reply.status(400).page(view('populations'), await populationsPage(request, { values, errors: formErrors(request.validationError) }));
      const result = await profile.importPopulations(request.user!, request.body.csv);
      if (result.ok) return reply.saved('/admin/populations', 'flash.profile.populationsImported', { rows: result.rows.length });
      const messages = result.refusal
        ? [refusalMessage(result.refusal, t)]
        : result.errors.map((e) => t('profile.populations.errors.onLine', { line: e.line, message: t(e.messageKey) }));
      const errors = fieldErrors('csv', messages);
      return reply.status(400).page(view('populations'), await populationsPage(request, { values, errors }));
    });
  },
};
