import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countStatements, type StatementTime } from '../db/statement-timing.ts';

/**
 * With LANTERN_SERVER_TIMING on, each response carries `Server-Timing: db;dur=<ms>;desc="<n> statements"`:
 * the time of the SQL statements the request ran, from its session lookup to its last COMMIT
 * (src/db/statement-timing.ts). The benchmark reads it to set each page's database time beside its
 * whole time. Registered before every other hook, so the session lookup counts.
 */
export function addServerTiming(app: FastifyInstance): void {
  const times = new WeakMap<FastifyRequest, StatementTime>();
  app.addHook('onRequest', (request, _reply, done) => {
    const time = { statements: 0, ms: 0 };
    times.set(request, time);
    countStatements(time, done);
  });
  // Reading a form body runs in the socket's context, not the request's: go back into it.
  app.addHook('preValidation', (request, _reply, done) => {
    const time = times.get(request);
    if (time) countStatements(time, done);
    else done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const time = times.get(request);
    if (time) reply.header('Server-Timing', `db;dur=${time.ms.toFixed(2)};desc="${time.statements} statements"`);
    done(null, payload);
  });
}
