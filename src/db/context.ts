import { sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';
import type { DB } from './types.generated.ts';

export type Tx = Transaction<DB>;

/** Who is acting, as row-level security sees it. */
export interface DbActor {
  userId: string;
  partnershipId: string;
  agencyId: string;
  /** 'partnership' for roles that work across agencies; 'agency' otherwise. */
  scope: 'partnership' | 'agency';
}

/**
 * Runs fn in one transaction as the lantern_app role with the actor's context set, so that
 * row-level security applies to every statement. All request work on personal data goes here.
 */
export async function withActor<T>(db: Database, actor: DbActor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    // One statement: set_config('role', …, true) is SET LOCAL ROLE (each statement is a round trip).
    await sql`SELECT set_config('role', 'lantern_app', true),
                     set_config('lantern.partnership_id', ${actor.partnershipId}, true),
                     set_config('lantern.agency_id', ${actor.agencyId}, true),
                     set_config('lantern.user_id', ${actor.userId}, true),
                     set_config('lantern.scope', ${actor.scope}, true)`.execute(tx);
    return fn(tx);
  });
}

/**
 * Runs fn in one transaction as the database owner, outside row-level security. Only the
 * sign-in and session code (src/auth), the public concern route, API-token resolution, the CLI and the seeder use it:
 * they act before there is a signed-in user, or for the system itself.
 */
export async function withSystem<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
