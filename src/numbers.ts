/**
 * Numbers for people (issue 10): "400 staff", "72%", "£8,500", never "400.00 staff". Values come from
 * PostgreSQL numeric columns as strings ("400.00"); units are what the partnership typed for a measure.
 * The one place that turns a value and its unit into text, for pages (the `quantity` filter) and documents.
 */
function numberFormats(locale: string) {
  return {
    plain: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
    pounds: new Intl.NumberFormat(locale, { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 }),
    poundsAndPence: new Intl.NumberFormat(locale, { style: 'currency', currency: 'GBP', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  };
}
/** Built once per language (en-GB, cy-GB: Welsh writes numbers and pounds as English does). */
const formatsIn = { en: numberFormats('en-GB'), cy: numberFormats('cy-GB') };
type NumberLanguage = keyof typeof formatsIn;

/** A number with thousands separators and no trailing zeros: 8500 → "8,500", "72.50" → "72.5"; '' for nothing. */
export function formatNumber(value: number | string | null | undefined, language: NumberLanguage = 'en'): string {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  return Number.isFinite(n) ? formatsIn[language].plain.format(n) : String(value);
}

/** A value with its unit: "%" → "72%", "£" or "GBP" → "£8,500", anything else after a space ("400 staff"). */
export function formatQuantity(value: number | string | null | undefined, unit: string | null | undefined, language: NumberLanguage = 'en'): string {
  const { pounds, poundsAndPence } = formatsIn[language];
  const number = formatNumber(value, language);
  if (number === '') return '';
  const u = (unit ?? '').trim();
  if (u === '') return number;
  if (u === '%') return `${number}%`;
  if (u === '£' || u.toUpperCase() === 'GBP') {
    const n = Number(value);
    if (!Number.isFinite(n)) return number;
    return Number.isInteger(n) ? pounds.format(n) : poundsAndPence.format(n); // '£8,500', '£8,500.50'
  }
  return `${number} ${u}`;
}
