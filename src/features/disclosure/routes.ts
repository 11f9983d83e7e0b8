import { formErrors, postedForm } from '../../web/forms.ts';
import type { Feature } from '../feature.ts';
import { disclosureSettingsSchema } from './schema.ts';

const view = 'features/disclosure/views/settings.njk';

/** The partnership's disclosure control settings (issue 13 §2): the threshold and the symbol. */
export const disclosureFeature: Feature = {
  name: 'disclosure',
  async register(app, { disclosure }) {
    const config = { config: { permission: 'disclosure.manage' as const } };
    app.get('/admin/disclosure', config, async (request, reply) => {
      const { partnershipName, threshold, symbol } = await disclosure.settingsPage(request.user!);
      return reply.page(view, { partnershipName, values: { threshold, symbol } });
    });
    app.post('/admin/disclosure', { ...config, schema: { body: disclosureSettingsSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) {
        const { partnershipName } = await disclosure.settingsPage(request.user!);
        return reply.status(400).page(view, { partnershipName, values: postedForm(request), errors: formErrors(request.validationError) });
      }
      await disclosure.save(request.user!, request.body);
      return reply.saved('/admin/disclosure', 'flash.disclosureSaved');
    });
  },
};
