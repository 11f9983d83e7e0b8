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
  env.addFilter('date', (value: Date | string | null | undefined, style: 'date' | 'datetime' = 'date') => {
    if (!value) return '';
    const d = typeof value === 'string' ? new Date(value) : value;
    const opts: Intl.DateTimeFormatOptions =
      style === 'datetime'
        ? { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }
        : { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' };
    return new Intl.DateTimeFormat('en-GB', opts).format(d);
  });
  return env;
}
