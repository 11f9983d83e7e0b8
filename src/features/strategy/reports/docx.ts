import { Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import type { TFunction } from 'i18next';
import { formatDate } from '../../../dates.ts';
import { wordLanguageStyles } from '../../../documents/language.ts';
import { translator, type Language } from '../../../i18n/i18n.ts';
import { textIn } from '../../../i18n/local-text.ts';
import { formatNumber, formatQuantity } from '../../../numbers.ts';
import { outcomesOfStrand } from '../domain/frameworks.ts';
import { ragStatusDefinitions, type RagStatus } from '../domain/rag.ts';
import type { ExportPlan, QuarterlyReport } from './model.ts';

const ragShade: Record<string, string> = { red: 'D4351C', amber: 'FFDD00', green: '00703C', blue: '1D70B8' };
const ragInk: Record<string, string> = { red: 'FFFFFF', amber: '0B0C0C', green: 'FFFFFF', blue: 'FFFFFF' };

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
        ? [new Paragraph({ children: [new TextRun({ text: value, bold: true, color: ragInk[options.status] ?? '000000' })] })]
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

/** A Word document in `language`: its text is already in it; Word is told so too (w:lang). */
const pack = (language: Language, title: string, children: (Paragraph | Table)[]) =>
  Packer.toBuffer(new Document({ creator: 'Lantern', title, styles: wordLanguageStyles(language), sections: [{ children }] }));

/** A status as the document's language names it: Coch, Ambr, Gwyrdd, Glas … */
const ragName = (t: TFunction, status: RagStatus) => t(`strategy.rag.${status}`);

/**
 * The Welsh Government reporting template, laid out as seed 001's appendix, in `language` (its
 * headings, statuses and legend, and the framework's texts where it has them in that language; the
 * plan's own words and narratives are as written).
 */
export function returnToDocx(plan: ExportPlan, language: Language = 'en'): Promise<Buffer> {
  const t = translator(language);
  const local = (value: Parameters<typeof textIn>[0]) => textIn(value, language);
  const byRef = new Map(plan.actions.map((a) => [a.ref, a]));
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(`${plan.partnershipName} - ${plan.title}`)] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(t('documents.return.template'))] }),
    text(local(plan.framework.name), true),
    text(t('documents.return.ragStatus'), true),
    table(
      [t('documents.return.status'), t('documents.return.meaning')],
      ragStatusDefinitions.map((d) => ({ cells: [ragName(t, d.status), t(`strategy.ragMeaning.${d.status}`)], status: d.status, statusColumn: 0 })),
      [20, 80],
    ),
  ];
  if (plan.sourceNote) children.push(text(plan.sourceNote));
  for (const strand of plan.framework.strands) {
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [new TextRun(t('documents.return.overarching', { number: strand.number, strand: local(strand.title).toUpperCase() }))],
      }),
    );
    for (const line of local(strand.outcome).split('\n')) children.push(text(line));
    const rows: Row[] = [];
    for (const outcome of outcomesOfStrand(plan.framework, strand.key)) {
      const refs = [...outcome.actionIds, ...plan.actions.filter((a) => a.outcomeRef === outcome.id && !outcome.actionIds.includes(a.ref)).map((a) => a.ref)];
      refs.forEach((ref, index) => {
        const action = byRef.get(ref);
        rows.push({
          cells: [index === 0 ? `${outcome.id} ${local(outcome.text)}` : '', ref, ragName(t, action ? action.status : 'not-rated'), action?.narrative ?? ''],
          ...(action ? { status: action.status } : {}),
          statusColumn: 2,
        });
      });
    }
    children.push(
      table(
        [t('documents.return.outcome'), t('documents.return.action'), t('documents.return.ragStatus'), t('documents.return.narrative')],
        rows,
        [30, 8, 12, 50],
      ),
    );
  }
  return pack(language, plan.title, children);
}

/**
 * The quarterly progress report for the Board: what changed, exceptions, measures against targets. In
 * `language`: the report itself is built in it too (its quarter labels and figures: exports.ts).
 */
export function quarterlyToDocx(report: QuarterlyReport, language: Language = 'en'): Promise<Buffer> {
  const t = translator(language);
  const q = (key: string, options?: Record<string, unknown>) => (options ? t(`documents.quarterly.${key}`, options) : t(`documents.quarterly.${key}`));
  const number = (n: number) => formatNumber(n, language);
  const { plan } = report;
  const h2 = (value: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(value)] });
  const title = q('title', { quarter: report.quarterLabel });
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(title)] }),
    text(`${plan.title} (${plan.partnershipName})`, true),
    text(q('governance', { owner: plan.owningBody, accountable: plan.accountableTo })),
    // What the disclosure symbol means (issue 13 §2): a document's figures are always controlled.
    ...(report.disclosure.controlled ? [text(t('sdc.note', { symbol: report.disclosure.symbol, threshold: report.disclosure.threshold }))] : []),
    h2(q('statusCounts')),
    table(
      [q('status'), q('actions')],
      report.statusCounts.map((s) => ({ cells: [ragName(t, s.status), number(s.count)], status: s.status, statusColumn: 0 })),
      [60, 40],
    ),
    h2(q('exceptions')),
    tableOr(
      q('none'),
      [q('action'), q('status'), q('due'), q('leadPost'), q('narrative')],
      report.exceptions.map((a) => ({
        cells: [
          `${a.ref} ${a.text}`,
          a.overdue ? q('overdue', { status: ragName(t, a.status) }) : ragName(t, a.status),
          formatDate(a.dueOn, language),
          [a.leadTitle, a.leadAgency].filter(Boolean).join(', '),
          a.narrative,
        ],
        status: a.status,
        statusColumn: 1,
      })),
      [30, 12, 12, 16, 30],
    ),
    h2(q('measures')),
    tableOr(
      q('noMeasures'),
      [q('action'), q('successMeasure'), q('target'), q('current'), q('percentOfTarget')],
      report.measures.map((m) => ({
        cells: [m.ref, m.measure, m.target, m.current, formatQuantity(m.percentOfTarget, '%', language)],
      })),
      [10, 50, 13, 13, 14],
    ),
    h2(q('performance')),
    tableOr(
      q('noPerformance'),
      [q('measure'), q('target'), report.quarterLabel, q('againstTarget')],
      report.performanceMeasures.map((m) => ({
        cells: [
          m.computed ? q('computed', { name: m.name }) : m.name,
          q(m.direction === 'up' ? 'higherIsBetter' : 'lowerIsBetter', { target: m.target }),
          m.value ? `${m.value}${m.basis ? ` (${m.basis})` : ''}` : q('noValue'),
          m.onTrack === null ? '' : m.onTrack ? q('meetsTarget') : q('belowTarget'),
        ],
      })),
      [40, 20, 25, 15],
    ),
    ...trainingDocx(report, h2, language),
    h2(q('changed', { quarter: report.quarterLabel })),
    tableOr(
      q('noChanges'),
      [q('action'), q('status'), q('narrative')],
      report.changedThisQuarter.map((c) => ({
        cells: [c.ref, ragName(t, c.status), c.narrative],
        status: c.status,
        statusColumn: 1,
      })),
      [12, 14, 74],
    ),
    h2(q('lastTwelveMonths')),
    table(
      [q('quarter'), q('updates'), q('completed')],
      report.lastTwelveMonths.map((row) => ({
        cells: [row.label, number(row.updates), number(row.completed)],
      })),
      [50, 25, 25],
    ),
  ];
  return pack(language, title, children);
}

/** Training: compliance by agency and overall against each measure's target, and sessions held. No names. */
function trainingDocx(report: QuarterlyReport, h2: (value: string) => Paragraph, language: Language): (Paragraph | Table)[] {
  const t = translator(language);
  const q = (key: string, options?: Record<string, unknown>) => (options ? t(`documents.quarterly.${key}`, options) : t(`documents.quarterly.${key}`));
  // A count or a percentage is the disclosure symbol when withheld (issue 13 §2), shown as it is.
  const number = (n: number | string) => (typeof n === 'string' ? n : formatNumber(n, language));
  const { training } = report;
  const pct = (p: number | string | null) => (p === null ? q('nobodyDue') : typeof p === 'string' ? p : formatQuantity(p, '%', language));
  const out: (Paragraph | Table)[] = [h2(q('training'))];
  if (training.compliance.length === 0) out.push(text(q('noTrainingMeasure')));
  for (const c of training.compliance) {
    out.push(
      text(q('trainingCaption', { title: c.title, count: c.windowMonths, asOf: formatDate(training.asOf, language), target: number(c.targetPercent) }), true),
    );
    const overall = c.overall.percentage;
    out.push(
      table(
        [q('agency'), q('trainingDue'), q('trainedOnTime'), q('compliance')],
        [
          ...c.byAgency.map((a) => ({ cells: [a.agency, number(a.due), number(a.onTime), pct(a.percentage)] })),
          {
            cells: [
              q('allAgencies'),
              number(c.overall.due),
              number(c.overall.onTime),
              typeof overall !== 'number' ? pct(overall) : q(overall >= c.targetPercent ? 'meetsTargetNote' : 'belowTargetNote', { percentage: pct(overall) }),
            ],
          },
        ],
        [40, 15, 20, 25],
      ),
    );
  }
  out.push(text(q('sessions', { quarter: report.quarterLabel }), true));
  out.push(
    training.sessions.length === 0
      ? text(q('noSessions'))
      : table(
          [q('course'), q('sessionCount'), q('attendances')],
          [
            ...training.sessions.map((s) => ({ cells: [s.course, number(s.sessions), number(s.attendees)] })),
            {
              cells: [
                q('total'),
                number(training.sessions.reduce((n, s) => n + s.sessions, 0)),
                number(training.sessions.reduce((n, s) => n + s.attendees, 0)),
              ],
            },
          ],
          [60, 20, 20],
        ),
  );
  return out;
}
