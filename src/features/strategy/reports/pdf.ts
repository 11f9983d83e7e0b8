import PDFDocument from 'pdfkit';
import { ragLabel, type QuarterlyReport } from './model.ts';

/**
 * The quarterly progress report as PDF, for Board papers. Plain text layout with the built-in
 * Helvetica, so nothing is fetched or embedded; streams stay uncompressed so the text can be checked.
 */
export function quarterlyToPdf(report: QuarterlyReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: { Title: `Quarterly progress report ${report.quarterLabel}`, Author: 'Lantern', CreationDate: new Date(`${report.quarterStart}T00:00:00Z`) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const { plan } = report;
  const heading = (value: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(value).font('Helvetica').fontSize(10).moveDown(0.3);
  doc.font('Helvetica-Bold').fontSize(18).text(`Quarterly progress report: ${report.quarterLabel}`);
  doc.font('Helvetica').fontSize(11).text(`${plan.title} (${plan.partnershipName})`);
  doc.text(`Owned by ${plan.owningBody}; held to account by ${plan.accountableTo}.`);
  heading('Status of all actions');
  for (const s of report.statusCounts) doc.text(`${s.label}: ${s.count}`);
  heading('Exceptions: red or overdue actions');
  if (report.exceptions.length === 0) doc.text('None.');
  for (const a of report.exceptions) {
    doc.font('Helvetica-Bold').text(`${a.ref} - ${ragLabel(a.status)}${a.overdue ? ` (overdue since ${a.dueOn})` : ''}`);
    doc.font('Helvetica').text(a.text);
    if (a.leadTitle || a.leadAgency) doc.text(`Lead: ${[a.leadTitle, a.leadAgency].filter(Boolean).join(', ')}`);
    if (a.narrative) doc.text(a.narrative);
    doc.moveDown(0.4);
  }
  heading('Measures against targets');
  if (report.measures.length === 0) doc.text('No action has a numeric target yet.');
  for (const m of report.measures) {
    doc.text(
      `${m.ref}: ${m.measure} - target ${m.target}, current ${m.current || 'not reported'}${m.percentOfTarget === null ? '' : ` (${m.percentOfTarget}% of target)`}`,
    );
  }
  heading('Performance measures');
  if (report.performanceMeasures.length === 0) doc.text('This plan has no performance measures yet.');
  for (const m of report.performanceMeasures) {
    doc.text(
      `${m.name}${m.computed ? ' (computed from Lantern records)' : ''}: ${m.value ? `${m.value}${m.basis ? ` (${m.basis})` : ''}` : 'no value'}` +
        ` - target ${m.target}, ${m.direction === 'up' ? 'higher' : 'lower'} is better${m.onTrack === null ? '' : m.onTrack ? '; meets target' : '; below target'}`,
    );
  }
  heading('Training');
  const pct = (p: number | null) => (p === null ? 'nobody due yet' : `${p}%`);
  if (report.training.compliance.length === 0) doc.text('No training compliance measure is set up.');
  for (const c of report.training.compliance) {
    doc
      .font('Helvetica-Bold')
      .text(`${c.title}: staff trained within ${c.windowMonths} months of joining, as at ${report.training.asOf}. Target ${c.targetPercent}%.`)
      .font('Helvetica');
    for (const a of c.byAgency) doc.text(`${a.agency}: ${a.onTime} of ${a.due} trained on time (${pct(a.percentage)})`);
    doc.text(
      `All agencies: ${c.overall.onTime} of ${c.overall.due} trained on time (${pct(c.overall.percentage)})` +
        `${c.overall.percentage === null ? '' : c.overall.percentage >= c.targetPercent ? ' - meets target' : ' - below target'}`,
    );
    doc.moveDown(0.3);
  }
  doc.font('Helvetica-Bold').text(`Training sessions held in ${report.quarterLabel}`).font('Helvetica');
  if (report.training.sessions.length === 0) doc.text('No training sessions were held in this quarter.');
  for (const s of report.training.sessions) doc.text(`${s.course}: ${s.sessions} sessions, ${s.attendees} attendances`);
  heading(`Progress reported for ${report.quarterLabel}`);
  if (report.changedThisQuarter.length === 0) doc.text('No progress was reported for this quarter.');
  for (const c of report.changedThisQuarter) {
    doc
      .font('Helvetica-Bold')
      .text(`${c.ref} - ${ragLabel(c.status)}`)
      .font('Helvetica')
      .text(c.narrative)
      .moveDown(0.3);
  }
  heading('The last 12 months');
  for (const q of report.lastTwelveMonths) doc.text(`${q.label}: ${q.updates} progress updates, ${q.completed} actions completed`);
  doc.end();
  return done;
}
