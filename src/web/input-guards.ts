import type { FastifyRequest } from 'fastify';
import { LanternError } from '../errors.ts';
import { gatherDateInputs } from './form-fields.ts';

/**
 * The edge's input check, one preHandler after authorisation for every route (new ones included),
 * before a handler or the database sees the input.
 *
 * Routes declare zod schemas for their params, query string and body (`schema: { … }`); app.ts
 * makes Fastify attach a failed validation to the request instead of answering at once, so that
 * a visitor without the route's permission still gets 403 or the sign-in page first. Here the
 * failure is thrown for the error handler to answer (params → 404, anything else → 400), unless
 * the route shows invalid input on its own form (it was declared with `attachValidation: true`):
 * then its handler reads request.validationError and shows the GOV.UK error summary.
 */

// C0 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in
// text outright; the others have no place in anything a person types.
const controlCharacter = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

function containsControlCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return controlCharacter.test(value);
  // Uploaded files arrive as Buffers (multipart keyValues) and are the parsers' business.
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || depth > 20) return false;
  for (const [key, item] of Object.entries(value)) {
    if (controlCharacter.test(key) || containsControlCharacter(item, depth + 1)) return true;
  }
  return false;
}

/** The query string and body as parsed, before schemas transform them or drop keys they do not name. */
const rawInput = new WeakMap<FastifyRequest, { query: unknown; body: unknown }>();

/**
 * Each route's last preValidation hook (app.ts adds it, after any plugin's own, such as multipart's
 * that attaches the body): keeps the raw input for refuseInvalidInput, which runs after authorisation.
 */
export async function keepRawInput(request: FastifyRequest): Promise<void> {
  rawInput.set(request, { query: request.query, body: request.body });
}

/**
 * A preValidation hook on every route, before keepRawInput: the boxes of each GOV.UK date input in
 * the query string or a form body are gathered into one value for the schemas (src/web/form-fields.ts).
 * A JSON body (the API) is left as it is: it carries ISO dates.
 */
export async function gatherDateInputFields(request: FastifyRequest): Promise<void> {
  gatherDateInputs(request.query);
  if (!String(request.headers['content-type'] ?? '').includes('json')) gatherDateInputs(request.body);
}

/** The body as posted, before its schema converted it. */
export function postedBody(request: FastifyRequest): unknown {
  return rawInput.get(request)?.body ?? request.body;
}

/**
 * A preHandler: invalid params are always refused (a path that names no record); invalid query or
 * body is refused unless the route shows it on its form. A control character anywhere in the query
 * string or body is refused as invalid (400), whatever the schemas say: schemas do not name every
 * key a client may send, and a schema that drops a key would hide it.
 */
export async function refuseInvalidInput(request: FastifyRequest): Promise<void> {
  const failed = request.validationError;
  if (failed && (failed.validationContext === 'params' || !request.routeOptions.config.showsInvalidInput)) throw failed;
  const raw = rawInput.get(request) ?? request;
  if (containsControlCharacter(raw.query)) throw new LanternError('LANTERN_E_VALIDATION', 'control character in the query string');
  if (containsControlCharacter(raw.body)) throw new LanternError('LANTERN_E_VALIDATION', 'control character in the request body');
}
