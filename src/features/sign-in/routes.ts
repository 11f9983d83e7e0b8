import type { FastifyReply, FastifyRequest } from 'fastify';
import { pendingFromCookie, pendingOidcMaxAgeSeconds, pendingToCookie } from '../../auth/oidc.ts';
import type { SessionStage } from '../../auth/service.ts';
import { totpQrSvg } from '../../auth/totp.ts';
import { LanternError } from '../../errors.ts';
import { formErrors, singleError } from '../../web/forms.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import type { Feature } from '../feature.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { codeStepSchema, passkeyOptionsSchema, passkeyRegisterSchema, passkeySignInSchema, passwordStepSchema, switchPartnershipSchema } from './schema.ts';

const t = requestTranslator();
const notRecognised = () => singleError('email', t('auth.notRecognised'));
const origin = (request: FastifyRequest) => ({ clientAddress: request.ip, userAgent: request.headers['user-agent'] ?? null });

/** Where a session goes next, by its stage. */
export const nextStep = (stage: SessionStage): string =>
  ({
    second_factor: '/sign-in/code',
    enrol: '/sign-in/enrol',
    change_password: '/account/password',
    register_passkey: '/sign-in/passkey/register',
    signed_in: '/',
  })[stage];

export const signInFeature: Feature = {
  name: 'sign-in',
  async register(app, services) {
    const setSession = (reply: FastifyReply, token: string) => reply.setCookie(app.sessionCookie.name, token, app.sessionCookie.options);

    app.get('/sign-in', { config: { public: true } }, async (request, reply) => {
      if (request.user) return reply.redirect('/');
      return reply.page('features/sign-in/views/sign-in.njk', { values: {}, oidc: !!services.oidc });
    });

    // ---- Single sign-on with the organisation's OpenID Connect provider (issue 16 §1) ----
    const oidcCookie = app.sessionCookie.options.secure ? '__Host-lantern_oidc' : 'lantern_oidc';
    const oidcCookieOptions = { ...app.sessionCookie.options, maxAge: pendingOidcMaxAgeSeconds };
    const refuseOidc = (request: FastifyRequest, reply: FastifyReply, reason: string, detail?: string) => {
      // Structured, for the security log as well as the audit row the service writes for an account refusal.
      request.log.warn({ event: 'sign_in.oidc_refused', reason, ...(detail ? { detail } : {}) }, 'single sign-on refused');
      const known = ['unknown_account', 'unverified_email', 'identity_mismatch', 'locked', 'expired', 'provider_refused', 'unavailable'];
      return reply
        .status(reason === 'unavailable' ? 503 : 403)
        .page('features/sign-in/views/oidc-refused.njk', { reason: known.includes(reason) ? reason : 'rejected' });
    };

    // A form post (with the CSRF token), so no other site can start a sign-in in someone's browser.
    app.post('/sign-in/oidc', { config: { public: true } }, async (request, reply) => {
      if (!services.oidc) throw new LanternError('LANTERN_E_NOT_FOUND');
      let started;
      try {
        started = await services.oidc.start(services.clock.now());
      } catch (error) {
        return refuseOidc(request, reply, 'unavailable', error instanceof Error ? error.message : undefined);
      }
      reply.setCookie(oidcCookie, pendingToCookie(started.pending), oidcCookieOptions);
      return reply.redirect(started.url);
    });

    app.get('/sign-in/oidc/callback', { config: { public: true } }, async (request, reply) => {
      if (!services.oidc) throw new LanternError('LANTERN_E_NOT_FOUND');
      // The state, nonce and PKCE verifier are used once: the cookie goes whatever happens next.
      const raw = request.cookies[oidcCookie];
      reply.clearCookie(oidcCookie, { path: '/' });
      const unsigned = raw ? request.unsignCookie(raw) : null;
      const pending = unsigned?.valid ? pendingFromCookie(unsigned.value ?? undefined, services.clock.now()) : null;
      if (!pending) return refuseOidc(request, reply, 'expired');
      const callbackUrl = new URL(request.url, services.oidc.config.redirectUri);
      const outcome = await services.oidc.finish(callbackUrl, pending);
      if (!outcome.ok) return refuseOidc(request, reply, outcome.reason, outcome.detail);
      const result = await services.auth.signInWithOidc(outcome.identity, origin(request));
      if (!result.ok) return refuseOidc(request, reply, result.reason);
      setSession(reply, result.token);
      return reply.redirect(nextStep(result.stage));
    });

    app.post('/sign-in', { config: { public: true }, schema: { body: passwordStepSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.page('features/sign-in/views/sign-in.njk', { errors: formErrors(request.validationError), values: request.body ?? {} });
      }
      const { email, password } = request.body;
      const result = await services.auth.signInWithPassword(email, password, origin(request));
      if (!result.ok) {
        const errors = result.reason === 'issued_password_expired' ? singleError('password', t('auth.issuedPasswordExpired')) : notRecognised();
        return reply.page('features/sign-in/views/sign-in.njk', { errors, values: { email } });
      }
      setSession(reply, result.token);
      return reply.redirect(nextStep(result.stage));
    });

    const secondStep = (url: string, stage: 'second_factor' | 'enrol') =>
      app.post(url, { config: { public: true }, schema: { body: codeStepSchema }, attachValidation: true }, async (request, reply) => {
        const pending = request.pendingUser;
        if (!pending || pending.stage !== stage) return reply.redirect('/sign-in');
        const invalid = request.validationError;
        const token = request.unsignCookie(request.cookies[app.sessionCookie.name] ?? '').value;
        const result = !invalid && token ? await services.auth.completeSecondFactor(token, request.body.code, origin(request)) : { ok: false as const };
        if (!result.ok) return renderCodeStep(request, reply, stage, invalid ? formErrors(invalid) : singleError('code', t('auth.codeNotRecognised')));
        setSession(reply, result.token);
        // An administrator's one-time password is changed before anything else (M8); an administrator
        // without a passkey registers one (issue 16 §1).
        return reply.redirect(nextStep(result.stage));
      });

    const renderCodeStep = async (request: FastifyRequest, reply: FastifyReply, stage: 'second_factor' | 'enrol', errors?: unknown) => {
      const token = request.unsignCookie(request.cookies[app.sessionCookie.name] ?? '').value;
      if (stage === 'second_factor') {
        const choices = token ? await services.auth.secondFactorChoices(token) : { passkey: false, totp: true };
        return reply.page('features/sign-in/views/code.njk', { errors, ...choices });
      }
      const enrolment = token ? await services.auth.enrolmentSecret(token) : null;
      if (!enrolment) return reply.redirect('/sign-in');
      return reply.page('features/sign-in/views/enrol.njk', {
        errors,
        secret: enrolment.secret.replace(/(.{4})/g, '$1 ').trim(),
        qrSvg: await totpQrSvg(enrolment.secret, enrolment.email),
      });
    };

    app.get('/sign-in/code', { config: { public: true } }, async (request, reply) => {
      if (request.pendingUser?.stage !== 'second_factor') return reply.redirect('/sign-in');
      return renderCodeStep(request, reply, 'second_factor');
    });
    secondStep('/sign-in/code', 'second_factor');

    app.get('/sign-in/enrol', { config: { public: true } }, async (request, reply) => {
      if (request.pendingUser?.stage !== 'enrol') return reply.redirect('/sign-in');
      return renderCodeStep(request, reply, 'enrol');
    });
    secondStep('/sign-in/enrol', 'enrol');

    // ---- Passkeys and security keys as the second factor (issue 16 §1); JSON for src/web/assets/passkeys.js ----
    const sessionToken = (request: FastifyRequest) => request.unsignCookie(request.cookies[app.sessionCookie.name] ?? '').value;
    const refusedJson = (reply: FastifyReply) => reply.status(400).send({ error: 'not_recognised' });

    app.post('/sign-in/passkey/options', { config: { public: true }, schema: { body: passkeyOptionsSchema } }, async (request, reply) => {
      const token = sessionToken(request);
      const options = request.pendingUser?.stage === 'second_factor' && token ? await services.auth.passkeySignInOptions(token) : null;
      return options ? reply.send(options) : refusedJson(reply);
    });

    app.post('/sign-in/passkey', { config: { public: true }, schema: { body: passkeySignInSchema } }, async (request, reply) => {
      const token = sessionToken(request);
      if (request.pendingUser?.stage !== 'second_factor' || !token) return refusedJson(reply);
      const result = await services.auth.completePasskey(token, request.body.response as unknown as AuthenticationResponseJSON, origin(request));
      if (!result.ok) return refusedJson(reply);
      setSession(reply, result.token);
      return reply.send({ redirect: nextStep(result.stage) });
    });

    // An administrator without a passkey is held here after signing in until they register one.
    const registering = (request: FastifyRequest) => (request.pendingUser?.stage === 'register_passkey' ? request.pendingUser : null);
    app.get('/sign-in/passkey/register', { config: { public: true } }, async (request, reply) => {
      if (!registering(request)) return reply.redirect(request.user ? '/account' : '/sign-in');
      return reply.page('features/sign-in/views/passkey-register.njk');
    });
    app.post('/sign-in/passkey/register/options', { config: { public: true }, schema: { body: passkeyOptionsSchema } }, async (request, reply) => {
      const user = registering(request);
      return user ? reply.send(await services.auth.passkeyRegistrationOptions(user)) : refusedJson(reply);
    });
    app.post('/sign-in/passkey/register', { config: { public: true }, schema: { body: passkeyRegisterSchema } }, async (request, reply) => {
      const user = registering(request);
      if (!user) return refusedJson(reply);
      const result = await services.auth.registerPasskey(user, request.body.response as unknown as RegistrationResponseJSON, request.body.name);
      if (!result.ok) return refusedJson(reply);
      if (result.token) setSession(reply, result.token);
      return reply.send({ redirect: '/' });
    });

    app.post('/sign-out', { config: { public: true } }, async (request, reply) => {
      const user = request.user ?? request.pendingUser;
      if (user) await services.auth.signOut(user);
      reply.clearCookie(app.sessionCookie.name, { path: '/' });
      return reply.redirect('/signed-out');
    });
    app.get('/signed-out', { config: { public: true } }, async (_request, reply) => reply.page('features/sign-in/views/signed-out.njk'));

    app.post('/account/partnership', { config: { permission: 'home.view' }, schema: { body: switchPartnershipSchema } }, async (request, reply) => {
      // Only the user's own partnership or one with a live grant under a sharing agreement.
      if (!(await services.auth.switchPartnership(request.user!, request.body.partnershipId))) throw new LanternError('LANTERN_E_FORBIDDEN');
      return reply.saved('/', 'flash.partnershipSwitched');
    });
  },
};
