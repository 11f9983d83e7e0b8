import { stringify } from 'csv-stringify/sync';
import { readCsv } from '../../../uploads/csv.ts';
import { accepted, type TableLimits, type UploadResult } from '../../../uploads/limits.ts';
import { planColumns, planRow, type ExportPlan } from './model.ts';

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula. Such a cell gets a leading apostrophe; a cell that already starts with apostrophes
 * before one of those characters gets one more, so `unescapeCsvCell` always gives back the original.
 */
const dangerous = /^[=+\-@\t\r]/;
const escaped = /^'+[=+\-@\t\r]/;

export function escapeCsvCell(value: string): string {
  return dangerous.test(value) || escaped.test(value) ? `'${value}` : value;
}

export function unescapeCsvCell(value: string): string {
  return escaped.test(value) ? value.slice(1) : value;
}

export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((row) => row.map(escapeCsvCell)),
    { record_delimiter: '\r\n', quoted_match: /[\s\S]/ },
  );
}

/** Reads an uploaded plan's CSV text within the caps (readCsv stops at the first cap passed). */
export function csvToRows(text: string, limits: TableLimits): UploadResult<string[][]> {
  const read = readCsv(text.replace(/^\uFEFF/, ''), limits);
  if (!read.ok) return read;
  // A row of empty cells (",,") is a blank line to a spreadsheet; a cell of spaces is kept.
  return accepted(
    read.value
      .map((r) => r.cells)
      .filter((row) => row.some((cell) => cell !== ''))
      .map((row) => row.map(unescapeCsvCell)),
  );
}

export function planToCsv(plan: ExportPlan): string {
  return rowsToCsv([planColumns.map((c) => c.heading), ...plan.actions.map(planRow)]);
}
