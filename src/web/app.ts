import crypto from 'node:crypto';
import { configureSecurityEventStream, requestScope } from '../security-events.ts';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchemaValidationError } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createRequire } from 'node:module';
import type { SessionUser } from '../auth/service.ts';
import { assertCan, assertScope, can, type ApiScope, type Permission } from '../authz/policy.ts';
import { LanternError, errorCodes, type ErrorCode } from '../errors.ts';
import { runInLanguage, translator, type Language } from '../i18n/i18n.ts';
import type { Services } from '../services.ts';
import { features } from '../features/index.ts';
import { refusedDatabaseError } from './database-errors.ts';
import { answerFrameworkError } from './framework-errors.ts';
import { gatherDateInputFields, keepRawInput, postedBody, refuseInvalidInput } from './input-guards.ts';
import { addServerTiming } from './server-timing.ts';
import { navigationFor } from './navigation.ts';
import { createViewEnvironment } from './render.ts';
import { LanguagePreferences, languageContext, negotiateLanguage } from './language.ts';
import { FlashCookies, type FlashKey, type FlashParams } from './flash.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    /** The half-signed-in session (password checked, second factor pending). */
    pendingUser: SessionUser | null;
  }
  interface FastifyReply {
    page(template: string, context?: Record<string, unknown>): FastifyReply;
    /**
     * A page's HTML as a standalone document (layouts/document.njk: no navigation, no scripts, the
     * stylesheet inline), for printing as a PDF (src/documents/pdf.ts), in the language the document
     * is made in (chosen at download, issue 11): its words, dates and numbers, and <html lang>.
     */
    documentHtml(template: string, context?: Record<string, unknown>, language?: Language): string;
    /** After a save: redirects to `location`, whose page shows the message as a success banner (src/web/flash.ts). */
    saved(location: string, key: FlashKey, params?: FlashParams): FastifyReply;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in. */
    public?: boolean;
    /** The permission a signed-in user needs (src/authz/policy.ts). */
    permission?: Permission;
    /** The scope an API token needs besides the permission (every /api/v1 route declares one). */
    scope?: ApiScope;
    /**
     * Set by app.ts for a route declared with `attachValidation: true`: its handler shows an invalid
     * query or body on its own form (request.validationError) instead of the error page.
     */
    showsInvalidInput?: boolean;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const buildDir = path.join(here, '..', '..', 'public', 'build');
const govukAssets = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist', 'govuk', 'assets');

let stylesheetText: string | undefined;
/** Lantern's compiled stylesheet, read once: printed documents carry it inline, as the printer fetches nothing. */
function stylesheet(): string {
  stylesheetText ??= fs.readFileSync(path.join(buildDir, 'lantern.css'), 'utf8');
  return stylesheetText;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-lantern_session' : 'lantern_session';
}

export async function buildApp(services: Services): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    // X-Forwarded-For is believed only from the proxies configured, in every environment: anyone
    // else could name any address and slip past per-address limits or forge the audited address.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    bodyLimit: 1_048_576,
    genReqId: () => crypto.randomUUID(),
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();
  // Routes declare zod schemas for params, query string, body and (the JSON API) responses.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Security events (src/security-events.ts) name the request they happened in; first of all hooks, so all later work is inside it.
  configureSecurityEventStream(config.securityEventsFile);
  app.addHook('onRequest', (request, _reply, done) => requestScope.run({ requestId: request.id, ip: request.ip }, done));
  if (config.serverTiming) addServerTiming(app);
  // Compiled templates are cached: recompiling on every request costs more than the whole query.
  const views = createViewEnvironment({ cache: true });
  const t = translator('en');
  const cookieName = sessionCookieName(config.secureCookies);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies };

  await app.register(cookie, { secret: services.cookieSecret });
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Single sign-on's form is answered by a redirect to the provider, which a browser checks against form-action.
        formAction: ["'self'", ...(config.oidc ? [new URL(config.oidc.issuer).origin] : [])],
        frameAncestors: ["'none'"],
        ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(csrf, {
    cookieKey: config.secureCookies ? '__Host-lantern_csrf' : 'lantern_csrf',
    cookieOpts: { ...cookieOptions, signed: true },
    // The form as posted: its schema has already dropped the field by the time the check runs.
    getToken: (req: FastifyRequest) => (postedBody(req) as Record<string, string> | undefined)?._csrf,
  });
  await app.register(fastifyStatic, { root: buildDir, prefix: '/assets/', maxAge: '1h', immutable: false });
  await app.register(fastifyStatic, { root: govukAssets, prefix: '/assets/govuk/', decorateReply: false, maxAge: '1d' });

  app.decorateRequest('user', null);
  app.decorateRequest('pendingUser', null);

  const flashes = new FlashCookies(services.cookieSecret, config.secureCookies);
  app.decorateReply('saved', function saved(this: FastifyReply, location: string, key: FlashKey, params?: FlashParams) {
    return flashes.redirect(this, location, key, params);
  });
  app.decorateReply('page', function page(this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
    const request = this.request;
    const user = request.user;
    const currentPath = request.url.split('?')[0]!;
    // The page in the request's language (src/web/language.ts): `t`, <html lang>, the switch, dates and numbers.
    const html = runInLanguage(request.language, () =>
      views.render(template, {
        ...languageContext(request),
        config: { demo: config.demo },
        user,
        can: (permission: Permission) => can(user, permission),
        navigation: navigationFor(user, request.url),
        csrfToken: this.generateCsrf(),
        currentPath,
        flash: flashes.take(request, this, currentPath),
        ...context,
      }),
    );
    return this.type('text/html; charset=utf-8').send(html);
  });

  app.decorateReply('documentHtml', function documentHtml(this: FastifyReply, template: string, context: Record<string, unknown> = {}, language?: Language) {
    const user = this.request.user;
    // The document's language, chosen at download (the route's `language`), else the page's.
    const lang = language ?? this.request.language;
    return runInLanguage(lang, () =>
      views.render(template, {
        lang,
        t: translator(lang),
        config: { demo: config.demo },
        user,
        can: (permission: Permission) => can(user, permission),
        stylesheet: stylesheet(),
        ...context,
      }),
    );
  });
  app.addHook('onClose', () => services.pdf.close());

  // Resolve the session once per request.
  // The JSON API never reads the session: it has no CSRF protection, so only an API token
  // (resolved by the API's own hook, src/features/children/api/routes.ts) may authenticate it.
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/')) return;
    const token = request.cookies[cookieName];
    if (!token) return;
    const unsigned = request.unsignCookie(token);
    if (!unsigned.valid || !unsigned.value) return;
    const session = await services.auth.resolveSession(unsigned.value, { clientAddress: request.ip, userAgent: request.headers['user-agent'] ?? null });
    if (session?.stage === 'signed_in') request.user = session;
    else if (session) request.pendingUser = session;
  });

  // The language of each page (after the session: a signed-in person's saved choice counts).
  negotiateLanguage(app, { secure: config.secureCookies, preferences: new LanguagePreferences(services.db) });

  // Authorisation by function, in one place: every route is signed-in only unless marked public,
  // and a route's declared permission is checked before its handler runs.
  app.addHook('preHandler', async (request, reply) => {
    const routeConfig = request.routeOptions.config;
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method) && !request.url.startsWith('/api/')) {
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (err?: Error) => (err ? reject(new LanternError('LANTERN_E_CSRF', err.message)) : resolve()));
      });
    }
    // Static assets hold nothing personal and are needed before sign-in.
    if (routeConfig.public || request.routeOptions.url?.startsWith('/assets/')) return;
    if (!request.user) {
      // Someone signed in with an administrator's one-time password changes it before anything else.
      // An administrator without a passkey or security key registers one first (issue 16 §1).
      const stage = request.pendingUser?.stage;
      const next = stage === 'change_password' ? '/account/password' : stage === 'register_passkey' ? '/sign-in/passkey/register' : '/sign-in';
      if (request.method === 'GET' && !request.url.startsWith('/api/')) return reply.redirect(next);
      throw new LanternError('LANTERN_E_UNAUTHENTICATED');
    }
    if (routeConfig.permission) assertCan(request.user, routeConfig.permission);
    if (routeConfig.scope) assertScope(request.user, routeConfig.scope);
  });

  // Validation failures are answered after authorisation, so a visitor without the permission
  // still gets 403 or the sign-in page (src/web/input-guards.ts).
  app.addHook('preHandler', refuseInvalidInput);

  // Nothing Lantern serves but static assets may be kept by a browser or proxy.
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/assets/')) reply.header('Cache-Control', 'no-store');
  });

  app.setErrorHandler(
    async (error: Error & { statusCode?: number; code?: string; validation?: FastifySchemaValidationError[]; validationContext?: string }, request, reply) => {
      let code: ErrorCode = 'LANTERN_E_INTERNAL';
      const refused = refusedDatabaseError(error);
      if (error instanceof LanternError) code = error.code;
      // A route's schema refused the request (src/web/input-guards.ts): a path that names no record is
      // not found, anything else malformed.
      else if (error.validation) code = error.validationContext === 'params' ? 'LANTERN_E_NOT_FOUND' : 'LANTERN_E_VALIDATION';
      else if (refused) code = refused;
      else if (error.statusCode === 429) code = 'LANTERN_E_RATE_LIMITED';
      else if (error.code?.startsWith('FST_CSRF')) code = 'LANTERN_E_CSRF';
      else if (error.statusCode === 404) code = 'LANTERN_E_NOT_FOUND';
      else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) code = 'LANTERN_E_VALIDATION';
      const status = errorCodes[code].status;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code, detail: error.message }, 'request refused');
      // Refusals of signed-in people on any route that needs a permission are audited (M7).
      const permission = request.routeOptions.config?.permission;
      if (request.user && permission && (code === 'LANTERN_E_FORBIDDEN' || code === 'LANTERN_E_NOT_FOUND')) {
        await services.refusals
          .record(request.user, {
            method: request.method,
            route: request.routeOptions.url ?? '',
            status,
            code,
            params: (request.params ?? {}) as Record<string, string>,
          })
          .catch((err: unknown) => request.log.error({ err }, 'refusal not audited'));
      }
      reply.status(status);
      if (request.url.startsWith('/api/') || request.url === '/health') {
        // A client of the JSON API is told which fields were wrong.
        const issues =
          code === 'LANTERN_E_VALIDATION' && error.validation
            ? { issues: error.validation.map((v) => ({ path: v.instancePath.slice(1).replaceAll('/', '.'), message: v.message ?? '' })) }
            : error instanceof LanternError && error.issues
              ? { issues: error.issues }
              : {};
        return reply.send({ error: { code, message: t(errorCodes[code].messageKey), ...issues } });
      }
      return reply.page('web/views/error.njk', { code, status, messageKey: errorCodes[code].messageKey });
    },
  );

  app.setNotFoundHandler(async (request, reply) => {
    reply.status(404);
    if (request.url.startsWith('/api/')) return reply.send({ error: { code: 'LANTERN_E_NOT_FOUND', message: t('errors.notFound') } });
    return reply.page('web/views/error.njk', { code: 'LANTERN_E_NOT_FOUND', status: 404, messageKey: 'errors.notFound' });
  });

  app.decorate('sessionCookie', { name: cookieName, options: { ...cookieOptions, signed: true } });
  // The route table, as registered: the route × role sweep test walks it.
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // Every route's validation failure waits for authorisation (src/web/input-guards.ts); a route that
    // asked for attachValidation shows it on its form. (HEAD routes come through here a second time.)
    if (route.config?.showsInvalidInput === undefined) route.config = { ...route.config, showsInvalidInput: route.attachValidation === true };
    route.attachValidation = true;
    // The input as it came, kept just before validation (after any plugin's own preValidation, such as multipart's),
    // with each date input's boxes gathered into one value for its schema.
    const preValidation = [route.preValidation ?? []].flat();
    if (!preValidation.includes(keepRawInput)) route.preValidation = [...preValidation, gatherDateInputFields, keepRawInput];
    if (route.url.includes(':') && !route.schema?.params) throw new Error(`${route.url}: a route with path parameters declares their schema`);
    const config = (route.config ?? {}) as { public?: boolean; permission?: Permission };
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || route.url.startsWith('/assets/')) continue;
      routeTable.push({ method, url: route.url, public: !!config.public, ...(config.permission ? { permission: config.permission } : {}) });
    }
  });
  for (const feature of features) await feature.register(app, services);
  return app;
}

export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
  permission?: Permission;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
    sessionCookie: { name: string; options: { path: string; httpOnly: boolean; sameSite: 'lax'; secure: boolean; signed: boolean } };
  }
}
