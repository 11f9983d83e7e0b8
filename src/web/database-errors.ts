import type { ErrorCode } from '../errors.ts';

/**
 * A safety net behind the input guards and the services' own checks: PostgreSQL errors that
 * mean "the request carried something malformed or a reference to nothing the actor may use"
 * are the client's mistake, not a failure of Lantern's, so they are answered with a stable 4xx
 * code (and logged at info) instead of 500. Every other database error stays a 500.
 */
const refusedSqlStates: Record<string, ErrorCode> = {
  '22P02': 'LANTERN_E_VALIDATION', // invalid_text_representation: e.g. 'not-a-uuid'::uuid
  '22021': 'LANTERN_E_VALIDATION', // character_not_in_repertoire: e.g. a NUL byte in text
  '22007': 'LANTERN_E_VALIDATION', // invalid_datetime_format
  '22008': 'LANTERN_E_VALIDATION', // datetime_field_overflow: e.g. 2026-13-45
  // foreign_key_violation: a reference to a row that does not exist or is another partnership's
  // (foreign keys carry the partnership id), which the actor must not learn apart.
  '23503': 'LANTERN_E_NOT_FOUND',
  '23514': 'LANTERN_E_VALIDATION', // check_violation
  // A change to a record whose processing is restricted (migration 0645's guard): refused, not failed.
  LR001: 'LANTERN_E_PROCESSING_RESTRICTED',
};

/** The code to answer a refused database error with, or undefined for a real failure. */
export function refusedDatabaseError(error: unknown): ErrorCode | undefined {
  const sqlState = (error as { code?: unknown } | null)?.code;
  return typeof sqlState === 'string' && Object.hasOwn(refusedSqlStates, sqlState) ? refusedSqlStates[sqlState] : undefined;
}
