import { z } from 'zod';
import type { Language } from './i18n.ts';

/**
 * A text written outside Lantern's code, in data a partnership loads (a risk tool's questions and
 * bands, issue 11): either one text, as every definition before Welsh was (a plain string, shown in
 * every language), or each language's own, `{ "en": "…", "cy": "…" }`, English required.
 */
export type LocalText = string | { readonly en: string; readonly cy?: string | undefined };

/** The text in `language`, else in English: the one place a local text is picked. */
export function textIn(value: LocalText, language: Language): string {
  if (typeof value === 'string') return value;
  return (language === 'cy' ? value.cy : undefined) ?? value.en;
}

/** The language textIn(value, language) answers in: English when the text has no `language` of its own. */
export function languageOf(value: LocalText, language: Language): Language {
  if (typeof value === 'string') return 'en';
  return language === 'cy' && value.cy !== undefined ? 'cy' : 'en';
}

/** Whether the text has its own words in `language` (a plain string counts as English only). */
export function hasLanguage(value: LocalText, language: Language): boolean {
  return languageOf(value, language) === language;
}

/** A local text's shape, for values read back from stored JSON without the schema (e.g. a band's label in SQL). */
export function isLocalText(value: unknown): value is LocalText {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null) return false;
  const { en, cy } = value as Record<string, unknown>;
  return typeof en === 'string' && (cy === undefined || typeof cy === 'string');
}

/**
 * The schema of a LocalText in a loaded file, given the schema of one text (its own rules: trimmed,
 * not empty): one text, or `{ "en": …, "cy": … }` with English required and nothing else.
 */
export function localTextSchema(text: z.ZodString) {
  return z.union([text, z.strictObject({ en: text, cy: text.optional() })], {
    error: 'must be a text, or the text in each language: { "en": "…", "cy": "…" }',
  });
}
