import { Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { wordLanguageStyles } from '../../documents/language.ts';
import type { Language } from '../../i18n/i18n.ts';
import type { ChronologyEntry } from './chronology.ts';

/** What the chronology's DOCX needs: every string already in the words of the language chosen at download. */
export interface ChronologyDocxContent {
  /** The language it is made in (issue 11), which the document declares (w:lang). */
  language: Language;
  /** "Chronology", as the PDF's heading. */
  title: string;
  /** The document's title: "Chronology: Robin Example (NM-1)". */
  heading: string;
  caption: string;
  printed: string;
  filters: string;
  withheldNote: string | null;
  demoNote: string | null;
  headers: { when: string; type: string; agency: string; what: string; since: string };
  by: string;
  start: string;
  withheldTag: string;
  none: string;
  entries: ChronologyEntry[];
}

const withheldShade = 'F3F2F1';

const run = (text: string, options: { bold?: boolean; italics?: boolean; size?: number } = {}) => new TextRun({ text, ...options });

function cell(children: Paragraph[], width: number, shaded = false) {
  return new TableCell({
    width: { size: width, type: WidthType.PERCENTAGE },
    ...(shaded ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill: withheldShade } } : {}),
    children,
  });
}

const widths = [15, 15, 17, 43, 10];

/** The chronology as a Word document: the page's table, with a header row repeated on every page. */
export function chronologyToDocx(content: ChronologyDocxContent): Promise<Buffer> {
  const { headers } = content;
  const header = new TableRow({
    tableHeader: true,
    children: [headers.when, headers.type, headers.agency, headers.what, headers.since].map((h, i) =>
      cell([new Paragraph({ children: [run(h, { bold: true })] })], widths[i]!),
    ),
  });
  const rows = content.entries.map((e) => {
    const what = e.withheld
      ? [new Paragraph({ children: [run(`${content.withheldTag}: `, { bold: true }), run(e.summary, { italics: true })] })]
      : [
          new Paragraph({ children: [run(e.summary)] }),
          ...(e.detail ? e.detail.split(/\n+/).map((line) => new Paragraph({ children: [run(line, { size: 18 })] })) : []),
          ...(e.who ? [new Paragraph({ children: [run(`${content.by} ${e.who}`, { size: 18 })] })] : []),
        ];
    return new TableRow({
      cantSplit: true,
      children: [
        cell([new Paragraph({ children: [run(e.when)] })], widths[0]!, e.withheld),
        cell([new Paragraph({ children: [run(e.type, { bold: true })] })], widths[1]!, e.withheld),
        cell([new Paragraph({ children: [run(e.agencies)] })], widths[2]!, e.withheld),
        cell(what, widths[3]!, e.withheld),
        cell([new Paragraph({ children: [run(e.daysSincePrevious === null ? content.start : String(e.daysSincePrevious))] })], widths[4]!, e.withheld),
      ],
    });
  });
  const body = [
    ...(content.demoNote ? [new Paragraph({ children: [run(content.demoNote, { bold: true })] })] : []),
    new Paragraph({ heading: HeadingLevel.TITLE, children: [run(content.heading)] }),
    new Paragraph({ children: [run(content.printed)] }),
    new Paragraph({ children: [run(content.filters)] }),
    ...(content.withheldNote ? [new Paragraph({ children: [run(content.withheldNote)] })] : []),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [run(content.caption)] }),
    content.entries.length === 0
      ? new Paragraph({ children: [run(content.none)] })
      : new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [header, ...rows] }),
  ];
  const doc = new Document({
    title: content.heading,
    creator: 'Lantern',
    styles: wordLanguageStyles(content.language),
    sections: [{ properties: { page: { size: { orientation: 'landscape' } } }, children: body }],
  });
  return Packer.toBuffer(doc);
}
