import { z } from 'zod';
import { currentLanguage, requestTranslator } from '../../i18n/i18n.ts';
import { textIn, type LocalText } from '../../i18n/local-text.ts';
import type { FormErrors } from '../../web/forms.ts';
import { frameworkSchema, type Framework } from './domain/frameworks.ts';
import { returnKinds, type ReturnKind } from './domain/framework.ts';

/**
 * A framework as a plain HTML form (issue 15 §4), beside the JSON upload: its name (English and
 * Welsh), source, returns, and a row per strand and per outcome. It works without JavaScript: blank
 * rows are ignored, "Add another" posts the form back with one more blank row, a row is removed
 * with its "Remove" box, and strands are put in order by their numbers. Fields are flat
 * (`strands-0-key`, `outcomes-2-textCy`) so that @fastify/formbody reads them as they are.
 */

const t = requestTranslator();

/** Rows a form may have: far more than any framework (the Welsh plan has 4 strands, 17 outcomes). */
export const maxRows = 60;
const maxText = 4000;

/** The posted form: flat text fields (checked below), nothing else. */
export const frameworkFormBodySchema = z.record(z.string().max(100), z.union([z.string().max(maxText), z.array(z.string().max(100)).max(10)]));

export interface StrandRow {
  key: string;
  number: string;
  titleEn: string;
  titleCy: string;
  outcomeEn: string;
  outcomeCy: string;
  remove?: boolean;
}
export interface OutcomeRow {
  id: string;
  strandKey: string;
  textEn: string;
  textCy: string;
  actionIds: string;
  remove?: boolean;
}
export interface FrameworkFormValues {
  key: string;
  nameEn: string;
  nameCy: string;
  source: string;
  isExample: boolean;
  returns: string[];
  strands: StrandRow[];
  outcomes: OutcomeRow[];
  /** Posted by an "Add another" button: the form is shown again with one more blank row, nothing saved. */
  more?: 'strand' | 'outcome';
}

const en = (text: LocalText) => textIn(text, 'en');
const cy = (text: LocalText) => (typeof text === 'string' ? '' : (text.cy ?? ''));
const blankStrand = (): StrandRow => ({ key: '', number: '', titleEn: '', titleCy: '', outcomeEn: '', outcomeCy: '' });
const blankOutcome = (): OutcomeRow => ({ id: '', strandKey: '', textEn: '', textCy: '', actionIds: '' });

/** The form for a framework (none: a new one), with a blank row to add to each list. */
export function frameworkFormValues(framework?: Framework): FrameworkFormValues {
  if (!framework) return { key: '', nameEn: '', nameCy: '', source: '', isExample: false, returns: [], strands: [blankStrand()], outcomes: [blankOutcome()] };
  return {
    key: framework.key,
    nameEn: en(framework.name),
    nameCy: cy(framework.name),
    source: framework.source,
    isExample: framework.isExample,
    returns: [...(framework.returns ?? [])],
    strands: [
      ...framework.strands.map((s) => ({
        key: s.key,
        number: String(s.number),
        titleEn: en(s.title),
        titleCy: cy(s.title),
        outcomeEn: en(s.outcome),
        outcomeCy: cy(s.outcome),
      })),
      blankStrand(),
    ],
    outcomes: [
      ...framework.outcomes.map((o) => ({ id: o.id, strandKey: o.strandKey, textEn: en(o.text), textCy: cy(o.text), actionIds: o.actionIds.join(', ') })),
      blankOutcome(),
    ],
  };
}

const field = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  return typeof v === 'string' ? v.trim() : '';
};

/** The posted rows as typed, in the order posted, with one more blank row of the kind `more` names. */
export function postedFrameworkForm(body: Record<string, unknown>): FrameworkFormValues {
  const rows = (prefix: string) => {
    const indexes = new Set<number>();
    for (const name of Object.keys(body)) {
      const m = new RegExp(`^${prefix}-(\\d{1,3})-`).exec(name);
      if (m && Number(m[1]) < maxRows) indexes.add(Number(m[1]));
    }
    return [...indexes].sort((a, b) => a - b);
  };
  const strands: StrandRow[] = rows('strands').map((i) => {
    const f = (n: string) => field(body, `strands-${i}-${n}`);
    return {
      key: f('key'),
      number: f('number'),
      titleEn: f('titleEn'),
      titleCy: f('titleCy'),
      outcomeEn: f('outcomeEn'),
      outcomeCy: f('outcomeCy'),
      remove: f('remove') === 'yes',
    };
  });
  const outcomes: OutcomeRow[] = rows('outcomes').map((i) => {
    const f = (n: string) => field(body, `outcomes-${i}-${n}`);
    return { id: f('id'), strandKey: f('strandKey'), textEn: f('textEn'), textCy: f('textCy'), actionIds: f('actionIds'), remove: f('remove') === 'yes' };
  });
  const more = field(body, 'more');
  if (more === 'strand' && strands.length < maxRows) strands.push(blankStrand());
  if (more === 'outcome' && outcomes.length < maxRows) outcomes.push(blankOutcome());
  const returns = ([] as unknown[]).concat(body.returns ?? []).filter((r): r is string => typeof r === 'string');
  return {
    key: field(body, 'key'),
    nameEn: field(body, 'nameEn'),
    nameCy: field(body, 'nameCy'),
    source: field(body, 'source'),
    isExample: field(body, 'isExample') === 'yes',
    returns,
    strands,
    outcomes,
    ...(more === 'strand' || more === 'outcome' ? { more } : {}),
  };
}

const local = (english: string, welsh: string): LocalText => (welsh ? { en: english, cy: welsh } : { en: english });
const isBlankStrand = (s: StrandRow) => !s.key && !s.number && !s.titleEn && !s.titleCy && !s.outcomeEn && !s.outcomeCy;
const isBlankOutcome = (o: OutcomeRow) => !o.id && !o.strandKey && !o.textEn && !o.textCy && !o.actionIds;
const keyPattern = /^[a-z][a-z0-9-]*$/;
const outcomeIdPattern = /^[1-9][0-9]*\.[1-9][0-9]*$/;
const actionIdPattern = /^[1-9][0-9]*\.[1-9][0-9]*[a-z]$/;

/** Errors gathered in the form's order: each field's first, and the summary's links to them. */
class Problems {
  readonly errors: FormErrors = { list: [], fields: {} };
  add(id: string, key: string, options: Record<string, string | number> = {}, href = id) {
    if (this.errors.fields[id]) return;
    const text = t(`strategy.frameworkForm.v.${key}`, options);
    // As formErrors does: a Welsh page names the error in Welsh for screen readers (GOV.UK’s default is English).
    this.errors.fields[id] = currentLanguage() === 'en' ? { text } : { text, visuallyHiddenText: t('common.errorHidden') };
    this.errors.list.push({ text, href: `#${href}` });
  }
  get any() {
    return this.errors.list.length > 0;
  }
}

/**
 * The framework a posted form describes, or why not, each problem on its own field. Blank and removed
 * rows are left out; strands are kept in the order of their numbers. `key` is the framework's (an
 * edited framework keeps its key); `inUse` are the outcome and action ids plans' actions refer to,
 * which must stay.
 */
export function readFrameworkForm(
  values: FrameworkFormValues,
  options: { key?: string; inUse?: ReadonlySet<string> } = {},
): { framework: Framework } | { errors: FormErrors } {
  const p = new Problems();
  const key = options.key ?? values.key;
  if (!options.key && !keyPattern.test(key)) p.add('key', 'key');
  if (!values.nameEn) p.add('nameEn', 'nameRequired');
  if (values.source.length > maxText) p.add('source', 'tooLong');
  const returns = values.returns.filter((r): r is ReturnKind => (returnKinds as readonly string[]).includes(r));

  const strands = values.strands.map((s, row) => ({ s, row })).filter(({ s }) => !s.remove && !isBlankStrand(s));
  const strandKeys = new Map<string, number>();
  const numbers = new Set<number>();
  for (const { s, row } of strands) {
    const id = (f: string) => `strands-${row}-${f}`;
    if (!keyPattern.test(s.key)) p.add(id('key'), 'strandKey');
    else if (strandKeys.has(s.key)) p.add(id('key'), 'strandKeyTwice', { key: s.key });
    const n = Number(s.number);
    if (!/^[1-9][0-9]{0,2}$/.test(s.number)) p.add(id('number'), 'strandNumber');
    else if (numbers.has(n)) p.add(id('number'), 'strandNumberTwice', { number: n });
    if (!s.titleEn) p.add(id('titleEn'), 'strandTitle');
    if (!s.outcomeEn) p.add(id('outcomeEn'), 'strandOutcome');
    strandKeys.set(s.key, n);
    numbers.add(n);
  }
  if (strands.length === 0) p.add('strands-0-key', 'strandsRequired');

  const outcomes = values.outcomes.map((o, row) => ({ o, row })).filter(({ o }) => !o.remove && !isBlankOutcome(o));
  const outcomeIds = new Set<string>();
  const actionIds = new Set<string>();
  const parsedActions = new Map<number, string[]>();
  for (const { o, row } of outcomes) {
    const id = (f: string) => `outcomes-${row}-${f}`;
    const strandNumber = strandKeys.get(o.strandKey);
    if (strandNumber === undefined) p.add(id('strandKey'), 'outcomeStrand');
    if (!outcomeIdPattern.test(o.id)) p.add(id('id'), 'outcomeId');
    else if (outcomeIds.has(o.id)) p.add(id('id'), 'outcomeIdTwice', { id: o.id });
    else if (strandNumber !== undefined && !o.id.startsWith(`${strandNumber}.`)) p.add(id('id'), 'outcomeIdStrand', { number: strandNumber });
    outcomeIds.add(o.id);
    if (!o.textEn) p.add(id('textEn'), 'outcomeText');
    const actions = o.actionIds
      .split(/[\s,]+/)
      .map((a) => a.trim())
      .filter(Boolean);
    for (const a of actions) {
      if (!actionIdPattern.test(a) || a.slice(0, -1) !== o.id) p.add(id('actionIds'), 'actionId', { action: a, outcome: o.id || '1.1' });
      else if (actionIds.has(a)) p.add(id('actionIds'), 'actionTwice', { action: a });
      actionIds.add(a);
    }
    parsedActions.set(row, actions);
  }
  if (outcomes.length === 0) p.add('outcomes-0-id', 'outcomesRequired');

  // What plans' actions refer to stays: an outcome or action id may not be removed or renumbered.
  for (const ref of [...(options.inUse ?? [])].sort()) {
    if (!outcomeIds.has(ref) && !actionIds.has(ref)) p.add(`inUse-${ref}`, 'inUse', { ref }, 'outcomes');
  }
  if (p.any) return { errors: p.errors };

  const framework = {
    key,
    name: local(values.nameEn, values.nameCy),
    source: values.source,
    isExample: values.isExample,
    ...(returns.length ? { returns } : {}),
    strands: strands
      .map(({ s }) => ({ key: s.key, number: Number(s.number), title: local(s.titleEn, s.titleCy), outcome: local(s.outcomeEn, s.outcomeCy) }))
      .sort((a, b) => a.number - b.number),
    outcomes: outcomes
      .map(({ o, row }) => ({ id: o.id, strandKey: o.strandKey, text: local(o.textEn, o.textCy), actionIds: parsedActions.get(row) ?? [] }))
      .sort((a, b) => compareIds(a.id, b.id)),
  };
  // The JSON upload's own check, the last word: a framework from the form is one a file could hold.
  const checked = frameworkSchema.safeParse(framework);
  if (!checked.success) {
    p.add('framework', 'invalid', { problem: checked.error.issues[0]?.message ?? '' });
    return { errors: p.errors };
  }
  return { framework: checked.data };
}

/** '1.2' before '1.10'. */
function compareIds(a: string, b: string) {
  const [a1, a2] = a.split('.').map(Number) as [number, number];
  const [b1, b2] = b.split('.').map(Number) as [number, number];
  return a1 - b1 || a2 - b2;
}
