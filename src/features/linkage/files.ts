import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { readCsv } from '../../uploads/csv.ts';
import type { TableLimits } from '../../uploads/limits.ts';
import { ONE_TO_ONE_IN_DEDUPLICATION, runLinkage, type LinkageRecord, type LinkageResult } from './engine/model.ts';
import { columnsNamed, linkageSettingsSchema, type LinkageSettings } from './settings.ts';

/**
 * `lantern match` on files: the settings and one or two CSV files in, the pairs at or above the
 * threshold out. Files come from the operator's own disk, not an upload, but are read behind caps
 * all the same (src/uploads/csv.ts), sized for the million-record benchmark.
 */
export const linkageFileLimits: TableLimits = {
  maxFileBytes: 1_000_000_000,
  maxRows: 2_000_000,
  maxColumns: 200,
  maxCells: 100_000_000,
  maxRecordChars: 100_000,
};

/** A problem with the operator's input: one line for the command line, exit code 2. */
export class MatchInputError extends Error {}

export function readSettings(file: string): LinkageSettings {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MatchInputError(`cannot read the settings ${file}: ${(error as Error).message}`);
  }
  const parsed = linkageSettingsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new MatchInputError(`the settings ${file} are not valid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The rows of a CSV file with a header row that holds every one of `columns`; cells are trimmed (FEBRL puts a space after each comma) and empty cells are missing. */
export function readTable(file: string, columns: readonly string[]): LinkageRecord[] {
  let text: string;
  try {
    if (fs.statSync(file).size > linkageFileLimits.maxFileBytes) throw new Error(`larger than ${linkageFileLimits.maxFileBytes} bytes`);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new MatchInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const read = readCsv(text, linkageFileLimits, { trim: true });
  if (!read.ok) throw new MatchInputError(`cannot read ${file} as CSV: ${read.refusal.reason}`);
  const [header, ...rows] = read.value;
  if (!header) throw new MatchInputError(`${file} is empty`);
  const missing = columns.filter((c) => !header.cells.includes(c));
  if (missing.length > 0) throw new MatchInputError(`${file} has no column ${missing.join(', ')}`);
  return rows.map(({ cells }) => Object.fromEntries(header.cells.map((name, k) => [name, cells[k] === '' || cells[k] === undefined ? null : cells[k]])));
}

/** The records of a CSV file, checked for every column the settings name. */
export function readRecords(file: string, settings: LinkageSettings): LinkageRecord[] {
  return readTable(file, columnsNamed(settings));
}

export const pairsHeader = ['left_id', 'right_id', 'match_probability', 'match_weight'];

export function pairsCsv(result: LinkageResult): string {
  return stringify([pairsHeader, ...result.pairs.map((p) => [p.leftId, p.rightId, p.matchProbability.toFixed(6), p.matchWeight.toFixed(3)])]);
}

export interface MatchRun {
  records: [number, number | null];
  result: LinkageResult;
  milliseconds: number;
}

/** Deduplicates left, or links it to right, and writes the pairs to out. */
export function matchFiles(settingsFile: string, leftFile: string, rightFile: string | undefined, out: string): MatchRun {
  const started = performance.now();
  const settings = readSettings(settingsFile);
  const left = readRecords(leftFile, settings);
  if (rightFile === undefined && settings.oneToOne) throw new MatchInputError(`${settingsFile}: ${ONE_TO_ONE_IN_DEDUPLICATION}`);
  const right = rightFile === undefined ? undefined : readRecords(rightFile, settings);
  const result = runLinkage(settings, left, right);
  try {
    fs.writeFileSync(out, pairsCsv(result));
  } catch (error) {
    throw new MatchInputError(`cannot write ${out}: ${(error as Error).message}`);
  }
  return { records: [left.length, right?.length ?? null], result, milliseconds: performance.now() - started };
}
