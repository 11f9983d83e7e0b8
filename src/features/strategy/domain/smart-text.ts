/**
 * Text patterns the SMART checker relies on: timescales, vague words, vague
 * quantities, numbers, sentences. Kept apart from the rules so each list can be
 * read, tested and extended on its own. Patterns avoid ambiguous nested
 * repetition, so long or hostile input cannot make matching slow.
 */

/** Letters or digits on neither side: a whole-word match that also works beyond ASCII. */
const before = String.raw`(?<![\p{L}\p{N}])`;
const after = String.raw`(?![\p{L}\p{N}])`;

function wholeWords(source: string, flags = 'giu'): RegExp {
  return new RegExp(`${before}(?:${source})${after}`, flags);
}

const count = String.raw`(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty-four|forty-eight|seventy-two)`;
const unit = String.raw`(?:working\s+)?(?:hours?|days?|weeks?|fortnights?|months?|quarters?|terms?|years?)`;
const monthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const fullMonth = `(?:${monthNames.join('|')})`;
// Full names first so that "March" is not matched as "Mar" followed by "ch".
const anyMonth = `(?:${monthNames.join('|')}|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)`;
const dayOfMonth = String.raw`(?:\d{1,2}(?:st|nd|rd|th)?\s+)`;
const year = String.raw`(?:19|20)\d{2}`;
// "2016/17" or "2016-2017" is one financial or school year, not a year and a number.
const yearOrSpan = String.raw`${year}(?:\s*[/–-]\s*\d{2}(?:\d{2})?)?`;

/**
 * A timescale or a date: "quarterly", "every 3 months", "within 2 months",
 * "by March 2017", "31/03/2017", "2016/17", "Q3". Its presence in the same sentence
 * stops a vague word ("regularly", "ongoing") being flagged.
 */
const timescaleSources: readonly string[] = [
  String.raw`hourly|daily|weekly|fortnightly|monthly|bi-?monthly|quarterly|termly|annual|annually|yearly|bi-?annual|bi-?annually|half-yearly|six-monthly|twice-yearly`,
  String.raw`(?:every|each)\s+(?:other\s+)?(?:${count}\s+)?${unit}`,
  String.raw`(?:once|twice|${count}\s+times)\s+(?:a|an|per|each|every)\s+${unit}`,
  String.raw`per\s+(?:annum|${unit})`,
  String.raw`(?:within|in\s+the\s+next|over\s+the\s+next|in\s+the\s+(?:last|past)|over\s+the\s+(?:last|past)|no\s+later\s+than|for)\s+${count}\s+${unit}`,
  String.raw`${dayOfMonth}?${anyMonth}\.?,?\s+${yearOrSpan}`,
  String.raw`(?:by|before|until|end\s+of)\s+(?:the\s+end\s+of\s+)?${dayOfMonth}?${fullMonth}(?:\.?,?\s+${yearOrSpan})?`,
  String.raw`(?:by|before|until)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:financial\s+|school\s+|academic\s+)?(?:year|quarter|term|month|week)`,
  String.raw`(?:by|before|until|in|during|from)\s+${yearOrSpan}`,
  String.raw`${year}\s*[/–-]\s*\d{2}(?:\d{2})?`,
  String.raw`${year}-\d{1,2}-\d{1,2}`,
  String.raw`\d{1,2}[/.]\d{1,2}[/.]\d{2,4}`,
  String.raw`q[1-4]`,
];

const timescaleSource = timescaleSources.join('|');

export function hasTimescale(text: string): boolean {
  return wholeWords(timescaleSource, 'iu').test(text);
}

/** Dates a due date may be written as; a bare frequency ("quarterly") also passes. */
export function looksLikeDueDate(text: string): boolean {
  return hasTimescale(text) || wholeWords(`${year}|${fullMonth}`, 'iu').test(text);
}

export type VagueWordKind = 'how-often' | 'by-when' | 'condition';

export interface TermPattern {
  /** The word as listed, for explanations and reports. */
  readonly term: string;
  /** Regular expression source matching the word and its close variants. */
  readonly pattern: string;
}

export interface VagueTerm extends TermPattern {
  readonly kind: VagueWordKind;
}

/**
 * Words that promise activity without saying when. Seed 000: "terms such as
 * 'systematically' and 'routinely' were used ... with no indication of timescales";
 * "reviewed regularly" should read "reviewed quarterly".
 */
export const vagueTimeTerms: readonly VagueTerm[] = [
  { term: 'systematically', pattern: 'systematic(?:ally)?', kind: 'how-often' },
  { term: 'routinely', pattern: 'routinely', kind: 'how-often' },
  { term: 'regularly', pattern: 'regular(?:ly)?', kind: 'how-often' },
  { term: 'periodically', pattern: 'periodic(?:ally)?', kind: 'how-often' },
  { term: 'from time to time', pattern: String.raw`from\s+time\s+to\s+time`, kind: 'how-often' },
  { term: 'ongoing', pattern: String.raw`on-?\s?going`, kind: 'by-when' },
  { term: 'in due course', pattern: String.raw`in\s+due\s+course`, kind: 'by-when' },
  { term: 'as soon as possible', pattern: String.raw`as\s+soon\s+as\s+possible`, kind: 'by-when' },
  { term: 'in a timely manner', pattern: String.raw`in\s+a\s+timely\s+(?:manner|way|fashion)`, kind: 'by-when' },
  { term: 'as appropriate', pattern: String.raw`as\s+appropriate`, kind: 'condition' },
  { term: 'where appropriate', pattern: String.raw`where\s+appropriate`, kind: 'condition' },
  { term: 'where possible', pattern: String.raw`(?:where|when|if)\s+possible`, kind: 'condition' },
  { term: 'as necessary', pattern: String.raw`(?:as|where|when)\s+necessary`, kind: 'condition' },
  // "as required by the guidance" names a requirement, so only the bare phrase counts.
  { term: 'as required', pattern: String.raw`as\s+required(?!\s+by)`, kind: 'condition' },
  { term: 'as and when', pattern: String.raw`as\s+and\s+when`, kind: 'condition' },
];

export const vagueWordAdvice: Readonly<Record<VagueWordKind, { problem: string; advice: string }>> = {
  'how-often': { problem: 'has no timescale', advice: 'say how often, e.g. “quarterly”' },
  'by-when': { problem: 'has no timescale', advice: 'say by when, e.g.' },
  condition: {
    problem: 'leaves it open whether and when this happens',
    advice: 'say when it will happen, e.g. “within 2 months of a referral”',
  },
};

/**
 * Quantities that cannot be counted. Seed 003: include "a number in the success
 * measure where appropriate (rather than state 'a number of...')".
 */
export const vagueQuantityTerms: readonly TermPattern[] = [
  { term: 'a number of', pattern: String.raw`an?\s+(?:large\s+|small\s+|significant\s+|increasing\s+)?number\s+of` },
  { term: 'some', pattern: 'some' },
  { term: 'various', pattern: 'various' },
  { term: 'several', pattern: 'several' },
  { term: 'a few', pattern: String.raw`a\s+few` },
  { term: 'many', pattern: 'many' },
  { term: 'numerous', pattern: 'numerous' },
  { term: 'a variety of', pattern: String.raw`a\s+(?:wide\s+)?variety\s+of` },
  { term: 'a range of', pattern: String.raw`a\s+(?:wide\s+)?range\s+of` },
  { term: 'a lot of', pattern: String.raw`(?:a\s+lot|lots)\s+of` },
  { term: 'the majority of', pattern: String.raw`(?:the|a)\s+majority\s+of` },
];

export interface TermMatch<T extends TermPattern> {
  readonly term: T;
  readonly start: number;
  readonly end: number;
  readonly written: string;
}

export function findTerms<T extends TermPattern>(text: string, terms: readonly T[]): Array<TermMatch<T>> {
  const matches: Array<TermMatch<T>> = [];
  for (const term of terms) {
    for (const match of text.matchAll(wholeWords(term.pattern))) {
      matches.push({ term, start: match.index, end: match.index + match[0].length, written: match[0] });
    }
  }
  return matches.sort((a, b) => a.start - b.start || b.end - a.end);
}

const referenceNumber = String.raw`\d+(?:\.\d+)*[a-z]?`;

// Numbers that identify something rather than count it: "level 2 and 3 training",
// "Part 6", "action 9.2", "outcome 1.3a", "the Children Act 1989".
const referenceNumberSource = [
  String.raw`(?:level|part|section|schedule|tier|stage|phase|step|key\s+stage|action|outcome|objective|priority|paragraph|item|appendix|annex|article|year|page)s?\s+${referenceNumber}(?:\s*(?:,|&|and|or|to|-|–)\s*${referenceNumber})*`,
  String.raw`(?:act|plan|strategy|report|review)\s+${year}`,
  String.raw`\d+\.\d+[a-z]`,
].join('|');

const quantitySource = String.raw`\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half|all|every|none|nobody|no\s+one|twice|double|per\s*cent|percent`;

/**
 * Whether a measure states a quantity once dates, timescales and reference
 * numbers are set aside: "90% of staff trained within 2 months" does, "staff
 * trained within 2 months" does not. "All" and "every" count as 100%.
 */
export function statesQuantity(text: string): boolean {
  const withoutDates = text.replace(wholeWords(referenceNumberSource), ' ').replace(wholeWords(timescaleSource), ' ');
  return withoutDates.includes('%') || wholeWords(quantitySource, 'iu').test(withoutDates);
}

const abbreviationsEndingInStop = new Set(['e.g', 'i.e', 'etc', 'eg', 'ie', 'no', 'approx', 'incl', 'cf', 'vs']);

/**
 * Sentence ranges [start, end) covering the text. A sentence ends at . ! ? or ;
 * followed by white space, or at a line break; "e.g." and similar do not end one.
 */
export function sentenceRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?;](?=\s)|\n/g)) {
    const stop = match.index;
    if (match[0] === '.') {
      const precedingWord = /[\p{L}.]+$/u.exec(text.slice(Math.max(0, stop - 8), stop))?.[0].toLowerCase() ?? '';
      if (abbreviationsEndingInStop.has(precedingWord)) continue;
    }
    ranges.push([start, stop + 1]);
    start = stop + 1;
  }
  if (start < text.length || ranges.length === 0) ranges.push([start, text.length]);
  return ranges;
}

/**
 * The sentence holding each position, cut to `reach` characters either side of
 * it so that one very long "sentence" cannot make the check slow. Positions must
 * be in ascending order.
 */
export function sentencesAround(text: string, positions: readonly number[], reach = 200): string[] {
  const ranges = sentenceRanges(text);
  const sentences: string[] = [];
  let index = 0;
  for (const position of positions) {
    while (index < ranges.length - 1 && position >= (ranges[index]?.[1] ?? 0)) index += 1;
    const [start, end] = ranges[index] ?? [0, text.length];
    sentences.push(text.slice(Math.max(start, position - reach), Math.min(end, position + reach)));
  }
  return sentences;
}

/** Values people type when they have nothing to put: "TBC", "N/A", "-", "All partners". */
export function isPlaceholder(value: string | undefined): boolean {
  if (value === undefined) return true;
  const cell = value
    .trim()
    .replace(/[.!]+$/, '')
    .toLowerCase();
  return (
    cell === '' ||
    /^(?:tbc|tbd|tba|to be (?:confirmed|decided|agreed|arranged)|n\/?a|none|unknown|not known|various|everyone|all|all (?:partners|agencies|staff)|partners|ongoing|on-going|\?+|[-–—]+|x)$/u.test(
      cell,
    )
  );
}

/**
 * Words in a progress update that say activity is happening without saying what it
 * achieved: seed 001’s “Awareness raising is ongoing via multi agency training” and
 * “Regular multi-agency CSE Task Groups are taking place to ensure that the plan is
 * progressing”. Allowed when the same sentence gives a number or a date.
 */
export const vagueProgressTerms: readonly TermPattern[] = [
  { term: 'ongoing', pattern: String.raw`on-?\s?going` },
  { term: 'continues', pattern: String.raw`continu(?:e|es|ing)` },
  { term: 'progressing', pattern: String.raw`progressing|in\s+progress|(?:good|some)\s+progress` },
  { term: 'on track', pattern: String.raw`on\s+track` },
  { term: 'underway', pattern: String.raw`under\s?way` },
  { term: 'in hand', pattern: String.raw`in\s+hand` },
  { term: 'taking place', pattern: String.raw`taking\s+place` },
  { term: 'being developed', pattern: String.raw`(?:is|are)\s+being\s+(?:developed|progressed|considered|updated|reviewed|looked\s+at)` },
  { term: 'regularly', pattern: String.raw`regular(?:ly)?|routinely` },
];

/** Whether a sentence of a progress update gives a fact to check: a number, a percentage or a date. */
export function statesFact(text: string): boolean {
  return text.includes('%') || /\p{N}/u.test(text) || hasTimescale(text);
}

/**
 * A progress narrative too thin to support a status: under eight words with no number
 * or date (“Tender out.”, “Awareness sessions continue.”), or nothing at all.
 */
export function isThinNarrative(text: string | undefined): boolean {
  const value = (text ?? '').trim();
  if (value === '') return true;
  const words = value.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  return words < 8 && !statesFact(value);
}

/**
 * The date the advice uses as an example of a due date: the end of the next financial
 * year’s first quarter-end in March, i.e. 31 March of the year after `today` (3 to 15
 * months ahead), so that examples never name a date long past.
 */
export function exampleDueDate(today: string): string {
  return `${Number(today.slice(0, 4)) + 1}-03-31`;
}
