import { parseIsoDate } from '../../dates.ts';
import { readCsv, type CsvRecord } from '../../uploads/csv.ts';
import { accepted, attendanceImportLimits, type UploadRefusal, type UploadResult } from '../../uploads/limits.ts';
import { uploadParser } from '../../uploads/parse.ts';

/**
 * Reads an attendance register exported from a spreadsheet. One row per person:
 *   name, email (optional), agency, role (optional), started_on (optional, YYYY-MM-DD)
 * The header row names the columns, in any order and case. Pure and total: whatever the input,
 * it returns the rows it could read and an error for each it could not, never throws.
 */
export interface AttendanceCsvRow {
  line: number;
  name: string;
  email: string | null;
  agencyId: string;
  agencyName: string;
  role: string | null;
  startedOn: string | null;
}

export interface AttendanceCsvError {
  /** The line in the file (1 is the header); 0 for the file as a whole. */
  line: number;
  /** A translation key under assurance.csv. */
  messageKey: string;
}

export interface AttendanceCsvResult {
  rows: AttendanceCsvRow[];
  errors: AttendanceCsvError[];
  /** The file passed a cap (rows, cells, size, time): nothing is read from it. */
  refusal?: UploadRefusal;
}

const columns = ['name', 'email', 'agency', 'role', 'started_on'] as const;
const required = ['name', 'agency'] as const;

const normalise = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** The register's records, read within attendanceImportLimits. */
export function readAttendanceCsv(text: string): UploadResult<CsvRecord[]> {
  return readCsv(text, attendanceImportLimits, { trim: true });
}

export function parseAttendanceCsv(text: string, agencies: readonly { id: string; name: string }[]): AttendanceCsvResult {
  return checkAttendanceCsv(readAttendanceCsv(text), agencies);
}

export interface AttendanceUpload {
  text: string;
  agencies: { id: string; name: string }[];
}

/** parseAttendanceCsv for an upload: what a worker thread runs for a large file (src/uploads). */
export function parseAttendanceUpload(upload: AttendanceUpload): UploadResult<AttendanceCsvResult> {
  return accepted(parseAttendanceCsv(upload.text, upload.agencies));
}

export const attendanceUploadParser = uploadParser(import.meta.url, 'parseAttendanceUpload', parseAttendanceUpload);

/** Matches the records read from a register to the partnership's agencies, one pass over the rows. */
export function checkAttendanceCsv(read: UploadResult<CsvRecord[]>, agencies: readonly { id: string; name: string }[]): AttendanceCsvResult {
  if (!read.ok) {
    return read.refusal.reason === 'unreadable'
      ? { rows: [], errors: [{ line: 0, messageKey: 'assurance.csv.unreadable' }] }
      : { rows: [], errors: [], refusal: read.refusal };
  }
  const [first, ...body] = read.value;
  const header = first?.cells;
  if (!header) return { rows: [], errors: [{ line: 0, messageKey: 'assurance.csv.empty' }] };
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normalise(String(h));
    if ((columns as readonly string[]).includes(key) && !index.has(key)) index.set(key, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) return { rows: [], errors: [{ line: 1, messageKey: 'assurance.csv.missingColumns' }] };

  const byName = new Map(agencies.map((a) => [a.name.trim().toLowerCase(), a]));
  const rows: AttendanceCsvRow[] = [];
  const errors: AttendanceCsvError[] = [];
  const seen = new Set<string>();
  // The file line the record ends on, so a person can find it in a spreadsheet.
  body.forEach(({ cells: record, line }) => {
    const cell = (c: (typeof columns)[number]) => {
      const at = index.get(c);
      return at === undefined ? '' : String(record[at] ?? '').trim();
    };
    const name = cell('name');
    const email = cell('email').toLowerCase();
    const agencyText = cell('agency');
    const startedOn = cell('started_on');
    if (!name) return errors.push({ line, messageKey: 'assurance.csv.nameRequired' });
    if (name.length > 200) return errors.push({ line, messageKey: 'assurance.csv.tooLong' });
    // Length first: the pattern backtracks on long cells full of dots.
    if (email && (email.length > 320 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) return errors.push({ line, messageKey: 'assurance.csv.emailFormat' });
    const agency = byName.get(agencyText.toLowerCase());
    if (!agency) return errors.push({ line, messageKey: 'assurance.csv.unknownAgency' });
    if (startedOn && parseIsoDate(startedOn) !== startedOn) {
      return errors.push({ line, messageKey: 'assurance.csv.dateFormat' });
    }
    const role = cell('role').slice(0, 200) || null;
    const key = email || `${name.toLowerCase()}|${agency.id}`;
    if (seen.has(key)) return errors.push({ line, messageKey: 'assurance.csv.duplicate' });
    seen.add(key);
    rows.push({ line, name, email: email || null, agencyId: agency.id, agencyName: agency.name, role, startedOn: startedOn || null });
    return undefined;
  });
  return { rows, errors };
}
