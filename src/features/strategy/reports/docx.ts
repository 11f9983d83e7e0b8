import { Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { outcomesOfStrand } from '../domain/frameworks.ts';
import { ragStatusDefinitions } from '../domain/rag.ts';
import { ragLabel, type ExportPlan, type QuarterlyReport } from './model.ts';

const ragShade: Record<string, string> = { red: 'D4351C', amber: 'FFDD00', green: '00703C', blue: '1D70B8' };
const ragText: Record<string, string> = { red: 'FFFFFF', amber: '0B0C0C', green: 'FFFFFF', blue: 'FFFFFF' };

const text = (value: string, bold = false) => new Paragraph({ children: [new TextRun({ text: value, bold })] });

/** Multi-paragraph cells keep their paragraphs. */
const paragraphs = (value: string) => (value ? value.split(/\n{2,}/) : ['']).map((p) => text(p));

function cell(value: string, options: { bold?: boolean; status?: string; width?: number } = {}) {
  const fill = options.status ? ragShade[options.status] : undefined;
  return new TableCell({
    ...(options.width ? { width: { size: options.width, type: WidthType.PERCENTAGE } } : {}),
    ...(fill ? { shading: { type: ShadingType.CLEAR, color: 'auto', fill } } : {}),
    children:
      fill && options.status
        ? [new Paragraph({ children: [new TextRun({ text: value, bold: true, color: ragText[options.status] ?? '000000' })] })]
        : options.bold
          ? [text(value, true)]
          : paragraphs(value),
  });
}

type Row = { cells: string[]; status?: string; statusColumn?: number };

function table(header: string[], rows: Row[], widths: number[]) {
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h, i) => cell(h, { bold: true, width: widths[i] ?? 10 })) }),
      ...rows.map(
        (r) =>
          new TableRow({
            children: r.cells.map((c, i) => cell(c, { width: widths[i] ?? 10, ...(r.status && i === r.statusColumn ? { status: r.status } : {}) })),
          }),
      ),
    ],
  });
}

/** The table, or a sentence saying there is nothing to put in it. */
const tableOr = (none: string, header: string[], rows: Row[], widths: number[]) => (rows.length === 0 ? text(none) : table(header, rows, widths));

const pack = (doc: Document) => Packer.toBuffer(doc);

/** The Welsh Government reporting template, laid out as seed 001's appendix. */
export function returnToDocx(plan: ExportPlan): Promise<Buffer> {
  const byRef = new Map(plan.actions.map((a) => [a.ref, a]));
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`${plan.partnershipName} - ${plan.title}`)] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Reporting Template')] }),
    text(plan.framework.name, true),
    text('RAG status', true),
    table(
      ['Status', 'Meaning'],
      ragStatusDefinitions.map((d) => ({ cells: [d.label, d.meaning], status: d.status, statusColumn: 0 })),
      [20, 80],
    ),
  ];
  if (plan.sourceNote) children.push(text(plan.sourceNote));
  for (const strand of plan.framework.strands) {
    children.push(
      new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${strand.number}. ${strand.title.toUpperCase()} - Overarching outcome:`)] }),
    );
    for (const line of strand.outcome.split('\n')) children.push(text(line));
    const rows: Row[] = [];
    for (const outcome of outcomesOfStrand(plan.framework, strand.key)) {
      const refs = [...outcome.actionIds, ...plan.actions.filter((a) => a.outcomeRef === outcome.id && !outcome.actionIds.includes(a.ref)).map((a) => a.ref)];
      refs.forEach((ref, index) => {
        const action = byRef.get(ref);
        rows.push({
          cells: [index === 0 ? `${outcome.id} ${outcome.text}` : '', ref, action ? ragLabel(action.status) : 'Not rated', action?.narrative ?? ''],
          ...(action ? { status: action.status } : {}),
          statusColumn: 2,
        });
      });
    }
    children.push(table(['Outcome', 'Action', 'RAG status', 'Narrative update'], rows, [30, 8, 12, 50]));
  }
  return pack(new Document({ creator: 'Lantern', title: plan.title, sections: [{ children }] }));
}

/** The quarterly progress report for the Board: what changed, exceptions, measures against targets. */
export function quarterlyToDocx(report: QuarterlyReport): Promise<Buffer> {
  const { plan } = report;
  const h2 = (value: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(value)] });
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`Quarterly progress report: ${report.quarterLabel}`)] }),
    text(`${plan.title} (${plan.partnershipName})`, true),
    text(`Owned by ${plan.owningBody}; held to account by ${plan.accountableTo}.`),
    h2('Status of all actions'),
    table(
      ['Status', 'Actions'],
      report.statusCounts.map((s) => ({ cells: [s.label, String(s.count)], status: s.status, statusColumn: 0 })),
      [60, 40],
    ),
    h2('Exceptions: red or overdue actions'),
    tableOr(
      'None.',
      ['Action', 'Status', 'Due', 'Lead (post)', 'Narrative'],
      report.exceptions.map((a) => ({
        cells: [
          `${a.ref} ${a.text}`,
          ragLabel(a.status) + (a.overdue ? ' (overdue)' : ''),
          a.dueOn ?? '',
          [a.leadTitle, a.leadAgency].filter(Boolean).join(', '),
          a.narrative,
        ],
        status: a.status,
        statusColumn: 1,
      })),
      [30, 12, 12, 16, 30],
    ),
    h2('Measures against targets'),
    tableOr(
      'No action has a numeric target yet.',
      ['Action', 'Success measure', 'Target', 'Current', '% of target'],
      report.measures.map((m) => ({
        cells: [m.ref, m.measure, m.target, m.current, m.percentOfTarget === null ? '' : `${m.percentOfTarget}%`],
      })),
      [10, 50, 13, 13, 14],
    ),
    h2('Performance measures'),
    tableOr(
      'This plan has no performance measures yet.',
      ['Measure', 'Target', report.quarterLabel, 'Against target'],
      report.performanceMeasures.map((m) => ({
        cells: [
          `${m.name}${m.computed ? ' (computed from Lantern records)' : ''}`,
          `${m.target} (${m.direction === 'up' ? 'higher' : 'lower'} is better)`,
          m.value ? `${m.value}${m.basis ? ` (${m.basis})` : ''}` : 'No value',
          m.onTrack === null ? '' : m.onTrack ? 'Meets target' : 'Below target',
        ],
      })),
      [40, 20, 25, 15],
    ),
    ...trainingDocx(report, h2),
    h2(`Progress reported for ${report.quarterLabel}`),
    tableOr(
      'No progress was reported for this quarter.',
      ['Action', 'Status', 'Narrative'],
      report.changedThisQuarter.map((c) => ({
        cells: [c.ref, ragLabel(c.status), c.narrative],
        status: c.status,
        statusColumn: 1,
      })),
      [12, 14, 74],
    ),
    h2('The last 12 months'),
    table(
      ['Quarter', 'Progress updates', 'Actions completed'],
      report.lastTwelveMonths.map((q) => ({
        cells: [q.label, String(q.updates), String(q.completed)],
      })),
      [50, 25, 25],
    ),
  ];
  return pack(new Document({ creator: 'Lantern', title: `Quarterly progress report ${report.quarterLabel}`, sections: [{ children }] }));
}

/** Training: compliance by agency and overall against each measure's target, and sessions held. No names. */
function trainingDocx(report: QuarterlyReport, h2: (value: string) => Paragraph): (Paragraph | Table)[] {
  const { training } = report;
  const pct = (p: number | null) => (p === null ? 'Nobody due yet' : `${p}%`);
  const out: (Paragraph | Table)[] = [h2('Training')];
  if (training.compliance.length === 0) out.push(text('No training compliance measure is set up.'));
  for (const c of training.compliance) {
    out.push(text(`${c.title}: staff trained within ${c.windowMonths} months of joining, as at ${training.asOf}. Target ${c.targetPercent}%.`, true));
    out.push(
      table(
        ['Agency', 'Due', 'Trained on time', 'Compliance'],
        [
          ...c.byAgency.map((a) => ({ cells: [a.agency, String(a.due), String(a.onTime), pct(a.percentage)] })),
          {
            cells: [
              'All agencies',
              String(c.overall.due),
              String(c.overall.onTime),
              `${pct(c.overall.percentage)}${c.overall.percentage === null ? '' : c.overall.percentage >= c.targetPercent ? ' (meets target)' : ' (below target)'}`,
            ],
          },
        ],
        [40, 15, 20, 25],
      ),
    );
  }
  out.push(text(`Training sessions held in ${report.quarterLabel}`, true));
  out.push(
    training.sessions.length === 0
      ? text('No training sessions were held in this quarter.')
      : table(
          ['Course', 'Sessions', 'Attendances'],
          [
            ...training.sessions.map((s) => ({ cells: [s.course, String(s.sessions), String(s.attendees)] })),
            { cells: ['Total', String(training.sessions.reduce((n, s) => n + s.sessions, 0)), String(training.sessions.reduce((n, s) => n + s.attendees, 0))] },
          ],
          [60, 20, 20],
        ),
  );
  return out;
}
