import type { Config } from '../config/config.ts';
import { StartupError } from '../errors.ts';

/** Socket errors that mean the database server could not be reached at all. */
const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** Where the database is, for people: host and port only (never the login or password in the URL). */
function databaseAddress(url: URL): string {
  return `${url.hostname || 'localhost'}:${url.port || '5432'}`;
}

function codeOf(error: unknown): string | undefined {
  const found = error as { code?: unknown; errors?: unknown[] } | null;
  if (typeof found?.code === 'string') return found.code;
  // Node's happy-eyeballs connect gives an AggregateError of one error per address tried.
  return found?.errors?.length ? codeOf(found.errors[0]) : undefined;
}

/**
 * One line saying why Lantern cannot open its database at start (unreachable, login refused, no
 * such database, an applied migration changed), or undefined for any other error, which keeps its
 * stack: it is a bug.
 */
export function databaseStartupProblem(error: unknown, config: Config): string | undefined {
  if (error instanceof StartupError) return `Lantern cannot start: ${error.message} (${error.code})`;
  const code = codeOf(error);
  if (!code || config.database.kind !== 'server') return undefined;
  const url = new URL(config.database.url);
  const where = databaseAddress(url);
  if (unreachable.has(code)) return `Lantern cannot start: the database at ${where} is unreachable (${code})`;
  if (code === '28P01' || code === '28000') return `Lantern cannot start: the database at ${where} refused the login (${code})`;
  if (code === '3D000') {
    const name = decodeURIComponent(url.pathname.slice(1));
    return `Lantern cannot start: there is no database "${name}" at ${where} (${code})`;
  }
  if (code === '57P03') return `Lantern cannot start: the database at ${where} is not accepting connections yet (${code})`;
  return undefined;
}
