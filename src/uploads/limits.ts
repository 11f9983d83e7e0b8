import type { TFunction } from 'i18next';

/**
 * What every uploaded file may be, in one place (docs/SECURITY.md, "Uploads"). A file is refused
 * before it is read when it is too large, and while it is read as soon as it passes a cap, so
 * reading stays linear in the file and bounded in time and memory. Large files are read in a
 * worker thread (parse.ts), never on the thread that answers every other request.
 */

export interface FileLimits {
  /** Bytes of the file as uploaded (or of the text pasted). */
  readonly maxFileBytes: number;
}

/** A table read from CSV or XLSX. */
export interface TableLimits extends FileLimits {
  /** Rows after the heading row. */
  readonly maxRows: number;
  readonly maxColumns: number;
  /** Cells over the whole file (for XLSX, over every sheet: the library reads them all). */
  readonly maxCells: number;
  /** Characters in one CSV record, so an unclosed quote cannot swallow the file into one cell. */
  readonly maxRecordChars: number;
}

/** A zip archive (XLSX), checked from its directory before anything is inflated. */
export interface ZipLimits {
  /** Sum of the parts' sizes once inflated. */
  readonly maxInflatedBytes: number;
  /** How many times larger than its compressed size a part may inflate (once it is over 64 KB). */
  readonly maxInflateRatio: number;
  readonly maxZipEntries: number;
}

/**
 * A plan has at most 26 actions per outcome (ids 1.1a to 1.1z), and the frameworks Lantern ships
 * have 14 and 20 outcomes, so 1,000 action rows is twice the largest possible plan; the preview
 * also carries the rows back in one form field of at most 900 KB.
 */
export const planImportLimits: TableLimits & ZipLimits = {
  maxFileBytes: 2_000_000,
  maxRows: 1_000,
  maxColumns: 100,
  maxCells: 50_000,
  maxRecordChars: 100_000,
  maxInflatedBytes: 20_000_000,
  maxInflateRatio: 100,
  maxZipEntries: 500,
};

/** A training register: one person per row, five columns read. */
export const attendanceImportLimits: TableLimits = {
  maxFileBytes: 1_000_000,
  maxRows: 2_000,
  maxColumns: 50,
  maxCells: 100_000,
  maxRecordChars: 10_000,
};

/** A risk tool definition; the shipped tools are well under a tenth of it. */
export const riskToolFileLimits: FileLimits = { maxFileBytes: 256 * 1024 };

/** A strategy framework; the built-in ones are under 7 KB. */
export const frameworkFileLimits: FileLimits = { maxFileBytes: 256 * 1024 };

/**
 * Files (for XLSX, their inflated parts) up to this size are read and checked in the request's
 * thread; larger ones in a worker thread. Checking costs most per date: a plan row with two dates
 * takes 33 bytes, and 16 KB of them (about 500 rows) takes some 30 ms of CPU.
 */
export const inThreadMaxBytes = 16 * 1024;

/** A worker still reading after this long is stopped and the file refused. */
export const parseTimeLimitMs = 5_000;

/** Heap a parsing worker may use before it is stopped (the largest file within the caps needs under 60 MB). */
export const parseWorkerHeapMb = 128;

/** Workers reading at once; more uploads wait their turn. The machine has few cores and serves pages too. */
export const maxParseWorkers = 2;

/** Why a file was refused without being (fully) read. Each reason has a message under `uploads.`. */
export type UploadRefusal =
  | { reason: 'tooLarge'; maxBytes: number }
  | { reason: 'tooManyRows' | 'tooManyColumns' | 'tooManyCells'; max: number }
  | { reason: 'inflatesTooMuch'; maxBytes: number }
  | { reason: 'tooSlow' | 'tooComplex' | 'unreadable' };

export type UploadResult<T> = { ok: true; value: T } | { ok: false; refusal: UploadRefusal };

export const accepted = <T>(value: T): UploadResult<T> => ({ ok: true, value });
export const refused = <T = never>(refusal: UploadRefusal): UploadResult<T> => ({ ok: false, refusal });

/** The file's own size check: multipart cuts a file at maxFileBytes + 1 bytes (see multipartFileLimit). */
export function checkFileSize(bytes: number, limits: FileLimits): UploadResult<number> {
  return bytes > limits.maxFileBytes ? refused({ reason: 'tooLarge', maxBytes: limits.maxFileBytes }) : accepted(bytes);
}

/**
 * @fastify/multipart's limit for one file: one byte over the cap, with throwFileSizeLimit off, so an
 * over-size file arrives cut and is refused on the form page (not with an error page).
 */
export const multipartFileLimit = (limits: FileLimits) => limits.maxFileBytes + 1;

/** "2 MB", "256 KB": sizes as the form hints write them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000 && bytes % 1_000_000 === 0) return `${bytes / 1_000_000} MB`;
  if (bytes >= 1_048_576) return `${Math.round((bytes / 1_048_576) * 10) / 10} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

/** The refusal as a sentence for the GOV.UK error summary; a form may name the file it expects instead of "unreadable". */
export function refusalMessage(refusal: UploadRefusal, t: TFunction, unreadableKey = 'uploads.unreadable'): string {
  switch (refusal.reason) {
    case 'tooLarge':
    case 'inflatesTooMuch':
      return t(`uploads.${refusal.reason}`, { size: formatBytes(refusal.maxBytes) });
    case 'tooManyRows':
    case 'tooManyColumns':
    case 'tooManyCells':
      return t(`uploads.${refusal.reason}`, { max: refusal.max.toLocaleString('en-GB') });
    case 'unreadable':
      return t(unreadableKey);
    default:
      return t(`uploads.${refusal.reason}`);
  }
}
