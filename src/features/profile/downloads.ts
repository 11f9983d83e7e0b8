// The problem profile's downloads (issue 13 §3): every figure the page shows, in tidy form with exactly
// the columns measure,breakdown,category,period,area,value, one row per cell, value a whole number, the
// partnership's symbol (withheld) or z (not applicable); and the same rows as XLSX with a Notes sheet.
// Machine keys in the rows (the same in either language); the notes in the page's language.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { TFunction } from 'i18next';
import { intlLocale, type Language } from '../../i18n/i18n.ts';
import { escapeCsvCell } from '../strategy/reports/csv.ts';
import type { DisclosureSettings } from '../disclosure/index.ts';
import { partnershipArea, type Period } from './period.ts';
import { neighbourBreakdown } from './neighbours.ts';
import type { ExportCell, Locality } from './service.ts';

export const downloadColumns = ['measure', 'breakdown', 'category', 'period', 'area', 'value'] as const;

export interface Download {
  cells: readonly ExportCell[];
  period: Period;
  periodLabel: string;
  area: string;
  areaName: string | null;
  localities: readonly Locality[];
  settings: DisclosureSettings;
  /** Unsuppressed figures: the file says "not for publication" in its name and notes. */
  unsuppressed: boolean;
  madeAt: Date;
}

const row = (c: ExportCell) => [c.measure, c.breakdown, c.category, c.period, c.area, String(c.value)];

/** The CSV text: the header row, then one row per cell (CRLF, as the other downloads). */
export function profileCsv(download: Download): string {
  return stringify(
    [[...downloadColumns], ...download.cells.map(row)].map((r) => r.map(escapeCsvCell)),
    { record_delimiter: '\r\n' },
  );
}

/** The file's name: problem-profile-2026-Q3-partnership(-not-for-publication).csv */
export function downloadName(download: Pick<Download, 'period' | 'area' | 'unsuppressed'>, format: 'csv' | 'xlsx'): string {
  const area = download.area === partnershipArea ? 'partnership' : `area-${download.area.slice(0, 8)}`;
  return `problem-profile-${download.period.key}-${area}${download.unsuppressed ? '-not-for-publication' : ''}.${format}`.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** The XLSX: a Figures sheet of the same rows (counts as numbers) and a Notes sheet. */
export async function profileXlsx(download: Download, t: TFunction, language: Language): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Lantern';
  book.title = t('published.download.title');
  (book as ExcelJS.Workbook & { language?: string }).language = intlLocale(language);
  book.created = download.madeAt;
  book.modified = download.madeAt;
  const figures = book.addWorksheet('Figures', { views: [{ state: 'frozen', ySplit: 1 }] });
  figures.addRow([...downloadColumns]);
  for (const c of download.cells) figures.addRow([...row(c).slice(0, 5).map(escapeCsvCell), typeof c.value === 'number' ? c.value : c.value]);
  figures.getRow(1).font = { bold: true };
  figures.columns.forEach((column) => (column.width = 24));

  const notes = book.addWorksheet('Notes');
  const area = download.areaName ?? t('profile.wholePartnership');
  const lines: [string, string][] = [
    [t('published.download.notes.title'), t('published.download.title')],
    ...(download.unsuppressed ? ([[t('published.download.notes.status'), t('published.download.notes.notForPublication')]] as [string, string][]) : []),
    [t('published.download.notes.period'), download.periodLabel],
    [t('published.download.notes.area'), area],
    [
      t('published.download.notes.symbols'),
      download.unsuppressed
        ? t('published.download.notes.unsuppressedSymbols')
        : t('published.download.notes.symbolMeaning', { symbol: download.settings.symbol, threshold: download.settings.threshold }),
    ],
    [t('published.download.notes.notApplicable'), t('published.download.notes.zMeaning')],
    [t('published.download.notes.threshold'), String(download.settings.threshold)],
    [t('published.download.notes.source'), t('published.download.notes.sourceText')],
    [t('published.download.notes.made'), download.madeAt.toISOString()],
    [t('published.download.notes.columns'), t('published.download.notes.columnsText')],
    [
      t('published.download.notes.areas'),
      [`partnership: ${t('profile.wholePartnership')}`, ...download.localities.map((l) => `${l.id}: ${l.name}`)].join('; '),
    ],
    // A neighbouring partnership's figures are controlled even in an unsuppressed file (migration 0450).
    ...(download.cells.some((c) => c.breakdown === neighbourBreakdown)
      ? ([[t('neighbours.download.heading'), t('neighbours.download.note', { symbol: download.settings.symbol })]] as [string, string][])
      : []),
  ];
  for (const [heading, text] of lines) notes.addRow([heading, escapeCsvCell(text)]);
  notes.getColumn(1).font = { bold: true };
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 100;
  return Buffer.from(await book.xlsx.writeBuffer());
}
