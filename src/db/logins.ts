import crypto from 'node:crypto';
import pg from 'pg';

/**
 * The logins a PostgreSQL server serves Lantern with (security review M6): requests connect as a
 * member of lantern_app only, sign-in as a member of lantern_auth only. Neither is a superuser, owns
 * anything or can become another role. In production an operator makes them and names them in
 * DATABASE_URL and DATABASE_AUTH_URL, and migrations use DATABASE_OWNER_URL. In development and CI,
 * when the one DATABASE_URL given may create roles, Lantern makes its own: lantern_web and
 * lantern_signin, with passwords derived from the owner's connection string (so several processes
 * agree on them without storing anything).
 */
export const requestLogin = 'lantern_web';
export const signInLogin = 'lantern_signin';

const groups = [
  { name: 'lantern_app', login: requestLogin },
  { name: 'lantern_auth', login: signInLogin },
] as const;

export function derivedPassword(ownerUrl: string, login: string): string {
  return crypto.createHmac('sha256', ownerUrl).update(`lantern-login:${login}`).digest('base64url');
}

export function urlAs(url: string, login: string, password: string): string {
  const u = new URL(url);
  u.username = login;
  u.password = password;
  return u.toString();
}

/** Whether the owner may create roles (a superuser or CREATEROLE): then Lantern makes its own logins. */
export async function canCreateRoles(owner: pg.Pool): Promise<boolean> {
  const { rows } = await owner.query<{ ok: boolean }>(`SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user`);
  return rows[0]?.ok ?? false;
}

/**
 * Makes the group roles (as migration 0001/0009 would) and the two logins if they are missing.
 * Roles belong to the whole server, and test files start side by side, so a concurrent creation
 * is expected and ignored.
 */
export async function ensureLogins(owner: pg.Pool, ownerUrl: string): Promise<void> {
  for (const group of groups) {
    for (const statement of [
      `CREATE ROLE ${group.name} NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE`,
      `CREATE ROLE ${group.login} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT
         PASSWORD '${derivedPassword(ownerUrl, group.login)}' IN ROLE ${group.name}`,
    ]) {
      const name = statement.split(' ')[2]!;
      const { rows } = await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [name]);
      if (rows.length > 0) continue;
      try {
        await owner.query(statement);
      } catch (error) {
        // 42710 duplicate_object, 23505 unique_violation: another process made it first.
        const code = (error as { code?: string }).code;
        if (code !== '42710' && code !== '23505') throw error;
      }
    }
  }
}

export interface LoginIdentity {
  login: string;
  superuser: boolean;
  ownsTables: boolean;
  memberOfOwner: boolean;
  /** Roles the login may become with SET ROLE (besides itself). */
  canBecome: string[];
}

/** What the database says about the login a pool connects as, read through that pool. */
export async function loginIdentity(pool: pg.Pool): Promise<LoginIdentity> {
  const { rows } = await pool.query<{ login: string; superuser: boolean; owns: boolean; member_of_owner: boolean; can_become: string[] }>(`
    SELECT session_user AS login,
           (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) AS superuser,
           EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = session_user) AS owns,
           EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND pg_has_role(session_user, t.tableowner, 'MEMBER')) AS member_of_owner,
           ARRAY(SELECT r.rolname::text FROM pg_roles r WHERE r.rolname <> session_user AND pg_has_role(session_user, r.oid, 'MEMBER')
                 ORDER BY 1) AS can_become`);
  const r = rows[0]!;
  return { login: r.login, superuser: r.superuser, ownsTables: r.owns, memberOfOwner: r.member_of_owner, canBecome: r.can_become };
}

/** Refuses to serve requests through a login that could step outside row-level security. */
export function assertServingLogin(identity: LoginIdentity, purpose: 'requests' | 'sign-in', shared = false): void {
  const group = purpose === 'requests' ? 'lantern_app' : 'lantern_auth';
  // One login for both (DATABASE_AUTH_URL not given): weaker, documented, but no more than the two groups.
  const allowed = shared ? ['lantern_app', 'lantern_auth'] : [group];
  const problems: string[] = [];
  if (identity.superuser) problems.push('is a superuser');
  if (identity.ownsTables || identity.memberOfOwner) problems.push('owns the tables (or is a member of their owner)');
  const others = identity.canBecome.filter((r) => !allowed.includes(r));
  if (others.length > 0) problems.push(`can become ${others.join(', ')}`);
  if (!identity.canBecome.includes(group)) problems.push(`is not a member of ${group}`);
  if (problems.length > 0) {
    throw new Error(
      `Lantern will not serve ${purpose} as the database login "${identity.login}": it ${problems.join('; ')}. ` + `See README, "Database logins".`,
    );
  }
}
