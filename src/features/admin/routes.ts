import type { FastifyRequest } from 'fastify';
import { agencyKinds, roles } from '../../authz/roles.ts';
import { translator } from '../../i18n/i18n.ts';
import { formErrors } from '../../web/forms.ts';
import { LanternError } from '../../errors.ts';
import type { Feature } from '../index.ts';
import { agencyFormSchema, agreementFormSchema, idParam, grantFormSchema, pageQuery, userEditSchema, userFormSchema } from './schema.ts';

const t = translator('en');
const view = (name: string) => `features/admin/views/${name}.njk`;

export const adminFeature: Feature = {
  name: 'admin',
  async register(app, { admin }) {
    const usersConfig = { config: { permission: 'users.manage' as const } };
    const agenciesConfig = { config: { permission: 'agencies.manage' as const } };
    const sharingConfig = { config: { permission: 'sharing.manage' as const } };

    app.get('/admin/users', usersConfig, async (request, reply) => {
      const { page } = pageQuery.parse(request.query);
      return reply.page(view('users'), await admin.listUsers(request.user!, page));
    });

    const userFormPage = async (request: FastifyRequest, extra: Record<string, unknown>) => ({
      agencies: await admin.listAgencies(request.user!),
      roles,
      ...extra,
    });

    app.get('/admin/users/new', usersConfig, async (request, reply) =>
      reply.page(view('user-form'), await userFormPage(request, { values: { roles: [] }, mode: 'create' })),
    );

    app.post('/admin/users/new', usersConfig, async (request, reply) => {
      const parsed = userFormSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).page(view('user-form'),
          await userFormPage(request, { values: request.body, errors: formErrors(parsed.error, t), mode: 'create' }));
      }
      try {
        const created = await admin.createUser(request.user!, parsed.data);
        return reply.page(view('user-created'), { email: parsed.data.email, initialPassword: created.initialPassword, id: created.id });
      } catch (error) {
        if (error instanceof LanternError && error.code === 'LANTERN_E_CONFLICT') {
          const errors = { list: [{ text: t('validation.emailInUse'), href: '#email' }], fields: { email: { text: t('validation.emailInUse') } } };
          return reply.status(409).page(view('user-form'), await userFormPage(request, { values: request.body, errors, mode: 'create' }));
        }
        throw error;
      }
    });

    app.get('/admin/users/:id', usersConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const person = await admin.getUser(request.user!, id);
      const values = { ...person, displayName: person.display_name, agencyId: person.agency_id, jobTitle: person.job_title, startedOn: person.started_on };
      return reply.page(view('user-form'), await userFormPage(request, { values, person, mode: 'edit' }));
    });

    app.post('/admin/users/:id', usersConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = userEditSchema.safeParse(request.body);
      if (!parsed.success) {
        const person = await admin.getUser(request.user!, id);
        return reply.status(400).page(view('user-form'),
          await userFormPage(request, { values: { ...(request.body as object), email: person.email }, person, errors: formErrors(parsed.error, t), mode: 'edit' }));
      }
      await admin.updateUser(request.user!, id, parsed.data);
      return reply.redirect('/admin/users');
    });

    app.post('/admin/users/:id/disable', usersConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      await admin.setDisabled(request.user!, id, true);
      return reply.redirect('/admin/users');
    });

    app.post('/admin/users/:id/enable', usersConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      await admin.setDisabled(request.user!, id, false);
      return reply.redirect('/admin/users');
    });

    app.get('/admin/agencies', agenciesConfig, async (request, reply) =>
      reply.page(view('agencies'), { agencies: await admin.listAgencies(request.user!), kinds: agencyKinds, values: {} }),
    );

    app.post('/admin/agencies', agenciesConfig, async (request, reply) => {
      const parsed = agencyFormSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).page(view('agencies'), {
          agencies: await admin.listAgencies(request.user!), kinds: agencyKinds, values: request.body, errors: formErrors(parsed.error, t),
        });
      }
      await admin.createAgency(request.user!, parsed.data);
      return reply.redirect('/admin/agencies');
    });

    app.get('/admin/sharing', sharingConfig, async (request, reply) =>
      reply.page(view('sharing'), { ...(await admin.listAgreements(request.user!)), values: {} }),
    );

    app.post('/admin/sharing', sharingConfig, async (request, reply) => {
      const parsed = agreementFormSchema.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).page(view('sharing'), {
          ...(await admin.listAgreements(request.user!)), values: request.body, errors: formErrors(parsed.error, t),
        });
      }
      await admin.createAgreement(request.user!, parsed.data);
      return reply.redirect('/admin/sharing');
    });

    app.post('/admin/sharing/:id/grants', sharingConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      const parsed = grantFormSchema.safeParse(request.body);
      const result = parsed.success ? await admin.grantAccess(request.user!, id, parsed.data) : { ok: false as const };
      if (!result.ok) {
        const errors = parsed.success
          ? { list: [{ text: t('admin.granteeNotFound'), href: `#grant-email-${id}` }], fields: { [`grant-${id}`]: { text: t('admin.granteeNotFound') } } }
          : formErrors(parsed.error, t);
        return reply.status(400).page(view('sharing'), { ...(await admin.listAgreements(request.user!)), values: {}, grantErrors: { [id]: errors }, errors });
      }
      return reply.redirect('/admin/sharing');
    });

    app.post('/admin/sharing/grants/:id/revoke', sharingConfig, async (request, reply) => {
      const { id } = idParam.parse(request.params);
      await admin.revokeAccess(request.user!, id);
      return reply.redirect('/admin/sharing');
    });
  },
};
