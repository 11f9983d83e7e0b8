import type { Disclosure } from '../../disclosure/publish.ts';
import type { Framework } from '../domain/frameworks.ts';
import { ragStatusDefinitions, type RagStatus } from '../domain/rag.ts';

/**
 * What every export of a plan is made from. It carries posts and agencies, never people's names:
 * board members and councillors read these documents.
 */
export interface ExportAction {
  ref: string;
  outcomeRef: string;
  text: string;
  leadTitle: string;
  leadAgency: string;
  startOn: string | null;
  dueOn: string | null;
  costPounds: string | null;
  costNote: string;
  successMeasure: string;
  targetValue: string | null;
  currentValue: string | null;
  measureUnit: string;
  evidenceSource: string;
  boardPlanRef: string;
  status: RagStatus;
  narrative: string;
  overdue: boolean;
}

export interface ExportPlan {
  title: string;
  partnershipName: string;
  framework: Framework;
  periodStart: string;
  periodEnd: string;
  owningBody: string;
  accountableTo: string;
  reviewCycle: string;
  nextReviewOn: string | null;
  sourceNote: string;
  actions: ExportAction[];
}

export interface QuarterlyChange {
  ref: string;
  quarterStart: string;
  status: RagStatus;
  narrative: string;
}

export interface QuarterlyReport {
  plan: ExportPlan;
  quarterStart: string;
  quarterLabel: string;
  statusCounts: { status: RagStatus; label: string; count: number }[];
  changedThisQuarter: QuarterlyChange[];
  /** Updates per quarter over the last 12 months, oldest first. */
  lastTwelveMonths: { quarterStart: string; label: string; updates: number; completed: number }[];
  exceptions: ExportAction[];
  measures: { ref: string; measure: string; target: string; current: string; percentOfTarget: number | null }[];
  /** The plan's performance measures for the quarter, entered or computed from Lantern's records (aggregates only). */
  performanceMeasures: {
    name: string;
    unit: string;
    computed: boolean;
    target: string;
    direction: 'up' | 'down';
    value: string;
    basis: string;
    onTrack: boolean | null;
  }[];
  training: QuarterlyTraining;
  /** Whether its counts are controlled (always in a downloaded document), and the symbol and threshold used. */
  disclosure: Disclosure;
}

/** Training for the quarterly report: counts and percentages only, never a person's name. */
export interface QuarterlyTraining {
  /** The day compliance is worked out at: the quarter's last day, or today for the quarter in progress. */
  asOf: string;
  compliance: {
    title: string;
    windowMonths: number;
    targetPercent: number;
    /** Counts are the symbol when withheld (primary or secondary suppression), and so is a percentage with a withheld count. */
    overall: { due: number | string; onTime: number | string; percentage: number | string | null };
    byAgency: { agency: string; due: number | string; onTime: number | string; percentage: number | string | null }[];
  }[];
  /** Sessions held in the quarter, by course. */
  sessions: { course: string; sessions: number; attendees: number }[];
}

export const ragLabel = (status: RagStatus) => ragStatusDefinitions.find((d) => d.status === status)?.label ?? status;
export const ragMeaning = (status: RagStatus) => ragStatusDefinitions.find((d) => d.status === status)?.meaning ?? '';

/** The action plan's columns, in the order a Board reads them; import reads the same headings. */
export const planColumns = [
  { key: 'ref', heading: 'Action id' },
  { key: 'outcomeRef', heading: 'Outcome' },
  // Seed 003: “put the columns on action and success measure next to each other”, and a
  // cross-reference to the Board’s plan beside them.
  { key: 'text', heading: 'Action' },
  { key: 'successMeasure', heading: 'Success measure' },
  { key: 'targetValue', heading: 'Target' },
  { key: 'currentValue', heading: 'Current value' },
  { key: 'measureUnit', heading: 'Unit' },
  { key: 'evidenceSource', heading: 'Evidence source' },
  { key: 'boardPlanRef', heading: 'Board plan reference' },
  { key: 'leadTitle', heading: 'Lead (post)' },
  { key: 'leadAgency', heading: 'Lead agency' },
  { key: 'startOn', heading: 'Start date' },
  { key: 'dueOn', heading: 'Due date' },
  { key: 'costPounds', heading: 'Cost (£)' },
  { key: 'costNote', heading: 'Cost note' },
  { key: 'status', heading: 'RAG status' },
  { key: 'narrative', heading: 'Latest narrative' },
  { key: 'overdue', heading: 'Overdue' },
] as const;

export type PlanColumnKey = (typeof planColumns)[number]['key'];

export function planRow(action: ExportAction): string[] {
  return planColumns.map(({ key }) => {
    if (key === 'status') return ragLabel(action.status);
    if (key === 'overdue') return action.overdue ? 'Yes' : 'No';
    return action[key] ?? '';
  });
}
