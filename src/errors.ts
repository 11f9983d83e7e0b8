/**
 * Every error a user or a partner system can see has a stable code, listed in docs/ERRORS.md.
 * Users get a friendly page keyed by the code; logs get the detail.
 */
export const errorCodes = {
  LANTERN_E_NOT_FOUND: { status: 404, messageKey: 'errors.notFound' },
  LANTERN_E_FORBIDDEN: { status: 403, messageKey: 'errors.forbidden' },
  LANTERN_E_UNAUTHENTICATED: { status: 401, messageKey: 'errors.unauthenticated' },
  LANTERN_E_CSRF: { status: 403, messageKey: 'errors.csrf' },
  LANTERN_E_VALIDATION: { status: 400, messageKey: 'errors.validation' },
  LANTERN_E_RATE_LIMITED: { status: 429, messageKey: 'errors.rateLimited' },
  LANTERN_E_CONFLICT: { status: 409, messageKey: 'errors.conflict' },
  LANTERN_E_PROCESSING_RESTRICTED: { status: 409, messageKey: 'errors.processingRestricted' },
  LANTERN_E_AUDIT_FAILED: { status: 500, messageKey: 'errors.internal' },
  LANTERN_E_DOCUMENT_UNAVAILABLE: { status: 503, messageKey: 'errors.documentUnavailable' },
  LANTERN_E_INTERNAL: { status: 500, messageKey: 'errors.internal' },
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class LanternError extends Error {
  readonly status: number;
  readonly messageKey: string;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    /** What was wrong, field by field, for a client of the JSON API (the pages show their own messages). */
    readonly issues?: readonly { path: string; message: string }[],
  ) {
    super(detail ?? code);
    this.status = errorCodes[code].status;
    this.messageKey = errorCodes[code].messageKey;
  }
}

export const notFound = (detail?: string) => new LanternError('LANTERN_E_NOT_FOUND', detail);
export const forbidden = (detail?: string) => new LanternError('LANTERN_E_FORBIDDEN', detail);

/**
 * Why Lantern refuses to start, beyond an unreachable database: stable codes, listed in docs/ERRORS.md
 * under "Start-up problems". The command line prints `Lantern cannot start: <message> (<code>)`.
 */
export const startupErrorCodes = ['LANTERN_E_MIGRATION_CHANGED'] as const;
export type StartupErrorCode = (typeof startupErrorCodes)[number];

export class StartupError extends Error {
  constructor(
    readonly code: StartupErrorCode,
    message: string,
  ) {
    super(message);
  }
}
