import { readCsv } from '../../uploads/csv.ts';
import { accepted, checkFileSize, type TableLimits, type UploadRefusal, type UploadResult } from '../../uploads/limits.ts';
import { runUploadParser, uploadParser } from '../../uploads/parse.ts';

/**
 * The joiners and leavers feed (issue 16 §1): a CSV from HR or the directory, one person a row.
 * 256 KB is about 2,000 rows, more than a partnership's whole staff changes in a month; like every
 * upload, a file over 16 KB is read in a worker thread with a time limit (src/uploads/parse.ts).
 */
export const peopleFeedLimits: TableLimits = {
  maxFileBytes: 256 * 1024,
  maxRows: 2_000,
  maxColumns: 12,
  maxCells: 24_000,
  maxRecordChars: 4_000,
};

export const feedActions = ['join', 'leave', 'change'] as const;
export type FeedAction = (typeof feedActions)[number];

/** One row as written (trimmed); the service decides what it means against the partnership's people. */
export interface FeedRow {
  line: number;
  email: string;
  givenName: string;
  familyName: string;
  agency: string;
  roles: string[];
  action: string;
}

/** Why the whole file is refused (nothing is applied): the upload caps, or a heading without the columns. */
export type FeedRefusal = { kind: 'upload'; refusal: UploadRefusal } | { kind: 'heading'; missing: string[] } | { kind: 'empty' };
export type FeedRead = { ok: true; rows: FeedRow[] } | { ok: false; refusal: FeedRefusal };

/** Heading words as HR systems write them: "Given name", "given_name" and "givenName" are one column. */
const columnOf: Record<string, keyof Omit<FeedRow, 'line'>> = {
  email: 'email',
  emailaddress: 'email',
  givenname: 'givenName',
  firstname: 'givenName',
  familyname: 'familyName',
  surname: 'familyName',
  lastname: 'familyName',
  agency: 'agency',
  team: 'agency',
  agencyname: 'agency',
  role: 'roles',
  roles: 'roles',
  action: 'action',
};
const required = ['email', 'givenName', 'familyName', 'agency', 'roles', 'action'] as const;
/** How a missing column is named in the refusal: as the example file writes it. */
const headingName: Record<(typeof required)[number], string> = {
  email: 'email',
  givenName: 'given_name',
  familyName: 'family_name',
  agency: 'agency',
  roles: 'role',
  action: 'action',
};

const headingKey = (cell: string) => cell.toLowerCase().replace(/[\s_-]+/g, '');

/** Reads the feed's text: every row with its line, or the reason the whole file is refused. */
export function readPeopleFeed(text: string): FeedRead {
  const size = checkFileSize(Buffer.byteLength(text, 'utf8'), peopleFeedLimits);
  if (!size.ok) return { ok: false, refusal: { kind: 'upload', refusal: size.refusal } };
  const read = readCsv(text, peopleFeedLimits, { trim: true });
  if (!read.ok) return { ok: false, refusal: { kind: 'upload', refusal: read.refusal } };
  const [head, ...records] = read.value;
  if (!head) return { ok: false, refusal: { kind: 'empty' } };
  const positions = new Map<keyof Omit<FeedRow, 'line'>, number>();
  head.cells.forEach((cell, i) => {
    const column = columnOf[headingKey(cell)];
    if (column && !positions.has(column)) positions.set(column, i);
  });
  const missing = required.filter((c) => !positions.has(c)).map((c) => headingName[c]);
  if (missing.length > 0) return { ok: false, refusal: { kind: 'heading', missing: [...missing] } };
  if (records.length === 0) return { ok: false, refusal: { kind: 'empty' } };
  const cell = (cells: string[], column: keyof Omit<FeedRow, 'line'>) => (cells[positions.get(column)!] ?? '').trim();
  const rows = records.map(({ cells, line }) => ({
    line,
    email: cell(cells, 'email').toLowerCase(),
    givenName: cell(cells, 'givenName'),
    familyName: cell(cells, 'familyName'),
    agency: cell(cells, 'agency'),
    // Several roles in one cell, separated by semicolons or spaces.
    roles: cell(cells, 'roles')
      .split(/[;\s]+/)
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
    action: cell(cells, 'action').toLowerCase(),
  }));
  return { ok: true, rows };
}

/** readPeopleFeed for an upload: what a worker thread runs for a large file (src/uploads). */
export function parsePeopleFeedUpload(text: string): UploadResult<FeedRead> {
  return accepted(readPeopleFeed(text));
}

export const peopleFeedUploadParser = uploadParser(import.meta.url, 'parsePeopleFeedUpload', parsePeopleFeedUpload);

/** Reads the feed as every upload is read: on this thread when small, in a worker thread when large. */
export async function readPeopleFeedUpload(text: string): Promise<FeedRead> {
  const read = await runUploadParser(peopleFeedUploadParser, text, Buffer.byteLength(text, 'utf8'));
  return read.ok ? read.value : { ok: false, refusal: { kind: 'upload', refusal: read.refusal } };
}
