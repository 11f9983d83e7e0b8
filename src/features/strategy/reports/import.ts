import { parseDateText } from '../../../dates.ts';
import { englishName, outcomeOfAction, type Framework } from '../domain/frameworks.ts';
import { ragStatusFromPrinted } from '../domain/rag.ts';
import { planColumns, type ExportAction, type PlanColumnKey } from './model.ts';

/** One action read from an uploaded plan, ready to save: an exported action without what only exports carry. */
export type ImportedAction = Omit<ExportAction, 'currentValue' | 'narrative' | 'overdue'>;

export interface ImportRowResult {
  /** Row number as the spreadsheet shows it (the heading is row 1). */
  row: number;
  ref: string;
  action: ImportedAction | null;
  errors: string[];
}

export interface ImportPreview {
  rows: ImportRowResult[];
  /** Problems with the file as a whole (no heading row, unknown format). */
  fileErrors: string[];
  /** Headings that were not recognised and were ignored. */
  ignoredHeadings: string[];
}

const normalise = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9£%]+/g, ' ')
    .trim();
// Other names a plan written elsewhere uses for the same column.
const aliases: Record<string, PlanColumnKey> = {
  'action id': 'ref',
  ref: 'ref',
  reference: 'ref',
  id: 'ref',
  action: 'text',
  'action text': 'text',
  lead: 'leadTitle',
  'lead post': 'leadTitle',
  'lead officer': 'leadTitle',
  'lead agency': 'leadAgency',
  agency: 'leadAgency',
  start: 'startOn',
  'start date': 'startOn',
  due: 'dueOn',
  'due date': 'dueOn',
  timescale: 'dueOn',
  deadline: 'dueOn',
  cost: 'costPounds',
  'cost £': 'costPounds',
  'success measure': 'successMeasure',
  measure: 'successMeasure',
  target: 'targetValue',
  'evidence source': 'evidenceSource',
  evidence: 'evidenceSource',
  'board plan reference': 'boardPlanRef',
  'board plan ref': 'boardPlanRef',
  rag: 'status',
  'rag status': 'status',
  status: 'status',
};
for (const c of planColumns) aliases[normalise(c.heading)] = c.key;

const dayPatterns = ['yyyy-MM-dd', 'dd/MM/yyyy', 'd/M/yyyy', 'd MMMM yyyy', 'd MMM yyyy'];

/** Dates as spreadsheets write them: ISO, or day/month/year as used in the UK. */
export function readDay(value: string): string | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  const day = parseDateText(v, dayPatterns);
  return day && day >= '1990-01-01' && day <= '2100-12-31' ? day : undefined;
}

export function readAmount(value: string): string | null | undefined {
  const v = value.trim().replace(/[£,%\s]/g, '');
  if (v === '') return null;
  return /^\d{1,12}(\.\d{1,2})?$/.test(v) ? v : undefined;
}

/** Checks every row of an uploaded plan against the plan's framework, without saving anything. */
export function previewImport(rows: string[][], framework: Framework, agencyNames: readonly string[]): ImportPreview {
  const [header, ...body] = rows;
  if (!header) return { rows: [], fileErrors: ['The file is empty.'], ignoredHeadings: [] };
  const columns = header.map((h) => aliases[normalise(h)] ?? null);
  const ignoredHeadings = header.filter((h, i) => h.trim() !== '' && columns[i] === null);
  if (!columns.includes('ref') || !columns.includes('text')) {
    return { rows: [], fileErrors: ['The first row must have the headings “Action id” and “Action”.'], ignoredHeadings };
  }
  const seen = new Set<string>();
  const results: ImportRowResult[] = [];
  body.forEach((cells, index) => {
    if (cells.every((c) => c.trim() === '')) return;
    const get = (key: PlanColumnKey) => {
      const i = columns.indexOf(key);
      return i < 0 ? '' : (cells[i] ?? '').trim();
    };
    const errors: string[] = [];
    const ref = get('ref');
    const outcome = outcomeOfAction(framework, ref);
    if (!/^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/.test(ref)) errors.push(`Action id “${ref}” should look like 1.1a.`);
    else if (!outcome && !framework.outcomes.some((o) => o.id === ref.slice(0, -1)))
      errors.push(`Outcome ${ref.slice(0, -1)} is not in the framework “${englishName(framework)}”.`);
    if (seen.has(ref)) errors.push(`Action id ${ref} appears more than once.`);
    seen.add(ref);
    const text = get('text');
    if (text.length < 3) errors.push('The action is not described.');
    const startOn = readDay(get('startOn'));
    if (startOn === undefined) errors.push(`Start date “${get('startOn')}” is not a date (use 31/03/2027).`);
    const dueOn = readDay(get('dueOn'));
    if (dueOn === undefined) errors.push(`Due date “${get('dueOn')}” is not a date (use 31/03/2027).`);
    const costPounds = readAmount(get('costPounds'));
    if (costPounds === undefined) errors.push(`Cost “${get('costPounds')}” is not an amount in pounds.`);
    const targetValue = readAmount(get('targetValue'));
    if (targetValue === undefined) errors.push(`Target “${get('targetValue')}” is not a number.`);
    const status = ragStatusFromPrinted(get('status'));
    if (status === null) errors.push(`RAG status “${get('status')}” should be Red, Amber, Green, Blue or N/A.`);
    const leadAgency = get('leadAgency');
    if (leadAgency && !agencyNames.some((n) => n.toLowerCase() === leadAgency.toLowerCase())) {
      errors.push(`Lead agency “${leadAgency}” is not an agency of this partnership.`);
    }
    const action: ImportedAction | null =
      errors.length > 0
        ? null
        : {
            ref,
            outcomeRef: ref.slice(0, -1),
            text,
            leadTitle: get('leadTitle'),
            leadAgency,
            startOn: startOn ?? null,
            dueOn: dueOn ?? null,
            costPounds: costPounds ?? null,
            costNote: get('costNote'),
            successMeasure: get('successMeasure'),
            targetValue: targetValue ?? null,
            measureUnit: get('measureUnit'),
            evidenceSource: get('evidenceSource'),
            boardPlanRef: get('boardPlanRef'),
            status: status ?? 'not-rated',
          };
    results.push({ row: index + 2, ref, action, errors });
  });
  if (results.length === 0) return { rows: [], fileErrors: ['The file has headings but no actions.'], ignoredHeadings };
  return { rows: results, fileErrors: [], ignoredHeadings };
}
