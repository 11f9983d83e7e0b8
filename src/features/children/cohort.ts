import ExcelJS from 'exceljs';
import { sql, type SelectQueryBuilder } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { addDays, addMonths, ageOn, londonDate, startOfLondonDay, type IsoDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { DB } from '../../db/types.generated.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { escapeCsvCell, rowsToCsv } from '../strategy/reports/csv.ts';
import { ageBandYears, type ChildFilters } from './cohort-schema.ts';
import { agencyChoices, childRowColumns } from './repository.ts';

const t = requestTranslator();

/** A page of the list. */
export const pageSize = 50;
/** Counts stop here: past it the page says "more than 1,000". */
export const countCap = 1000;
/** The most children one export may hold; a larger filtered list is refused with a message asking to narrow it. */
export const exportCap = 5000;
/** "Missing in the last 30 days". */
export const missingWindowDays = 30;

type Query = SelectQueryBuilder<DB & { c: DB['children'] }, 'c', object>;

/** The date-of-birth range of an age band on a day: a child is in the band from the birthday that starts it. */
export function ageBandRange(band: keyof typeof ageBandYears, today: IsoDate): { bornAfter: IsoDate | null; bornOnOrBefore: IsoDate | null } {
  const [youngest, oldest] = ageBandYears[band];
  return {
    // Younger than oldest + 1: born after the day oldest + 1 years ago.
    bornAfter: oldest === null ? null : addMonths(today, -12 * (oldest + 1)),
    // At least youngest: born on or before the day youngest years ago.
    bornOnOrBefore: youngest === null ? null : addMonths(today, -12 * youngest),
  };
}

/** The moment "missing in the last 30 days" starts: the start of the London day 30 days before today. */
export function missingSince(today: IsoDate): Date {
  return startOfLondonDay(addDays(today, -missingWindowDays));
}

/**
 * The children list's filters, each narrowing the rows row-level security lets the actor see, read
 * in the sort's own index order and stopped after a page (migrations 0130, 0180): see
 * docs/PERFORMANCE.md, "Children list filters".
 */
function applyFilters(query: Query, filters: ChildFilters, today: IsoDate): Query {
  // A child merged into another (issue 14 §2) is listed as the record kept, never twice.
  let q = query.where('c.merged_into_id', 'is', null);
  if (filters.status !== 'all') q = q.where('c.status', '=', filters.status);
  if (filters.risk.length > 0) {
    const levels = filters.risk.filter((r) => r !== 'none');
    const none = filters.risk.includes('none');
    q = q.where((eb) =>
      eb.or([...(levels.length ? [eb('c.current_risk_level', 'in', levels)] : []), ...(none ? [eb('c.current_risk_level', 'is', null)] : [])]),
    );
  }
  // Flags, agencies and missing episodes are kept on the child (migrations 0130, 0180), so each is a
  // condition on the row the list reads in order, not a probe of another table per row.
  // One leakproof `'kind' = ANY(open_flags)` per flag, each kind a literal from the fixed list, so a
  // rare flag reads its own partial index (0181) in name order under row-level security.
  if (filters.flag.length > 0)
    q = q.where(
      sql<boolean>`(${sql.join(
        filters.flag.map((kind) => sql`${sql.lit(kind)} = ANY (c.open_flags)`),
        sql` OR `,
      )})`,
    );
  if (filters.agency) q = q.where(sql<boolean>`c.agency_ids @> ARRAY[${filters.agency}]::uuid[]`);
  if (filters.worker) {
    const worker = filters.worker;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('child_involvements as iw')
          .select(sql.lit(1).as('one'))
          .whereRef('iw.child_id', '=', 'c.id')
          .where('iw.worker_user_id', '=', worker)
          .where('iw.ended_on', 'is', null),
      ),
    );
  }
  if (filters.locality) q = q.where('c.locality_id', '=', filters.locality);
  if (filters.age) {
    const { bornAfter, bornOnOrBefore } = ageBandRange(filters.age, today);
    if (bornAfter) q = q.where('c.date_of_birth', '>', bornAfter);
    if (bornOnOrBefore) q = q.where('c.date_of_birth', '<=', bornOnOrBefore);
  }
  // An episode still open ('infinity') or ended since.
  if (filters.missing) q = q.where('c.missing_until', '>=', missingSince(today));
  return q;
}

/** The sort chosen, each with a unique tie-break so pages never overlap; each order has its index (0102, 0180). */
function applySort(query: Query, sort: ChildFilters['sort']): Query {
  switch (sort) {
    case 'reference':
      return query.orderBy('c.reference').orderBy('c.id');
    case 'risk':
      return query
        .orderBy(sql`lantern_risk_rank(c.current_risk_level)`)
        .orderBy('c.family_name')
        .orderBy('c.given_name')
        .orderBy('c.id');
    case 'age':
      return query.orderBy(sql`c.date_of_birth DESC NULLS LAST`).orderBy('c.id');
    case 'activity':
      return query.orderBy('c.last_activity_at', 'desc').orderBy('c.id');
    case 'name':
      return query.orderBy('c.family_name').orderBy('c.given_name').orderBy('c.id');
  }
}

const rowColumns = [...childRowColumns, 'c.current_risk_on as risk_on', 'c.restricted', 'c.last_activity_at', 'c.locality_id', 'c.owning_agency_id'] as const;

/** The filtered, sorted children: one page (offset, limit) with their open flags. */
function filteredRows(tx: Tx, filters: ChildFilters, today: IsoDate, offset: number, limit: number) {
  return applySort(applyFilters(tx.selectFrom('children as c') as unknown as Query, filters, today), filters.sort)
    .select(rowColumns)
    .select('c.open_flags as flags')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** How many children the filters give, counted up to the cap (+1, to tell "more than"). */
async function cappedCount(tx: Tx, filters: ChildFilters, today: IsoDate, cap: number): Promise<number> {
  const inner = applyFilters(tx.selectFrom('children as c') as unknown as Query, filters, today)
    .select(sql.lit(1).as('one'))
    .limit(cap + 1);
  const r = await sql<{ n: string | number }>`SELECT count(*) AS n FROM (${inner}) x`.execute(tx);
  return Number(r.rows[0]?.n ?? 0);
}

export type CohortRow = Awaited<ReturnType<typeof filteredRows>>[number];

/**
 * The children list with its filters (issue 10 §3) and its exports. Each is one transaction that
 * audits the search or export with the children it disclosed.
 */
export class CohortService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The choices the filter form offers: the partnership's agencies, localities and workers who may hold a caseload. */
  private async choices(tx: Tx) {
    const [agencies, localities, workers] = await Promise.all([
      agencyChoices(tx),
      tx.selectFrom('localities').select(['id', 'name']).orderBy('name').execute(),
      tx
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('disabled_at', 'is', null)
        .where(sql<boolean>`roles && ARRAY['practitioner','triage_worker','coordinator']::text[]`)
        .orderBy('display_name')
        .orderBy('id')
        .limit(500)
        .execute(),
    ]);
    return { agencies, localities, workers };
  }

  list(user: SessionUser, filters: ChildFilters) {
    const today = londonDate(this.clock.now());
    return withActor(this.db, actorOf(user), async (tx, act) => {
      // One after another: a transaction's statements share one connection.
      const rows = await filteredRows(tx, filters, today, (filters.page - 1) * pageSize, pageSize + 1);
      const shown = rows.slice(0, pageSize);
      const count = filters.page === 1 && rows.length <= pageSize ? rows.length : await cappedCount(tx, filters, today, countCap);
      const choices = await this.choices(tx);
      await act.audit({
        action: 'search',
        recordType: 'child',
        details: { list: 'children', filters: auditedFilters(filters), results: shown.length },
        disclosedIds: shown.map((r) => r.id),
      });
      return { children: shown, hasNext: rows.length > pageSize, count, countCapped: count > countCap, ...choices, today };
    });
  }

  /**
   * The filtered list as a file: every child the filters give, up to the cap. A larger list is
   * refused ({ tooMany }) so that nobody takes a partial list for the whole.
   */
  export(user: SessionUser, filters: ChildFilters, format: 'csv' | 'xlsx') {
    const today = londonDate(this.clock.now());
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await filteredRows(tx, { ...filters, page: 1 }, today, 0, exportCap + 1);
      if (rows.length > exportCap) return { tooMany: true as const };
      const { agencies, localities } = await this.choices(tx);
      await act.audit({
        action: 'export',
        recordType: 'child',
        details: { list: 'children', format, filters: auditedFilters(filters), results: rows.length },
        disclosedIds: rows.map((r) => r.id),
      });
      const table = exportTable(rows, today, new Map(agencies.map((a) => [a.id, a.name])), new Map(localities.map((l) => [l.id, l.name])));
      return { tooMany: false as const, count: rows.length, body: format === 'csv' ? rowsToCsv(table) : await toXlsx(table, this.clock.now()) };
    });
  }
}

/** The filters as the audit row keeps them (no page). */
function auditedFilters(filters: ChildFilters) {
  const { page: _page, ...rest } = filters;
  return rest;
}

/** The export's heading row and one row per child: the minimum to act on the list (no addresses, no notes). */
export function exportTable(rows: CohortRow[], today: IsoDate, agencies: Map<string, string>, localities: Map<string, string>): string[][] {
  const headings = ['reference', 'familyName', 'givenName', 'dateOfBirth', 'age', 'status', 'riskLevel', 'riskSince', 'flags', 'locality', 'owningAgency'].map(
    (k) => t(`children.export.columns.${k}`),
  );
  return [
    headings,
    ...rows.map((r) => [
      r.reference,
      r.family_name,
      r.given_name,
      r.date_of_birth ?? '',
      r.date_of_birth ? String(ageOn(r.date_of_birth, today)) : '',
      t(`children.status.${r.status}`),
      r.risk_level ? t(`children.risk.${r.risk_level}`) : '',
      r.risk_on ?? '',
      r.flags.map((f) => t(`children.childFlags.kinds.${f}`)).join('; '),
      r.locality_id ? (localities.get(r.locality_id) ?? '') : '',
      agencies.get(r.owning_agency_id) ?? '',
    ]),
  ];
}

/** The same table as one sheet; text cells that a spreadsheet would run as formulas are neutralised as in the CSV. */
async function toXlsx(table: string[][], now: Date): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Lantern';
  book.created = now;
  book.modified = now;
  const sheet = book.addWorksheet(t('children.export.sheet'), { views: [{ state: 'frozen', ySplit: 1 }] });
  for (const row of table) sheet.addRow(row.map(escapeCsvCell));
  sheet.getRow(1).font = { bold: true };
  sheet.columns.forEach((column) => (column.width = 18));
  return Buffer.from(await book.xlsx.writeBuffer());
}
