// The audit report as a Word document (the docx package, as the problem profile is written).
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { wordLanguageStyles } from '../../documents/language.ts';
import type { Language } from '../../i18n/i18n.ts';
import type { AuditReport, ReportTable } from './report.ts';

const para = (value: string, bold = false) => new Paragraph({ children: [new TextRun({ text: value, bold })] });
const heading = (value: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_2) =>
  new Paragraph({ heading: level, children: [new TextRun(value)] });

function table(t: ReportTable): (Paragraph | Table)[] {
  const cellOf = (value: string, bold: boolean, numeric: boolean) =>
    new TableCell({
      width: { size: numeric ? 30 : 70, type: WidthType.PERCENTAGE },
      children: [new Paragraph({ ...(numeric ? { alignment: AlignmentType.RIGHT } : {}), children: [new TextRun({ text: value, bold })] })],
    });
  return [
    para(t.caption, true),
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [
        new TableRow({ tableHeader: true, children: t.header.map((h, i) => cellOf(h, true, i > 0)) }),
        ...t.rows.map((r, n) => new TableRow({ cantSplit: true, children: r.map((c, i) => cellOf(c, n === t.rows.length - 1, i > 0)) })),
      ],
    }),
    new Paragraph({ children: [] }),
  ];
}

export function auditReportDocx(
  report: AuditReport,
  headings: { scope: string; grades: string; themes: string; findings: string; learning: string; planRef: string },
  language: Language,
): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(report.title)] }),
    para(report.partnershipName, true),
    ...report.facts.map((f) => new Paragraph({ children: [new TextRun({ text: `${f.label}: `, bold: true }), new TextRun(f.value)] })),
    para(report.note),
  ];
  if (report.scope) children.push(heading(headings.scope), para(report.scope));
  children.push(heading(headings.grades), ...table(report.gradeTable));
  children.push(heading(headings.themes));
  for (const theme of report.themeTables) children.push(heading(theme.theme, HeadingLevel.HEADING_3), ...theme.tables.flatMap(table));
  children.push(
    heading(headings.findings),
    ...report.findings
      .split(/\n+/)
      .filter(Boolean)
      .map((p) => para(p)),
  );
  children.push(heading(headings.learning), ...report.learning.map((l) => para(l.planRef ? `${l.text} (${headings.planRef} ${l.planRef})` : l.text)));
  const doc = new Document({ title: report.title, styles: wordLanguageStyles(language), sections: [{ children }] });
  return Packer.toBuffer(doc);
}
