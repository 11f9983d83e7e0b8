// The annual problem profile as a document (issue 13 §1 "Views"), laid out as a council's problem
// profile: a title page, contents, an executive summary of the key figures, a chapter for each
// section of the catalogue, the eight-quarter trends with their direction of change, themes, the
// areas compared, and "About these figures". One model in the language chosen at download, written as
// DOCX (annual-docx.ts) and printed as a PDF (views/annual-document.njk), so the two say the same.
// A published output: it is made from the controlled profile (published.ts) only, never from the
// unsuppressed figures, whoever downloads it.
import type { TFunction } from 'i18next';
import { formatDate } from '../../dates.ts';
import type { Language } from '../../i18n/i18n.ts';
import { formatNumber } from '../../numbers.ts';
import { measures, total, type MeasureDefinition } from './catalogue.ts';
import { partnershipArea, periodMonths, quarterKey, type Period } from './period.ts';
import type { PublishedProfile, PublishedValue } from './published.ts';
import { tablesOf } from './tables.ts';

export interface DocumentTable {
  caption: string;
  header: string[];
  /** A row's first cell is its header; `total` rows are the sums (shown in bold). */
  rows: { cells: string[]; total: boolean }[];
}

export type DocumentBlock = { kind: 'heading'; text: string } | { kind: 'paragraph'; text: string } | { kind: 'table'; table: DocumentTable };

export interface DocumentChapter {
  id: string;
  heading: string;
  blocks: DocumentBlock[];
}

export interface AnnualDocument {
  language: Language;
  title: string;
  /** The title page's lines under the title. */
  partnershipName: string;
  areaName: string;
  periodTitle: string;
  periodLabel: string;
  produced: string;
  status: string;
  contentsHeading: string;
  chapters: DocumentChapter[];
}

export interface AnnualInput {
  published: PublishedProfile;
  period: Period;
  partnershipName: string;
  /** The locality's name, or null for the whole partnership. */
  areaName: string | null;
  madeAt: Date;
}

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

/** The period as the title page names it: 'Financial year 2026–27', 'Calendar year 2026', '12 months to September 2026'. */
export function periodTitle(period: Period, t: TFunction, language: Language): string {
  const year = Number(period.start.slice(0, 4));
  if (period.kind === 'financial_year') return t('annual.periodTitle.financial_year', { years: `${year}–${String((year + 1) % 100).padStart(2, '0')}` });
  if (period.kind === 'calendar_year') return t('annual.periodTitle.calendar_year', { year });
  return t(`annual.periodTitle.${period.kind}`, periodMonths(period, language));
}

/** The annual problem profile in `language`, from the published (controlled) profile alone. */
export function annualDocument(input: AnnualInput, t: TFunction, language: Language): AnnualDocument {
  const { published, period } = input;
  const { symbol } = published.settings;
  const fig = (value: PublishedValue | null) => (value === null ? '' : typeof value === 'number' ? formatNumber(value, language) : value);
  const measureName = (measure: string) => t(`profile.measures.${measure}`);
  const areaName = input.areaName ?? t('profile.wholePartnership');
  const periodLabel = t(`profile.periodKinds.${period.kind}`, { ...periodMonths(period, language), key: period.key });
  const change = (value: number | null) =>
    value === null
      ? t('annual.change.hidden', { symbol })
      : value > 0
        ? t('annual.change.up', { change: formatNumber(value, language) })
        : value < 0
          ? t('annual.change.down', { change: formatNumber(-value, language) })
          : t('annual.change.same');
  // The last quarter against the same quarter a year before (stocks and flows alike), when both are published.
  const yearChange = (points: readonly { value: PublishedValue }[]) => {
    const last = points.at(-1)?.value;
    const yearBefore = points.at(-5)?.value;
    return typeof last === 'number' && typeof yearBefore === 'number' ? last - yearBefore : null;
  };
  const headlineTotal = (measure: string): PublishedValue | null => {
    const breakdown = Object.keys((measures as Record<string, MeasureDefinition>)[measure]!.breakdowns)[0];
    return published.cells.find((c) => c.measure === measure && c.breakdown === breakdown && c.category === total)?.value ?? null;
  };
  const paragraph = (text: string): DocumentBlock => ({ kind: 'paragraph', text });
  const heading = (text: string): DocumentBlock => ({ kind: 'heading', text });
  const table = (caption: string, header: string[], rows: DocumentTable['rows']): DocumentBlock => ({ kind: 'table', table: { caption, header, rows } });

  // ---- Executive summary ----
  const summary: DocumentBlock[] = [
    paragraph(
      t('annual.summary.intro', {
        partnership: input.partnershipName,
        where: input.areaName === null ? t('annual.summary.wherePartnership') : t('annual.summary.whereArea', { area: input.areaName }),
        period: periodLabel,
      }),
    ),
    table(
      t('annual.summary.keyFigures'),
      [t('annual.measure'), t('annual.summary.inPeriod'), t('annual.onQuarterBefore'), t('annual.onYearBefore')],
      published.trend.map((s) => ({
        cells: [measureName(s.measure), fig(headlineTotal(s.measure)), change(s.change), change(yearChange(s.points))],
        total: false,
      })),
    ),
  ];
  const topTheme = published.themes[0];
  if (topTheme)
    summary.push(
      paragraph(
        t('annual.summary.topTheme', {
          pair: t('profile.themes.together', { first: t(`profile.markers.${topTheme.first}`), second: t(`profile.markers.${topTheme.second}`) }),
          children: fig(topTheme.children),
        }),
      ),
    );
  summary.push(paragraph(t('sdc.note', { symbol, threshold: published.settings.threshold })));

  // ---- A chapter for each section of the catalogue ----
  const sectionChapters: DocumentChapter[] = tablesOf(published.cells, t).map((s) => ({
    id: `section-${s.section}`,
    heading: t(`profile.sections.${s.section}`),
    blocks: s.measures.flatMap((m) => [
      heading(measureName(m.measure)),
      paragraph(t(`profile.measureNotes.${m.measure}`)),
      ...m.breakdowns.map((b) =>
        table(
          t('profile.tableLabel', { measure: measureName(m.measure), breakdown: t(`profile.breakdowns.${b.breakdown}`) }),
          [capitalise(t(`profile.breakdowns.${b.breakdown}`)), t('profile.count')],
          b.rows.map((r) => ({ cells: [r.label, fig(r.value)], total: r.total })),
        ),
      ),
    ]),
  }));

  // ---- Trends ----
  const quarters = published.trend[0]?.points.map((p) => quarterKey(p.quarter)) ?? [];
  const trends: DocumentBlock[] = [
    paragraph(t('profile.trend.intro')),
    table(
      t('annual.trends.byQuarter'),
      [t('annual.measure'), ...quarters],
      published.trend.map((s) => ({ cells: [measureName(s.measure), ...s.points.map((p) => fig(p.value))], total: false })),
    ),
    table(
      t('annual.trends.direction'),
      [t('annual.measure'), t('annual.onQuarterBefore'), t('annual.onYearBefore')],
      published.trend.map((s) => ({ cells: [measureName(s.measure), change(s.change), change(yearChange(s.points))], total: false })),
    ),
    paragraph(t('annual.trends.note', { symbol })),
  ];

  // ---- Themes ----
  const themes: DocumentBlock[] = [paragraph(t('profile.themes.intro'))];
  themes.push(
    published.themes.length === 0
      ? paragraph(t('profile.themes.none'))
      : table(
          t('profile.themes.title'),
          [t('profile.themes.pair'), t('profile.themes.children')],
          published.themes.map((th) => ({
            cells: [t('profile.themes.together', { first: t(`profile.markers.${th.first}`), second: t(`profile.markers.${th.second}`) }), fig(th.children)],
            total: false,
          })),
        ),
  );

  // ---- Areas compared ----
  const areaLabel = (row: PublishedProfile['comparison'][number]) =>
    row.name ?? (row.area === 'partnership' ? t('profile.comparison.partnershipAverage') : t('profile.comparison.notRecorded'));
  const compared = published.comparison[0]?.figures.map((f) => f.measure) ?? [];
  const population = (row: PublishedProfile['comparison'][number]) =>
    row.population === null ? t('profile.comparison.noPopulation') : `${formatNumber(row.population, language)} (${row.populationYear})`;
  const comparison: DocumentBlock[] = [
    paragraph(t('profile.comparison.intro')),
    table(
      t('annual.comparison.counts'),
      [t('profile.area'), t('profile.comparison.population'), ...compared.map(measureName)],
      published.comparison.map((row) => ({
        cells: [areaLabel(row), population(row), ...row.figures.map((f) => fig(f.count))],
        total: row.area === 'partnership',
      })),
    ),
    table(
      t('annual.comparison.rates'),
      [t('profile.area'), ...compared.map(measureName)],
      published.comparison.map((row) => ({
        cells: [areaLabel(row), ...row.figures.map((f) => (f.rate === null ? t('profile.comparison.noRate') : fig(f.rate)))],
        total: row.area === 'partnership',
      })),
    ),
    paragraph(t('profile.comparison.note')),
  ];

  // ---- About these figures ----
  const about: DocumentBlock[] = [
    heading(t('annual.about.sources')),
    paragraph(t('published.download.notes.sourceText')),
    paragraph(t('annual.about.records')),
    heading(t('annual.about.disclosure')),
    paragraph(t('published.symbols', { symbol, threshold: published.settings.threshold })),
    paragraph(t('published.secondary')),
    paragraph(t('annual.about.controlledTogether')),
    paragraph(t('published.download.notes.zMeaning')),
    heading(t('annual.about.populations')),
    paragraph(t('annual.about.populationsText')),
    table(
      t('annual.about.populationsTable'),
      [t('profile.area'), t('profile.comparison.population')],
      published.comparison.filter((row) => row.area !== 'not_recorded').map((row) => ({ cells: [areaLabel(row), population(row)], total: false })),
    ),
    heading(t('annual.about.method')),
    paragraph(t('annual.about.periodText', { period: periodLabel })),
    paragraph(t('annual.about.methodText')),
  ];

  const chapters: DocumentChapter[] = [
    { id: 'summary', heading: t('annual.summary.title'), blocks: summary },
    ...sectionChapters,
    { id: 'trends', heading: t('profile.trend.title'), blocks: trends },
    { id: 'themes', heading: t('profile.themes.title'), blocks: themes },
    { id: 'comparison', heading: t('profile.comparison.title'), blocks: comparison },
    { id: 'about', heading: t('published.symbolsTitle'), blocks: about },
  ];
  return {
    language,
    title: t('annual.title'),
    partnershipName: input.partnershipName,
    areaName,
    periodTitle: periodTitle(period, t, language),
    periodLabel,
    produced: t('annual.produced', { date: formatDate(input.madeAt, language) }),
    status: t('annual.status'),
    contentsHeading: t('profile.contents'),
    chapters,
  };
}

/** The file's name, ASCII and the same in both languages, the Welsh one marked: problem-profile-annual-FY2026-27-partnership-cy.docx */
export function annualFileName(document: { period: Period; area: string }, format: 'docx' | 'pdf', language: Language): string {
  const area = document.area === partnershipArea ? 'partnership' : `area-${document.area.slice(0, 8)}`;
  return `problem-profile-annual-${document.period.key}-${area}${language === 'cy' ? '-cy' : ''}.${format}`.replace(/[^A-Za-z0-9._-]/g, '-');
}
