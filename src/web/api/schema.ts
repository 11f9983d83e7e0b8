import { z } from 'zod';
import { parseIsoDate } from '../../dates.ts';

/**
 * What every feature's API schemas share: the refusals, the error body, and how a response is
 * described. The routes validate requests and serialise responses with their schemas, and the
 * OpenAPI document (/api/openapi.json) is generated from them, so the two cannot drift. Schemas with
 * an id are the document's named components.
 */

/** A text column the database holds to a fixed list of values (a CHECK constraint): the list is documented. */
export const oneOf = (values: readonly string[]) => z.string().meta({ enum: [...values] });

/** Every refusal: a stable code (docs/ERRORS.md), a message, and for invalid input the fields that were wrong. */
export const apiError = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'LANTERN_E_NOT_FOUND' }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** A response: what its status means, and its body. */
export const json = <S extends z.ZodType>(description: string, schema: S) => ({ description, content: { 'application/json': { schema } } });

export const refusals = {
  400: json('Invalid request', apiError),
  401: json('No valid API token', apiError),
  403: json('The token’s roles or scopes do not allow this', apiError),
};

/** A child (or a record of one) that does not exist, or that the token may not see: the same answer. */
export const notFoundResponse = json('No such record, or not visible to this token', apiError);

/** A change the record's state refuses (an episode already ended, an interview already recorded …). */
export const conflictResponse = json('The record’s state does not allow this change', apiError);

// ---------------------------------------------------------------- request fields every feature's API shares

/** A calendar date as JSON gives it ('2026-11-12'), a real one. */
export const isoDateField = z.iso.date().refine((v) => parseIsoDate(v) !== null, 'not a real date');
/** Text that must be given, trimmed, at most max characters. */
export const requiredText = (max: number) => z.string().trim().min(1).max(max);
/** Text that may be left out: empty or missing becomes null. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((v) => v || null);
