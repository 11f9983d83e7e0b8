// The annual problem profile as a Word document (the docx package, as the quarterly report and the
// MACE pack are written): a title page, the contents, then each chapter with its tables. The words
// are the model's (annual.ts), already in the document's language; Word is told the language too.
import { AlignmentType, Document, HeadingLevel, Packer, PageBreak, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { wordLanguageStyles } from '../../documents/language.ts';
import type { AnnualDocument, DocumentBlock, DocumentTable } from './annual.ts';

const text = (value: string, options: { bold?: boolean; size?: number } = {}) =>
  new Paragraph({ children: [new TextRun({ text: value, ...(options.bold ? { bold: true } : {}), ...(options.size ? { size: options.size } : {}) })] });

function cell(value: string, options: { bold: boolean; numeric: boolean; width: number }) {
  return new TableCell({
    width: { size: options.width, type: WidthType.PERCENTAGE },
    children: [
      new Paragraph({
        ...(options.numeric ? { alignment: AlignmentType.RIGHT } : {}),
        children: [new TextRun({ text: value, ...(options.bold ? { bold: true } : {}) })],
      }),
    ],
  });
}

/** A table with its caption above it; the heading row repeats on each page; numbers to the right. */
function table(t: DocumentTable): (Paragraph | Table)[] {
  const first = t.header.length > 2 ? 28 : 60;
  const rest = (100 - first) / Math.max(1, t.header.length - 1);
  const width = (i: number) => (i === 0 ? first : rest);
  return [
    text(t.caption, { bold: true }),
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [
        new TableRow({ tableHeader: true, children: t.header.map((h, i) => cell(h, { bold: true, numeric: i > 0, width: width(i) })) }),
        ...t.rows.map(
          (r) => new TableRow({ cantSplit: true, children: r.cells.map((c, i) => cell(c, { bold: r.total || i === 0, numeric: i > 0, width: width(i) })) }),
        ),
      ],
    }),
    new Paragraph({ children: [] }),
  ];
}

function block(b: DocumentBlock): (Paragraph | Table)[] {
  if (b.kind === 'heading') return [new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(b.text)] })];
  if (b.kind === 'paragraph') return [text(b.text)];
  return table(b.table);
}

/** The DOCX of the annual problem profile. */
export function annualToDocx(document: AnnualDocument): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    // The title page.
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(document.title)] }),
    text(document.partnershipName, { bold: true, size: 32 }),
    text(document.areaName, { size: 28 }),
    text(document.periodTitle, { bold: true, size: 28 }),
    text(document.periodLabel),
    text(document.produced),
    text(document.status),
    new Paragraph({ children: [new PageBreak()] }),
    // The contents: the chapters' headings, numbered (Word's navigation pane lists them too).
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(document.contentsHeading)] }),
    ...document.chapters.map((c, i) => text(`${i + 1}. ${c.heading}`)),
    ...document.chapters.flatMap((c, i) => [
      new Paragraph({ heading: HeadingLevel.HEADING_1, pageBreakBefore: true, children: [new TextRun(`${i + 1}. ${c.heading}`)] }),
      ...c.blocks.flatMap(block),
    ]),
  ];
  return Packer.toBuffer(
    new Document({
      creator: 'Lantern',
      title: `${document.title} – ${document.partnershipName}`,
      styles: wordLanguageStyles(document.language),
      sections: [{ children }],
    }),
  );
}
