import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../authz/policy.ts';
import { requestTranslator } from '../../i18n/i18n.ts';
import { formErrors, postedForm, singleError, type FormErrors } from '../../web/forms.ts';
import { idParams } from '../../web/params.ts';
import type { Feature } from '../feature.ts';
import { packToDocx } from './pack-docx.ts';
import type { AgendaItem } from './pack.ts';
import { packText, reasonText } from './pack-text.ts';
import {
  actionFormSchema,
  actionParams,
  actionStatusFormSchema,
  actionStatuses,
  decisionFormSchema,
  decisionKinds,
  itemFormSchema,
  itemParams,
  itemSearchFormSchema,
  itemSectionQuery,
  meetingFormSchema,
  meetingQuery,
  minutesFormSchema,
  packParams,
  packQuery,
  removeFormSchema,
  voltSections,
  type VoltSection,
} from './schema.ts';
import { itemSearchLimit, MaceValidationError } from './service.ts';

const t = requestTranslator();
const view = (name: string) => `features/mace/views/${name}.njk`;
/** Lists the templates build their radios and selects from. */
const vocabulary = { voltSections, decisionKinds, actionStatuses };
/** Items with their reasons as the page's language says them. */
const withReasons = (items: readonly AgendaItem[], request: FastifyRequest) => items.map((i) => ({ ...i, reasonText: reasonText(i, request.language) }));
const contentTypes = { docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', pdf: 'application/pdf' } as const;

/** What the service refused after the form was valid, as the field's message; anything else is rethrown. */
function refusal(error: unknown): FormErrors {
  if (!(error instanceof MaceValidationError)) throw error;
  return singleError(error.field, t(error.messageKey));
}

/**
 * MACE meetings (issue 12 §4) under /mace: the meetings, a new one, a meeting's VOLT agenda (built,
 * added to and removed from by the chair), an item's minutes, actions and decisions, an action's
 * status, and the meeting pack for a recipient agency as DOCX or PDF in English or Welsh.
 */
export const maceFeature: Feature = {
  name: 'mace',
  async register(app, { mace, pdf, clock, config }) {
    const read = { config: { permission: 'mace.read' as const } };
    const chair = { config: { permission: 'mace.manage' as const } };

    app.get('/mace', read, async (request, reply) => reply.page(view('index'), { ...(await mace.list(request.user!)), today: clock.now() }));

    // ---- A new meeting ----
    const meetingForm = (reply: FastifyReply, extra: Record<string, unknown> = {}) => reply.page(view('meeting-form'), { values: {}, ...extra });
    app.get('/mace/new', chair, async (_request, reply) => meetingForm(reply));
    app.post('/mace/new', { ...chair, schema: { body: meetingFormSchema }, attachValidation: true }, async (request, reply) => {
      if (request.validationError) return meetingForm(reply.status(400), { values: postedForm(request), errors: formErrors(request.validationError) });
      const id = await mace.create(request.user!, request.body);
      return reply.saved(`/mace/${id}`, 'flash.mace.meetingCreated');
    });

    // ---- A meeting: its agenda, actions and decisions, and the pack's download form ----
    app.get('/mace/:id', { ...read, schema: { params: idParams, querystring: meetingQuery } }, async (request, reply) => {
      const page = await mace.meetingPage(request.user!, request.params.id, request.query);
      return reply.page(view('meeting'), {
        ...page,
        sections: page.sections.map((s) => ({ ...s, items: withReasons(s.items, request) })),
        removed: withReasons(page.removed, request),
        events: page.accessLog,
        ...vocabulary,
      });
    });
    app.post('/mace/:id/agenda', { ...chair, schema: { params: idParams } }, async (request, reply) => {
      const built = await mace.buildAgenda(request.user!, request.params.id);
      return reply.saved(`/mace/${request.params.id}`, 'flash.mace.agendaBuilt', { count: built.victims + built.offenders + built.locations });
    });

    // ---- An item the chair adds: first the part of the agenda, then the child's reference, a search for the person or place, or the theme ----
    /**
     * The add-item form for a section (none: the section's radios). For offenders and locations a search
     * term (posted) shows its matches as radios; the form shown again after a refusal searches again.
     */
    const itemForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      id: string,
      section: VoltSection | undefined,
      extra: { values?: Record<string, unknown>; errors?: FormErrors } = {},
    ) => {
      const values = extra.values ?? {};
      const term = typeof values.q === 'string' ? values.q.trim() : '';
      const searched = (section === 'offenders' || section === 'locations') && term !== '' && term.length <= 100;
      const choices = searched
        ? { ...(await mace.findItemTargets(request.user!, id, section, term)), searched: term }
        : await mace.itemFormChoices(request.user!, id);
      return reply.page(view('item-form'), { ...choices, ...vocabulary, section, itemSearchLimit, values, ...extra });
    };
    const postedSection = (values: Record<string, unknown>) => voltSections.find((s) => s === values.section);
    app.get('/mace/:id/items/new', { ...chair, schema: { params: idParams, querystring: itemSectionQuery } }, async (request, reply) =>
      itemForm(request, reply, request.params.id, request.query.section),
    );
    app.post('/mace/:id/items/find', { ...chair, schema: { params: idParams, body: itemSearchFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError)
        return itemForm(request, reply.status(400), id, postedSection(values), { values, errors: formErrors(request.validationError) });
      return itemForm(request, reply, id, request.body.section, { values: { ...values, q: request.body.q } });
    });
    app.post('/mace/:id/items/new', { ...chair, schema: { params: idParams, body: itemFormSchema }, attachValidation: true }, async (request, reply) => {
      const { id } = request.params;
      const values = postedForm(request);
      if (request.validationError)
        return itemForm(request, reply.status(400), id, postedSection(values), { values, errors: formErrors(request.validationError) });
      try {
        const itemId = await mace.addItem(request.user!, id, request.body);
        return reply.saved(`/mace/${id}/items/${itemId}`, 'flash.mace.itemAdded');
      } catch (error) {
        return itemForm(request, reply.status(400), id, request.body.section, { values, errors: refusal(error) });
      }
    });

    // ---- An item: its minutes, actions and decisions; removing it ----
    const itemPage = async (request: FastifyRequest, reply: FastifyReply, id: string, itemId: string, extra: Record<string, unknown> = {}) => {
      const page = await mace.item(request.user!, id, itemId);
      return reply.page(view('item'), { ...page, item: withReasons([page.item], request)[0], ...vocabulary, values: {}, ...extra });
    };
    app.get('/mace/:id/items/:itemId', { ...read, schema: { params: itemParams } }, async (request, reply) =>
      itemPage(request, reply, request.params.id, request.params.itemId),
    );
    /** A form of the item's page: shown again with its errors, or saved and back to the page with a banner. */
    const itemFormRoute = <S extends typeof minutesFormSchema | typeof actionFormSchema | typeof decisionFormSchema | typeof removeFormSchema>(
      path: string,
      schema: S,
      form: string,
      save: (request: FastifyRequest, id: string, itemId: string, body: never) => Promise<unknown>,
      flash: `flash.mace.${string}`,
      after: (id: string, itemId: string) => string = (id, itemId) => `/mace/${id}/items/${itemId}`,
    ) =>
      app.post(
        `/mace/:id/items/:itemId/${path}`,
        { ...chair, schema: { params: itemParams, body: schema }, attachValidation: true },
        async (request, reply) => {
          const { id, itemId } = request.params;
          const values = { ...postedForm(request), form };
          if (request.validationError) return itemPage(request, reply.status(400), id, itemId, { values, errors: formErrors(request.validationError) });
          try {
            await save(request, id, itemId, request.body as never);
          } catch (error) {
            return itemPage(request, reply.status(400), id, itemId, { values, errors: refusal(error) });
          }
          return reply.saved(after(id, itemId), flash);
        },
      );
    itemFormRoute('minutes', minutesFormSchema, 'minutes', (r, id, itemId, body) => mace.recordMinutes(r.user!, id, itemId, body), 'flash.mace.minutesSaved');
    itemFormRoute('actions', actionFormSchema, 'action', (r, id, itemId, body) => mace.addAction(r.user!, id, itemId, body), 'flash.mace.actionAdded');
    itemFormRoute(
      'decisions',
      decisionFormSchema,
      'decision',
      (r, id, itemId, body) => mace.addDecision(r.user!, id, itemId, body),
      'flash.mace.decisionAdded',
    );
    itemFormRoute(
      'remove',
      removeFormSchema,
      'remove',
      (r, id, itemId, body: { reason: string }) => mace.removeItem(r.user!, id, itemId, body.reason),
      'flash.mace.itemRemoved',
      (id) => `/mace/${id}`,
    );

    // ---- An action's status: the chair on the meeting's page, the owning agency from its worklist ----
    app.post(
      '/mace/actions/:maceActionId/status',
      { config: { permission: 'mace.actions.update' as const }, schema: { params: actionParams, body: actionStatusFormSchema } },
      async (request, reply) => {
        const meetingId = await mace.setActionStatus(request.user!, request.params.maceActionId, request.body.status);
        const back = request.body.from === 'worklist' || !can(request.user, 'mace.read') ? '/worklists?show=maceActions' : `/mace/${meetingId}#actions`;
        return reply.saved(back, 'flash.mace.statusChanged');
      },
    );

    // ---- The meeting pack for a recipient agency, in the language chosen at download ----
    app.get('/mace/:id/pack/:format', { ...read, schema: { params: packParams, querystring: packQuery } }, async (request, reply) => {
      const { id, format } = request.params;
      const language = request.query.language ?? request.language;
      const file = await mace.pack(request.user!, id, request.query.agency, format, language, async (content) => {
        const words = packText(content, { printedAt: clock.now(), by: request.user!.displayName, demo: config.demo });
        if (format === 'pdf') return pdf.print(reply.documentHtml(view('pack-document'), { ...content, words }, language));
        return packToDocx(content, words);
      });
      return reply
        .header('Content-Type', contentTypes[format])
        .header('Content-Disposition', `attachment; filename="${file.fileName.replace(/[^A-Za-z0-9._-]/g, '-')}"`)
        .header('X-Content-Type-Options', 'nosniff')
        .send(file.body);
    });
  },
};
