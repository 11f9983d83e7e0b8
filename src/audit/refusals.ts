import { actorOf, type Clock, type SessionUser } from '../auth/service.ts';
import { withActor } from '../db/context.ts';
import type { Database } from '../db/database.ts';

export interface Refusal {
  method: string;
  /** The route pattern (never the URL: a query string may hold search terms). */
  route: string;
  status: number;
  code: string;
  /** The route's path parameters (record ids). */
  params: Record<string, string>;
}

/** At most this many refusal rows per person in each window; the rest are counted into the next row. */
export const refusalsPerWindow = 20;
export const refusalWindowMinutes = 10;

/**
 * Audits refused requests of signed-in people and partner systems (security review M7): a 403 on a
 * page their role does not allow, a 404 on a record they may not see. Someone probing for records
 * cannot flood the chain: past the limit in a window the refusals are only counted, and the count
 * is carried on the first row of the next window. The limit is per process.
 */
export class RefusalAuditor {
  private readonly windows = new Map<string, { started: number; written: number; suppressed: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async record(user: SessionUser, refusal: Refusal): Promise<void> {
    const now = this.clock.now().getTime();
    const key = user.sessionId;
    let window = this.windows.get(key);
    let suppressedBefore = 0;
    if (!window || now - window.started >= refusalWindowMinutes * 60_000) {
      suppressedBefore = window?.suppressed ?? 0;
      window = { started: now, written: 0, suppressed: 0 };
      this.windows.set(key, window);
      if (this.windows.size > 10_000) this.forgetOld(now);
    }
    if (window.written >= refusalsPerWindow) {
      window.suppressed++;
      return;
    }
    window.written++;
    // Parameters are whatever the client sent: kept short and without control characters.
    const params = Object.fromEntries(
      Object.entries(refusal.params)
        .slice(0, 5)
        .map(([k, v]) => [
          k.slice(0, 40),
          String(v)
            .replace(/[\u0000-\u001f\u007f]/g, '')
            .slice(0, 100),
        ]),
    );
    const recordId = Object.values(params)[0];
    await withActor(this.db, actorOf(user), (_tx, act) =>
      act.audit({
        action: 'access.refused',
        recordType: 'route',
        ...(recordId ? { recordId } : {}),
        details: {
          method: refusal.method,
          route: refusal.route,
          status: refusal.status,
          code: refusal.code,
          params,
          ...(suppressedBefore > 0 ? { suppressedBefore } : {}),
        },
      }),
    );
  }

  private forgetOld(now: number) {
    for (const [key, w] of this.windows) if (now - w.started >= refusalWindowMinutes * 60_000) this.windows.delete(key);
  }
}
