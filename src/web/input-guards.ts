import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LanternError, notFound } from '../errors.ts';

/**
 * Malformed input is refused at the edge, for every route (new ones included), before a handler
 * or the database sees it: the database would otherwise answer with an error that became a 500.
 */

const uuid = z.uuid();
/** Path parameters that name a record: `id`, or anything ending in `Id` (`recordId`, `planId`). */
const isIdParam = (name: string) => name === 'id' || name.endsWith('Id');

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

/**
 * A preHandler: a record id that is not a UUID names no record (404, the same answer as a record
 * that does not exist); any other path segment with a control character names no page (404);
 * a query string or body with one is refused as invalid (400).
 */
export async function refuseMalformedInput(request: FastifyRequest): Promise<void> {
  for (const [name, value] of Object.entries((request.params ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    if (isIdParam(name) ? !uuid.safeParse(value).success : controlCharacter.test(value)) throw notFound(`malformed path parameter ${name}`);
  }
  if (containsControlCharacter(request.query)) throw new LanternError('LANTERN_E_VALIDATION', 'control character in the query string');
  if (containsControlCharacter(request.body)) throw new LanternError('LANTERN_E_VALIDATION', 'control character in the request body');
}
