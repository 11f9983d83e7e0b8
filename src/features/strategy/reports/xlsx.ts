import ExcelJS from 'exceljs';
import { outcomesOfStrand } from '../domain/frameworks.ts';
import { ragStatusDefinitions } from '../domain/rag.ts';
import { planColumns, planRow, ragLabel, type ExportPlan } from './model.ts';

// Fill colours for the RAG cell, so the sheet reads like the printed template.
const ragFill: Record<string, string> = { red: 'FFD4351C', amber: 'FFFFDD00', green: 'FF00703C', blue: 'FF1D70B8' };
const ragFont: Record<string, string> = { red: 'FFFFFFFF', amber: 'FF0B0C0C', green: 'FFFFFFFF', blue: 'FFFFFFFF' };

function workbook(plan: ExportPlan): ExcelJS.Workbook {
  const book = new ExcelJS.Workbook();
  book.creator = 'Lantern';
  book.title = plan.title;
  // A fixed date keeps documents byte-comparable in tests; the export itself is audited.
  book.created = new Date(`${plan.periodStart}T00:00:00Z`);
  book.modified = book.created;
  return book;
}

async function toBuffer(book: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The action plan as one sheet, one action per row, with the same headings import reads. */
export async function planToXlsx(plan: ExportPlan): Promise<Buffer> {
  const book = workbook(plan);
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
  addAbout(book, plan);
  return toBuffer(book);
}

function addAbout(book: ExcelJS.Workbook, plan: ExportPlan) {
  const about = book.addWorksheet('About this plan');
  about.columns = [{ width: 28 }, { width: 90 }];
  const rows: [string, string][] = [
    ['Plan', plan.title],
    ['Partnership', plan.partnershipName],
    ['Framework', plan.framework.name],
    ['Period', `${plan.periodStart} to ${plan.periodEnd}`],
    ['Owned by', plan.owningBody],
    ['Held to account by', plan.accountableTo],
    ['Reviewed', plan.reviewCycle + (plan.nextReviewOn ? `, next review ${plan.nextReviewOn}` : '')],
  ];
  if (plan.sourceNote) rows.push(['Source of narratives', plan.sourceNote]);
  for (const r of rows) about.addRow(r).alignment = { wrapText: true, vertical: 'top' };
  about.addRow([]);
  about.addRow(['RAG status', 'Meaning']).font = { bold: true };
  for (const d of ragStatusDefinitions) about.addRow([d.label, d.meaning]);
}

/**
 * The Welsh Government reporting template (seed 001, appendix): for each of the four outcomes its
 * overarching outcome, then one row per action with the outcome, action id, RAG status and narrative.
 */
export async function returnToXlsx(plan: ExportPlan): Promise<Buffer> {
  const book = workbook(plan);
  const sheet = book.addWorksheet('Reporting template');
  sheet.columns = [{ width: 50 }, { width: 10 }, { width: 14 }, { width: 80 }];
  sheet.addRow([`${plan.partnershipName} - ${plan.title}`]).font = { bold: true, size: 14 };
  sheet.addRow(['Reporting Template']).font = { bold: true };
  sheet.addRow([plan.framework.name]).font = { bold: true };
  sheet.addRow([]);
  const byRef = new Map(plan.actions.map((a) => [a.ref, a]));
  for (const strand of plan.framework.strands) {
    sheet.addRow([`${strand.number}. ${strand.title.toUpperCase()} - Overarching outcome:`]).font = { bold: true };
    sheet.addRow([strand.outcome]).alignment = { wrapText: true };
    sheet.addRow(['Outcome', 'Action', 'RAG status', 'Narrative update']).font = { bold: true };
    for (const outcome of outcomesOfStrand(plan.framework, strand.key)) {
      const refs = [...outcome.actionIds, ...plan.actions.filter((a) => a.outcomeRef === outcome.id && !outcome.actionIds.includes(a.ref)).map((a) => a.ref)];
      refs.forEach((ref, index) => {
        const action = byRef.get(ref);
        const row = sheet.addRow([
          index === 0 ? `${outcome.id} ${outcome.text}` : '',
          ref,
          action ? ragLabel(action.status) : 'Not rated',
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
  addAbout(book, plan);
  return toBuffer(book);
}
