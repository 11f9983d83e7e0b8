import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { dateInputValues, datePartNames, formatDate, formatDateTime } from '../dates.ts';
import { currentLanguage, isLanguage, translator } from '../i18n/i18n.ts';
import { isLocalText, languageOf, textIn } from '../i18n/local-text.ts';
import { formatQuantity } from '../numbers.ts';

const srcDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/**
 * One Nunjucks environment. Templates are named from src/ ("features/admin/views/users.njk");
 * GOV.UK Frontend macros from its dist folder ("govuk/components/button/macro.njk").
 */
export function createViewEnvironment(options: { cache: boolean }): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([srcDir, govukDist], { noCache: !options.cache }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  // GOV.UK Frontend trims every block of HTML a component is given (a form's fields, a table). Nunjucks'
  // own trim is a regular expression that rescans each run of whitespace from every position in it,
  // quadratic in the run's length: 5 ms of a children-list request went there. The same result
  // (JavaScript's \s and String.prototype.trim are the same characters), keeping a safe string safe.
  const runtime = nunjucks.runtime as unknown as { copySafeness(source: unknown, text: string): unknown };
  env.addFilter('trim', (value: unknown) => runtime.copySafeness(value, String(value).trim()));
  // The options of a long select (hundreds of people: partials/long-select.njk), written in one pass:
  // a Nunjucks loop costs about 3 µs an option. Values and texts are escaped as autoescape would.
  env.addFilter('selectOptions', (options: Record<string, unknown>[] | null | undefined, valueKey: string, textKey: string, selected?: unknown) => {
    const escape = (value: unknown) =>
      (nunjucks.lib as unknown as { escape(text: string): string }).escape(typeof value === 'string' || typeof value === 'number' ? String(value) : '');
    const html = (options ?? [])
      .map((o) => `\n    <option value="${escape(o[valueKey])}"${o[valueKey] === selected ? ' selected' : ''}>${escape(o[textKey])}</option>`)
      .join('');
    return new nunjucks.runtime.SafeString(html);
  });
  // Dates and numbers are in the language of the page being rendered (reply.page renders in the
  // request's language, src/web/language.ts; currentLanguage() is English outside a request).
  // Dates are shown in London's calendar and clocks (src/dates.ts): '5 March 2026', or '5 Mar 2026, 14:30'.
  env.addFilter('date', (value: Date | string | null | undefined, style: 'date' | 'datetime' = 'date') =>
    style === 'datetime' ? formatDateTime(value, currentLanguage()) : formatDate(value, currentLanguage()),
  );
  // Text in a given language, whatever the page's: a link to a document in the other language names it
  // in that language (partials/download-link.njk), as the language switch names each language in itself.
  env.addGlobal('tIn', (language: unknown, key: string, options?: Record<string, unknown>) =>
    translator(isLanguage(language) ? language : 'en')(key, options ?? {}),
  );
  // Translation parameters with some given as ISO dates, written out in the page's language:
  // t(key, params | withDates(dates)) (the SMART check's advice, src/features/strategy/domain/smart.ts).
  env.addFilter('withDates', (params: Record<string, unknown> | null | undefined, dates: Record<string, string> | null | undefined) => {
    const merged: Record<string, unknown> = { ...params };
    for (const [name, iso] of Object.entries(dates ?? {})) merged[name] = formatDate(iso, currentLanguage());
    return merged;
  });
  env.addFilter('number', (value: number | string | null | undefined) => formatWholeNumber(value));
  // A value with its unit, for people: '400 staff', '72%', '£8,500' (src/numbers.ts).
  env.addFilter('quantity', (value: number | string | null | undefined, unit?: string | null) => formatQuantity(value, unit, currentLanguage()));
  // A text from data a partnership loads (a risk tool's questions, src/i18n/local-text.ts): in the page's
  // language, else English. `localText` for plain text (an <option>, a macro's `text`); `localHtml`
  // for an element's content, which marks English on a page in another language (lang="en").
  env.addFilter('localText', (value: unknown) => (isLocalText(value) ? textIn(value, currentLanguage()) : ''));
  env.addFilter('localHtml', (value: unknown) => {
    if (!isLocalText(value)) return '';
    const language = currentLanguage();
    const text = escapeHtml(textIn(value, language));
    const shown = languageOf(value, language);
    return new nunjucks.runtime.SafeString(shown === language ? text : `<span lang="${shown}">${text}</span>`);
  });
  // What a date input's boxes show (partials/date-input.njk): the boxes as posted, when the form is shown
  // again, else the form's stored 'YYYY-MM-DD' as 5, 3, 2026.
  env.addFilter('dateInputValues', (values: Record<string, unknown> | null | undefined, name: string, fallback?: string) => {
    const posted = datePartNames.map((part) => values?.[`${name}-${part}`]);
    if (posted.some((box) => box !== undefined)) {
      return Object.fromEntries(datePartNames.map((part, i) => [part, typeof posted[i] === 'string' ? posted[i] : '']));
    }
    const stored = values?.[name] ?? fallback;
    return dateInputValues(typeof stored === 'string' ? stored : null);
  });
  return env;
}

const wholeNumbers = { en: new Intl.NumberFormat('en-GB'), cy: new Intl.NumberFormat('cy-GB') };
/** The `number` filter: 12,345 (Intl's default of up to three decimals), '' for nothing. */
function formatWholeNumber(value: number | string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : wholeNumbers[currentLanguage()].format(Number(value));
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** What Nunjucks' autoescape does to a value: for markup a filter builds itself. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => htmlEscapes[c]!);
}
