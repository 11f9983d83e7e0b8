import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { readCsv } from '../../../uploads/csv.ts';
import { linkageFileLimits, MatchInputError, pairsHeader, readTable } from '../files.ts';
import { linkageSettingsSchema } from '../settings.ts';
import { ClkKeys, createEncoder, MIN_KEY_BYTES } from './clk.ts';
import { filtersOf, matchEncoded, type EncodedResult } from './match.ts';
import { encodedColumns, encodedSettingsSchema, type EncodedSettings } from './settings.ts';

/**
 * `lantern encode` and `lantern match --encoded` on files. The encoded file is the id column and one
 * column of base64 filters; its header names the scheme, the filter length and a check value
 * (HMAC of the encoding settings under the key), so two files encoded under different keys or
 * settings are refused rather than matched into nonsense. No plaintext field is written.
 */

const MAX_KEY_FILE_BYTES = 64 * 1024;
const encodingHeader = /^encoding:clk1:(\d+):([A-Za-z0-9_-]{16})$/;

/**
 * The settings: a file for the encoded path alone (idColumn, threshold, encoding), or the plain
 * settings with an `encoding` section added.
 */
export function readEncodedSettings(file: string): EncodedSettings {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MatchInputError(`cannot read the settings ${file}: ${(error as Error).message}`);
  }
  const plain = typeof json === 'object' && json !== null && 'comparisons' in json;
  const parsed = plain ? linkageSettingsSchema.safeParse(json) : encodedSettingsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new MatchInputError(`the settings ${file} are not valid: ${problems.join('; ')}`);
  }
  const { idColumn, threshold, encoding } = parsed.data;
  if (!encoding) throw new MatchInputError(`the settings ${file} have no encoding section`);
  return { idColumn, threshold, encoding };
}

/** The secret of a key file: its bytes, less trailing white space; at least 32. Its content is never in a message. */
export function readKeyFile(file: string): ClkKeys {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    if (stat.size > MAX_KEY_FILE_BYTES) throw new Error(`larger than ${MAX_KEY_FILE_BYTES} bytes`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new MatchInputError(`cannot read the key file ${file}: ${(error as { code?: string }).code ?? (error as Error).message}`);
  }
  let end = bytes.length;
  while (end > 0 && [0x0a, 0x0d, 0x20, 0x09].includes(bytes[end - 1]!)) end -= 1;
  if (end < MIN_KEY_BYTES) throw new MatchInputError(`the key file ${file} is too short: a key needs at least ${MIN_KEY_BYTES} bytes of secret`);
  const keys = new ClkKeys(bytes.subarray(0, end));
  bytes.fill(0);
  return keys;
}

export interface EncodeRun {
  records: number;
  bits: number;
  milliseconds: number;
}

/** Encodes the records of a CSV file: the id and the filter, nothing else. */
export function encodeFile(settingsFile: string, keyFile: string, input: string, out: string): EncodeRun {
  const started = performance.now();
  const settings = readEncodedSettings(settingsFile);
  const keys = readKeyFile(keyFile);
  const records = readTable(input, encodedColumns(settings));
  const encoder = createEncoder(keys, settings.encoding);
  const rows: string[][] = [[settings.idColumn, `encoding:clk1:${encoder.length}:${encoder.check}`]];
  records.forEach((record, i) => {
    const id = record[settings.idColumn];
    if (id === null || id === undefined) throw new MatchInputError(`${input}: record ${i + 1} has no ${settings.idColumn}`);
    rows.push([id, Buffer.from(encoder.encode(record)).toString('base64')]);
  });
  try {
    fs.writeFileSync(out, stringify(rows));
  } catch (error) {
    throw new MatchInputError(`cannot write ${out}: ${(error as Error).message}`);
  }
  return { records: records.length, bits: encoder.length, milliseconds: performance.now() - started };
}

interface EncodedFile {
  ids: string[];
  encodings: Uint8Array[];
  bits: number;
  check: string;
}

export function readEncodedFile(file: string): EncodedFile {
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
  const scheme = header?.cells.length === 2 ? encodingHeader.exec(header.cells[1]!) : null;
  if (!scheme) throw new MatchInputError(`${file} is not an encoded file (lantern encode writes one)`);
  const bits = Number(scheme[1]);
  const ids: string[] = [];
  const encodings: Uint8Array[] = [];
  for (const [i, { cells }] of rows.entries()) {
    const [id, encoded] = cells;
    const bytes = encoded && /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? Buffer.from(encoded, 'base64') : null;
    if (!id || !bytes || bytes.length * 8 !== bits || cells.length !== 2)
      throw new MatchInputError(`${file}: row ${i + 2} is not an id and an encoding of ${bits} bits`);
    ids.push(id);
    encodings.push(new Uint8Array(bytes));
  }
  return { ids, encodings, bits, check: scheme[2]! };
}

export const encodedPairsHeader = [...pairsHeader, 'dice'];

export interface EncodedMatchRun {
  records: [number, number | null];
  result: EncodedResult;
  milliseconds: number;
}

/** Links two encoded files (or deduplicates one) and writes the pairs, with the columns of `lantern match` and the Dice coefficient. */
export function matchEncodedFiles(settingsFile: string, leftFile: string, rightFile: string | undefined, out: string): EncodedMatchRun {
  const started = performance.now();
  const settings = readEncodedSettings(settingsFile);
  const left = readEncodedFile(leftFile);
  const right = rightFile === undefined ? null : readEncodedFile(rightFile);
  if (right && (right.check !== left.check || right.bits !== left.bits))
    throw new MatchInputError(`${leftFile} and ${rightFile} were encoded with different keys or encoding settings`);
  const expected = settings.encoding.balance ? 2 * settings.encoding.bits : settings.encoding.bits;
  if (left.bits !== expected) throw new MatchInputError(`${leftFile} has encodings of ${left.bits} bits; the settings make ${expected}`);
  const result = matchEncoded(
    settings.encoding,
    settings.threshold,
    filtersOf(left.encodings, left.bits),
    right ? filtersOf(right.encodings, right.bits) : null,
  );
  const otherIds = right?.ids ?? left.ids;
  const rows = result.pairs.map((p) => [left.ids[p.left], otherIds[p.right], p.matchProbability.toFixed(6), p.matchWeight.toFixed(3), p.dice.toFixed(4)]);
  try {
    fs.writeFileSync(out, stringify([encodedPairsHeader, ...rows]));
  } catch (error) {
    throw new MatchInputError(`cannot write ${out}: ${(error as Error).message}`);
  }
  return { records: [left.ids.length, right?.ids.length ?? null], result, milliseconds: performance.now() - started };
}
