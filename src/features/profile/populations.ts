// Mid-year population estimates of children per area per year (issue 13 §1, area comparison): the
// denominators of the rates per 10,000 children. Read and written under row-level security (0410:
// the acting partnership's rows only); imported as CSV (`area,year,children`, the area being
// `partnership` or a locality's name), all rows or none.
import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import { readCsv } from '../../uploads/csv.ts';
import { checkFileSize, type TableLimits, type UploadRefusal } from '../../uploads/limits.ts';
import { partnershipArea } from './period.ts';

export const populationImportLimits: TableLimits = {
  maxFileBytes: 200_000,
  maxRows: 2_000,
  maxColumns: 3,
  maxCells: 6_100,
  maxRecordChars: 500,
};

export interface PopulationRow {
  /** 'partnership' or a locality id. */
  area: string;
  year: number;
  children: number;
}

export interface PopulationCsvError {
  line: number;
  messageKey: string;
}

export type PopulationCsvResult = { ok: true; rows: PopulationRow[] } | { ok: false; refusal: UploadRefusal | null; errors: PopulationCsvError[] };

const heading = ['area', 'year', 'children'];

/** Reads the CSV against the partnership's localities (by name, case-insensitively); every error with its line. */
export function readPopulationCsv(text: string, localities: readonly { id: string; name: string }[]): PopulationCsvResult {
  const size = checkFileSize(Buffer.byteLength(text, 'utf8'), populationImportLimits);
  if (!size.ok) return { ok: false, refusal: size.refusal, errors: [] };
  const read = readCsv(text, populationImportLimits, { trim: true });
  if (!read.ok) return { ok: false, refusal: read.refusal, errors: [] };
  const [head, ...records] = read.value;
  if (!head || head.cells.map((c) => c.toLowerCase()).join(',') !== heading.join(','))
    return { ok: false, refusal: null, errors: [{ line: head?.line ?? 1, messageKey: 'profile.populations.errors.heading' }] };
  if (records.length === 0) return { ok: false, refusal: null, errors: [{ line: head.line, messageKey: 'profile.populations.errors.empty' }] };
  const byName = new Map(localities.map((l) => [l.name.toLowerCase(), l.id]));
  const rows: PopulationRow[] = [];
  const errors: PopulationCsvError[] = [];
  const seen = new Set<string>();
  for (const { cells, line } of records) {
    const [areaText = '', yearText = '', childrenText = ''] = cells;
    const area = areaText.toLowerCase() === partnershipArea ? partnershipArea : byName.get(areaText.toLowerCase());
    if (!area) {
      errors.push({ line, messageKey: 'profile.populations.errors.area' });
      continue;
    }
    if (!/^\d{4}$/.test(yearText) || Number(yearText) < 1990 || Number(yearText) > 2100) {
      errors.push({ line, messageKey: 'profile.populations.errors.year' });
      continue;
    }
    const children = childrenText.replace(/,/g, '');
    if (!/^\d{1,8}$/.test(children)) {
      errors.push({ line, messageKey: 'profile.populations.errors.children' });
      continue;
    }
    const key = `${area}|${yearText}`;
    if (seen.has(key)) {
      errors.push({ line, messageKey: 'profile.populations.errors.duplicate' });
      continue;
    }
    seen.add(key);
    rows.push({ area, year: Number(yearText), children: Number(children) });
  }
  return errors.length > 0 ? { ok: false, refusal: null, errors } : { ok: true, rows };
}

/** The partnership's estimates, newest year first, partnership before localities. */
export async function populationRows(tx: Tx): Promise<PopulationRow[]> {
  const result = await sql<{ locality_id: string | null; year: number; children: number }>`
    SELECT locality_id, year, children FROM profile_populations ORDER BY year DESC, locality_id NULLS FIRST`.execute(tx);
  return result.rows.map((r) => ({ area: r.locality_id ?? partnershipArea, year: Number(r.year), children: Number(r.children) }));
}

/** Saves the estimates: a new (area, year) added, an existing one replaced. */
export async function savePopulations(tx: Tx, partnershipId: string, rows: readonly PopulationRow[]): Promise<void> {
  for (const r of rows) {
    const locality = r.area === partnershipArea ? null : r.area;
    await sql`INSERT INTO profile_populations (partnership_id, locality_id, year, children)
      VALUES (${partnershipId}, ${locality}, ${r.year}, ${r.children})
      ON CONFLICT (partnership_id, locality_id, year) DO UPDATE SET children = EXCLUDED.children, updated_at = now()`.execute(tx);
  }
}

/** The estimate for an area in a year: that year's, else the latest before it, else null. */
export function populationFor(rows: readonly PopulationRow[], area: string, year: number): PopulationRow | null {
  return rows.filter((r) => r.area === area && r.year <= year).sort((a, b) => b.year - a.year)[0] ?? null;
}

/** A count per 10,000 children, to one decimal place; null without a population. */
export function ratePer10k(count: number, population: number | null | undefined): number | null {
  if (!population) return null;
  return Math.round((count / population) * 100_000) / 10;
}
