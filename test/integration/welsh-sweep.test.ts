import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { can } from '../../src/authz/policy.ts';
import type { Role } from '../../src/authz/roles.ts';
import { flatLocale } from '../../src/i18n/i18n.ts';
import type { RouteEntry } from '../../src/web/app.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { Agent, signIn } from '../helpers/http.ts';
import { realUrls } from '../helpers/route-urls.ts';

/**
 * Issue 11: every page of the route table, in Welsh, as each role (and signed out for the public
 * pages). A text node or label that is an English resource string (the English text of a key whose
 * Welsh differs or is missing), or that is a key itself (a key missing in both languages), fails.
 * Names, references, numbers and what people wrote are data, not resource strings: they pass.
 * Downloads are checked by the documents' own tests.
 */

/** English text that may rightly stand on a Welsh page, with the reason. */
const allowedOnWelshPages: Record<string, string> = {
  'common.serviceName': 'the product’s name, Lantern',
  'common.languageName.en': 'the language switch names English in English (with lang="en")',
  'common.languageName.cy': 'Cymraeg, named in itself',
  'auditRecordTypes.user': 'Welsh “person” is the same word',
};

const english = flatLocale('en');
const welsh = flatLocale('cy');
const pluralSuffix = /_(zero|one|two|few|many|other)$/;

/** English resource strings that a Welsh page must not show: their Welsh differs, or is missing. */
const exact = new Map<string, string>();
const patterns: { key: string; pattern: RegExp }[] = [];
for (const [key, text] of english) {
  if (key in allowedOnWelshPages) continue;
  const own = welsh.get(key) ?? (pluralSuffix.test(key) ? welsh.get(key.replace(pluralSuffix, '_other')) : undefined);
  if (own === text) continue;
  const shown = normalise(text.replace(/<[^>]*>/g, ' '));
  if (!/\{\{/.test(shown)) {
    if (/[A-Za-z]{2,}/.test(shown)) exact.set(shown, key);
    continue;
  }
  const parts = shown.split(/\{\{[^}]*\}\}/);
  // A pattern needs words of its own: "{{name}}" or "{{a}}: {{b}}" would match any text.
  if (parts.join('').replace(/[^A-Za-z]/g, '').length < 6) continue;
  // A count is a number; another placeholder a short value, so a pattern does not swallow a paragraph of data.
  const holes = [...shown.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => (['count', 'formatted'].includes(m[1]!.trim()) ? '[0-9][0-9,.]*' : '.{1,60}?'));
  const source = parts.map((p, i) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + (holes[i] ?? '')).join('');
  patterns.push({ key, pattern: new RegExp(`^${source}$`, 's') });
}
const anyPattern = new RegExp(patterns.map((p) => p.pattern.source).join('|'), 's');

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

/**
 * GOV.UK Frontend's own English, which a component shows unless given the page's words: a Welsh page
 * must pass its own (the password's Show/Hide, pagination, a date's Day/Month/Year, the back link …).
 */
/** What people wrote in the demo data that happens to be the same as an English resource string. */
const demoData: Record<string, string> = {
  'Action plans': 'a scrutiny work item’s topic',
  Training: 'a scrutiny work item’s topic',
};

const govukDefaults = new Set([
  'Back',
  'Menu',
  'Previous',
  'Next',
  'Previous page',
  'Next page',
  'Show',
  'Hide',
  'Show password',
  'Hide password',
  'Your password is visible',
  'Your password is hidden',
  'Day',
  'Month',
  'Year',
  'Important',
  'Success',
  'There is a problem',
  'Pagination',
  'Service information',
  'Choose file',
  'No file chosen',
  'Drop file here',
  'Warning',
  'Error:',
  'Support links',
]);

/** The words a page shows or speaks: text between tags, and labels in attributes. */
export function shownTexts(html: string): string[] {
  // Code is not text; a fragment marked as English (the link to the other language's download, a quote) is rightly English.
  const withoutCode = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<([a-z]+)\b[^>]*\slang="en"[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  const texts: string[] = [];
  for (const match of withoutCode.matchAll(/\s(?:aria-label|title|alt|placeholder|data-i18n\.[a-z.-]+)="([^"]*)"/g)) texts.push(match[1]!);
  for (const part of withoutCode.split(/<[^>]*>/)) texts.push(part);
  return texts.map((text) => normalise(decode(text))).filter((text) => /[A-Za-z]{2,}/.test(text));
}

/** What on a Welsh page is still English resource text, or a bare key: `key: “text”`. */
export function untranslated(html: string): string[] {
  const found: string[] = [];
  for (const text of shownTexts(html)) {
    if (/^[a-z][A-Za-z]+(\.[A-Za-z0-9_-]+)+$/.test(text) && !/^[a-z]+\.(example|gov|uk|org)$/.test(text)) {
      found.push(`(a missing key): “${text}”`);
      continue;
    }
    if (text in demoData) continue;
    if (/\b(Invalid input|Invalid option|expected \w+, received|Too small|Too big)\b/i.test(text)) {
      found.push(`(a validation library’s English): “${text}”`);
      continue;
    }
    if (govukDefaults.has(text)) {
      found.push(`(GOV.UK’s English default): “${text}”`);
      continue;
    }
    const key = exact.get(text) ?? (anyPattern.test(text) ? patterns.find((p) => p.pattern.test(text))?.key : undefined);
    if (key) found.push(`${key}: “${text}”`);
  }
  return found;
}

let ctx: TestContext;
const pages: { who: Role | 'public'; url: string }[] = [];
const forms: { who: Role | 'public'; url: string; page: string }[] = [];
const agents = new Map<Role | 'public', Agent>();

/** Downloads and redirects-only routes: documents have their own Welsh tests. */
const notPages = (r: RouteEntry) =>
  r.method !== 'GET' || r.url.startsWith('/api/') || r.url === '/health' || /(export|chronology)\/:|\.(csv|xlsx)$/.test(r.url);

before(async () => {
  ctx = await createTestContext();
  const northmere = (await ctx.ownerQuery<{ id: string }>(`SELECT id FROM partnerships WHERE code = 'northmere'`))[0]!.id;
  const accounts = ctx.accounts.filter(
    (a, i, all) => a.partnership === 'northmere' && all.findIndex((b) => b.partnership === 'northmere' && b.role === a.role) === i,
  );
  const urls = realUrls(
    ctx,
    northmere,
    accounts.map((a) => a.email),
  );
  const routes = ctx.app.routeTable.filter((r) => !notPages(r));
  const posts = ctx.app.routeTable.filter((r) => r.method === 'POST' && !r.url.startsWith('/api/') && !/sign-(in|out)|\/end$|partnership$/.test(r.url));
  const anonymous = new Agent(ctx.app);
  anonymous.setCookie('lantern_lang', 'cy');
  agents.set('public', anonymous);
  for (const a of accounts) {
    const agent = await signIn(ctx.app, ctx.clock, a);
    agent.setCookie('lantern_lang', 'cy');
    agents.set(a.role, agent);
  }
  for (const r of routes) {
    const url = await urls.resolve(r.url);
    if (r.public) pages.push({ who: 'public', url });
    else for (const a of accounts) if (r.permission && can({ userId: 'x', roles: [a.role] }, r.permission)) pages.push({ who: a.role, url });
  }
  // Each form posted empty, from a page of the same feature (for its CSRF token): its error page must be Welsh too.
  for (const r of posts) {
    const url = await urls.resolve(r.url);
    const page = pages.find((p) => url.startsWith(p.url.replace(/\/(new|edit)$/, '')))?.url ?? '/';
    if (r.public) forms.push({ who: 'public', url, page: r.url === '/report' ? '/report' : page });
    else for (const a of accounts) if (r.permission && can({ userId: 'x', roles: [a.role] }, r.permission)) forms.push({ who: a.role, url, page });
  }
});
after(async () => ctx.close());

describe('every page in Welsh', () => {
  test('the matcher finds English resource text and passes Welsh and data', () => {
    const someKey = [...exact.entries()].find(([, key]) => key.startsWith('nav.'));
    if (someKey) assert.deepEqual(untranslated(`<p>${someKey[0]}</p>`), [`${someKey[1]}: “${someKey[0]}”`]);
    assert.deepEqual(untranslated('<p>children.list.title</p>'), ['(a missing key): “children.list.title”']);
    assert.deepEqual(untranslated('<p class="x">NM-1002 · Ellis Hartley</p><p>Mae problem wedi codi</p>'), []);
    assert.ok(exact.size + patterns.length > 0 || welsh.size >= english.size);
  });

  test('as each role, every page is in Welsh: no English resource text and no missing key', async () => {
    const failures = new Map<string, string[]>();
    let visited = 0;
    for (const { who, url } of pages) {
      const response = await agents.get(who)!.get(url);
      if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/html')) continue;
      visited++;
      assert.match(response.body, /<html[^>]* lang="cy"/, `${who} ${url} is a Welsh page`);
      for (const problem of untranslated(response.body)) {
        const where = failures.get(problem) ?? [];
        if (where.length < 3) where.push(`${who} ${url}`);
        failures.set(problem, where);
      }
    }
    assert.ok(visited >= 100, `visited ${visited} pages`);
    let refusals = 0;
    for (const { who, url, page } of forms) {
      const agent = agents.get(who)!;
      await agent.get(page);
      const response = await agent.post(url, {});
      if (!String(response.headers['content-type']).startsWith('text/html')) continue;
      refusals++;
      for (const problem of untranslated(response.body)) {
        const where = failures.get(problem) ?? [];
        if (where.length < 3) where.push(`${who} POST ${url}`);
        failures.set(problem, where);
      }
    }
    assert.ok(refusals >= 30, `${refusals} forms answered with a page`);
    const report = [...failures].map(([problem, where]) => `${problem} — on ${where.join(', ')}`).sort();
    assert.deepEqual(report, [], `${report.length} English texts on Welsh pages`);
  });
});
