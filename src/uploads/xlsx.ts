import { accepted, refused, type TableLimits, type UploadResult, type ZipLimits } from './limits.ts';
import { inflateZip, readZipDirectory } from './zip.ts';

/** The parts exceljs reads as worksheets (its own pattern). */
const worksheetPart = /xl\/worksheets\/sheet\d+[.]xml/;
const rowTag = /<(?:[A-Za-z_][\w.-]*:)?row[\s/>]/g;
const cellTag = /<(?:[A-Za-z_][\w.-]*:)?c[\s/>]/g;
const sharedStringTag = /<(?:[A-Za-z_][\w.-]*:)?si[\s/>]/g;
// exceljs makes a cell for every address a merge or a drop-down list covers, however large the range.
const expandedRange = /<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell\s[^>]*?\bref|dataValidation\s[^>]*?\bsqref)\s*=\s*"([^"]*)"/g;
const count = (text: string, tag: RegExp) => {
  let n = 0;
  for (tag.lastIndex = 0; tag.exec(text);) n++;
  return n;
};

/** Cells in "A1:C3 E5" (a space-separated list of cells and ranges); any part it cannot read counts as huge. */
export function rangeArea(ref: string): number {
  let area = 0;
  for (const part of ref.trim().split(/\s+/)) {
    if (part === '') continue;
    const ends = part.split(':').map((cell) => /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(cell));
    if (ends.length > 2 || ends.some((m) => !m)) return Number.MAX_SAFE_INTEGER;
    const [from, to] = [ends[0]!, ends[ends.length - 1]!];
    const column = (letters: string) => [...letters.toUpperCase()].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0);
    const rows = Math.abs(Number(to[2]) - Number(from[2])) + 1;
    const columns = Math.abs(column(to[1]!) - column(from[1]!)) + 1;
    area += rows * columns;
  }
  return area;
}

/**
 * Checks an XLSX file before exceljs reads it: the zip (readZipDirectory, inflateZip), then each
 * worksheet's rows, the cells of every sheet with its merged and drop-down ranges, and the shared
 * strings, counted in the inflated XML in one pass each. exceljs builds an object for each of those, so
 * these counts bound its time and memory. Gives the inflated size (what the reader will work through).
 */
export function checkWorkbook(content: Uint8Array, limits: TableLimits & ZipLimits): UploadResult<{ inflatedBytes: number }> {
  const directory = readZipDirectory(content, limits);
  if (!directory.ok) return directory;
  const parts = inflateZip(content, directory.value);
  if (!parts.ok) return parts;
  let cells = 0;
  for (const [name, data] of parts.value) {
    const isSheet = worksheetPart.test(name);
    if (!isSheet && !name.endsWith('sharedStrings.xml')) continue;
    const xml = data.toString('latin1');
    if (isSheet) {
      if (count(xml, rowTag) > limits.maxRows + 1) return refused({ reason: 'tooManyRows', max: limits.maxRows });
      cells += count(xml, cellTag);
      for (const m of xml.matchAll(expandedRange)) cells += rangeArea(m[1]!);
      if (cells > limits.maxCells) return refused({ reason: 'tooManyCells', max: limits.maxCells });
    } else if (count(xml, sharedStringTag) > limits.maxCells) {
      // Each cell holds at most one shared string: more of them than cells allowed is never a table.
      return refused({ reason: 'tooManyCells', max: limits.maxCells });
    }
  }
  return accepted({ inflatedBytes: directory.value.inflatedBytes });
}
