import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, type ErrorCode } from '../errors.ts';
import { translator } from '../i18n/i18n.ts';

const t = translator('en');

/**
 * URLs the router cannot take — a path parameter longer than any id (FST_ERR_MAX_PARAM_LENGTH)
 * or broken percent-encoding (FST_ERR_BAD_URL) — are answered before any hook or the error
 * handler runs, so Fastify's own JSON would carry its own codes. They get Lantern's instead:
 * such a path names no record (404), anything else is malformed (400). No hook has run, so
 * there is no session or CSRF token to render a page with; the answer is the API's JSON shape.
 */
export function answerFrameworkError(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const code: ErrorCode = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'LANTERN_E_NOT_FOUND' : 'LANTERN_E_VALIDATION';
  reply.log.info({ code, detail: error.message }, 'request refused');
  void reply
    .status(errorCodes[code].status)
    .header('Cache-Control', 'no-store')
    .send({ error: { code, message: t(errorCodes[code].messageKey) } });
}
