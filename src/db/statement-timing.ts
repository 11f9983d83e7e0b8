import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogEvent } from 'kysely';

/**
 * How long one request's SQL statements took, as the application sees each of them: from handing
 * the statement to the driver to having its result (on a server that includes the loopback round
 * trip and pg reading the rows; embedded, PGlite running it in this process). Kept only when
 * LANTERN_SERVER_TIMING is on (the benchmark), and given back in the Server-Timing header.
 */
export interface StatementTime {
  statements: number;
  ms: number;
}

const current = new AsyncLocalStorage<StatementTime>();

/** Runs fn, and everything it starts, with statement times added to `time`. */
export function countStatements<T>(time: StatementTime, fn: () => T): T {
  return current.run(time, fn);
}

/** Kysely's log hook: adds each statement's time to the request that ran it. */
export function recordStatement(event: LogEvent): void {
  const time = current.getStore();
  if (!time) return;
  time.statements += 1;
  time.ms += event.queryDurationMillis;
}
