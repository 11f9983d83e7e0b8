import ExcelJS from 'exceljs';
import type { TFunction } from 'i18next';
import { formatDate } from '../../../dates.ts';
import { intlLocale, translator, type Language } from '../../../i18n/i18n.ts';
import { textIn } from '../../../i18n/local-text.ts';
import { outcomesOfStrand } from '../domain/frameworks.ts';
import { ragStatusDefinitions } from '../domain/rag.ts';
import { planColumns, planRow, type ExportPlan } from './model.ts';

// Fill colours for the RAG cell, so the sheet reads like the printed template.
const ragFill: Record<string, string> = { red: 'FFD4351C', amber: 'FFFFDD00', green: 'FF00703C', blue: 'FF1D70B8' };
const ragFont: Record<string, string> = { red: 'FFFFFFFF', amber: 'FF0B0C0C', green: 'FFFFFFFF', blue: 'FFFFFFFF' };

/** A workbook in `language` (issue 11): it says so in its properties (dc:language), as Word documents do (w:lang). */
function workbook(plan: ExportPlan, language: Language): ExcelJS.Workbook {
  const book = new ExcelJS.Workbook();
  book.creator = 'Lantern';
  book.title = plan.title;
  // exceljs writes a workbook's `language` to docProps/core.xml, though its types leave it out of Workbook.
  (book as ExcelJS.Workbook & { language?: string }).language = intlLocale(language);
  // A fixed date keeps documents byte-comparable in tests; the export itself is audited.
  book.created = new Date(`${plan.periodStart}T00:00:00Z`);
  book.modified = book.created;
  return book;
}

async function toBuffer(book: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * The action plan as one sheet, one action per row, with the same headings import reads: English,
 * as import reads them (src/features/strategy/reports/import.ts), so it is not offered in Welsh.
 */
export async function planToXlsx(plan: ExportPlan): Promise<Buffer> {
  const book = workbook(plan, 'en');
  const sheet = book.addWorksheet('Action plan', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = planColumns.map((c) => ({ header: c.heading, key: c.key, width: ['text', 'successMeasure', 'narrative'].includes(c.key) ? 50 : 16 }));
  sheet.getRow(1).font = { bold: true };
  plan.actions.forEach((action) => {
    const values = planRow(action);
    const row = sheet.addRow(
      values.map((value, i) => {
        const key = planColumns[i]!.key;
        return ['costPounds', 'targetValue', 'currentValue'].includes(key) && value !== '' ? Number(value) : value;
      }),
    );
    row.alignment = { wrapText: true, vertical: 'top' };
    const statusCell = row.getCell(planColumns.findIndex((c) => c.key === 'status') + 1);
    const fill = ragFill[action.status];
    if (fill) {
      statusCell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
      statusCell.font = { color: { argb: ragFont[action.status] ?? 'FF000000' } };
    }
  });
  addAbout(book, plan, 'en');
  return toBuffer(book);
}

/** The plan's particulars and the RAG legend, on a sheet of their own, in `language`. */
function addAbout(book: ExcelJS.Workbook, plan: ExportPlan, language: Language) {
  const t = translator(language);
  const about = book.addWorksheet(t('documents.about.sheet'));
  about.columns = [{ width: 28 }, { width: 90 }];
  const cycle = t(`strategy.reviewCycle.${plan.reviewCycle}`);
  const rows: [string, string][] = [
    [t('documents.about.plan'), plan.title],
    [t('documents.about.partnership'), plan.partnershipName],
    [t('documents.about.framework'), textIn(plan.framework.name, language)],
    [
      t('documents.about.period'),
      t('documents.about.periodRange', { start: formatDate(plan.periodStart, language), end: formatDate(plan.periodEnd, language) }),
    ],
    [t('documents.about.owningBody'), plan.owningBody],
    [t('documents.about.accountableTo'), plan.accountableTo],
    [t('documents.about.reviewed'), plan.nextReviewOn ? t('documents.about.nextReview', { cycle, date: formatDate(plan.nextReviewOn, language) }) : cycle],
  ];
  if (plan.sourceNote) rows.push([t('documents.about.sourceNote'), plan.sourceNote]);
  for (const r of rows) about.addRow(r).alignment = { wrapText: true, vertical: 'top' };
  about.addRow([]);
  about.addRow([t('documents.return.ragStatus'), t('documents.return.meaning')]).font = { bold: true };
  for (const d of ragStatusDefinitions) about.addRow([ragName(t, d.status), t(`strategy.ragMeaning.${d.status}`)]);
}

const ragName = (t: TFunction, status: string) => t(`strategy.rag.${status}`);

/**
 * The Welsh Government reporting template (seed 001, appendix): for each of the four outcomes its
 * overarching outcome, then one row per action with the outcome, action id, RAG status and narrative.
 * In `language`: sheet names, headings, statuses, the legend and the framework's texts where it has them
 * in that language (the plan's own words are as written).
 */
export async function returnToXlsx(plan: ExportPlan, language: Language = 'en'): Promise<Buffer> {
  const t = translator(language);
  const local = (value: Parameters<typeof textIn>[0]) => textIn(value, language);
  const book = workbook(plan, language);
  const sheet = book.addWorksheet(t('documents.return.sheet'));
  sheet.columns = [{ width: 50 }, { width: 10 }, { width: 14 }, { width: 80 }];
  sheet.addRow([`${plan.partnershipName} - ${plan.title}`]).font = { bold: true, size: 14 };
  sheet.addRow([t('documents.return.template')]).font = { bold: true };
  sheet.addRow([local(plan.framework.name)]).font = { bold: true };
  sheet.addRow([]);
  const byRef = new Map(plan.actions.map((a) => [a.ref, a]));
  for (const strand of plan.framework.strands) {
    sheet.addRow([t('documents.return.overarching', { number: strand.number, strand: local(strand.title).toUpperCase() })]).font = { bold: true };
    sheet.addRow([local(strand.outcome)]).alignment = { wrapText: true };
    sheet.addRow([t('documents.return.outcome'), t('documents.return.action'), t('documents.return.ragStatus'), t('documents.return.narrative')]).font = {
      bold: true,
    };
    for (const outcome of outcomesOfStrand(plan.framework, strand.key)) {
      const refs = [...outcome.actionIds, ...plan.actions.filter((a) => a.outcomeRef === outcome.id && !outcome.actionIds.includes(a.ref)).map((a) => a.ref)];
      refs.forEach((ref, index) => {
        const action = byRef.get(ref);
        const row = sheet.addRow([
          index === 0 ? `${outcome.id} ${local(outcome.text)}` : '',
          ref,
          ragName(t, action ? action.status : 'not-rated'),
          action?.narrative ?? '',
        ]);
        row.alignment = { wrapText: true, vertical: 'top' };
        const fill = action ? ragFill[action.status] : undefined;
        if (fill && action) {
          row.getCell(3).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
          row.getCell(3).font = { color: { argb: ragFont[action.status] ?? 'FF000000' } };
        }
      });
    }
    sheet.addRow([]);
  }
  addAbout(book, plan, language);
  return toBuffer(book);
}
