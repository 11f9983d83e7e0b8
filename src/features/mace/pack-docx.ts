import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { wordLanguageStyles } from '../../documents/language.ts';
import type { PackWords } from './pack-text.ts';
import type { PackContent } from './service.ts';

const text = (value: string, options: { bold?: boolean; italics?: boolean } = {}) => new Paragraph({ children: [new TextRun({ text: value, ...options })] });
/** Multi-paragraph text keeps its paragraphs. */
const paragraphs = (value: string) => value.split(/\n{2,}|\r?\n/).map((line) => text(line));

function table(header: string[], rows: string[][], widths: number[]) {
  const cell = (value: string, width: number, bold = false) =>
    new TableCell({ width: { size: width, type: WidthType.PERCENTAGE }, children: bold ? [text(value, { bold: true })] : paragraphs(value) });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h, i) => cell(h, widths[i]!, true)) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cell(c, widths[i]!)) })),
    ],
  });
}

/**
 * The meeting pack as a Word document, in the language chosen at download (its words made by
 * pack-text.ts, the same as the PDF's): the agenda by VOLT section, each item with its minutes,
 * actions and decisions, and how many items were withheld from the recipient agency.
 */
export function packToDocx(content: Pick<PackContent, 'language'>, words: PackWords): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(words.heading)] }),
    ...words.details.map((d) => text(d)),
    ...(words.demoNote ? [text(words.demoNote, { italics: true })] : []),
    ...(words.withheldNote ? [text(words.withheldNote, { bold: true })] : []),
  ];
  for (const section of words.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(section.heading)] }));
    if (section.emptyText) children.push(text(section.emptyText));
    for (const item of section.items) {
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(item.label)] }));
      children.push(text(item.reasons, { italics: true }));
      if (item.restricted) children.push(text(item.restricted, { bold: true }));
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(words.headings.minutes)] }));
      children.push(...(item.minutes ? paragraphs(item.minutes) : [text(words.nothing.minutes)]));
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(words.headings.actions)] }));
      children.push(
        item.actions.length === 0
          ? text(words.nothing.actions)
          : table(
              [words.headers.action, words.headers.owner, words.headers.due, words.headers.status],
              item.actions.map((a) => [a.description, a.owner, a.due, a.status]),
              [46, 22, 16, 16],
            ),
      );
      children.push(new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun(words.headings.decisions)] }));
      children.push(
        item.decisions.length === 0
          ? text(words.nothing.decisions)
          : table(
              [words.headers.decision, words.headers.note],
              item.decisions.map((d) => [d.kind, d.note]),
              [40, 60],
            ),
      );
    }
  }
  return Packer.toBuffer(new Document({ creator: 'Lantern', title: words.heading, styles: wordLanguageStyles(content.language), sections: [{ children }] }));
}
