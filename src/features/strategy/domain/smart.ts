import { z } from 'zod';
import type { Glossary } from './acronyms.ts';
import { formatDate, londonDate } from '../../../dates.ts';
import { acronymKey, acronymsExpandedIn, findAcronymUses, wellKnownAcronyms } from './acronyms.ts';
import {
  exampleDueDate,
  findTerms,
  isPlaceholder,
  isThinNarrative,
  statesFact,
  vagueProgressTerms,
  looksLikeDueDate,
  hasTimescale,
  sentencesAround,
  statesQuantity,
  vagueQuantityTerms,
  vagueTimeTerms,
  vagueWordAdvice,
} from './smart-text.ts';

/**
 * An explainable SMART check of an action-plan row, written the way a scrutiny
 * task group reviews a plan (seeds 000 and 003): named leads, dates, measures
 * with a number, where the evidence comes from, no unexplained acronyms, no
 * vague words without a timescale. Every finding names a stable rule code,
 * the field, a plain-English message suggesting a fix, and where possible the
 * exact characters it is about.
 */

export type { Glossary } from './acronyms.ts';

export interface SmartInput {
  readonly text: string;
  readonly successMeasure?: string | undefined;
  readonly target?: string | undefined;
  readonly leadPerson?: string | undefined;
  readonly leadAgency?: string | undefined;
  readonly dueDate?: string | undefined;
  readonly evidenceSource?: string | undefined;
  /** The cross-reference to the Board’s own plan (seed 003: “a column … to cross-reference with the WSCB’s action plan”). */
  readonly boardPlanRef?: string | undefined;
  /** The RAG status as recorded: 'red', 'amber', 'green', 'blue' … */
  readonly status?: string | undefined;
  /** Why a late action is still rated as it is. */
  readonly statusNote?: string | undefined;
  /** The latest progress update’s narrative. */
  readonly narrative?: string | undefined;
  /** The measure’s current value, as a number. */
  readonly currentValue?: string | undefined;
}

export const smartInputSchema = z.object({
  text: z.string(),
  successMeasure: z.string().optional(),
  target: z.string().optional(),
  leadPerson: z.string().optional(),
  leadAgency: z.string().optional(),
  dueDate: z.string().optional(),
  evidenceSource: z.string().optional(),
  boardPlanRef: z.string().optional(),
  status: z.string().optional(),
  statusNote: z.string().optional(),
  narrative: z.string().optional(),
  currentValue: z.string().optional(),
});

export type SmartField = keyof SmartInput;

/** Order in which fields appear on an action-plan row; findings are sorted by it. */
export const smartFields: readonly SmartField[] = [
  'text',
  'successMeasure',
  'target',
  'leadPerson',
  'leadAgency',
  'dueDate',
  'evidenceSource',
  'boardPlanRef',
  'status',
  'statusNote',
  'narrative',
];

/** Fields written in words, where acronyms are looked for. */
const wordedFields: readonly SmartField[] = ['text', 'successMeasure', 'target', 'leadPerson', 'leadAgency', 'evidenceSource', 'statusNote', 'narrative'];

export type SmartRuleCode =
  | 'no-action-text'
  | 'acronym-unexplained'
  | 'vague-word'
  | 'no-success-measure'
  | 'vague-quantity'
  | 'no-number-in-measure'
  | 'no-evidence-source'
  | 'no-lead'
  | 'lead-not-named'
  | 'no-due-date'
  | 'no-board-plan-ref'
  | 'status-not-supported'
  | 'completion-not-evidenced'
  | 'vague-progress';

/** error: the row cannot be monitored as it stands; warning: it can, but scrutiny would send it back. */
export type SmartSeverity = 'error' | 'warning';

export interface SmartFinding {
  readonly rule: SmartRuleCode;
  readonly severity: SmartSeverity;
  readonly field: SmartField;
  readonly message: string;
  /** The same advice for any language: a key under `smartAdvice` in the locales, with the words it quotes (src/i18n). */
  readonly advice: SmartAdvice;
  /** [start, end) character offsets in the field's text. */
  readonly span?: readonly [number, number];
  /** The words the finding is about, as written, for translated messages. */
  readonly term?: string;
}

export interface SmartAdvice {
  readonly key: string;
  readonly params?: Readonly<Record<string, string>>;
  /** Parameters that are dates (ISO 8601), shown in the page’s language: see `adviceParams`. */
  readonly dates?: Readonly<Record<string, string>>;
}

/** The advice’s parameters with its dates written out in `language`, ready for the translator. */
export function adviceParams(advice: SmartAdvice, language: 'en' | 'cy' = 'en'): Record<string, string> {
  const params: Record<string, string> = { ...advice.params };
  for (const [name, iso] of Object.entries(advice.dates ?? {})) params[name] = formatDate(iso, language);
  return params;
}

export interface SmartExample {
  readonly action: SmartInput;
  readonly glossary?: Glossary;
  readonly options?: SmartOptions;
}

/** The day the status examples below are judged on. */
const exampleToday = '2026-12-01';

export interface SmartRule {
  readonly code: SmartRuleCode;
  readonly severity: SmartSeverity;
  /** Which letter of SMART the rule serves. */
  readonly letter: 'S' | 'M' | 'A' | 'R' | 'T';
  readonly title: string;
  readonly explanation: string;
  /** Where the rule comes from. */
  readonly basis: string;
  readonly fields: readonly SmartField[];
  /** Each `fails` example gives at least one finding of this rule; no `passes` example gives any. */
  readonly examples: { readonly fails: readonly SmartExample[]; readonly passes: readonly SmartExample[] };
}

/** A row that passes every rule: the examples below, and the tests, change one thing at a time. */
export const wellWritten = {
  text: 'Train all new council staff to recognise child sexual exploitation.',
  successMeasure: '90% of staff trained on child sexual exploitation within 2 months of joining the council',
  leadPerson: 'Workforce Development Manager',
  leadAgency: 'Wiltshire Council',
  dueDate: '31 March 2017',
  evidenceSource: 'Quarterly training report to the Children’s Select Committee',
} satisfies SmartInput;

/** The rules, in the order a reviewer reads a row. Tests run every example. */
export const smartRules: readonly SmartRule[] = [
  {
    code: 'no-action-text',
    severity: 'error',
    letter: 'S',
    title: 'The action is not described',
    explanation: 'A row needs to say what will be done before anything else can be judged.',
    basis: 'SMART: Specific',
    fields: ['text'],
    examples: {
      fails: [{ action: { ...wellWritten, text: '   ' } }],
      passes: [{ action: wellWritten }],
    },
  },
  {
    code: 'acronym-unexplained',
    severity: 'warning',
    letter: 'S',
    title: 'Acronym not explained',
    explanation:
      'An acronym must be in the partnership glossary or written out somewhere in the plan, as “Full Name (ABC)” or “ABC (Full Name)”, progress updates included. Well-known ones (UK, NHS …) and Roman numerals are allowed.',
    basis: 'Seed 003: “Avoid the use of acronyms”',
    fields: ['text', 'successMeasure', 'target', 'leadPerson', 'leadAgency', 'evidenceSource', 'statusNote', 'narrative'],
    examples: {
      fails: [
        { action: { ...wellWritten, text: 'Increase use of the SERAF by social workers.' } },
        // Seed 001’s progress narratives.
        { action: { ...wellWritten, narrative: 'This is carried out as part of the MASH processes and is included in information sharing guidance.' } },
        {
          action: {
            ...wellWritten,
            narrative: 'Both LAs have a Panel as set out in Part 6 which addresses duties in relation to out of authority placements.',
          },
        },
      ],
      passes: [
        { action: { ...wellWritten, text: 'Increase use of the Sexual Exploitation Risk Assessment Framework (SERAF).' } },
        {
          action: { ...wellWritten, text: 'Increase use of the SERAF by social workers.' },
          glossary: { SERAF: 'Sexual Exploitation Risk Assessment Framework' },
        },
        {
          action: { ...wellWritten, narrative: 'The SERAF is the approved risk assessment tool.' },
          options: { planExpansions: new Set(['SERAF']) },
        },
      ],
    },
  },
  {
    code: 'vague-word',
    severity: 'warning',
    letter: 'T',
    title: 'Vague word without a timescale',
    explanation:
      'Words such as “regularly”, “routinely” or “ongoing” promise activity without saying when. They are allowed when the same sentence gives a timescale or date (“quarterly”, “within 2 months”, “by the end of March”).',
    basis: 'Seed 000: “reviewed regularly” should read “reviewed quarterly”; “systematically” and “routinely” had “no indication of timescales”',
    fields: ['text', 'successMeasure', 'target', 'evidenceSource'],
    examples: {
      fails: [
        { action: { ...wellWritten, text: 'Progress on implementing this Strategy will be reviewed regularly.' } },
        { action: { ...wellWritten, text: 'Partners will systematically and routinely share intelligence.' } },
      ],
      passes: [
        { action: { ...wellWritten, text: 'Progress on implementing this Strategy will be reviewed quarterly.' } },
        { action: { ...wellWritten, text: 'Partners will routinely share intelligence, at least every month.' } },
      ],
    },
  },
  {
    code: 'no-success-measure',
    severity: 'error',
    letter: 'M',
    title: 'No success measure',
    explanation: 'Without a measure nobody can tell whether the action worked.',
    basis: 'Seed 000: “Performance measures, including targets”',
    fields: ['successMeasure'],
    examples: {
      fails: [{ action: { ...wellWritten, successMeasure: undefined } }],
      passes: [{ action: wellWritten }],
    },
  },
  {
    code: 'vague-quantity',
    severity: 'warning',
    letter: 'M',
    title: 'Vague quantity',
    explanation: '“A number of”, “some” or “various” cannot be counted, in the action or its measure: give the number or the percentage.',
    basis: 'Seed 003: include “a number in the success measure … (rather than state ‘a number of…’)”',
    fields: ['text', 'successMeasure', 'target'],
    examples: {
      fails: [
        { action: { ...wellWritten, successMeasure: 'A number of schools have shown the play to pupils' } },
        { action: { ...wellWritten, text: 'Regularly raise awareness of CSE with a number of frontline staff.' } },
      ],
      passes: [
        { action: { ...wellWritten, successMeasure: '12 secondary schools have shown the play to pupils' } },
        { action: { ...wellWritten, text: 'Raise awareness of child sexual exploitation with 400 frontline staff.' } },
      ],
    },
  },
  {
    code: 'no-number-in-measure',
    severity: 'warning',
    letter: 'M',
    title: 'No number in the measure',
    explanation:
      'The measure or its target should state a number, a percentage, “all” or “none”. Dates, timescales and reference numbers (“level 2”, “action 9.2”) do not count.',
    basis: 'Seed 003: “90% of staff trained on CSE within 2 months of joining the council”',
    fields: ['successMeasure', 'target'],
    examples: {
      fails: [{ action: { ...wellWritten, successMeasure: 'Staff trained within 2 months of joining the council' } }],
      passes: [{ action: wellWritten }, { action: { ...wellWritten, successMeasure: 'Proportion of new staff trained within 2 months', target: '90%' } }],
    },
  },
  {
    code: 'no-evidence-source',
    severity: 'warning',
    letter: 'M',
    title: 'No evidence source',
    explanation: 'Say where the figures for the measure will come from, so anyone can check them.',
    basis: 'Seed 003: “Include details of where the information can be found for the success measure (e.g. name of the report, etc.)”',
    fields: ['evidenceSource'],
    examples: {
      fails: [{ action: { ...wellWritten, evidenceSource: '' } }],
      passes: [{ action: wellWritten }],
    },
  },
  {
    code: 'no-lead',
    severity: 'error',
    letter: 'A',
    title: 'No lead',
    explanation: 'Every action needs a named lead who will answer for it.',
    basis: 'Seed 004: the regional plan needed “named leads and defined timescales”',
    fields: ['leadPerson', 'leadAgency'],
    examples: {
      fails: [
        { action: { ...wellWritten, leadPerson: undefined, leadAgency: undefined } },
        { action: { ...wellWritten, leadPerson: 'TBC', leadAgency: 'All partners' } },
      ],
      passes: [{ action: wellWritten }],
    },
  },
  {
    code: 'lead-not-named',
    severity: 'warning',
    letter: 'A',
    title: 'Lead agency but no named person',
    explanation: 'An agency is named but not the person or post in it who leads.',
    basis: 'Seed 004: “named leads”',
    fields: ['leadPerson'],
    examples: {
      fails: [{ action: { ...wellWritten, leadPerson: undefined } }],
      passes: [{ action: wellWritten }],
    },
  },
  {
    code: 'no-due-date',
    severity: 'error',
    letter: 'T',
    title: 'No due date',
    explanation: 'Every action needs the date it will be done by, so overdue actions show up.',
    basis: 'Seed 000: “clear timeframes for review”; seed 004: “defined timescales”',
    fields: ['dueDate'],
    examples: {
      fails: [{ action: { ...wellWritten, dueDate: undefined } }, { action: { ...wellWritten, dueDate: 'Ongoing' } }],
      passes: [{ action: wellWritten }, { action: { ...wellWritten, dueDate: '2017-03-31' } }],
    },
  },
  {
    code: 'no-board-plan-ref',
    severity: 'warning',
    letter: 'R',
    title: 'No Board plan cross-reference',
    explanation: 'When the plan’s settings ask for it, each action says which part of the Board’s own plan it serves, so the two plans can be read together.',
    basis: 'Seed 003: “Add a column on the action plan to cross-reference with the WSCB’s action plan”',
    fields: ['boardPlanRef'],
    examples: {
      fails: [{ action: { ...wellWritten, boardPlanRef: '' }, options: { requireBoardPlanRef: true } }],
      passes: [
        { action: { ...wellWritten, boardPlanRef: 'Board priority 2' }, options: { requireBoardPlanRef: true } },
        { action: { ...wellWritten, boardPlanRef: '' } },
      ],
    },
  },
  {
    code: 'status-not-supported',
    severity: 'warning',
    letter: 'T',
    title: 'Status not supported by the update',
    explanation:
      'Green means on track. An action past its due date and still Green needs a progress update that shows it: what was done, with a figure or a date, not a few words.',
    basis: 'Seed 003: the RAG rating should “accurately reflect the actions taken”; seed 004: “defined timescales”',
    fields: ['status'],
    examples: {
      fails: [
        { action: { ...wellWritten, dueDate: '2026-08-31', status: 'green', narrative: 'Tender out.' }, options: { today: exampleToday } },
        { action: { ...wellWritten, dueDate: '2026-08-31', status: 'green', narrative: '' }, options: { today: exampleToday } },
      ],
      passes: [
        {
          action: { ...wellWritten, dueDate: '2026-08-31', status: 'green', narrative: 'Contract awarded on 14 November; the service starts in January.' },
          options: { today: exampleToday },
        },
        { action: { ...wellWritten, dueDate: '2027-03-31', status: 'green', narrative: 'Tender out.' }, options: { today: exampleToday } },
        { action: { ...wellWritten, dueDate: '2026-08-31', status: 'red', narrative: 'Tender out.' }, options: { today: exampleToday } },
      ],
    },
  },
  {
    code: 'completion-not-evidenced',
    severity: 'warning',
    letter: 'M',
    title: 'Completed without evidence',
    explanation:
      'Blue means completed. The latest update should say what was achieved, with a figure or a date, and the measure should have reached its target.',
    basis: 'Seed 003: “Add Blue in the RAG-rating to indicate actions that have been completed”; “Include details of where the information can be found”',
    fields: ['status'],
    examples: {
      fails: [
        { action: { ...wellWritten, status: 'blue', narrative: 'Done.' } },
        {
          action: {
            ...wellWritten,
            status: 'blue',
            narrative: 'Completed: 72% of new starters were trained within 2 months.',
            target: '90 %',
            currentValue: '72',
          },
        },
      ],
      passes: [
        {
          action: { ...wellWritten, status: 'blue', narrative: 'Completed: every child was offered an interview within 72 hours in July to September.' },
        },
        { action: { ...wellWritten, status: 'blue', narrative: 'Completed in October.', target: '100 %', currentValue: '100' } },
        { action: { ...wellWritten, status: 'green', narrative: 'Done.' } },
      ],
    },
  },
  {
    code: 'vague-progress',
    severity: 'warning',
    letter: 'M',
    title: 'Vague progress update',
    explanation:
      'Words such as “ongoing”, “continues” or “progressing” say something is happening but not what it achieved. They are allowed when the same sentence gives a figure or a date.',
    basis: 'Seed 001’s updates: “Awareness raising is ongoing via multi agency training”; seed 003: “accurately reflect the actions taken”',
    fields: ['narrative'],
    examples: {
      fails: [
        { action: { ...wellWritten, narrative: 'The SERAF is the approved risk assessment tool. Awareness raising is ongoing via multi agency training.' } },
        {
          action: {
            ...wellWritten,
            narrative: 'Regular multi-agency CSE Task Groups are taking place to ensure that the plan is progressing.',
          },
          glossary: { CSE: 'child sexual exploitation' },
        },
      ],
      passes: [
        { action: { ...wellWritten, narrative: 'The information gathered to date is that 191 people were trained in CSE awareness in 2015/16.' } },
        { action: { ...wellWritten, narrative: 'Training is ongoing: 64% of new starters trained within 2 months.' } },
      ],
    },
  },
];

const ruleByCode = new Map<SmartRuleCode, SmartRule>(smartRules.map((rule) => [rule.code, rule]));

function severityOf(code: SmartRuleCode): SmartSeverity {
  return ruleByCode.get(code)?.severity ?? 'warning';
}

export interface SmartOptions {
  /** Acronyms accepted without explanation; defaults to `wellKnownAcronyms`. */
  readonly wellKnownAcronyms?: readonly string[];
  /** Acronyms written out somewhere else in the plan (`planAcronymExpansions`): explained for every row. */
  readonly planExpansions?: ReadonlySet<string>;
  /** The plan’s settings ask each action for a Board plan cross-reference. */
  readonly requireBoardPlanRef?: boolean;
  /** Today (ISO 8601) in London: what “past its due date” and the advice’s example dates are judged by. Defaults to the system date. */
  readonly today?: string;
}

/** Acronyms written out anywhere in a plan’s rows: an expansion in one action explains the acronym in all of them. */
export function planAcronymExpansions(actions: readonly SmartInput[]): Set<string> {
  const expanded = new Set<string>();
  for (const action of actions) {
    for (const field of wordedFields) for (const key of acronymsExpandedIn(action[field] ?? '')) expanded.add(key);
  }
  return expanded;
}

function todayOf(options: SmartOptions): string {
  return options.today ?? londonDate(new Date());
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function finding(
  rule: SmartRuleCode,
  field: SmartField,
  message: string,
  advice: SmartAdvice,
  where?: { start: number; end: number; term: string },
): SmartFinding {
  const base = { rule, severity: severityOf(rule), field, message, advice };
  return where === undefined ? base : { ...base, span: [where.start, where.end], term: where.term };
}

function acceptedAcronyms(glossary: Glossary, options: SmartOptions): Set<string> {
  const accepted = new Set<string>((options.wellKnownAcronyms ?? wellKnownAcronyms).map(acronymKey));
  for (const key of Object.keys(glossary)) accepted.add(acronymKey(key));
  for (const key of options.planExpansions ?? []) accepted.add(acronymKey(key));
  return accepted;
}

function checkAcronyms(action: SmartInput, glossary: Glossary, options: SmartOptions): SmartFinding[] {
  const accepted = acceptedAcronyms(glossary, options);
  const textFields = wordedFields;
  // An expansion anywhere in the row explains the acronym everywhere in the row.
  for (const field of textFields) {
    for (const key of acronymsExpandedIn(action[field] ?? '')) accepted.add(key);
  }
  const findings: SmartFinding[] = [];
  for (const field of textFields) {
    const reported = new Set<string>();
    for (const use of findAcronymUses(action[field] ?? '')) {
      const key = acronymKey(use.acronym);
      if (accepted.has(key) || reported.has(key)) continue;
      reported.add(key);
      findings.push(
        finding(
          'acronym-unexplained',
          field,
          `“${use.acronym}” is not explained: write it out in full the first time, e.g. “Full Name (${use.acronym})”, or add it to the partnership glossary.`,
          { key: 'acronym-unexplained', params: { term: use.acronym } },
          { start: use.start, end: use.end, term: use.acronym },
        ),
      );
    }
  }
  return findings;
}

function checkVagueWords(action: SmartInput, options: SmartOptions): SmartFinding[] {
  const findings: SmartFinding[] = [];
  const due = exampleDueDate(todayOf(options));
  for (const field of ['text', 'successMeasure', 'target', 'evidenceSource'] as const) {
    const value = action[field] ?? '';
    const matches = findTerms(value, vagueTimeTerms);
    const sentences = sentencesAround(
      value,
      matches.map((match) => match.start),
    );
    for (const [index, match] of matches.entries()) {
      if (hasTimescale(sentences[index] ?? value)) continue;
      const { problem, advice } = vagueWordAdvice[match.term.kind];
      const byWhen = match.term.kind === 'by-when';
      findings.push(
        finding(
          'vague-word',
          field,
          `“${match.written}” ${problem}: ${byWhen ? `${advice} “by ${formatDate(due, 'en')}”` : advice}.`,
          { key: `vague-word.${match.term.kind}`, params: { term: match.written }, ...(byWhen ? { dates: { date: due } } : {}) },
          {
            start: match.start,
            end: match.end,
            term: match.written,
          },
        ),
      );
    }
  }
  return findings;
}

function checkMeasure(action: SmartInput): SmartFinding[] {
  const findings: SmartFinding[] = [];
  if (isPlaceholder(action.successMeasure)) {
    findings.push(
      finding(
        'no-success-measure',
        'successMeasure',
        'There is no success measure: say what will show the action worked, with a number, e.g. “90% of staff trained within 2 months of joining”.',
        { key: 'no-success-measure' },
      ),
    );
  }
  for (const field of ['text', 'successMeasure', 'target'] as const) {
    for (const match of findTerms(action[field] ?? '', vagueQuantityTerms)) {
      findings.push(
        finding(
          'vague-quantity',
          field,
          `“${match.written}” cannot be counted: give the number or percentage, e.g. “12 schools” or “90% of staff”.`,
          { key: 'vague-quantity', params: { term: match.written } },
          {
            start: match.start,
            end: match.end,
            term: match.written,
          },
        ),
      );
    }
  }
  if (!isPlaceholder(action.successMeasure)) {
    const measure = `${action.successMeasure ?? ''}\n${action.target ?? ''}`;
    if (!statesQuantity(measure)) {
      findings.push(
        finding(
          'no-number-in-measure',
          'successMeasure',
          'The success measure has no number: add one, e.g. “90% of staff trained within 2 months of joining”.',
          { key: 'no-number-in-measure' },
        ),
      );
    }
  }
  if (isPlaceholder(action.evidenceSource)) {
    findings.push(
      finding(
        'no-evidence-source',
        'evidenceSource',
        'Say where the evidence for this measure will come from, e.g. the name of the report: “Quarterly training report to the Board”.',
        { key: 'no-evidence-source' },
      ),
    );
  }
  return findings;
}

function checkLead(action: SmartInput): SmartFinding[] {
  const hasPerson = !isPlaceholder(action.leadPerson);
  const hasAgency = !isPlaceholder(action.leadAgency);
  if (!hasPerson && !hasAgency) {
    return [
      finding(
        'no-lead',
        'leadPerson',
        'There is no named lead: give the person or post responsible and their agency, e.g. “Service Manager, CSE and Missing Children, Wiltshire Council”.',
        { key: 'no-lead' },
      ),
    ];
  }
  if (!hasPerson) {
    return [
      finding(
        'lead-not-named',
        'leadPerson',
        `Name the person or post who leads this in ${action.leadAgency?.trim() ?? 'the agency'}, e.g. “Head of Public Protection”.`,
        { key: 'lead-not-named', params: { agency: action.leadAgency?.trim() ?? '' } },
      ),
    ];
  }
  return [];
}

function checkDueDate(action: SmartInput, options: SmartOptions): SmartFinding[] {
  const due = action.dueDate;
  if (present(due) && !isPlaceholder(due) && looksLikeDueDate(due)) return [];
  const example = exampleDueDate(todayOf(options));
  const dates = { date: example };
  if (present(due)) {
    const message = `“${due.trim()}” is not a date: give the date this will be done by, e.g. “${formatDate(example, 'en')}”.`;
    return [finding('no-due-date', 'dueDate', message, { key: 'no-due-date.notADate', params: { term: due.trim() }, dates })];
  }
  const message = `There is no due date: give the date this will be done by, e.g. “${formatDate(example, 'en')}”.`;
  return [finding('no-due-date', 'dueDate', message, { key: 'no-due-date.none', dates })];
}

function checkBoardPlanRef(action: SmartInput, options: SmartOptions): SmartFinding[] {
  if (options.requireBoardPlanRef !== true || !isPlaceholder(action.boardPlanRef)) return [];
  return [
    finding(
      'no-board-plan-ref',
      'boardPlanRef',
      'This plan asks each action to refer to the Board’s plan: give the Board plan reference, e.g. “Board priority 2”.',
      { key: 'no-board-plan-ref' },
    ),
  ];
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function numberIn(value: string | undefined): number | null {
  const match = /-?\d+(?:\.\d+)?/.exec((value ?? '').replace(/,/g, ''));
  return match ? Number(match[0]) : null;
}

/** Whether the recorded status is borne out by the latest update (seed 003’s Blue; a late Green with “Tender out.”). */
function checkStatus(action: SmartInput, options: SmartOptions): SmartFinding[] {
  const status = action.status ?? '';
  const narrative = (action.narrative ?? '').trim();
  if (status === 'green') {
    const due = (action.dueDate ?? '').trim();
    if (!isoDate.test(due) || due >= todayOf(options) || !isThinNarrative(narrative)) return [];
    const dates = { due };
    if (narrative === '') {
      return [
        finding(
          'status-not-supported',
          'status',
          `The action is Green but was due on ${formatDate(due, 'en')} and has no progress update: say what has been done, with a figure or a date, or change the status.`,
          { key: 'status-not-supported.none', dates },
        ),
      ];
    }
    return [
      finding(
        'status-not-supported',
        'status',
        `The action is Green but was due on ${formatDate(due, 'en')}, and “${narrative}” does not show it is on track: say what has been done, with a figure or a date, or change the status.`,
        { key: 'status-not-supported.thin', params: { term: narrative }, dates },
      ),
    ];
  }
  if (status === 'blue') {
    const target = numberIn(action.target);
    const current = numberIn(action.currentValue);
    if (target !== null && current !== null && current < target) {
      const params = { current: String(current), target: String(target) };
      return [
        finding(
          'completion-not-evidenced',
          'status',
          `The action is Blue (completed) but its measure stands at ${params.current} against a target of ${params.target}: record the final figure or change the status.`,
          { key: 'completion-not-evidenced.belowTarget', params },
        ),
      ];
    }
    const reached = target !== null && current !== null && current >= target;
    if (!reached && isThinNarrative(narrative)) {
      return [
        finding(
          'completion-not-evidenced',
          'status',
          'The action is Blue (completed) but the latest update does not show it was done: say what was achieved, with a figure or a date, and where the evidence is.',
          { key: 'completion-not-evidenced.thin' },
        ),
      ];
    }
  }
  return [];
}

function checkProgressWords(action: SmartInput): SmartFinding[] {
  const value = action.narrative ?? '';
  const matches = findTerms(value, vagueProgressTerms).filter((match, index, all) => index === 0 || match.start >= (all[index - 1]?.end ?? 0));
  const sentences = sentencesAround(
    value,
    matches.map((match) => match.start),
  );
  const findings: SmartFinding[] = [];
  for (const [index, match] of matches.entries()) {
    if (statesFact(sentences[index] ?? value)) continue;
    findings.push(
      finding(
        'vague-progress',
        'narrative',
        `“${match.written}” says something is happening but not what it achieved: give a figure or a date, e.g. “12 of 20 sessions delivered”.`,
        { key: 'vague-progress', params: { term: match.written } },
        { start: match.start, end: match.end, term: match.written },
      ),
    );
  }
  return findings;
}

function fieldOrder(field: SmartField): number {
  return smartFields.indexOf(field);
}

function ruleOrder(code: SmartRuleCode): number {
  return smartRules.findIndex((rule) => rule.code === code);
}

/**
 * Checks one action-plan row. `glossary` is the partnership's glossary
 * (acronym → expansion); adding entries to it can only remove findings.
 */
export function checkSmart(action: SmartInput, glossary: Glossary = {}, options: SmartOptions = {}): SmartFinding[] {
  const findings: SmartFinding[] = [];
  if (!present(action.text)) {
    findings.push(
      finding('no-action-text', 'text', 'Describe the action: say what will be done, e.g. “Train all new staff to recognise child sexual exploitation”.', {
        key: 'no-action-text',
      }),
    );
  }
  findings.push(
    ...checkAcronyms(action, glossary, options),
    ...checkVagueWords(action, options),
    ...checkMeasure(action),
    ...checkLead(action),
    ...checkDueDate(action, options),
    ...checkBoardPlanRef(action, options),
    ...checkStatus(action, options),
    ...checkProgressWords(action),
  );
  return findings.sort(
    (a, b) => fieldOrder(a.field) - fieldOrder(b.field) || (a.span?.[0] ?? -1) - (b.span?.[0] ?? -1) || ruleOrder(a.rule) - ruleOrder(b.rule),
  );
}

export interface SmartReportRow {
  readonly rule: SmartRuleCode;
  readonly severity: SmartSeverity;
  readonly title: string;
  /** How many findings of this rule across all actions. */
  readonly findings: number;
  /** How many actions have at least one finding of this rule. */
  readonly actions: number;
  /** Those actions: their `id`, or "#n" (1-based position) when they have none. */
  readonly actionRefs: readonly string[];
}

export interface SmartReport {
  readonly actionsChecked: number;
  /** Actions with no findings at all. */
  readonly actionsPassing: number;
  readonly actionsWithErrors: number;
  readonly findingsTotal: number;
  readonly findingsBySeverity: Readonly<Record<SmartSeverity, number>>;
  /** One row per rule, in rule-table order, including rules with no findings. */
  readonly byRule: readonly SmartReportRow[];
}

/** Summarises the SMART check over a whole plan, rule by rule. */
export function smartReport(
  actions: readonly (SmartInput & { readonly id?: string | undefined })[],
  glossary: Glossary = {},
  options: SmartOptions = {},
): SmartReport {
  const counts = new Map<SmartRuleCode, { findings: number; actionRefs: string[] }>(smartRules.map((rule) => [rule.code, { findings: 0, actionRefs: [] }]));
  const findingsBySeverity: Record<SmartSeverity, number> = { error: 0, warning: 0 };
  let actionsPassing = 0;
  let actionsWithErrors = 0;
  let findingsTotal = 0;
  actions.forEach((action, index) => {
    const reference = action.id ?? `#${index + 1}`;
    const findings = checkSmart(action, glossary, options);
    if (findings.length === 0) actionsPassing += 1;
    if (findings.some((item) => item.severity === 'error')) actionsWithErrors += 1;
    findingsTotal += findings.length;
    for (const item of findings) {
      findingsBySeverity[item.severity] += 1;
      const count = counts.get(item.rule);
      if (count !== undefined) count.findings += 1;
    }
    for (const rule of new Set(findings.map((item) => item.rule))) counts.get(rule)?.actionRefs.push(reference);
  });
  return {
    actionsChecked: actions.length,
    actionsPassing,
    actionsWithErrors,
    findingsTotal,
    findingsBySeverity,
    byRule: smartRules.map((rule) => {
      const count = counts.get(rule.code) ?? { findings: 0, actionRefs: [] };
      return {
        rule: rule.code,
        severity: rule.severity,
        title: rule.title,
        findings: count.findings,
        actions: count.actionRefs.length,
        actionRefs: count.actionRefs,
      };
    }),
  };
}

export interface CommonFinding {
  readonly rule: SmartRuleCode;
  readonly severity: SmartSeverity;
  /** The actions that have it, by reference, in plan order. */
  readonly actionRefs: readonly string[];
  /** How many actions were checked. */
  readonly of: number;
}

/**
 * When most actions share a finding (Northmere’s 46 of 47 actions that “cannot be
 * monitored”), one plan-level finding with the list reads better than a line per action.
 * A rule is common when more than half the actions, and at least `minActions` of them,
 * have it; its findings are then taken out of the per-action lists.
 */
export function groupCommonFindings<T extends { readonly ref: string; readonly findings: readonly SmartFinding[] }>(
  perAction: readonly T[],
  actionsChecked: number,
  minActions = 4,
): { common: CommonFinding[]; perAction: T[] } {
  const refsByRule = new Map<SmartRuleCode, string[]>();
  for (const action of perAction) {
    for (const rule of new Set(action.findings.map((item) => item.rule))) {
      const refs = refsByRule.get(rule) ?? [];
      refs.push(action.ref);
      refsByRule.set(rule, refs);
    }
  }
  const common = smartRules
    .filter((rule) => {
      const count = refsByRule.get(rule.code)?.length ?? 0;
      return count >= minActions && count * 2 > actionsChecked;
    })
    .map((rule) => ({ rule: rule.code, severity: rule.severity, actionRefs: refsByRule.get(rule.code) ?? [], of: actionsChecked }));
  const grouped = new Set(common.map((item) => item.rule));
  return {
    common,
    perAction: perAction
      .map((action) => ({ ...action, findings: action.findings.filter((item) => !grouped.has(item.rule)) }))
      .filter((action) => action.findings.length > 0),
  };
}
