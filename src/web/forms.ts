import type { z } from 'zod';

export interface FormErrors {
  /** For the GOV.UK error summary. */
  list: { text: string; href: string }[];
  /** For each field's errorMessage. */
  fields: Record<string, { text: string }>;
}

/**
 * Maps a zod failure to GOV.UK error summary and field messages. Schema messages are
 * translation keys, so the text stays in the locale files.
 */
export function formErrors(error: z.ZodError, t: (key: string) => string): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (fields[field]) continue;
    const text = t(issue.message.startsWith('validation.') ? issue.message : 'validation.invalid');
    fields[field] = { text };
    list.push({ text, href: `#${field}` });
  }
  return { list, fields };
}

export function singleError(field: string, text: string): FormErrors {
  return { list: [{ text, href: `#${field}` }], fields: { [field]: { text } } };
}
