// The problem profile (issue 13 §1): a period's and an area's figures, their eight-quarter trend, the
// themes, and the areas compared per 10,000 children; and the population estimates behind the rates.
// Unsuppressed: for the roles with 'profile.read_unsuppressed' (analysts, strategy leads,
// co-ordinators), marked "Not for publication" on the page. The disclosure control (src/features/
// disclosure) takes the same tidy cells. Every read is audited as an aggregate view, in its transaction.
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { addDays, londonDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError } from '../../errors.ts';
import type { Language } from '../../i18n/i18n.ts';
import type { ControlledCell, DisclosureSettings } from '../disclosure/index.ts';
import { comparedMeasures, total } from './catalogue.ts';
import { cellsOf, figureRows, themesOf, trendCells, trendOf, type FigureRow, type ProfileCell, type Theme, type TrendSeries } from './figures.ts';
import type { SnapshotPolicy } from '../../db/stored-figures.ts';
import { defaultPeriodKey, parsePeriod, partnershipArea, periodChoices, type Period } from './period.ts';
import { comparisonBreakdown, publishedProfile, themesBreakdown, themesMeasure, type PublishedProfile, type RawProfile } from './published.ts';
import { populationFor, populationRows, ratePer10k, readPopulationCsv, savePopulations, type PopulationCsvResult, type PopulationRow } from './populations.ts';

/** The audit record type of the profile's figures (locales auditRecordTypes). */
export const profileRecordType = 'problem_profile';
/** The audit record type of the population estimates. */
export const populationRecordType = 'profile_population';

export interface Locality {
  id: string;
  name: string;
}

/** A row of a download: a tidy cell whose value is a count, the symbol, or z. */
export interface ExportCell {
  measure: string;
  breakdown: string;
  category: string;
  period: string;
  area: string;
  value: number | string;
}

export interface ComparisonRow {
  /** 'partnership', a locality id, or 'not_recorded' (children with no locality: counts only). */
  area: string;
  name: string | null;
  population: number | null;
  populationYear: number | null;
  figures: { measure: string; count: number; rate: number | null }[];
}

export interface ProfilePage {
  period: Period;
  area: string;
  localities: Locality[];
  periods: Period[];
  cells: ProfileCell[];
  trend: TrendSeries[];
  trendCells: ProfileCell[];
  themes: Theme[];
  comparison: ComparisonRow[];
  /** When the figures of the period were computed (stored figures are reused for a while: migration 0470). */
  asAt: Date;
}

/** A period or area that is not one: a 400 (the page's GET form, or a hand-made address). */
export class ProfileSelectionError extends LanternError {
  constructor(detail: string) {
    super('LANTERN_E_VALIDATION', detail);
  }
}

async function localitiesOf(tx: Tx): Promise<Locality[]> {
  const result = await sql<Locality>`SELECT id, name FROM localities ORDER BY name, id`.execute(tx);
  return result.rows;
}

export class ProfileService {
  private readonly snapshots: SnapshotPolicy;

  /** `maxAgeSeconds`: how long computed figures are reused (LANTERN_FIGURES_MAX_AGE_SECONDS; 0 computes every time). */
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    maxAgeSeconds = 0,
  ) {
    this.snapshots = { maxAgeSeconds, now: () => this.clock.now() };
  }

  private today() {
    return londonDate(this.clock.now());
  }

  /** The page: a period key (default: the last complete quarter) and an area key (default: the partnership). */
  page(user: SessionUser, selection: { period?: string | undefined; area?: string | undefined }): Promise<ProfilePage> {
    return this.read(user, selection, { page: 'problem profile', unsuppressed: true }).then(({ rows: _rows, ...page }) => page);
  }

  /**
   * The profile after the partnership's disclosure control (issue 13 §2): what a board member sees, and
   * what an analyst previews "as published". The unsuppressed figures it is made from never leave here.
   */
  async published(
    user: SessionUser,
    selection: { period?: string | undefined; area?: string | undefined },
    settings: DisclosureSettings,
  ): Promise<Omit<ProfilePage, 'cells' | 'trend' | 'trendCells' | 'themes' | 'comparison'> & { published: PublishedProfile }> {
    const {
      rows,
      cells,
      trend,
      trendCells: _trendCells,
      themes,
      comparison,
      ...rest
    } = await this.read(user, selection, {
      page: 'problem profile (published)',
      unsuppressed: false,
    });
    const raw: RawProfile = {
      partnershipId: user.partnershipId,
      period: rest.period,
      area: rest.area,
      localities: rest.localities,
      rows,
      cells,
      trend,
      themes,
      comparison,
    };
    return { ...rest, published: publishedProfile(raw, settings) };
  }

  /**
   * Every figure of the profile as a file's rows (issue 13 §3): controlled, or unsuppressed for a role
   * that may read them (marked not for publication). Every export is audited (action 'export'), in the
   * transaction that reads the figures.
   */
  async exportFigures(
    user: SessionUser,
    selection: { period?: string | undefined; area?: string | undefined },
    options: { unsuppressed: boolean; settings: DisclosureSettings; format: 'csv' | 'xlsx' | 'json' },
  ): Promise<{ period: Period; area: string; areaName: string | null; localities: Locality[]; cells: ExportCell[] }> {
    const page = await this.read(
      user,
      selection,
      { page: 'problem profile export', unsuppressed: options.unsuppressed },
      { action: 'export', format: options.format },
    );
    const areaName = page.area === partnershipArea ? null : (page.localities.find((l) => l.id === page.area)?.name ?? null);
    if (options.unsuppressed) {
      const cells: ExportCell[] = [
        ...page.cells,
        ...page.comparison.flatMap((row) =>
          row.figures.map((f) => ({
            measure: f.measure,
            breakdown: comparisonBreakdown,
            category: total,
            period: page.period.key,
            area: row.area,
            value: f.count,
          })),
        ),
        ...page.trendCells,
        ...page.themes.map((th) => ({
          measure: themesMeasure,
          breakdown: themesBreakdown,
          category: `${th.first}+${th.second}`,
          period: page.period.key,
          area: page.area,
          value: th.children,
        })),
        { measure: themesMeasure, breakdown: themesBreakdown, category: total, period: page.period.key, area: page.area, value: 'z' },
      ];
      return { period: page.period, area: page.area, areaName, localities: page.localities, cells };
    }
    const { rows, cells, trend, themes, comparison, period, area, localities } = page;
    const published = publishedProfile(
      { partnershipId: user.partnershipId, period, area, localities, rows, cells, trend, themes, comparison },
      options.settings,
    );
    const strip = ({ suppressed: _s, ...cell }: ControlledCell): ExportCell => cell;
    return {
      period,
      area,
      areaName,
      localities,
      cells: [...published.cells, ...published.comparisonCells, ...published.trendCells, ...published.themeCells].map(strip),
    };
  }

  /**
   * What the annual problem profile document is made from (issue 13 §1 "Views"): a published output, so
   * always the controlled profile, whoever downloads it (the unsuppressed figures never leave here). A
   * year, financial year or rolling 12 months (default: the 12 months to the last complete quarter).
   * Audited as an export of the document, with its format and language, in the transaction that reads.
   */
  async annualDocument(
    user: SessionUser,
    selection: { period?: string | undefined; area?: string | undefined },
    options: { settings: DisclosureSettings; format: 'docx' | 'pdf'; language: Language },
  ): Promise<{ period: Period; area: string; areaName: string | null; published: PublishedProfile }> {
    const periodKey = selection.period ?? `R12-${defaultPeriodKey(this.today())}`;
    if (parsePeriod(periodKey)?.kind === 'quarter') throw new ProfileSelectionError('a quarter is not an annual period');
    const { rows, cells, trend, themes, comparison, period, area, localities } = await this.read(
      user,
      { period: periodKey, area: selection.area },
      { page: 'annual problem profile', unsuppressed: false },
      { action: 'export', format: options.format, language: options.language },
    );
    const published = publishedProfile(
      { partnershipId: user.partnershipId, period, area, localities, rows, cells, trend, themes, comparison },
      options.settings,
    );
    const areaName = area === partnershipArea ? null : (localities.find((l) => l.id === area)?.name ?? null);
    return { period, area, areaName, published };
  }

  /** The figures, trend, themes and comparison, audited in the same transaction (a view, or an export). */
  private read(
    user: SessionUser,
    selection: { period?: string | undefined; area?: string | undefined },
    details: { page: string; unsuppressed: boolean },
    exporting?: { action: 'export'; format: string; language?: Language },
  ): Promise<ProfilePage & { rows: FigureRow[] }> {
    const today = this.today();
    const period = parsePeriod(selection.period ?? defaultPeriodKey(today));
    if (!period) throw new ProfileSelectionError('malformed period');
    const area = selection.area ?? partnershipArea;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const localities = await localitiesOf(tx);
      if (area !== partnershipArea && !localities.some((l) => l.id === area)) throw new ProfileSelectionError('unknown area');
      const { rows, asAt } = await figureRows(tx, period, this.snapshots);
      const cells = cellsOf(rows, period, area);
      const trend = await trendOf(tx, period.lastQuarter, area, this.snapshots);
      const themes = await themesOf(tx, period, area, this.snapshots);
      const comparison = compare(rows, period, localities, await populationRows(tx));
      await act.audit({
        action: exporting?.action ?? 'record.view',
        recordType: profileRecordType,
        details: {
          ...details,
          period: period.key,
          area,
          cells: cells.length,
          ...(exporting ? { format: exporting.format, ...(exporting.language ? { language: exporting.language } : {}) } : {}),
        },
      });
      return {
        period,
        area,
        localities,
        periods: periodChoices(today),
        cells,
        trend,
        trendCells: trendCells(trend, area),
        themes,
        comparison,
        asAt,
        rows,
      };
    });
  }

  /** The tidy cells alone (what the disclosure control and the downloads take), audited like the page. */
  cells(user: SessionUser, periodKey: string, area: string): Promise<ProfileCell[]> {
    const period = parsePeriod(periodKey);
    if (!period) throw new ProfileSelectionError('malformed period');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const localities = await localitiesOf(tx);
      if (area !== partnershipArea && !localities.some((l) => l.id === area)) throw new ProfileSelectionError('unknown area');
      const cells = cellsOf((await figureRows(tx, period, this.snapshots)).rows, period, area);
      await act.audit({
        action: 'record.view',
        recordType: profileRecordType,
        details: { page: 'problem profile cells', period: period.key, area, unsuppressed: true },
      });
      return cells;
    });
  }

  /** The population estimates and the localities they may name. */
  populations(user: SessionUser): Promise<{ rows: PopulationRow[]; localities: Locality[] }> {
    return withActor(this.db, actorOf(user), async (tx) => ({ rows: await populationRows(tx), localities: await localitiesOf(tx) }));
  }

  /** Reads a pasted CSV of estimates and, when every row is readable, saves them all (audited); otherwise saves none. */
  importPopulations(user: SessionUser, csv: string): Promise<PopulationCsvResult> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const read = readPopulationCsv(csv, await localitiesOf(tx));
      if (!read.ok) return read;
      await savePopulations(tx, user.partnershipId, read.rows);
      await act.audit({ action: 'import', recordType: populationRecordType, details: { rows: read.rows.length } });
      return read;
    });
  }
}

/**
 * The area comparison: each locality, children with no locality recorded, and the whole partnership
 * (the partnership average), the compared headline figures as counts and per 10,000 children, using
 * each area's estimate for the year the period ends in (or the latest before it).
 */
function compare(rows: Parameters<typeof cellsOf>[0], period: Period, localities: readonly Locality[], populations: readonly PopulationRow[]): ComparisonRow[] {
  const year = Number(addDays(period.end, -1).slice(0, 4));
  const countsOf = (filter: (locality: string | null) => boolean) =>
    comparedMeasures.map((measure) => {
      const firstBreakdown = rows.find((r) => r.measure === measure)?.breakdown;
      const count = rows.filter((r) => r.measure === measure && r.breakdown === firstBreakdown && filter(r.locality_id)).reduce((a, r) => a + r.value, 0);
      return { measure, count };
    });
  const row = (area: string, name: string | null, filter: (locality: string | null) => boolean): ComparisonRow => {
    const population = area === 'not_recorded' ? null : populationFor(populations, area, year);
    return {
      area,
      name,
      population: population?.children ?? null,
      populationYear: population?.year ?? null,
      figures: countsOf(filter).map((f) => ({ ...f, rate: ratePer10k(f.count, population?.children) })),
    };
  };
  const result = localities.map((l) => row(l.id, l.name, (id) => id === l.id));
  const unrecorded = row('not_recorded', null, (id) => id === null);
  if (unrecorded.figures.some((f) => f.count > 0)) result.push(unrecorded);
  result.push(row(partnershipArea, null, () => true));
  return result;
}
