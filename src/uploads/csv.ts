import { parse } from 'csv-parse/sync';
import { accepted, refused, type TableLimits, type UploadRefusal, type UploadResult } from './limits.ts';

export interface CsvRecord {
  cells: string[];
  /** The line of the file the record ends on (a quoted cell may span lines). */
  line: number;
}

/**
 * Reads CSV text within a table's caps. csv-parse is linear; the caps stop it early: it reads at most
 * the heading and maxRows + 1 records (one more than allowed, to know there are too many), no
 * record longer than maxRecordChars, and each record's cells are counted as it is read.
 */
export function readCsv(text: string, limits: TableLimits, options: { trim?: boolean } = {}): UploadResult<CsvRecord[]> {
  let cells = 0;
  let stop: UploadRefusal | null = null;
  const halt = (refusal: UploadRefusal): never => {
    stop = refusal;
    throw new Error(refusal.reason);
  };
  // With info: true each record arrives as { record, info }, which csv-parse's types do not model.
  const onRecord = ({ record, info }: { record: string[]; info: { lines: number } }): CsvRecord => {
    if (record.length > limits.maxColumns) halt({ reason: 'tooManyColumns', max: limits.maxColumns });
    cells += record.length;
    if (cells > limits.maxCells) halt({ reason: 'tooManyCells', max: limits.maxCells });
    return { cells: record, line: info.lines };
  };
  let records: CsvRecord[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: options.trim ?? false,
      info: true,
      max_record_size: limits.maxRecordChars,
      to: limits.maxRows + 2,
      on_record: onRecord as never,
    }) as unknown as CsvRecord[];
  } catch {
    return refused(stop ?? { reason: 'unreadable' });
  }
  if (records.length > limits.maxRows + 1) return refused({ reason: 'tooManyRows', max: limits.maxRows });
  return accepted(records);
}
