import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';

const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'locales');

/**
 * English and Welsh (issue 11). English is the default and the fallback: a key not yet in
 * locales/cy shows in English (test/unit/welsh.test.ts counts them per file).
 */
export const languages = ['en', 'cy'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** The BCP 47 locale Intl formats a language with: dates, numbers and plurals. */
export function intlLocale(language: Language): string {
  return language === 'cy' ? 'cy-GB' : 'en-GB';
}

/** Each locale is a folder of JSON files; a file's name is the top-level key of its strings. */
export function loadLocale(language: Language): Record<string, unknown> {
  const dir = path.join(localesDir, language);
  const resources: Record<string, unknown> = {};
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    resources[file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  }
  return resources;
}

/** A locale as one map of full keys to texts ('nav.children' → 'Children'): what the Welsh tests compare. */
export function flatLocale(language: Language): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'string') out.set(prefix, node);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  walk(loadLocale(language), '');
  return out;
}

let ready: Promise<TFunction> | undefined;

/** All user-facing strings go through t(key). A missing key is an error in tests (see i18n.test.ts). */
export function initI18n(): Promise<TFunction> {
  ready ??= i18next.init({
    lng: defaultLanguage,
    fallbackLng: defaultLanguage,
    supportedLngs: [...languages],
    resources: Object.fromEntries(languages.map((l) => [l, { translation: loadLocale(l) }])),
    interpolation: { escapeValue: false }, // Nunjucks escapes on output.
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<typeof i18next.init>[0]);
  return ready;
}

/**
 * t(key) for one language. A key asked for without options always gives the same string (the
 * resources are loaded once), so those answers are kept: pages ask for hundreds of strings, and
 * i18next's lookup was a sixth of the server's time on a child's page (docs/PERFORMANCE.md).
 */
export function translator(language: Language): TFunction {
  let t = translators.get(language);
  if (!t) {
    t = makeTranslator(language);
    translators.set(language, t);
  }
  return t;
}
const translators = new Map<Language, TFunction>();

function makeTranslator(language: Language): TFunction {
  const fixed = i18next.getFixedT(language);
  const plain = new Map<string, string>();
  const t = (key: unknown, ...rest: unknown[]): unknown => {
    if (rest.length === 0 && typeof key === 'string') {
      let text = plain.get(key);
      if (text === undefined) {
        text = fixed(key);
        plain.set(key, text);
      }
      return text;
    }
    // With options, ask i18next itself with the language added: the fixed translator copies all of
    // i18next's options on every call, about three times the cost of the lookup (docs/PERFORMANCE.md).
    if (rest.length === 1 && typeof rest[0] === 'object' && rest[0] !== null && !Array.isArray(rest[0]) && typeof key === 'string') {
      return i18next.t(key, { ...(rest[0] as Record<string, unknown>), lng: language });
    }
    return (fixed as unknown as (...args: unknown[]) => unknown)(key, ...rest);
  };
  return t as unknown as TFunction;
}

/**
 * The language of the request being answered (src/web/language.ts sets it for each request), for
 * code that has no request at hand: form error messages (src/web/forms.ts) and a feature's module-level
 * `t` made with requestTranslator(). Outside a request it is English.
 */
const requestLanguage = new AsyncLocalStorage<Language>();

export function runInLanguage<T>(language: Language, fn: () => T): T {
  return requestLanguage.run(language, fn);
}

export function currentLanguage(): Language {
  return requestLanguage.getStore() ?? defaultLanguage;
}

/** A t(key) that answers in the current request's language (currentLanguage()). */
export function requestTranslator(): TFunction {
  const t = (...args: unknown[]): unknown => (translator(currentLanguage()) as unknown as (...a: unknown[]) => unknown)(...args);
  return t as unknown as TFunction;
}
