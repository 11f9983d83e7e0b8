/**
 * Numbers for people (issue 10): "400 staff", "72%", "£8,500", never "400.00 staff". Values come from
 * PostgreSQL numeric columns as strings ("400.00"); units are what the partnership typed for a measure.
 * The one place that turns a value and its unit into text, for pages (the `quantity` filter) and documents.
 */
const plain = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', maximumFractionDigits: 0 });
const poundsAndPence = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A number with thousands separators and no trailing zeros: 8500 → "8,500", "72.50" → "72.5"; '' for nothing. */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const n = Number(value);
  return Number.isFinite(n) ? plain.format(n) : String(value);
}

/** A value with its unit: "%" → "72%", "£" or "GBP" → "£8,500", anything else after a space ("400 staff"). */
export function formatQuantity(value: number | string | null | undefined, unit: string | null | undefined): string {
  const number = formatNumber(value);
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
