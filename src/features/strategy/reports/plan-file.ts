import ExcelJS from 'exceljs';
import { utcDate } from '../../../dates.ts';
import { accepted, checkFileSize, planImportLimits, refused, type TableLimits, type UploadResult, type ZipLimits } from '../../../uploads/limits.ts';
import { uploadParser } from '../../../uploads/parse.ts';
import { checkWorkbook } from '../../../uploads/xlsx.ts';
import { isZip, readZipDirectory } from '../../../uploads/zip.ts';
import type { Framework } from '../domain/frameworks.ts';
import { csvToRows } from './csv.ts';
import { previewImport, type ImportPreview } from './import.ts';

/*
 * Reading an uploaded plan into rows of text, which import.ts checks. This module is what a worker
 * thread loads for a large file.
 */

/**
 * Reads an uploaded plan within planImportLimits: XLSX files are zip archives (they start "PK");
 * anything else is read as CSV text.
 */
export async function readPlanFile(content: Uint8Array): Promise<UploadResult<string[][]>> {
  const size = checkFileSize(content.length, planImportLimits);
  if (!size.ok) return size;
  if (isZip(content)) return xlsxToRows(content, planImportLimits);
  const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  // Binary files that are not XLSX (old .xls, PDF, images) are refused rather than read as CSV.
  if (text.includes('\u0000') || text.includes('\uFFFD')) return refused({ reason: 'unreadable' });
  return csvToRows(text, planImportLimits);
}

export interface PlanUpload {
  content: Uint8Array;
  framework: Framework;
  agencyNames: string[];
}

/** Reads an uploaded plan and checks its rows against the plan's framework: all of it off the main thread for a large file. */
export async function previewPlanUpload(upload: PlanUpload): Promise<UploadResult<ImportPreview>> {
  const rows = await readPlanFile(upload.content);
  return rows.ok ? accepted(previewImport(rows.value, upload.framework, upload.agencyNames)) : rows;
}

export const planUploadParser = uploadParser(import.meta.url, 'previewPlanUpload', previewPlanUpload);

/**
 * What reading the file will work through, known without reading it: the file's size, or for XLSX
 * the inflated size its zip directory declares. A file over a size cap is refused here already.
 */
export function planFileWeight(content: Uint8Array): UploadResult<number> {
  const size = checkFileSize(content.length, planImportLimits);
  if (!size.ok || !isZip(content)) return size;
  const directory = readZipDirectory(content, planImportLimits);
  return directory.ok ? accepted(directory.value.inflatedBytes) : directory;
}

/**
 * Reads the first sheet of a workbook as rows of text (dates as ISO days, formulas as their results),
 * within the caps: checkWorkbook looks at the zip and counts rows and cells before exceljs reads it.
 */
export async function xlsxToRows(content: Uint8Array, limits: TableLimits & ZipLimits): Promise<UploadResult<string[][]>> {
  const checked = checkWorkbook(content, limits);
  if (!checked.ok) return checked;
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(content.buffer, content.byteOffset, content.byteLength) as unknown as ArrayBuffer);
  } catch {
    return refused({ reason: 'unreadable' });
  }
  const sheet = book.worksheets[0];
  if (!sheet) return accepted([]);
  // columnCount walks every row: read once, not for each row (that made reading quadratic).
  const columns = sheet.columnCount;
  if (columns > limits.maxColumns) return refused({ reason: 'tooManyColumns', max: limits.maxColumns });
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let i = 1; i <= columns; i++) cells.push(cellText(row.findCell(i)?.value));
    rows.push(cells);
  });
  if (rows.length > limits.maxRows + 1) return refused({ reason: 'tooManyRows', max: limits.maxRows });
  return accepted(rows);
}

function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return utcDate(value);
  if (typeof value === 'object') {
    if ('result' in value) return cellText(value.result);
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    return '';
  }
  return String(value);
}
