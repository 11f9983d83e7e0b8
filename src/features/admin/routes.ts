import type { FastifyReply, FastifyRequest } from 'fastify';
import { grantableRoles } from '../../authz/policy.ts';
import { agencyKinds, isRole } from '../../authz/roles.ts';
import { summariseUserAgent } from '../../auth/user-agent.ts';
import { LanternError } from '../../errors.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import { FormRefusal } from './service.ts';
import { idParams } from '../../web/params.ts';
import {
  agencyContactSchema,
  agencyFormSchema,
  agreementFormSchema,
  grantFormSchema,
  languageSettingsSchema,
  pageQuery,
  personSessionParams,
  userEditSchema,
  userFormSchema,
} from './schema.ts';

const t = requestTranslator();
const view = (name: string) => `features/admin/views/${name}.njk`;

/** Where each refusal shows on the people form (ids of the GOV.UK fields). */
const refusalErrors = (refusal: FormRefusal): FormErrors => singleError(refusal.field === 'grant' ? 'roles' : refusal.field, t(refusal.fieldMessageKey));

export const adminFeature: Feature = {
  name: 'admin',
  async register(app, { admin }) {
    const usersConfig = { config: { permission: 'users.manage' as const } };
    const agenciesConfig = { config: { permission: 'agencies.manage' as const } };
    const sharingConfig = { config: { permission: 'sharing.manage' as const } };

    app.get('/admin/users', { ...usersConfig, schema: { querystring: pageQuery } }, async (request, reply) => {
      return reply.page(view('users'), await admin.listUsers(request.user!, request.query.page));
    });

    const userFormPage = async (request: FastifyRequest, extra: { person?: { id: string; roles: string[] } } & Record<string, unknown>) => {
      const grantable = grantableRoles(request.user!);
      return {
        agencies: await admin.listAgencies(request.user!),
        // Only the roles this administrator may give are offered; any others the person holds are named.
        roles: grantable,
        otherRoles: extra.person ? extra.person.roles.filter((r) => isRole(r) && !grantable.includes(r)) : [],
        self: extra.person?.id === request.user!.userId,
        ...extra,
      };
    };

    app.get('/admin/users/new', usersConfig, async (request, reply) =>
      reply.page(view('user-form'), await userFormPage(request, { values: { roles: [] }, mode: 'create' })),
    );

    app.post('/admin/users/new', { ...usersConfig, schema: { body: userFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply
          .status(400)
          .page(view('user-form'), await userFormPage(request, { values: request.body, errors: formErrors(request.validationError), mode: 'create' }));
      }
      try {
        const created = await admin.createUser(request.user!, request.body);
        // The issued password is shown once, on the page the post leads to (src/web/flash.ts: the cookie is sealed).
        return reply.saved('/admin/users/created', 'flash.userCreated', { email: request.body.email, initialPassword: created.initialPassword });
      } catch (error) {
        if (!(error instanceof FormRefusal)) throw error;
        return reply
          .status(error.status)
          .page(view('user-form'), await userFormPage(request, { values: request.body, errors: refusalErrors(error), mode: 'create' }));
      }
    });

    app.get('/admin/users/created', usersConfig, async (_request, reply) => reply.page(view('user-created'), { flashInPage: true }));

    app.get('/admin/users/:id', { ...usersConfig, schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params;
      const person = await admin.getUser(request.user!, id);
      const values = { ...person, displayName: person.display_name, agencyId: person.agency_id, jobTitle: person.job_title, startedOn: person.started_on };
      const sessions = (await admin.listSessionsOf(request.user!, id)).map((s) => ({ ...s, device: summariseUserAgent(s.userAgent) }));
      return reply.page(view('user-form'), await userFormPage(request, { values, person, mode: 'edit', sessions }));
    });

    // The person's sessions (issue 16 §1): end one, or all; post/redirect/get back to their page.
    app.post('/admin/users/:id/sessions/end-all', { ...usersConfig, schema: { params: idParams } }, async (request, reply) => {
      await admin.endSessionsOf(request.user!, request.params.id, 'all');
      return reply.saved(`/admin/users/${request.params.id}#sessions`, 'flash.personSessionsEnded');
    });
    app.post('/admin/users/:id/sessions/:session/end', { ...usersConfig, schema: { params: personSessionParams } }, async (request, reply) => {
      if (!(await admin.endSessionsOf(request.user!, request.params.id, { shownId: request.params.session }))) throw new LanternError('LANTERN_E_NOT_FOUND');
      return reply.saved(`/admin/users/${request.params.id}#sessions`, 'flash.personSessionEnded');
    });

    app.post('/admin/users/:id', { ...usersConfig, schema: { params: idParams, body: userEditSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      if (request.validationError) {
        const person = await admin.getUser(request.user!, id);
        return reply.status(400).page(
          view('user-form'),
          await userFormPage(request, {
            values: { ...request.body, email: person.email },
            person,
            errors: formErrors(request.validationError),
            mode: 'edit',
          }),
        );
      }
      try {
        await admin.updateUser(request.user!, id, request.body);
      } catch (error) {
        if (!(error instanceof FormRefusal)) throw error;
        const person = await admin.getUser(request.user!, id);
        const body = postedForm(request);
        const values =
          person.id === request.user!.userId
            ? { ...body, email: person.email, roles: person.roles, agencyId: person.agency_id }
            : { ...body, email: person.email, roles: body.roles === undefined ? [] : [body.roles].flat() };
        return reply.status(error.status).page(view('user-form'), await userFormPage(request, { values, person, errors: refusalErrors(error), mode: 'edit' }));
      }
      return reply.saved('/admin/users', 'flash.userSaved');
    });

    app.post('/admin/users/:id/disable', { ...usersConfig, schema: { params: idParams } }, async (request, reply) => {
      await admin.setDisabled(request.user!, request.params.id, true);
      return reply.saved('/admin/users', 'flash.userDisabled');
    });

    app.post('/admin/users/:id/enable', { ...usersConfig, schema: { params: idParams } }, async (request, reply) => {
      await admin.setDisabled(request.user!, request.params.id, false);
      return reply.saved('/admin/users', 'flash.userEnabled');
    });

    app.get('/admin/agencies', agenciesConfig, async (request, reply) =>
      reply.page(view('agencies'), { agencies: await admin.listAgencies(request.user!), kinds: agencyKinds, values: {} }),
    );

    // An agency's named contact: one form per agency, post/redirect/get back to the list with a banner.
    app.get('/admin/agencies/:id/contact', { ...agenciesConfig, schema: { params: idParams } }, async (request, reply) => {
      const agency = await admin.agencyContact(request.user!, request.params.id);
      const values = { name: agency.contact_name, role: agency.contact_role, phone: agency.contact_phone, secureEmail: agency.contact_email };
      return reply.page(view('agency-contact'), { agency, values });
    });

    app.post(
      '/admin/agencies/:id/contact',
      { ...agenciesConfig, schema: { params: idParams, body: agencyContactSchema }, attachValidation: true },
      async (request, reply) => {
        const agency = await admin.agencyContact(request.user!, request.params.id);
        if (request.validationError) {
          return reply.status(400).page(view('agency-contact'), { agency, values: postedForm(request), errors: formErrors(request.validationError) });
        }
        await admin.saveAgencyContact(request.user!, agency.id, request.body);
        return reply.saved('/admin/agencies', 'flash.contactSaved');
      },
    );

    app.post('/admin/agencies', { ...agenciesConfig, schema: { body: agencyFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.status(400).page(view('agencies'), {
          agencies: await admin.listAgencies(request.user!),
          kinds: agencyKinds,
          values: request.body,
          errors: formErrors(request.validationError),
        });
      }
      await admin.createAgency(request.user!, request.body);
      return reply.saved('/admin/agencies', 'flash.agencyAdded');
    });

    // The partnership's languages (issue 11): whether Welsh is offered, and the default for those who have not chosen.
    const languagesConfig = { config: { permission: 'languages.manage' as const } };
    app.get('/admin/languages', languagesConfig, async (request, reply) => {
      const settings = await admin.languageSettings(request.user!);
      const values = { offersWelsh: settings.offers_welsh ? 'yes' : 'no', defaultLanguage: settings.default_language };
      return reply.page(view('languages'), { partnershipName: settings.name, values });
    });
    app.post('/admin/languages', { ...languagesConfig, schema: { body: languageSettingsSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        const settings = await admin.languageSettings(request.user!);
        return reply
          .status(400)
          .page(view('languages'), { partnershipName: settings.name, values: postedForm(request), errors: formErrors(request.validationError) });
      }
      await admin.saveLanguageSettings(request.user!, request.body);
      return reply.saved('/admin/languages', 'flash.languagesSaved');
    });

    app.get('/admin/sharing', sharingConfig, async (request, reply) =>
      reply.page(view('sharing'), { ...(await admin.listAgreements(request.user!)), values: {} }),
    );

    app.post('/admin/sharing', { ...sharingConfig, schema: { body: agreementFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        return reply.status(400).page(view('sharing'), {
          ...(await admin.listAgreements(request.user!)),
          values: request.body,
          errors: formErrors(request.validationError),
        });
      }
      await admin.createAgreement(request.user!, request.body);
      return reply.saved('/admin/sharing', 'flash.agreementAdded');
    });

    const sharingPage = async (request: FastifyRequest, reply: FastifyReply, status: number, errors: FormErrors, grantErrors?: Record<string, FormErrors>) =>
      reply.status(status).page(view('sharing'), { ...(await admin.listAgreements(request.user!)), values: {}, errors, grantErrors });

    app.post(
      '/admin/sharing/:id/grants',
      { ...sharingConfig, schema: { params: idParams, body: grantFormSchema }, attachValidation: true },
      async (request, reply) => {
        const { id } = request.params;
        if (request.validationError) {
          const errors = formErrors(request.validationError);
          return sharingPage(request, reply, 400, errors, { [id]: errors });
        }
        // The grant form's fields: the email (grant-email-<id>) and the roles (grant-roles-<id>).
        const grantError = (field: 'grant' | 'roles', text: string, status: number) => {
          const key = field === 'grant' ? `grant-${id}` : 'roles';
          const errors = { list: [{ text, href: `#grant-${field === 'grant' ? 'email' : 'roles'}-${id}` }], fields: { [key]: { text } } };
          return sharingPage(request, reply, status, errors, { [id]: errors });
        };
        try {
          const result = await admin.grantAccess(request.user!, id, request.body);
          if (!result.ok) return grantError('grant', t('admin.granteeNotFound'), 400);
        } catch (error) {
          if (!(error instanceof FormRefusal)) throw error;
          return grantError(error.field === 'roles' ? 'roles' : 'grant', t(error.fieldMessageKey), error.status);
        }
        return reply.saved('/admin/sharing', 'flash.accessGranted');
      },
    );

    app.post('/admin/sharing/grants/:id/revoke', { ...sharingConfig, schema: { params: idParams } }, async (request, reply) => {
      const { id } = request.params;
      try {
        await admin.revokeAccess(request.user!, id);
      } catch (error) {
        if (!(error instanceof FormRefusal)) throw error;
        return sharingPage(request, reply, error.status, singleError(`revoke-${id}`, t(error.fieldMessageKey)));
      }
      return reply.saved('/admin/sharing', 'flash.accessRevoked');
    });
  },
};
