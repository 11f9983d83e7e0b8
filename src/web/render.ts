import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

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
  // Formatters are built once: making an Intl formatter costs far more than using one.
  const formats = {
    date: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }),
    datetime: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }),
  };
  const numbers = new Intl.NumberFormat('en-GB');
  env.addFilter('date', (value: Date | string | null | undefined, style: 'date' | 'datetime' = 'date') => {
    if (!value) return '';
    const d = typeof value === 'string' ? new Date(value) : value;
    return (style === 'datetime' ? formats.datetime : formats.date).format(d);
  });
  env.addFilter('number', (value: number | string | null | undefined) => (value === null || value === undefined || value === '' ? '' : numbers.format(Number(value))));
  return env;
}
