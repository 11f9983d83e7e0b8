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
import {
  compareNeighbours,
  comparisonStatuses,
  neighbourCells,
  neighbourFigures,
  standingOffer,
  type ComparisonStatus,
  type NeighbourComparison,
  type NeighbourFigures,
  type NeighbourRow,
} from './neighbours.ts';

/** The audit record type of the profile's figures (locales auditRecordTypes). */
export const profileRecordType = 'problem_profile';
/** The audit record type of the population estimates. */
export const populationRecordType = 'profile_population';
/** The audit record type of an offer to compare with a neighbouring partnership. */
export const comparisonRecordType = 'profile_comparison';

/** An offer to compare that cannot be made or withdrawn: the form says why (400), or the offer is not there (404). */
export class ComparisonOfferError extends LanternError {
  constructor(
    readonly reason: 'unknown' | 'alreadyOffered' | 'notOffered',
    detail: string,
  ) {
    super(reason === 'notOffered' ? 'LANTERN_E_NOT_FOUND' : 'LANTERN_E_VALIDATION', detail);
  }
}

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
  /** Compared with neighbouring partnerships that agreed (mutually): empty rows when none has. */
  neighbours: NeighbourComparison;
}

/** What the neighbours' comparison is made from, read in the page's transaction. */
interface NeighbourInputs {
  own: { code: string; name: string; settings: DisclosureSettings };
  figures: NeighbourFigures[];
}

/** This partnership's row of the neighbours' comparison, from the area comparison's whole-partnership row. */
function ownNeighbourRow(
  partnershipId: string,
  own: NeighbourInputs['own'],
  row: { population: number | null; populationYear: number | null; figures: { measure: string; count: number | string; rate: number | string | null }[] },
): NeighbourRow {
  return {
    partnershipId,
    code: own.code,
    name: own.name,
    own: true,
    population: row.population,
    populationYear: row.populationYear,
    figures: row.figures.map((f) => ({ measure: f.measure as NeighbourRow['figures'][number]['measure'], count: f.count, rate: f.rate })),
  };
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
    return this.read(user, selection, { page: 'problem profile', unsuppressed: true }).then(({ rows: _rows, neighbourInputs, ...page }) => ({
      ...page,
      neighbours: neighboursOf(user.partnershipId, neighbourInputs, page.comparison, neighbourInputs.own.settings),
    }));
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
      neighbourInputs,
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
    const published = publishedProfile(raw, settings);
    return { ...rest, published, neighbours: neighboursOf(user.partnershipId, neighbourInputs, published.comparison, settings) };
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
      const neighbours = neighboursOf(user.partnershipId, page.neighbourInputs, page.comparison, options.settings);
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
        ...neighbourCells(neighbours, page.period.key),
      ];
      return { period: page.period, area: page.area, areaName, localities: page.localities, cells };
    }
    const { rows, cells, trend, themes, comparison, period, area, localities } = page;
    const published = publishedProfile(
      { partnershipId: user.partnershipId, period, area, localities, rows, cells, trend, themes, comparison },
      options.settings,
    );
    const strip = ({ suppressed: _s, ...cell }: ControlledCell): ExportCell => cell;
    const neighbours = neighboursOf(user.partnershipId, page.neighbourInputs, published.comparison, options.settings);
    return {
      period,
      area,
      areaName,
      localities,
      cells: [
        ...[...published.cells, ...published.comparisonCells, ...published.trendCells, ...published.themeCells].map(strip),
        ...neighbourCells(neighbours, period.key),
      ],
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
  ): Promise<Omit<ProfilePage, 'neighbours'> & { rows: FigureRow[]; neighbourInputs: NeighbourInputs }> {
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
      // The neighbours that agreed to compare: their counts only, controlled before they are shown.
      const neighbourInputs: NeighbourInputs = {
        own: await ownPartnership(tx, user.partnershipId),
        // Quarter by quarter only: a neighbour's year beside its quarters (or overlapping rolling years)
        // would give a withheld quarter back by subtraction (docs/DISCLOSURE.md).
        figures: period.kind === 'quarter' ? await neighbourFigures(tx, period, comparisonYear(period), this.snapshots) : [],
      };
      await act.audit({
        action: exporting?.action ?? 'record.view',
        recordType: profileRecordType,
        details: {
          ...details,
          period: period.key,
          area,
          cells: cells.length,
          ...(neighbourInputs.figures.length > 0 ? { neighbours: neighbourInputs.figures.map((n) => n.code) } : {}),
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
        neighbourInputs,
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

  /** The offers to compare with neighbouring partnerships, made and received, and the partnerships one may be made to. */
  comparisonOffers(user: SessionUser): Promise<{ statuses: ComparisonStatus[]; choices: { id: string; name: string }[] }> {
    return withActor(this.db, actorOf(user), (tx) => comparisonStatuses(tx, user.partnershipId));
  }

  /**
   * Offers to compare the profile's headline figures with a neighbouring partnership (audited). The
   * comparison is live once the neighbour has offered too. Refused: an unknown partnership or this one,
   * or a standing offer already made.
   */
  offerComparison(user: SessionUser, neighbourId: string): Promise<{ name: string; agreed: boolean }> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const neighbour = await tx.selectFrom('partnerships').select(['id', 'name']).where('id', '=', neighbourId).executeTakeFirst();
      if (!neighbour || neighbour.id === user.partnershipId) throw new ComparisonOfferError('unknown', 'not a neighbouring partnership');
      // A standing offer already made (by another administrator, even at the same moment): the partial unique index.
      const offer = await tx
        .insertInto('profile_comparison_offers')
        .values({ partnership_id: user.partnershipId, neighbour_partnership_id: neighbour.id, offered_by: user.userId })
        .onConflict((oc) => oc.columns(['partnership_id', 'neighbour_partnership_id']).where('withdrawn_at', 'is', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!offer) throw new ComparisonOfferError('alreadyOffered', 'offer already standing');
      await act.audit({ action: 'record.create', recordType: comparisonRecordType, recordId: offer.id, details: { neighbour: neighbour.id } });
      const { statuses } = await comparisonStatuses(tx, user.partnershipId);
      return { name: neighbour.name, agreed: statuses.some((st) => st.partnershipId === neighbour.id && st.status === 'agreed') };
    });
  }

  /** Withdraws this partnership's standing offer (audited): from now on neither partnership sees the other's figures. */
  withdrawComparison(user: SessionUser, neighbourId: string): Promise<{ name: string }> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const offer = await standingOffer(tx, user.partnershipId, neighbourId);
      if (!offer) throw new ComparisonOfferError('notOffered', 'no standing offer');
      const { name } = await tx.selectFrom('partnerships').select('name').where('id', '=', neighbourId).executeTakeFirstOrThrow();
      await tx
        .updateTable('profile_comparison_offers')
        .set({ withdrawn_at: sql<Date>`now()`, withdrawn_by: user.userId })
        .where('id', '=', offer.id)
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: comparisonRecordType, recordId: offer.id, details: { neighbour: neighbourId, withdrawn: true } });
      return { name };
    });
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

/** The year whose population estimates a period's rates use: the year the period ends in. */
function comparisonYear(period: Period): number {
  return Number(addDays(period.end, -1).slice(0, 4));
}

/** The acting partnership's code, name and disclosure settings (the neighbours' counts are controlled with them). */
async function ownPartnership(tx: Tx, partnershipId: string): Promise<NeighbourInputs['own']> {
  const p = await tx
    .selectFrom('partnerships')
    .select(['code', 'name', 'disclosure_threshold as threshold', 'disclosure_symbol as symbol'])
    .where('id', '=', partnershipId)
    .executeTakeFirstOrThrow();
  return { code: p.code, name: p.name, settings: { threshold: p.threshold, symbol: p.symbol } };
}

/** The neighbours' comparison, this partnership's row taken from the area comparison as the reader sees it. */
function neighboursOf(
  partnershipId: string,
  inputs: NeighbourInputs,
  comparison: readonly {
    area: string;
    population: number | null;
    populationYear: number | null;
    figures: { measure: string; count: number | string; rate: number | string | null }[];
  }[],
  settings: DisclosureSettings,
): NeighbourComparison {
  const whole = comparison.find((r) => r.area === partnershipArea)!;
  return compareNeighbours(ownNeighbourRow(partnershipId, inputs.own, whole), inputs.figures, settings);
}

/**
 * The area comparison: each locality, children with no locality recorded, and the whole partnership
 * (the partnership average), the compared headline figures as counts and per 10,000 children, using
 * each area's estimate for the year the period ends in (or the latest before it).
 */
function compare(rows: Parameters<typeof cellsOf>[0], period: Period, localities: readonly Locality[], populations: readonly PopulationRow[]): ComparisonRow[] {
  const year = comparisonYear(period);
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
