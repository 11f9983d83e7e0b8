import type { FastifyReply, FastifyRequest } from 'fastify';
import { signInHistoryLength } from '../../auth/service.ts';
import { summariseUserAgent } from '../../auth/user-agent.ts';
import { LanternError } from '../../errors.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, singleError } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { passkeyOptionsSchema, passkeyRegisterSchema } from '../sign-in/schema.ts';
import { passkeyParam, passwordChangeSchema, shownSessionParam } from './schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/account/views/${name}.njk`;

/**
 * The person's own account (security review M8): their details, a password change that needs the
 * current password and a second-factor code, and their live sessions, each of which they can end.
 * Someone who signed in with an administrator's one-time password comes here before anything else.
 */
export const accountFeature: Feature = {
  name: 'account',
  async register(app, { auth }) {
    const signedIn = { config: { permission: 'home.view' as const } };

    app.get('/account', signedIn, async (request, reply) => {
      const user = request.user!;
      const sessions = (await auth.listSessions(user)).map((s) => ({ ...s, device: summariseUserAgent(s.userAgent) }));
      const history = (await auth.signInHistory(user)).map((h) => ({ ...h, device: summariseUserAgent(h.userAgent) }));
      return reply.page(view('account'), { sessions, history, historyLength: signInHistoryLength, passkeys: await auth.listPasskeys(user) });
    });

    // Passkeys and security keys (issue 16 §1): JSON for src/web/assets/passkeys.js.
    app.post('/account/passkeys/options', { ...signedIn, schema: { body: passkeyOptionsSchema } }, async (request, reply) =>
      reply.send(await auth.passkeyRegistrationOptions(request.user!)),
    );
    app.post('/account/passkeys', { ...signedIn, schema: { body: passkeyRegisterSchema } }, async (request, reply) => {
      const result = await auth.registerPasskey(request.user!, request.body.response as unknown as RegistrationResponseJSON, request.body.name);
      return result.ok ? reply.send({ redirect: '/account' }) : reply.status(400).send({ error: 'not_registered' });
    });
    app.post('/account/passkeys/:passkey/remove', { ...signedIn, schema: { params: passkeyParam } }, async (request, reply) => {
      const result = await auth.removePasskey(request.user!, request.params.passkey);
      if (result === 'not_found') throw new LanternError('LANTERN_E_NOT_FOUND');
      if (result === 'last_required') throw new LanternError('LANTERN_E_FORBIDDEN');
      return reply.saved('/account', 'flash.passkeyRemoved');
    });

    // "Sign out your other sessions": every session of the person's but this one.
    app.post('/account/sessions/end-others', signedIn, async (request, reply) => {
      await auth.endOtherSessions(request.user!);
      return reply.saved('/account', 'flash.otherSessionsEnded');
    });

    app.post('/account/sessions/:session/end', { ...signedIn, schema: { params: shownSessionParam } }, async (request, reply) => {
      if (!(await auth.endOwnSession(request.user!, request.params.session))) throw new LanternError('LANTERN_E_NOT_FOUND');
      return reply.saved('/account', 'flash.sessionEnded');
    });

    // Reached signed in, or half signed in with a one-time password that must be changed first.
    const changer = (request: FastifyRequest) => request.user ?? (request.pendingUser?.stage === 'change_password' ? request.pendingUser : null);
    const render = (reply: FastifyReply, forced: boolean, errors?: unknown) => reply.page(view('password'), { forced, ...(errors ? { errors } : {}) });

    app.get('/account/password', { config: { public: true } }, async (request, reply) => {
      const user = changer(request);
      if (!user) return reply.redirect('/sign-in');
      return render(reply, user.stage === 'change_password');
    });

    app.post('/account/password', { config: { public: true }, schema: { body: passwordChangeSchema }, attachValidation: true }, async (request, reply) => {
      const user = changer(request);
      if (!user) return reply.redirect('/sign-in');
      const forced = user.stage === 'change_password';
      if (request.validationError) return render(reply.status(400), forced, formErrors(request.validationError));
      const result = await auth.changePassword(user, request.body);
      if (!result.ok) return render(reply.status(400), forced, singleError(result.field, t(result.messageKey)));
      reply.setCookie(app.sessionCookie.name, result.token, app.sessionCookie.options);
      return forced ? reply.saved('/', 'flash.passwordChanged') : reply.saved('/account', 'flash.passwordChanged');
    });
  },
};
