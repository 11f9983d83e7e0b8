import crypto from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.ts';
import { isRole, type Role } from '../authz/roles.ts';
import { recordScope } from '../authz/policy.ts';
import { withSystem, type DbActor, type Tx } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import { checkTotp, newTotpSecret } from './totp.ts';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** The signed-in person as every request sees them. */
export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  displayName: string;
  homePartnershipId: string;
  partnershipId: string;
  partnershipName: string;
  agencyId: string;
  agencyName: string;
  roles: Role[];
  stage: 'second_factor' | 'enrol' | 'signed_in';
}

export function actorOf(user: SessionUser): DbActor {
  return { userId: user.userId, partnershipId: user.partnershipId, agencyId: user.agencyId, scope: recordScope(user.roles) };
}

// Throttling: an account (or unknown email) locks for 15 minutes after 5 failures in 15 minutes;
// a client address after 50. Locks always expire, so nobody can be locked out for good.
const windowMinutes = 15;
const lockMinutes = 15;
const maxFailuresPerAccount = 5;
const maxFailuresPerAddress = 50;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');
const minutes = (n: number) => n * 60_000;

export type SignInResult = { ok: true; token: string; stage: SessionUser['stage'] } | { ok: false };

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
  ) {}

  /** First step: email and password. The answer never says whether the account exists. */
  async signInWithPassword(emailInput: string, password: string, clientAddress: string): Promise<SignInResult> {
    const email = emailInput.trim().toLowerCase();
    const now = this.clock.now();
    const accountKey = `email:${sha256(email)}`;
    const addressKey = `addr:${sha256(clientAddress)}`;

    const user = await withSystem(this.db, (tx) =>
      tx
        .selectFrom('users')
        .select(['id', 'partnership_id', 'password_hash', 'disabled_at', 'totp_enrolled_at', 'display_name'])
        .where('email', '=', email)
        .executeTakeFirst(),
    );
    const locked = (await this.isLocked(accountKey, now)) || (await this.isLocked(addressKey, now));
    const passwordOk =
      user?.password_hash && !locked ? await verifyPassword(user.password_hash, password) : (await burnPasswordCheck(password), false);

    if (!passwordOk || !user || user.disabled_at) {
      await withSystem(this.db, async (tx) => {
        await this.noteFailure(tx, accountKey, maxFailuresPerAccount, now);
        await this.noteFailure(tx, addressKey, maxFailuresPerAddress, now);
        await recordAudit(tx, {
          partnershipId: user?.partnership_id ?? null,
          actorUserId: user?.id ?? null,
          actorLabel: email.slice(0, 200),
          action: locked ? 'sign_in.locked' : 'sign_in.failure',
          details: { step: 'password' },
          clientAddress,
        });
      });
      return { ok: false };
    }

    const stage = user.totp_enrolled_at ? 'second_factor' : 'enrol';
    const token = newToken();
    await withSystem(this.db, async (tx) => {
      await tx.deleteFrom('sign_in_throttle').where('key', '=', accountKey).execute();
      await this.insertSession(tx, token, user.id, user.partnership_id, user.partnership_id, stage, now);
      if (stage === 'enrol') {
        // A fresh secret each time enrolment starts; it only counts once a code from it is checked.
        await tx.updateTable('users').set({ totp_secret: newTotpSecret() }).where('id', '=', user.id).execute();
      }
    });
    return { ok: true, token, stage };
  }

  /** Second step: a TOTP code. Success replaces the session with a new id (no fixation). */
  async completeSecondFactor(token: string, code: string, clientAddress: string): Promise<SignInResult> {
    const now = this.clock.now();
    const id = sha256(token);
    return withSystem(this.db, async (tx) => {
      const row = await tx
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['sessions.stage', 'sessions.created_at', 'users.id as user_id', 'users.partnership_id', 'users.email',
          'users.totp_secret', 'users.totp_last_step', 'users.disabled_at'])
        .where('sessions.id', '=', id)
        .where('sessions.ended_at', 'is', null)
        .executeTakeFirst();
      // The half-signed-in session lasts 10 minutes at most.
      if (!row || row.stage === 'signed_in' || row.disabled_at || !row.totp_secret || now.getTime() - row.created_at.getTime() > minutes(10)) {
        return { ok: false } as const;
      }
      const accountKey = `email:${sha256(row.email)}`;
      if (await this.isLocked(accountKey, now, tx)) return { ok: false } as const;
      const checked = await checkTotp(row.totp_secret, code.trim(), now, row.totp_last_step === null ? null : Number(row.totp_last_step));
      if (!checked.ok) {
        await this.noteFailure(tx, accountKey, maxFailuresPerAccount, now);
        await recordAudit(tx, {
          partnershipId: row.partnership_id, actorUserId: row.user_id, actorLabel: row.email,
          action: 'sign_in.second_factor_failure', clientAddress,
        });
        return { ok: false } as const;
      }
      const enrolling = row.stage === 'enrol';
      await tx.updateTable('users')
        .set({ totp_last_step: checked.step, ...(enrolling ? { totp_enrolled_at: now } : {}) })
        .where('id', '=', row.user_id).execute();
      await tx.updateTable('sessions').set({ ended_at: now, ended_reason: 'rotated' }).where('id', '=', id).execute();
      const fresh = newToken();
      await this.insertSession(tx, fresh, row.user_id, row.partnership_id, row.partnership_id, 'signed_in', now);
      if (enrolling) {
        await recordAudit(tx, { partnershipId: row.partnership_id, actorUserId: row.user_id, actorLabel: row.email,
          action: 'sign_in.enrolled_second_factor', clientAddress });
      }
      await recordAudit(tx, { partnershipId: row.partnership_id, actorUserId: row.user_id, actorLabel: row.email,
        action: 'sign_in.success', clientAddress });
      return { ok: true, token: fresh, stage: 'signed_in' } as const;
    });
  }

  /** The TOTP secret to show while enrolling (only for a session at the enrol stage). */
  async enrolmentSecret(token: string): Promise<{ secret: string; email: string } | null> {
    const row = await withSystem(this.db, (tx) =>
      tx.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id')
        .select(['users.totp_secret', 'users.email'])
        .where('sessions.id', '=', sha256(token)).where('sessions.stage', '=', 'enrol').where('sessions.ended_at', 'is', null)
        .executeTakeFirst(),
    );
    return row?.totp_secret ? { secret: row.totp_secret, email: row.email } : null;
  }

  /**
   * Resolves a cookie to a session, enforcing the idle and absolute limits and a disabled
   * account. Touches last_seen_at at most once a minute to keep reads cheap.
   */
  async resolveSession(token: string): Promise<SessionUser | null> {
    const now = this.clock.now();
    const id = sha256(token);
    // One statement, no transaction: this runs on every request.
    const row = await this.db.selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .innerJoin('agencies', 'agencies.id', 'users.agency_id')
        .innerJoin('partnerships', 'partnerships.id', 'sessions.acting_partnership_id')
        .select(['sessions.stage', 'sessions.last_seen_at', 'sessions.absolute_expires_at', 'sessions.acting_partnership_id',
          'users.id as user_id', 'users.email', 'users.display_name', 'users.partnership_id', 'users.agency_id', 'users.roles',
          'users.disabled_at', 'agencies.name as agency_name', 'partnerships.name as partnership_name'])
        .where('sessions.id', '=', id).where('sessions.ended_at', 'is', null)
        .executeTakeFirst();
    if (!row) return null;
    const idleExpired = now.getTime() - row.last_seen_at.getTime() > minutes(this.policy.idleMinutes);
    const absoluteExpired = now >= row.absolute_expires_at;
    if (row.disabled_at || idleExpired || absoluteExpired) {
      const reason = row.disabled_at ? 'disabled' : idleExpired ? 'idle' : 'absolute';
      await withSystem(this.db, async (tx) => {
        await tx.updateTable('sessions').set({ ended_at: now, ended_reason: reason }).where('id', '=', id).execute();
        await recordAudit(tx, { partnershipId: row.partnership_id, actorUserId: row.user_id, actorLabel: row.email,
          action: 'session.expired', details: { reason } });
      });
      return null;
    }
    if (now.getTime() - row.last_seen_at.getTime() > minutes(1)) {
      await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
    }
    let roleList = row.roles.filter(isRole);
    if (row.acting_partnership_id !== row.partnership_id) {
      const grant = await this.activeGrant(row.user_id, row.acting_partnership_id, now);
      if (!grant) return null;
      roleList = grant.filter(isRole);
    }
    return {
      sessionId: id,
      userId: row.user_id,
      email: row.email,
      displayName: row.display_name,
      homePartnershipId: row.partnership_id,
      partnershipId: row.acting_partnership_id,
      partnershipName: row.partnership_name,
      agencyId: row.agency_id,
      agencyName: row.agency_name,
      roles: roleList,
      stage: row.stage as SessionUser['stage'],
    };
  }

  async signOut(user: SessionUser): Promise<void> {
    const now = this.clock.now();
    await withSystem(this.db, async (tx) => {
      await tx.updateTable('sessions').set({ ended_at: now, ended_reason: 'signed_out' }).where('id', '=', user.sessionId).execute();
      await recordAudit(tx, { partnershipId: user.homePartnershipId, actorUserId: user.userId, actorLabel: user.email, action: 'sign_out' });
    });
  }

  /** Ends every session of a user at once (account disabled, roles changed). Runs in the caller's transaction. */
  static async endSessionsFor(tx: Tx, userId: string, reason: string, now: Date): Promise<void> {
    // Sessions are owner-only for writes; this statement is the single exception the admin path needs.
    await sql`SELECT lantern_end_sessions(${userId}::uuid, ${reason}, ${now.toISOString()}::timestamptz)`.execute(tx);
  }

  /** Partnerships the user may act in: their own and those with a live grant under an agreement. */
  async actingOptions(userId: string): Promise<{ id: string; name: string }[]> {
    const now = this.clock.now();
    return withSystem(this.db, async (tx) => {
      const home = await tx.selectFrom('users').innerJoin('partnerships', 'partnerships.id', 'users.partnership_id')
        .select(['partnerships.id', 'partnerships.name']).where('users.id', '=', userId).execute();
      const shared = await tx.selectFrom('partnership_access_grants as g')
        .innerJoin('sharing_agreements as a', 'a.id', 'g.agreement_id')
        .innerJoin('partnerships as p', 'p.id', 'g.partnership_id')
        .select(['p.id', 'p.name'])
        .where('g.user_id', '=', userId).where('g.revoked_at', 'is', null)
        .where('a.starts_on', '<=', now.toISOString().slice(0, 10))
        .where((eb) => eb.or([eb('a.ends_on', 'is', null), eb('a.ends_on', '>=', now.toISOString().slice(0, 10))]))
        .execute();
      return [...home, ...shared];
    });
  }

  /** Switch the acting partnership (audited in both partnerships' chains). */
  async switchPartnership(user: SessionUser, partnershipId: string): Promise<boolean> {
    const options = await this.actingOptions(user.userId);
    if (!options.some((o) => o.id === partnershipId)) return false;
    await withSystem(this.db, async (tx) => {
      await tx.updateTable('sessions').set({ acting_partnership_id: partnershipId }).where('id', '=', user.sessionId).execute();
      for (const p of new Set([user.homePartnershipId, partnershipId])) {
        await recordAudit(tx, { partnershipId: p, actorUserId: user.userId, actorLabel: user.email, action: 'partnership.switch',
          details: { from: user.partnershipId, to: partnershipId } });
      }
    });
    return true;
  }

  private async activeGrant(userId: string, partnershipId: string, now: Date): Promise<string[] | null> {
    const today = now.toISOString().slice(0, 10);
    const row = await withSystem(this.db, (tx) =>
      tx.selectFrom('partnership_access_grants as g').innerJoin('sharing_agreements as a', 'a.id', 'g.agreement_id')
        .select('g.roles')
        .where('g.user_id', '=', userId).where('g.partnership_id', '=', partnershipId).where('g.revoked_at', 'is', null)
        .where('a.starts_on', '<=', today)
        .where((eb) => eb.or([eb('a.ends_on', 'is', null), eb('a.ends_on', '>=', today)]))
        .executeTakeFirst(),
    );
    return row?.roles ?? null;
  }

  private async insertSession(tx: Tx, token: string, userId: string, partnershipId: string, acting: string, stage: SessionUser['stage'], now: Date) {
    await tx.insertInto('sessions').values({
      id: sha256(token), user_id: userId, partnership_id: partnershipId, acting_partnership_id: acting, stage,
      created_at: now, last_seen_at: now,
      absolute_expires_at: new Date(now.getTime() + this.policy.absoluteHours * 3_600_000),
    }).execute();
  }

  private async isLocked(key: string, now: Date, tx?: Tx): Promise<boolean> {
    const run = (t: Tx) => t.selectFrom('sign_in_throttle').select('locked_until').where('key', '=', key).executeTakeFirst();
    const row = tx ? await run(tx) : await withSystem(this.db, run);
    return !!row?.locked_until && row.locked_until > now;
  }

  private async noteFailure(tx: Tx, key: string, max: number, now: Date): Promise<void> {
    const windowStart = new Date(now.getTime() - minutes(windowMinutes));
    const lockUntil = new Date(now.getTime() + minutes(lockMinutes));
    // One statement so concurrent failures count exactly; an old window starts again at 1.
    await sql`
      INSERT INTO sign_in_throttle AS t (key, failures, window_started_at) VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < ${windowStart} THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < ${windowStart} THEN ${now} ELSE t.window_started_at END,
        locked_until = CASE WHEN t.window_started_at >= ${windowStart} AND t.failures + 1 >= ${max} THEN ${lockUntil}
                            ELSE t.locked_until END`.execute(tx);
  }
}
