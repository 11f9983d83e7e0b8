import type { IStylesOptions } from 'docx';
import { intlLocale, type Language } from '../i18n/i18n.ts';

/**
 * A document is made in the language chosen at download (issue 11), Welsh or English, whatever the
 * page's: its words, dates and numbers, and the language it declares. These say so to the programs
 * that open it: Word's (w:lang in the document defaults, for spelling, hyphenation and screen readers),
 * and the spreadsheet's (dc:language, set with intlLocale in its builder); a PDF's is the <html lang> of
 * the page printed (src/web/app.ts, documentHtml).
 */
export function wordLanguageStyles(language: Language): IStylesOptions {
  return { default: { document: { run: { language: { value: intlLocale(language) } } } } };
}
