import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../auth/service.ts';
import { recordAudit } from '../audit/audit.ts';
import { withActor } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import { defaultLanguage, isLanguage, languages, runInLanguage, translator, type Language } from '../i18n/i18n.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The language the page is answered in (negotiateLanguage below). */
    language: Language;
  }
}

/** The cookie that remembers the language chosen, for everyone, signed in or not. */
export const languageCookie = 'lantern_lang';
const oneYear = 365 * 24 * 60 * 60;

/**
 * The language a browser asks for first among those Lantern has: `Accept-Language: cy, en;q=0.8`
 * gives 'cy', `en-GB,cy;q=0.5` gives 'en'; null when it names none of them.
 */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  if (!header) return null;
  const wanted = header
    .split(',')
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), order };
    })
    .filter((w) => w.q > 0 && Number.isFinite(w.q))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return (wanted.find((w) => isLanguage(w.language))?.language as Language | undefined) ?? null;
}

/**
 * A signed-in person's saved choice (users.preferred_language, migration 0021). It is read with the
 * session itself (AuthService.resolveSession: no statement of its own); writing goes through
 * lantern_set_preferred_language as the person, as only administrators may update users.
 */
export class LanguagePreferences {
  constructor(private readonly db: Database) {}

  saved(user: SessionUser): Language | null {
    return isLanguage(user.preferredLanguage) ? user.preferredLanguage : null;
  }

  async save(user: SessionUser, language: Language): Promise<void> {
    if (user.credential.kind !== 'session') return;
    await withActor(this.db, actorOf(user), async (tx) => {
      await sql`SELECT lantern_set_preferred_language(${language})`.execute(tx);
      await recordAudit(tx, { action: 'user.update', recordType: 'user', recordId: user.userId, details: { preferredLanguage: language } });
    });
  }
}

/** The same page in another language: the current path and query, with `lang` set (the switch link's href). */
export function switchHref(url: string, language: Language): string {
  const [path = '/', query = ''] = url.split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query);
  params.delete('lang');
  params.append('lang', language);
  return `${path}?${params.toString()}`;
}

/** The same page without `lang`: where the switch redirects to. Never another site ('//host' is taken as '/'). */
function withoutLang(url: string): string {
  const [path = '/', query = ''] = url.split('?', 2) as [string, string | undefined];
  const params = new URLSearchParams(query);
  params.delete('lang');
  const safePath = path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
  const rest = params.toString();
  return rest ? `${safePath}?${rest}` : safePath;
}

/**
 * Language negotiation, in one place (issue 11; docs/DECISIONS.md). For each page request, in order:
 * 1. an explicit choice, `?lang=cy|en` from the switch link: remembered in the cookie (and, signed in,
 *    as the person's saved preference), then a redirect to the same page without it (post/redirect/get);
 * 2. the `lantern_lang` cookie;
 * 3. signed in, the saved preference (then kept in the cookie, so it is read once per browser);
 * 4. `Accept-Language` (the first of cy and en it names);
 * 5. English. (A partnership's own default language is not built yet.)
 * Handlers and templates then answer in request.language: reply.page's `t`, dates and numbers, and
 * form errors (runInLanguage around the handler and the render).
 * Call after the session hook, so request.user is known.
 */
export function negotiateLanguage(app: FastifyInstance, options: { secure: boolean; preferences: LanguagePreferences }): void {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure, maxAge: oneYear };
  const remember = (reply: FastifyReply, language: Language) => reply.setCookie(languageCookie, language, cookieOptions);

  app.decorateRequest('language', defaultLanguage);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/assets/')) return;
    const query = request.query as Record<string, unknown> | undefined;
    const chosen = query?.lang;
    const user = request.user;
    if ((request.method === 'GET' || request.method === 'HEAD') && chosen !== undefined) {
      const language = isLanguage(chosen) ? chosen : null;
      if (language) {
        remember(reply, language);
        if (user && offered(user, language)) await options.preferences.save(user, language);
      }
      return reply.redirect(withoutLang(request.url), 303);
    }
    const cookie = request.cookies[languageCookie];
    const saved = user ? options.preferences.saved(user) : null;
    request.language = chooseLanguage({
      cookie,
      saved,
      partnership: user?.partnershipLanguages,
      browser: fromAcceptLanguage(request.headers['accept-language']),
    });
    // A saved choice is kept in the cookie, so the same browser keeps it after signing out.
    if (saved && !isLanguage(cookie) && saved === request.language) remember(reply, saved);
  });

  // The handler runs in the request's language: form errors and a feature's requestTranslator() follow it.
  app.addHook('preHandler', (request, _reply, done) => {
    runInLanguage(request.language, done);
  });
}

/** Whether the language may be used: Welsh only where the acting partnership offers it (signed out, always). */
export function offered(user: Pick<SessionUser, 'partnershipLanguages'> | undefined, language: Language): boolean {
  return language !== 'cy' || !user?.partnershipLanguages || user.partnershipLanguages.offersWelsh;
}

/**
 * The language of a page, in order: the person's choice (the cookie, then, signed in, their saved
 * preference), the partnership's default, the browser's Accept-Language, English. Welsh is never
 * chosen for a partnership that does not offer it.
 */
export function chooseLanguage(from: {
  cookie: unknown;
  saved: Language | null;
  partnership: SessionUser['partnershipLanguages'];
  browser: Language | null;
}): Language {
  const allowed = (language: unknown): language is Language => isLanguage(language) && (language !== 'cy' || from.partnership?.offersWelsh !== false);
  for (const candidate of [from.cookie, from.saved, from.partnership?.defaultLanguage, from.browser]) if (allowed(candidate)) return candidate;
  return defaultLanguage;
}

/** What every page's layout needs for the language: <html lang>, the translator, and the switch link to the other language. */
export function languageContext(request: FastifyRequest) {
  const other: Language = languages.find((l) => l !== request.language) ?? defaultLanguage;
  return {
    lang: request.language,
    t: translator(request.language),
    languageSwitch: offered(request.user ?? undefined, other) ? { language: other, href: switchHref(request.url, other) } : null,
  };
}
