import { sql } from 'kysely';
import { recordAudit, type AuditEntry } from '../audit/audit.ts';
import { LanternError } from '../errors.ts';
import type { Database, Tx } from './kysely-types.ts';

export type { Tx } from './kysely-types.ts';

/**
 * What proves who is acting: a signed-in session (its id, the SHA-256 of the cookie's token) or a
 * partner system's API token (the SHA-256 of the token). The database checks it and sets the
 * context row-level security reads (migration 0009); the request itself cannot choose who it is.
 */
export type Credential = { kind: 'session'; sessionId: string } | { kind: 'api_token'; tokenHash: string };

/** Who is acting, as the database will establish it, and from where (kept on every audit row). */
export interface DbActor {
  credential: Credential;
  clientAddress: string | null;
  userAgent: string | null;
  /** The partnership and person the application believes are acting: every audit row must match them. */
  partnershipId?: string;
  userId?: string;
}

/** An audit row of the transaction; who, where from and when are the database's (lantern_audit). */
export type ActAuditEntry = Omit<AuditEntry, 'partnershipId' | 'actorUserId' | 'actorLabel'>;

/** What a request's transaction may do besides its queries: write its audit rows. */
export interface Act {
  audit(entry: ActAuditEntry): Promise<void>;
}

/** A context stated by the owner without a credential: the command line and tests only. */
export interface TrustedActor {
  partnershipId: string;
  agencyId: string | null;
  userId: string | null;
  roles: readonly string[];
  label: string;
}

const insufficientPrivilege = '42501';

/**
 * Runs fn in one transaction as lantern_app with the actor's context established by the database
 * from their credential, so that row-level security applies to every statement, and gives it `act`
 * to write the transaction's audit rows (act.audit). All request work on personal data goes here,
 * opened once per service call and committed once. A session or token no longer live is refused.
 */
export async function withActor<T>(db: Database, actor: DbActor, fn: (tx: Tx, act: Act) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const c = actor.credential;
    const begin =
      c.kind === 'session'
        ? sql`lantern_begin_session(${c.sessionId}, ${actor.clientAddress}, ${actor.userAgent})`
        : sql`lantern_begin_api_token(${c.tokenHash}, ${actor.clientAddress}, ${actor.userAgent})`;
    try {
      // One statement: set_config('role', …, true) is SET LOCAL ROLE (each statement is a round trip).
      await sql`SELECT set_config('role', 'lantern_app', true), ${begin}`.execute(tx);
    } catch (error) {
      if ((error as { code?: string }).code === insufficientPrivilege) throw new LanternError('LANTERN_E_UNAUTHENTICATED', 'credential not live');
      throw error;
    }
    const act: Act = {
      audit: (entry) => recordAudit(tx, { ...entry, partnershipId: actor.partnershipId ?? null, actorUserId: actor.userId ?? null }),
    };
    return fn(tx, act);
  });
}

/**
 * Runs fn as lantern_app with no actor at all: row-level security shows nothing personal. For what
 * anyone may see before signing in (partnership names) and the public concern function.
 */
export async function withAnonymous<T>(db: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('role', 'lantern_app', true)`.execute(tx);
    return fn(tx);
  });
}

/**
 * Runs fn as lantern_auth: sign-in, sessions, throttling and API-token resolution, which read
 * secrets no request may read. Only src/auth and API-token resolution use it (test/unit/architecture.test.ts).
 */
export async function withAuth<T>(auth: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return auth.transaction().execute(async (tx) => {
    await sql`SELECT set_config('role', 'lantern_auth', true)`.execute(tx);
    return fn(tx);
  });
}

/** Connections that log in as a member of lantern_auth already (a server's sign-in pool). */
const signInLogins = new WeakSet<Database>();
export function markSignInLogin(auth: Database): void {
  signInLogins.add(auth);
}

/**
 * One read as lantern_auth, for the path every request takes (resolving its session): on a server
 * the sign-in login already is lantern_auth, so the statement runs alone, without a transaction
 * around it (three round trips fewer); on PGlite it needs the role set, so withAuth.
 */
export async function readAsAuth<T>(auth: Database, fn: (db: Database | Tx) => Promise<T>): Promise<T> {
  return signInLogins.has(auth) ? fn(auth) : withAuth(auth, fn);
}

/**
 * Runs fn in one transaction as the database owner, outside row-level security. Only the command
 * line and the seeder use it, through the owner's connection; a request never does.
 */
export async function withSystem<T>(owner: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return owner.transaction().execute(fn);
}

/**
 * Runs fn as lantern_app in a context the owner states (lantern_begin_trusted is the owner's alone):
 * for the command line and for tests that probe row-level security with made-up actors.
 */
export async function withTrustedActor<T>(owner: Database, actor: TrustedActor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return owner.transaction().execute(async (tx) => {
    await sql`SELECT lantern_begin_trusted(${actor.partnershipId}::uuid, ${actor.agencyId}::uuid, ${actor.userId}::uuid,
      ${sql.val([...actor.roles])}::text[], ${actor.label})`.execute(tx);
    await sql`SELECT set_config('role', 'lantern_app', true)`.execute(tx);
    return fn(tx);
  });
}
