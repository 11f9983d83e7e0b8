import type { FastifyRequest, FastifySchemaValidationError } from 'fastify';
import i18next from 'i18next';
import { currentLanguage, requestTranslator } from '../i18n/i18n.ts';
import { postedBody } from './input-guards.ts';

const t = requestTranslator();

/** GOV.UK's field message says "Error:" to screen readers unless told otherwise: on a Welsh page, "Gwall:". */
function hiddenPrefix(): { visuallyHiddenText?: string } {
  return currentLanguage() === 'en' ? {} : { visuallyHiddenText: t('common.errorHidden') };
}

export interface FormErrors {
  /** For the GOV.UK error summary. */
  list: { text: string; href: string }[];
  /** For each field's errorMessage; a date input's names the boxes to highlight (day, month, year). */
  fields: Record<string, { text: string; dateInput?: string[]; visuallyHiddenText?: string }>;
}

/**
 * What failed to validate: the request's own (request.validationError, on a route declared with
 * `attachValidation: true`), or a zod error from a schema a handler applies itself.
 */
export type InvalidInput =
  | { validation: readonly FastifySchemaValidationError[] }
  | { issues: readonly { path: readonly PropertyKey[]; message: string; params?: Record<string, unknown> | undefined }[] };

/** Where a field's message shows: the id its summary entry links to, and the key of its field message. */
export interface FieldPlacement {
  href?: (field: string) => string;
  key?: (field: string) => string;
}

/**
 * What a message needs beyond its key (a custom issue's `params`, src/web/form-fields.ts): the date
 * input boxes it is about, and options that are themselves translation keys ({ name: 'dates.….name' }).
 */
interface MessageParams {
  dateInput?: string[];
  messageKeys?: Record<string, string>;
}
function messageParams(params: unknown): MessageParams {
  if (!params || typeof params !== 'object') return {};
  const { dateInput, messageKeys } = params as Record<string, unknown>;
  return {
    ...(Array.isArray(dateInput) ? { dateInput: dateInput.map(String) } : {}),
    ...(messageKeys && typeof messageKeys === 'object' ? { messageKeys: messageKeys as Record<string, string> } : {}),
  };
}

/** Each failure as the form field it is about (the first segment of its path) and its message. */
function failures(invalid: InvalidInput): { field: string; message: string; params: MessageParams }[] {
  if ('validation' in invalid) {
    // fastify-type-provider-zod keeps a zod issue's own fields, `params` among them, in the error's params.
    return invalid.validation.map((v) => ({
      field: v.instancePath.split('/')[1] || 'form',
      message: v.message ?? '',
      params: messageParams((v.params as Record<string, unknown> | undefined)?.params),
    }));
  }
  return invalid.issues.map((issue) => ({ field: String(issue.path[0] ?? 'form'), message: issue.message, params: messageParams(issue.params) }));
}

/**
 * The one mapping of invalid form input to the GOV.UK error summary and field messages, for every
 * form. Schema messages are translation keys (validation.*, or the feature's own), so the text stays
 * in the locale files; a message that is not a key (zod's own) shows as "validation.invalid".
 * One message per field: the first.
 */
export function formErrors(invalid: InvalidInput, placement: FieldPlacement = {}): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const { field, message, params } of failures(invalid)) {
    const key = placement.key?.(field) ?? field;
    if (fields[key]) continue;
    const options = Object.fromEntries(Object.entries(params.messageKeys ?? {}).map(([name, optionKey]) => [name, t(optionKey)]));
    const text = !i18next.exists(message) ? t('validation.invalid') : params.messageKeys ? t(message, options) : t(message);
    // A date input's message links to its first box in error (GOV.UK: `#dueOn-day`, or `#dueOn-month` when only the month is missing).
    const id = placement.href?.(field) ?? field;
    const hidden = hiddenPrefix();
    fields[key] = params.dateInput ? { text, dateInput: params.dateInput, ...hidden } : { text, ...hidden };
    list.push({ text, href: `#${params.dateInput?.length ? `${id}-${params.dateInput[0]}` : id}` });
  }
  return { list, fields };
}

/**
 * One message on one field: a refusal found after the input was valid (a name in use, a conflict).
 * On a date input (`dateInput`) it links to the day box and highlights all three.
 */
export function singleError(field: string, text: string, dateInput = false): FormErrors {
  const hidden = hiddenPrefix();
  if (dateInput) return { list: [{ text, href: `#${field}-day` }], fields: { [field]: { text, dateInput: ['day', 'month', 'year'], ...hidden } } };
  return { list: [{ text, href: `#${field}` }], fields: { [field]: { text, ...hidden } } };
}

/** Several problems with one field (an uploaded file's): each in the summary, the first on the field. */
export function fieldErrors(field: string, texts: readonly string[]): FormErrors {
  return { list: texts.map((text) => ({ text, href: `#${field}` })), fields: { [field]: { text: texts[0] ?? '', ...hiddenPrefix() } } };
}

/**
 * The form's fields as posted, to show the form again: after a valid post the body is the schema's
 * output (trimmed, converted, with unknown fields dropped), not what the person typed.
 */
export function postedForm(request: FastifyRequest): Record<string, unknown> {
  const body = postedBody(request);
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

/**
 * A posted form whose input did not validate, to show again: what was typed and why it was
 * refused. Null when the input validated.
 */
export function refusedForm(request: FastifyRequest): { values: Record<string, unknown>; errors: FormErrors } | null {
  const invalid = request.validationError;
  return invalid ? { values: postedForm(request), errors: formErrors(invalid) } : null;
}
