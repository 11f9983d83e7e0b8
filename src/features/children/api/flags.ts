import { z } from 'zod';
import { londonDate } from '../../../dates.ts';
import { LanternError } from '../../../errors.ts';
import { translator } from '../../../i18n/i18n.ts';
import { conflictResponse, isoDateField, json, notFoundResponse, oneOf, optionalText, refusals } from '../../../web/api/schema.ts';
import { idParams, recordParams } from '../../../web/params.ts';
import type { ApiRoutes } from '../../feature.ts';
import { flagKinds, nrmDecisions, type AddFlagForm } from '../flag-schema.ts';
import { FlagValidationError } from '../flags.ts';

/**
 * A child's cohort flags through the API (issue 10 §6): list, add, end and correct, by the flags
 * page's service (src/features/children/flags.ts), so the same rules, history (child_flag_changes),
 * row-level security and audit apply. Reading needs children.read and flags:read; changing needs
 * children.write and flags:write.
 */

// ---------------------------------------------------------------- fields

const date = isoDateField;

const details = {
  startedOn: date.meta({ description: 'The day the flag started (not in the future).' }),
  source: z.string().trim().min(1).max(300).meta({ description: 'Where the information came from, e.g. "Children’s services case record".' }),
  sourceAgencyId: z
    .uuid()
    .nullish()
    .transform((v) => v ?? null)
    .meta({ description: 'The agency that holds the information.' }),
  note: optionalText(2000),
  placingAuthority: optionalText(200).meta({ description: 'Looked after only: the authority that placed the child.' }),
  placedHereByOtherAuthority: z.boolean().default(false).meta({ description: 'Looked after only.' }),
  placedOutOfArea: z.boolean().default(false).meta({ description: 'Looked after only.' }),
  nrmReferredOn: date
    .nullish()
    .transform((v) => v ?? null)
    .meta({ description: 'Trafficking (NRM) only: the day of the referral.' }),
  nrmDecision: z
    .enum(nrmDecisions)
    .nullish()
    .transform((v) => v ?? null)
    .meta({ description: 'Trafficking (NRM) only: the decision, if known.' }),
};

export const newFlag = z
  .object({ kind: z.enum(flagKinds), ...details })
  .strict()
  .meta({ id: 'NewChildFlag', description: 'A flag on the child from a day; details of another kind are ignored. One open flag per kind.' });

export const flagEnd = z
  .object({ endedOn: date.meta({ description: 'The day the flag ended (not before it started, not in the future).' }), reason: optionalText(500) })
  .strict()
  .meta({ id: 'ChildFlagEnd' });

export const flagCorrection = z
  .object({
    ...details,
    endedOn: date
      .nullish()
      .transform((v) => v ?? null)
      .meta({ description: 'Required if the flag has ended; giving it ends an open flag.' }),
    reason: z.string().trim().min(1).max(500).meta({ description: 'Why the flag is corrected (kept in its history).' }),
  })
  .strict()
  .meta({ id: 'ChildFlagCorrection', description: 'The whole flag as it should be, with the reason; the kind cannot change.' });

const isoDay = z.iso.date();

export const childFlag = z
  .object({
    id: z.uuid(),
    kind: oneOf(flagKinds),
    started_on: isoDay,
    ended_on: isoDay.nullable(),
    source: z.string(),
    source_agency_id: z.uuid().nullable(),
    source_agency: z.string().nullable(),
    note: z.string().nullable(),
    placing_authority: z.string().nullable(),
    placed_here_by_other_authority: z.boolean(),
    placed_out_of_area: z.boolean(),
    nrm_referred_on: isoDay.nullable(),
    nrm_decision: oneOf(nrmDecisions).nullable(),
    created_by_name: z.string().nullable(),
    ended_by_name: z.string().nullable(),
  })
  .meta({ id: 'ChildFlag', description: 'A flag on the child over a period (open while ended_on is null), with its source.' });

export const childFlagChange = z
  .object({
    id: z.uuid(),
    flag_id: z.uuid(),
    kind: oneOf(flagKinds),
    change: oneOf(['added', 'ended', 'corrected']),
    changed_fields: z.unknown().meta({ description: 'A correction: each changed field as { from, to }; an addition or ending: its dates.' }),
    reason: z.string().nullable(),
    changed_at: z.date(),
    changed_by_name: z.string().nullable(),
  })
  .meta({ id: 'ChildFlagChange', description: 'One addition, ending or correction of a flag (newest first; the latest 200).' });

const flagList = json('The child’s flags, open first, and their history', z.object({ flags: z.array(childFlag), changes: z.array(childFlagChange) }));

/** A date column as the API gives it ('2026-11-12'). */
const day = (v: string | Date | null): string | null => (v === null ? null : typeof v === 'string' ? v.slice(0, 10) : londonDate(v));

// ---------------------------------------------------------------- refusals

const t = translator('en');
/** The service's refusals after the request was valid: a second open flag or an ended flag ended again is a conflict; a date out of order is invalid input. */
function refusal(error: FlagValidationError): LanternError {
  const field = error.field === 'startDate' ? 'startedOn' : error.field === 'endDate' ? 'endedOn' : error.field;
  const message = t(error.messageKey);
  return new LanternError(error.conflict ? 'LANTERN_E_CONFLICT' : 'LANTERN_E_VALIDATION', message, [{ path: field, message }]);
}
async function refusingFlags<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof FlagValidationError ? refusal(error) : error;
  }
}

// ---------------------------------------------------------------- routes

export const flagsApi: ApiRoutes = async (api, { children }) => {
  const read = { config: { permission: 'children.read' as const, scope: 'flags:read' as const } };
  const write = { config: { permission: 'children.write' as const, scope: 'flags:write' as const } };
  const ofChange = { 404: notFoundResponse, 409: conflictResponse, ...refusals };
  const listOf = async (user: Parameters<typeof children.flags.flagsPage>[0], id: string) => {
    const { flags, changes } = await children.flags.flagsPage(user, id);
    return { flags: flags.map((f) => ({ ...f, started_on: day(f.started_on)!, ended_on: day(f.ended_on), nrm_referred_on: day(f.nrm_referred_on) })), changes };
  };

  api.get(
    '/api/v1/children/:id/flags',
    {
      ...read,
      schema: {
        summary: 'A child’s cohort flags (looked after, child protection plan, NRM referral …) with their history',
        operationId: 'listChildFlags',
        params: idParams,
        response: { 200: flagList, 404: notFoundResponse, ...refusals },
      },
    },
    async (request, reply) => reply.send(await listOf(request.user!, request.params.id)),
  );

  api.post(
    '/api/v1/children/:id/flags',
    {
      ...write,
      schema: {
        summary: 'Add a flag to a child',
        operationId: 'addChildFlag',
        params: idParams,
        body: newFlag,
        response: { 201: json('Added', z.object({ id: z.uuid(), kind: oneOf(flagKinds) })), ...ofChange },
      },
    },
    async (request, reply) => {
      const form: AddFlagForm = request.body;
      const flag = await refusingFlags(() => children.flags.addFlag(request.user!, request.params.id, form));
      return reply.status(201).send({ id: flag.id, kind: flag.kind });
    },
  );

  api.post(
    '/api/v1/children/:id/flags/:recordId/end',
    {
      ...write,
      schema: {
        summary: 'End an open flag',
        operationId: 'endChildFlag',
        params: recordParams,
        body: flagEnd,
        response: { 200: flagList, ...ofChange },
      },
    },
    async (request, reply) => {
      const { id, recordId } = request.params;
      await refusingFlags(() => children.flags.endFlag(request.user!, id, recordId, request.body));
      return reply.send(await listOf(request.user!, id));
    },
  );

  api.put(
    '/api/v1/children/:id/flags/:recordId',
    {
      ...write,
      schema: {
        summary: 'Correct a flag (its dates, source and details), with the reason',
        operationId: 'correctChildFlag',
        params: recordParams,
        body: flagCorrection,
        response: { 200: json('Corrected: the fields that changed', z.object({ changed: z.array(z.string()) })), ...ofChange },
      },
    },
    async (request, reply) => {
      const { id, recordId } = request.params;
      return reply.send(await refusingFlags(() => children.flags.correctFlag(request.user!, id, recordId, request.body)));
    },
  );
};
