import { z } from 'zod';
import { datePartNames, londonDate, londonDateTime, parseClockTime, parseIsoDate, readDateInput, type DatePart, type IsoDate } from '../dates.ts';

/**
 * Field builders the features' form and filter schemas share. A form posts every input, filled or
 * not, so "not given" arrives as a blank string: these read blank (after trimming) as not given.
 */
const maybeBlank = z.string().trim().optional();

/** A form field that may be left blank: blank is null, anything else must pass `schema`. */
export const blankAsNull = <T extends z.ZodType<unknown, string>>(schema: T) => maybeBlank.transform((v) => v || null).pipe(schema.nullable());

/** A filter in a query string: blank is as if it were not there, anything else must pass `schema`. */
export const blankAsAbsent = <T extends z.ZodType<unknown, string>>(schema: T) => maybeBlank.transform((v) => v || undefined).pipe(schema.optional());

/** A record picked from a list, or none: blank is null. */
export const optionalId = blankAsNull(z.string().uuid());

// ------------------------------------------------------------------ the GOV.UK date input

/**
 * Each date input of a posted form or a query string, gathered: its boxes (`dueOn-day`, `dueOn-month`,
 * `dueOn-year`) become one value, `dueOn: { day, month, year }`, for the schema's dateInput field.
 * The boxes stay as they were, so a refused form shows again as it was typed. (app.ts runs this on
 * every route's query string and form body, before validation.)
 */
export function gatherDateInputs(input: unknown): void {
  if (!input || typeof input !== 'object' || Array.isArray(input) || Buffer.isBuffer(input)) return;
  const fields = input as Record<string, unknown>;
  const names = new Set<string>();
  for (const key of Object.keys(fields)) {
    // A field name as the forms write them (camelCase): never __proto__ or the like.
    const match = /^([a-z][A-Za-z0-9]{0,60})-(day|month|year)$/.exec(key);
    if (match) names.add(match[1]!);
  }
  for (const name of names) {
    fields[name] = Object.fromEntries(datePartNames.map((part) => [part, fields[`${name}-${part}`]]));
  }
}

/** The boxes of a gathered date input, or none. */
const boxesOf = (value: unknown): Partial<Record<DatePart, unknown>> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;

/** Whether anything was typed in a date input's boxes. */
export const dateInputGiven = (value: unknown): boolean => {
  const read = readDateInput(boxesOf(value));
  return read.ok || read.problem !== 'required';
};

/**
 * What a date input's message needs beyond its key: the boxes to highlight (the error summary links
 * to the first) and the field's name for the sentence ("Due date must be a real date"). `field` is
 * the field's translation prefix, holding `enter` ("Enter the date the action is due") and `name`
 * ("Due date"), and for a time beside it `enterTime` and `timeName`.
 */
function dateInputIssue(field: string, message: string, parts: readonly DatePart[], options: Record<string, string> = {}): DateIssue {
  return { code: 'custom', message, params: { dateInput: [...parts], messageKeys: { name: `${field}.name`, ...options } } };
}
type DateIssue = {
  code: 'custom';
  message: string;
  params: { dateInput: DatePart[]; messageKeys?: Record<string, string> };
  path?: string[];
};

/** A rule about a whole date found after it was read (an end before its start): its message, on every box. */
export function dateRule(path: string, message: string): DateIssue & { path: string[] } {
  return { code: 'custom', path: [path], message, params: { dateInput: [...datePartNames] } };
}

/** A check of a real date against today (London's): a message key when it fails, or null. */
export type DateCheck = (date: IsoDate, today: IsoDate) => string | null;
/** Today or earlier: "Date of birth must be today or in the past". */
export const notInFuture: DateCheck = (date, today) => (date > today ? 'dates.todayOrPast' : null);

/** The date of a date input, or the issue GOV.UK's pattern gives for what was typed. */
function readDateField(value: unknown, field: string, report: (issue: DateIssue) => void, check?: DateCheck): IsoDate | null {
  const read = readDateInput(boxesOf(value));
  if (!read.ok) {
    if (read.problem === 'required') report(dateInputIssue(field, `${field}.enter`, read.parts));
    else if (read.problem === 'incomplete') report(dateInputIssue(field, 'dates.incomplete', read.parts, { missing: `dates.missing.${read.parts.join('-')}` }));
    else if (read.problem === 'yearDigits') report(dateInputIssue(field, 'dates.yearDigits', read.parts));
    else report(dateInputIssue(field, 'dates.real', read.parts));
    return null;
  }
  const failed = check?.(read.date, londonDate(new Date()));
  if (failed) {
    report(dateInputIssue(field, failed, datePartNames));
    return null;
  }
  return read.date;
}

/**
 * A GOV.UK date input that must be filled: its boxes (gathered by gatherDateInputs) as 'YYYY-MM-DD',
 * or GOV.UK's messages for the field: "Enter the date the action is due", "Due date must include a
 * month", "Due date must be a real date", and `check`'s ("Date of birth must be today or in the past").
 */
export const dateInput = (field: string, check?: DateCheck) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx): IsoDate => readDateField(value, field, (issue) => ctx.addIssue(issue), check) ?? (z.NEVER as IsoDate));

/** A date input that may be left empty (null), checked as dateInput when anything is typed in it. */
export const optionalDateInput = (field: string, check?: DateCheck) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx): IsoDate | null =>
      dateInputGiven(value) ? (readDateField(value, field, (issue) => ctx.addIssue(issue), check) ?? z.NEVER) : null,
    );

/**
 * The date input of a filter in a query string: absent when left empty. A link may name the date
 * itself, 'YYYY-MM-DD' (`?asOf=2026-06-30`, the audit trail's address after its form).
 */
export const filterDateInput = (field: string) =>
  z
    .unknown()
    .optional()
    .transform((value, ctx): IsoDate | undefined => {
      if (typeof value === 'string') {
        if (value.trim() === '') return undefined;
        const date = parseIsoDate(value);
        if (!date) ctx.addIssue(dateInputIssue(field, 'dates.real', datePartNames));
        return date ?? z.NEVER;
      }
      return dateInputGiven(value) ? (readDateField(value, field, (issue) => ctx.addIssue(issue)) ?? z.NEVER) : undefined;
    })
    .optional();

/**
 * A date input and a time field beside it (`<prefix>Date`, `<prefix>Time`), read together as a London
 * wall-clock instant, for an object schema's transform; each one's issue is on its own field. Null
 * (with the issues added) when either is missing or wrong.
 */
export function readDateTime(value: Record<string, unknown>, prefix: string, field: string, ctx: z.RefinementCtx): Date | null {
  const dateName = `${prefix}Date`;
  const timeName = `${prefix}Time`;
  const date = readDateField(value[dateName], field, (issue) => ctx.addIssue({ ...issue, path: [dateName] }));
  const typed = typeof value[timeName] === 'string' ? value[timeName].trim() : '';
  const time = parseClockTime(typed);
  if (!time) {
    const message = typed ? 'dates.realTime' : `${field}.enterTime`;
    ctx.addIssue({ code: 'custom', path: [timeName], message, params: { messageKeys: { name: `${field}.timeName` } } });
  }
  return date && time ? londonDateTime(date, time) : null;
}

/** A date input's value as a form holds it (the gathered boxes as posted, or a stored 'YYYY-MM-DD') as its date, or null. */
export function dateOfInput(value: unknown): IsoDate | null {
  if (typeof value === 'string') return parseIsoDate(value);
  const read = readDateInput(boxesOf(value));
  return read.ok ? read.date : null;
}
