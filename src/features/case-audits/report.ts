// The audit report (issue 15 §1): what the audit looked at and found, with no names — records are
// "Record 3", agencies are named, children never — and every figure through the disclosure control of
// the dashboards (features/disclosure: primary and secondary suppression of small counts, the
// partnership's threshold and symbol). One model, rendered as the page, the DOCX and the printed PDF.
import type { TFunction } from 'i18next';
import { formatDate } from '../../dates.ts';
import type { Language } from '../../i18n/i18n.ts';
import { textIn } from '../../i18n/local-text.ts';
import { controlCount, controlTable, totalCategory, type DisclosureSettings, type TidyCell } from '../disclosure/index.ts';
import { grades, optionsOf, questionsOf, type AuditTool, type Grade } from './tool.ts';
import type { SampleRow } from './service.ts';

export interface ReportTable {
  caption: string;
  header: string[];
  rows: string[][];
}

export interface AuditReport {
  title: string;
  partnershipName: string;
  facts: { label: string; value: string }[];
  scope: string;
  gradeTable: ReportTable;
  themeTables: { theme: string; tables: ReportTable[] }[];
  findings: string;
  learning: { text: string; planRef: string | null }[];
  note: string;
}

export interface ReportInput {
  audit: {
    title: string;
    scope: string;
    start: string;
    end: string;
    method: string;
    stratify_by: string | null;
    seed: string | number;
    population: number | null;
    status: string;
    findings: string;
    tool_version: number;
  };
  tool: AuditTool;
  sample: readonly SampleRow[];
  learning: readonly { text: string; action_ref: string | null }[];
  agencyCount: number;
  partnershipName: string;
}

const cell = (measure: string, category: string, value: number | null): TidyCell => ({
  measure,
  breakdown: 'answer',
  category,
  period: 'audit',
  area: 'audit',
  value,
});

/** Controls one table of counts by category with its total; returns the rows [label, value] in order. */
function controlled(measure: string, counts: readonly { category: string; label: string; value: number }[], totalLabel: string, settings: DisclosureSettings) {
  const total = counts.reduce((a, c) => a + c.value, 0);
  const cells = [...counts.map((c) => cell(measure, c.category, c.value)), cell(measure, totalCategory, total)];
  const out = controlTable(cells, settings);
  const value = (category: string) => String(out.find((c) => c.category === category)!.value);
  return [...counts.map((c) => [c.label, value(c.category)]), [totalLabel, value(totalCategory)]];
}

export function auditReport(input: ReportInput, settings: DisclosureSettings, t: TFunction, language: Language): AuditReport {
  const { audit, tool, sample } = input;
  const graded = sample.map((s) => s.grade);
  const gradeCounts = [
    ...grades.map((g) => ({ category: g, label: t(`caseAudits.grade.${g}`), value: graded.filter((x) => x === g).length })),
    { category: 'ungraded', label: t('caseAudits.report.ungraded'), value: graded.filter((x) => x === null).length },
  ];
  const answers = sample.flatMap((s) => s.answers);
  const themeTables = tool.themes.map((theme) => ({
    theme: textIn(theme.title, language),
    tables: theme.questions.map((q) => {
      const options = optionsOf(tool, q.scale);
      const counts = options.map((o) => ({
        category: o.value,
        label: textIn(o.label, language),
        value: answers.filter((a) => a.answers[q.id] === o.value).length,
      }));
      return {
        caption: textIn(q.text, language),
        header: [t('caseAudits.report.answer'), t('caseAudits.report.agencyAnswers')],
        rows: controlled(`q-${q.id}`, counts, t('caseAudits.report.total'), settings),
      };
    }),
  }));
  const method =
    audit.method === 'stratified'
      ? t('caseAudits.report.stratified', { by: t(`caseAudits.stratify.${audit.stratify_by}`), seed: String(audit.seed) })
      : t('caseAudits.report.random', { seed: String(audit.seed) });
  return {
    title: audit.title,
    partnershipName: input.partnershipName,
    facts: [
      { label: t('caseAudits.period'), value: t('caseAudits.periodRange', { start: formatDate(audit.start, language), end: formatDate(audit.end, language) }) },
      { label: t('caseAudits.tool'), value: `${textIn(tool.name, language)} (${t('caseAudits.version', { version: audit.tool_version })})` },
      { label: t('caseAudits.report.method'), value: method },
      { label: t('caseAudits.report.population'), value: String(audit.population === null ? '' : controlCount(audit.population, settings)) },
      { label: t('caseAudits.report.sampled'), value: String(controlCount(sample.length, settings)) },
      { label: t('caseAudits.report.agencies'), value: String(input.agencyCount) },
      { label: t('caseAudits.report.answers'), value: String(controlCount(answers.length, settings)) },
      { label: t('caseAudits.report.moderated'), value: String(controlCount(sample.filter((s) => s.moderation).length, settings)) },
      { label: t('caseAudits.status'), value: t(`caseAudits.statuses.${audit.status}`) },
    ],
    scope: audit.scope,
    gradeTable: {
      caption: t('caseAudits.report.gradeCaption'),
      header: [t('caseAudits.report.grade'), t('caseAudits.report.records')],
      rows: controlled('grade', gradeCounts, t('caseAudits.report.total'), settings),
    },
    themeTables,
    findings: audit.findings,
    learning: input.learning.map((l) => ({ text: l.text, planRef: l.action_ref })),
    note: t('caseAudits.report.sdcNote', { threshold: settings.threshold, symbol: settings.symbol }),
  };
}

/** Every question's id, for the tests: a report never names a child, so it is built from these and the tool's words only. */
export const reportQuestionIds = (tool: AuditTool) => questionsOf(tool).map((q) => q.id);
export type { Grade };
