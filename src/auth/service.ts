import crypto from 'node:crypto';
import { sql } from 'kysely';
import { recordExplicitAudit, type ExplicitAuditEntry } from '../audit/audit.ts';
import { isRole, type Role } from '../authz/roles.ts';
import type { ApiScope } from '../authz/policy.ts';
import { addHours, londonDate } from '../dates.ts';
import { readAsAuth, withAuth, type Credential, type DbActor, type Tx } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { SecretBox } from './secrets.ts';
import { checkTotp, newTotpSecret } from './totp.ts';
import type { OidcIdentity } from './oidc.ts';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  authenticationOptions,
  challengeMinutes,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type RelyingParty,
  type StoredPasskey,
} from './passkeys.ts';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export type SessionStage = 'second_factor' | 'enrol' | 'change_password' | 'register_passkey' | 'signed_in';

/** Roles that must have a passkey or security key as their second factor (issue 16 §1). */
export const passkeyRequiredRoles: readonly string[] = ['partnership_admin', 'system_admin'];
export const needsPasskey = (roles: readonly string[]) => roles.some((r) => passkeyRequiredRoles.includes(r));

/** The signed-in person (or partner system) as every request sees them. */
export interface SessionUser {
  /** For a session, its id (the SHA-256 of the cookie's token); for an API token, `api-token:<id>`. */
  sessionId: string;
  credential: Credential;
  userId: string;
  email: string;
  displayName: string;
  homePartnershipId: string;
  partnershipId: string;
  partnershipName: string;
  agencyId: string;
  agencyName: string;
  roles: Role[];
  /** An API token's scopes (src/authz/policy.ts); absent for a signed-in person. */
  scopes?: ApiScope[];
  stage: SessionStage;
  /** The person's saved language (users.preferred_language, issue 11), read with the session; null for none or an API token. */
  preferredLanguage?: 'en' | 'cy' | null;
  /** The acting partnership's languages (migration 0022): its default, and whether it offers Welsh. */
  partnershipLanguages?: { defaultLanguage: 'en' | 'cy'; offersWelsh: boolean };
  /** Where the request came from (trusted proxies only) and its user agent: kept on every audit row. */
  clientAddress: string | null;
  userAgent: string | null;
}

export function actorOf(user: SessionUser): DbActor {
  return { credential: user.credential, clientAddress: user.clientAddress, userAgent: user.userAgent, partnershipId: user.partnershipId, userId: user.userId };
}

/** Where a request came from: the client address (from trusted proxies only) and user agent. */
export interface RequestOrigin {
  clientAddress: string;
  userAgent: string | null;
}

// Throttling: an account (or unknown email) locks for 15 minutes after 5 failures in 15 minutes;
// a client address after 50. Second-factor failures have their own count per account, which a
// correct password does not reset, and count per address too (security review H3). Locks always
// expire, so nobody can be locked out for good.
const windowMinutes = 15;
const lockMinutes = 15;
const maxFailuresPerAccount = 5;
const maxFailuresPerAddress = 50;
/** A half-signed-in session (password checked) lasts this long. */
const pendingMinutes = 10;
/** An administrator's one-time password works this long, and must be changed at first sign-in (M8). */
export const issuedPasswordHours = 72;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const newToken = () => crypto.randomBytes(32).toString('base64url');
const minutes = (n: number) => n * 60_000;
const keys = {
  account: (email: string) => `email:${sha256(email)}`,
  secondFactor: (userId: string) => `totp:${userId}`,
  address: (clientAddress: string) => `addr:${sha256(clientAddress)}`,
};

/** Whom a sign-in or account audit row names, and where the request came from. */
interface AuditedAccount {
  partnershipId: string | null;
  userId: string | null;
  label: string;
  clientAddress: string | null;
  userAgent: string | null;
}

/** An account as audit rows name it, for a request from origin. */
const account = (partnershipId: string | null, userId: string | null, label: string, origin: RequestOrigin): AuditedAccount => ({
  partnershipId,
  userId,
  label,
  clientAddress: origin.clientAddress,
  userAgent: origin.userAgent,
});

/** A signed-in person as their own account's audit rows name them: in their home partnership, from this request. */
const signedIn = (user: SessionUser): AuditedAccount => ({
  partnershipId: user.homePartnershipId,
  userId: user.userId,
  label: user.email,
  clientAddress: user.clientAddress,
  userAgent: user.userAgent,
});

/** How a session was opened, or a sign-in tried: the first factor and, once given or tried, the second. */
export type FirstFactor = 'password' | 'oidc';
export type SecondFactor = 'totp' | 'passkey' | 'provider';
export interface SignInMethod {
  at: Date;
  method: FirstFactor | null;
  secondFactor?: SecondFactor | null;
}

const historyOutcome: Partial<Record<ExplicitAuditEntry['action'], 'success' | 'failure' | 'locked'>> = {
  'sign_in.success': 'success',
  'sign_in.failure': 'failure',
  'sign_in.second_factor_failure': 'failure',
  'sign_in.locked': 'locked',
};

/**
 * The audit row of a sign-in or account event (lantern_auth writes these itself: recordExplicitAudit).
 * A sign-in, failed attempt or lock on a known account is also the one place the account's own
 * sign-in history (sign_in_events, migration 0635) is written, in the same transaction.
 */
async function auditAccount(
  tx: Tx,
  who: AuditedAccount,
  action: ExplicitAuditEntry['action'],
  details?: Record<string, unknown>,
  how?: SignInMethod,
): Promise<void> {
  const outcome = historyOutcome[action];
  if (outcome && who.userId && who.partnershipId) {
    await tx
      .insertInto('sign_in_events')
      .values({
        partnership_id: who.partnershipId,
        user_id: who.userId,
        occurred_at: how?.at ?? new Date(),
        outcome,
        method: how?.method ?? 'unknown',
        second_factor: how?.secondFactor ?? null,
        client_address: who.clientAddress?.slice(0, 100) ?? null,
        user_agent: who.userAgent?.slice(0, 400) ?? null,
      })
      .execute();
  }
  return recordExplicitAudit(tx, {
    partnershipId: who.partnershipId,
    actorUserId: who.userId,
    actorLabel: who.label,
    action,
    clientAddress: who.clientAddress,
    userAgent: who.userAgent,
    ...(details ? { details } : {}),
  });
}

const firstFactor = (value: string | null | undefined): FirstFactor | null => (value === 'password' || value === 'oidc' ? value : null);
const secondFactorOf = (value: string | null | undefined): SecondFactor | null =>
  value === 'totp' || value === 'passkey' || value === 'provider' ? value : null;
/**
 * The one place a sign-in completes (password and code, passkey, single sign-on): the account's
 * last sign-in is now and any notice that it is dormant is withdrawn (issue 16 §1), then the audit row.
 */
async function signedInNow(tx: Tx, who: AuditedAccount, now: Date, details?: Record<string, unknown>, how?: SignInMethod): Promise<void> {
  if (who.userId) await tx.updateTable('users').set({ last_signed_in_at: now, dormant_notice_at: null }).where('id', '=', who.userId).execute();
  await auditAccount(tx, who, 'sign_in.success', details, how);
}

/** A session not yet ended, by its id, with its account. */
const openSession = (db: Database | Tx, id: string) =>
  db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').where('sessions.id', '=', id).where('sessions.ended_at', 'is', null);

/** Ends one session, saying why. */
const endSession = (tx: Tx, id: string, reason: string, now: Date) =>
  tx.updateTable('sessions').set({ ended_at: now, ended_reason: reason }).where('id', '=', id).execute();

/** A user's grants under sharing agreements that are in force on the day (not revoked, the agreement started and not ended). */
const liveGrantsOf = (tx: Tx, userId: string, today: string) =>
  tx
    .selectFrom('partnership_access_grants as g')
    .innerJoin('sharing_agreements as a', 'a.id', 'g.agreement_id')
    .where('g.user_id', '=', userId)
    .where('g.revoked_at', 'is', null)
    .where('a.starts_on', '<=', today)
    .where((eb) => eb.or([eb('a.ends_on', 'is', null), eb('a.ends_on', '>=', today)]));

export type SignInResult = { ok: true; token: string; stage: SessionStage } | { ok: false; reason?: 'issued_password_expired' };

/** Why a provider's answer opened no account (the refusal page says which, in general terms). */
export type OidcRefusal = 'unknown_account' | 'unverified_email' | 'identity_mismatch' | 'locked';
export type OidcSignInResult = { ok: true; token: string; stage: SessionStage } | { ok: false; reason: OidcRefusal };

export type PasswordChangeResult = { ok: true; token: string } | { ok: false; field: 'currentPassword' | 'newPassword' | 'code'; messageKey: string };

export interface ActiveSession {
  id: string;
  current: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
  actingPartnership: string;
  method: FirstFactor | null;
  secondFactor: SecondFactor | null;
}

/** One line of a person's own sign-in history. */
export interface SignInHistoryEntry {
  occurredAt: Date;
  outcome: 'success' | 'failure' | 'locked';
  method: FirstFactor | null;
  secondFactor: SecondFactor | null;
  clientAddress: string | null;
  userAgent: string | null;
}

/** How many sign-ins and attempts the account page lists. */
export const signInHistoryLength = 50;

/**
 * Sign-in, second factor, sessions and the account page. Everything here runs as lantern_auth
 * (withAuth), the only role that may read password hashes, TOTP secrets and sessions.
 */
export class AuthService {
  constructor(
    private readonly auth: Database,
    private readonly clock: Clock,
    private readonly policy: SessionPolicy,
    private readonly secrets: SecretBox,
    private readonly options: { adminPasskeyRequired: boolean; relyingParty: RelyingParty } = {
      adminPasskeyRequired: false,
      relyingParty: { rpId: 'localhost', origins: 'localhost' },
    },
  ) {}

  /** First step: email and password. The answer never says whether the account exists. */
  async signInWithPassword(emailInput: string, password: string, origin: RequestOrigin): Promise<SignInResult> {
    const email = emailInput.trim().toLowerCase();
    const now = this.clock.now();
    const accountKey = keys.account(email);
    const addressKey = keys.address(origin.clientAddress);

    const user = await withAuth(this.auth, (tx) =>
      tx
        .selectFrom('users')
        .select(['id', 'partnership_id', 'password_hash', 'disabled_at', 'totp_enrolled_at', 'must_change_password', 'password_expires_at'])
        .where('email', '=', email)
        .executeTakeFirst(),
    );
    const locked = await this.isLocked([accountKey, addressKey, ...(user ? [keys.secondFactor(user.id)] : [])], now);
    const passwordOk = user?.password_hash && !locked ? await verifyPassword(user.password_hash, password) : (await burnPasswordCheck(password), false);
    // Only someone who knows the password learns that it was an issued one that has expired.
    const expired = !!user && passwordOk && user.must_change_password && !!user.password_expires_at && user.password_expires_at <= now;

    if (!passwordOk || !user || user.disabled_at || expired) {
      await withAuth(this.auth, async (tx) => {
        await this.noteFailures(tx, accountKey, addressKey, now);
        await auditAccount(
          tx,
          account(user?.partnership_id ?? null, user?.id ?? null, email.slice(0, 200), origin),
          locked ? 'sign_in.locked' : 'sign_in.failure',
          { step: 'password', ...(expired ? { reason: 'issued_password_expired' } : {}) },
          { at: now, method: 'password' },
        );
      });
      return expired ? { ok: false, reason: 'issued_password_expired' } : { ok: false };
    }

    const stage = user.totp_enrolled_at ? 'second_factor' : 'enrol';
    const token = newToken();
    await withAuth(this.auth, async (tx) => {
      // A correct password ends the password count; the second factor keeps its own (H3).
      await tx.deleteFrom('sign_in_throttle').where('key', '=', accountKey).execute();
      await this.insertSession(tx, token, user.id, user.partnership_id, user.partnership_id, stage, now, origin, { at: now, method: 'password' });
      if (stage === 'enrol') {
        // A fresh secret each time enrolment starts; it only counts once a code from it is checked.
        await tx
          .updateTable('users')
          .set({ totp_secret: this.secrets.seal(user.id, newTotpSecret()) })
          .where('id', '=', user.id)
          .execute();
      }
    });
    return { ok: true, token, stage };
  }

  /**
   * Sign-in through the organisation's OpenID Connect provider (issue 16 §1). The provider's subject,
   * once bound to an account, opens only that account; the first time, the provider's verified email
   * must be an existing account's (nobody registers themselves), and that account must not already be
   * bound to another subject at the same provider (an email given to someone else). With the
   * provider's word that it checked a second factor the session is signed in; otherwise Lantern asks
   * for its own, exactly as after a password.
   */
  async signInWithOidc(identity: OidcIdentity, origin: RequestOrigin): Promise<OidcSignInResult> {
    const now = this.clock.now();
    const addressKey = keys.address(origin.clientAddress);
    const label = (identity.email ?? `${identity.issuer} ${identity.subject}`).slice(0, 200);
    return withAuth(this.auth, async (tx) => {
      const refuse = async (reason: OidcRefusal, user?: { id: string; partnership_id: string }) => {
        await this.noteFailure(tx, addressKey, maxFailuresPerAddress, now);
        await auditAccount(
          tx,
          account(user?.partnership_id ?? null, user?.id ?? null, label, origin),
          reason === 'locked' ? 'sign_in.locked' : 'sign_in.failure',
          {
            step: 'oidc',
            reason,
            issuer: identity.issuer,
          },
          { at: now, method: 'oidc' },
        );
        return { ok: false, reason } as const;
      };
      const columns = ['id', 'partnership_id', 'email', 'disabled_at', 'totp_enrolled_at', 'must_change_password', 'roles'] as const;
      const linked = await tx
        .selectFrom('oidc_identities')
        .select(['user_id'])
        .where('issuer', '=', identity.issuer)
        .where('subject', '=', identity.subject)
        .executeTakeFirst();
      let user = linked ? await tx.selectFrom('users').select(columns).where('id', '=', linked.user_id).executeTakeFirst() : undefined;
      if (!linked) {
        if (!identity.email) return refuse('unknown_account');
        if (!identity.emailVerified) return refuse('unverified_email');
        user = await tx.selectFrom('users').select(columns).where('email', '=', identity.email).executeTakeFirst();
        if (!user) return refuse('unknown_account');
        const other = await tx
          .selectFrom('oidc_identities')
          .select('subject')
          .where('user_id', '=', user.id)
          .where('issuer', '=', identity.issuer)
          .executeTakeFirst();
        if (other) return refuse('identity_mismatch', user);
      }
      if (!user || user.disabled_at) return refuse('unknown_account', user);
      if (await this.isLocked([keys.account(user.email), keys.secondFactor(user.id), addressKey], now, tx)) return refuse('locked', user);
      if (linked) {
        await tx
          .updateTable('oidc_identities')
          .set({ last_used_at: now })
          .where('issuer', '=', identity.issuer)
          .where('subject', '=', identity.subject)
          .execute();
      } else {
        await tx
          .insertInto('oidc_identities')
          .values({
            partnership_id: user.partnership_id,
            user_id: user.id,
            issuer: identity.issuer,
            subject: identity.subject,
            created_at: now,
            last_used_at: now,
          })
          .execute();
      }
      const who = account(user.partnership_id, user.id, user.email, origin);
      let stage: SessionStage;
      const hasPasskey = await this.hasPasskey(tx, user.id);
      // An administrator who must use a passkey is asked for it even after the provider's own second factor.
      const providerSuffices = identity.mfa && !(this.passkeyRequired(user.roles) && hasPasskey);
      if (providerSuffices) stage = await this.stageAfterSecondFactor(tx, user);
      else stage = user.totp_enrolled_at || hasPasskey ? 'second_factor' : 'enrol';
      if (stage === 'enrol') {
        await tx
          .updateTable('users')
          .set({ totp_secret: this.secrets.seal(user.id, newTotpSecret()) })
          .where('id', '=', user.id)
          .execute();
      }
      const token = newToken();
      const how: SignInMethod = { at: now, method: 'oidc', secondFactor: providerSuffices ? 'provider' : null };
      await this.insertSession(tx, token, user.id, user.partnership_id, user.partnership_id, stage, now, origin, how);
      if (providerSuffices) {
        await signedInNow(tx, who, now, { method: 'oidc', secondFactor: 'provider', ...(stage !== 'signed_in' ? { next: stage } : {}) }, how);
      }
      return { ok: true, token, stage } as const;
    });
  }

  /** Whether this person must sign in with a passkey or security key. */
  passkeyRequired(roles: readonly string[]): boolean {
    return this.options.adminPasskeyRequired && needsPasskey(roles);
  }

  /** Whether the account has a passkey or security key. */
  private async hasPasskey(tx: Tx, userId: string): Promise<boolean> {
    return !!(await tx.selectFrom('webauthn_credentials').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst());
  }

  /**
   * Where a person goes once both factors are checked: a one-time password is changed first (M8); an
   * administrator with no passkey or security key registers one before anything else (issue 16 §1).
   */
  private async stageAfterSecondFactor(tx: Tx, user: { id: string; must_change_password: boolean; roles: string[] }): Promise<SessionStage> {
    if (user.must_change_password) return 'change_password';
    if (this.passkeyRequired(user.roles) && !(await this.hasPasskey(tx, user.id))) return 'register_passkey';
    return 'signed_in';
  }

  /**
   * Second step: a TOTP code. Success replaces the session with a new id (no fixation). A code is
   * accepted once, even when the same code arrives on several connections at once (M1): the time
   * step is stored by a conditional update, and only the update that moves it forward wins.
   */
  async completeSecondFactor(token: string, code: string, origin: RequestOrigin): Promise<SignInResult> {
    const now = this.clock.now();
    const id = sha256(token);
    return withAuth(this.auth, async (tx) => {
      const row = await openSession(tx, id)
        .select([
          'sessions.stage',
          'sessions.created_at',
          'sessions.sign_in_method',
          'users.id as user_id',
          'users.partnership_id',
          'users.email',
          'users.totp_secret',
          'users.totp_last_step',
          'users.disabled_at',
          'users.must_change_password',
          'users.roles',
        ])
        .executeTakeFirst();
      if (
        !row ||
        (row.stage !== 'second_factor' && row.stage !== 'enrol') ||
        row.disabled_at ||
        !row.totp_secret ||
        now.getTime() - row.created_at.getTime() > minutes(pendingMinutes)
      ) {
        return { ok: false } as const;
      }
      const secondFactorKey = keys.secondFactor(row.user_id);
      const addressKey = keys.address(origin.clientAddress);
      const who = account(row.partnership_id, row.user_id, row.email, origin);
      const how: SignInMethod = { at: now, method: firstFactor(row.sign_in_method), secondFactor: 'totp' };
      const audit = (action: ExplicitAuditEntry['action'], details?: Record<string, unknown>) => auditAccount(tx, who, action, details, how);
      if (await this.isLocked([secondFactorKey, keys.account(row.email), addressKey], now, tx)) {
        await audit('sign_in.locked', { step: 'second_factor' });
        return { ok: false } as const;
      }
      // Someone who must use a passkey and has one cannot fall back on the authenticator app.
      const passkeyOnly = this.passkeyRequired(row.roles) && (await this.hasPasskey(tx, row.user_id));
      const secret = passkeyOnly ? null : this.secrets.open(row.user_id, row.totp_secret);
      const checked = secret
        ? await checkTotp(secret, code.trim(), now, row.totp_last_step === null ? null : Number(row.totp_last_step))
        : ({ ok: false } as const);
      const accepted = checked.ok && (await this.advanceTotpStep(tx, row.user_id, checked.step, row.stage === 'enrol' ? now : null));
      if (!accepted) {
        await this.noteFailures(tx, secondFactorKey, addressKey, now);
        await audit('sign_in.second_factor_failure');
        return { ok: false } as const;
      }
      await tx.deleteFrom('sign_in_throttle').where('key', '=', secondFactorKey).execute();
      await endSession(tx, id, 'rotated', now);
      const fresh = newToken();
      const stage = await this.stageAfterSecondFactor(tx, { id: row.user_id, must_change_password: row.must_change_password, roles: row.roles });
      await this.insertSession(tx, fresh, row.user_id, row.partnership_id, row.partnership_id, stage, now, origin, how);
      if (row.stage === 'enrol') await audit('sign_in.enrolled_second_factor');
      await signedInNow(tx, who, now, stage === 'change_password' ? { next: 'change_password' } : undefined, how);
      return { ok: true, token: fresh, stage } as const;
    });
  }

  // ---- Passkeys and security keys (issue 16 §1) ----

  private async passkeysOf(tx: Tx, userId: string): Promise<(StoredPasskey & { id: string })[]> {
    const rows = await tx
      .selectFrom('webauthn_credentials')
      .select(['id', 'credential_id', 'public_key', 'sign_count', 'transports'])
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => ({ id: r.id, credentialId: r.credential_id, publicKey: r.public_key, signCount: Number(r.sign_count), transports: r.transports }));
  }

  /** Keeps a ceremony's challenge on the session that asked for it. */
  private async keepChallenge(tx: Tx, sessionId: string, challenge: string, now: Date): Promise<void> {
    await tx
      .updateTable('sessions')
      .set({ webauthn_challenge: challenge, webauthn_challenge_expires_at: new Date(now.getTime() + minutes(challengeMinutes)) })
      .where('id', '=', sessionId)
      .execute();
  }

  /** Takes the session's challenge, once: a second answer to the same challenge finds none. */
  private async takeChallenge(tx: Tx, sessionId: string, now: Date): Promise<string | null> {
    const row = await tx
      .updateTable('sessions')
      .set({ webauthn_challenge: null, webauthn_challenge_expires_at: null })
      .where('id', '=', sessionId)
      .where('webauthn_challenge', 'is not', null)
      .where('webauthn_challenge_expires_at', '>', now)
      .returning(sql<string>`(SELECT s.webauthn_challenge FROM sessions s WHERE s.id = sessions.id)`.as('challenge'))
      .executeTakeFirst();
    return row?.challenge ?? null;
  }

  /** What the second-factor page offers this pending session: a passkey, the authenticator app, or both. */
  async secondFactorChoices(token: string): Promise<{ passkey: boolean; totp: boolean }> {
    return withAuth(this.auth, async (tx) => {
      const row = await openSession(tx, sha256(token)).select(['users.id', 'users.roles', 'users.totp_enrolled_at']).executeTakeFirst();
      if (!row) return { passkey: false, totp: true };
      const passkey = await this.hasPasskey(tx, row.id);
      return { passkey, totp: !!row.totp_enrolled_at && !(passkey && this.passkeyRequired(row.roles)) };
    });
  }

  /** The options for registering a passkey, for a signed-in person or one held at the register_passkey stage. */
  async passkeyRegistrationOptions(user: SessionUser): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const now = this.clock.now();
    return withAuth(this.auth, async (tx) => {
      const options = await registrationOptions(
        this.options.relyingParty,
        { id: user.userId, email: user.email, displayName: user.displayName },
        await this.passkeysOf(tx, user.userId),
      );
      await this.keepChallenge(tx, user.sessionId, options.challenge, now);
      return options;
    });
  }

  /**
   * Registers the passkey a browser made for the challenge. Someone held at the register_passkey
   * stage is then signed in, in a new session.
   */
  async registerPasskey(user: SessionUser, response: RegistrationResponseJSON, name: string): Promise<{ ok: true; token?: string } | { ok: false }> {
    const now = this.clock.now();
    const challenge = await withAuth(this.auth, (tx) => this.takeChallenge(tx, user.sessionId, now));
    if (!challenge) return { ok: false };
    const verified = await verifyRegistration(this.options.relyingParty, response, challenge);
    const who = signedIn(user);
    return withAuth(this.auth, async (tx) => {
      if (!verified.ok) {
        await auditAccount(tx, who, 'passkey.register_failure', { detail: verified.detail });
        return { ok: false } as const;
      }
      await tx
        .insertInto('webauthn_credentials')
        .values({
          partnership_id: user.homePartnershipId,
          user_id: user.userId,
          credential_id: verified.passkey.credentialId,
          public_key: Buffer.from(verified.passkey.publicKey),
          sign_count: String(verified.passkey.signCount),
          transports: verified.passkey.transports,
          name: name.slice(0, 100) || 'Passkey',
          backed_up: verified.backedUp,
          created_at: now,
        })
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .execute();
      await auditAccount(tx, who, 'passkey.register', { name: name.slice(0, 100) });
      if (user.stage !== 'register_passkey') return { ok: true } as const;
      const held = await tx.selectFrom('sessions').select(['sign_in_method', 'second_factor']).where('id', '=', user.sessionId).executeTakeFirst();
      const how: SignInMethod = { at: now, method: firstFactor(held?.sign_in_method), secondFactor: secondFactorOf(held?.second_factor) };
      await endSession(tx, user.sessionId, 'rotated', now);
      const fresh = newToken();
      await this.insertSession(
        tx,
        fresh,
        user.userId,
        user.homePartnershipId,
        user.homePartnershipId,
        'signed_in',
        now,
        {
          clientAddress: user.clientAddress ?? 'unknown',
          userAgent: user.userAgent,
        },
        how,
      );
      await signedInNow(tx, who, now, { next: 'registered_passkey' }, how);
      return { ok: true, token: fresh } as const;
    });
  }

  /** The options for signing in with a passkey, for a session at the second-factor stage. */
  async passkeySignInOptions(token: string): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    const now = this.clock.now();
    const id = sha256(token);
    return withAuth(this.auth, async (tx) => {
      const row = await openSession(tx, id).select(['users.id', 'sessions.stage']).executeTakeFirst();
      if (!row || row.stage !== 'second_factor') return null;
      const passkeys = await this.passkeysOf(tx, row.id);
      if (passkeys.length === 0) return null;
      const options = await authenticationOptions(this.options.relyingParty, passkeys);
      await this.keepChallenge(tx, id, options.challenge, now);
      return options;
    });
  }

  /** Second step with a passkey: as completeSecondFactor, the session is replaced by a new one. */
  async completePasskey(token: string, response: AuthenticationResponseJSON, origin: RequestOrigin): Promise<SignInResult> {
    const now = this.clock.now();
    const id = sha256(token);
    const row = await withAuth(this.auth, (tx) =>
      openSession(tx, id)
        .select([
          'sessions.stage',
          'sessions.created_at',
          'sessions.sign_in_method',
          'users.id as user_id',
          'users.partnership_id',
          'users.email',
          'users.disabled_at',
          'users.must_change_password',
          'users.roles',
        ])
        .executeTakeFirst(),
    );
    if (!row || row.stage !== 'second_factor' || row.disabled_at || now.getTime() - row.created_at.getTime() > minutes(pendingMinutes)) return { ok: false };
    const secondFactorKey = keys.secondFactor(row.user_id);
    const addressKey = keys.address(origin.clientAddress);
    const who = account(row.partnership_id, row.user_id, row.email, origin);
    const how: SignInMethod = { at: now, method: firstFactor(row.sign_in_method), secondFactor: 'passkey' };
    const challenge = await withAuth(this.auth, (tx) => this.takeChallenge(tx, id, now));
    const passkey = await withAuth(this.auth, async (tx) => (await this.passkeysOf(tx, row.user_id)).find((p) => p.credentialId === response.id));
    const locked = await this.isLocked([secondFactorKey, keys.account(row.email), addressKey], now);
    const verified =
      challenge && passkey && !locked
        ? await verifyAuthentication(this.options.relyingParty, response, challenge, passkey)
        : ({ ok: false, detail: 'no challenge, unknown passkey or locked' } as const);
    return withAuth(this.auth, async (tx) => {
      if (!verified.ok || !passkey) {
        await this.noteFailures(tx, secondFactorKey, addressKey, now);
        await auditAccount(
          tx,
          who,
          locked ? 'sign_in.locked' : 'sign_in.second_factor_failure',
          {
            method: 'passkey',
            detail: verified.ok ? '' : verified.detail,
          },
          how,
        );
        return { ok: false } as const;
      }
      await tx
        .updateTable('webauthn_credentials')
        .set({ sign_count: String(verified.signCount), last_used_at: now, backed_up: verified.backedUp })
        .where('id', '=', passkey.id)
        .execute();
      await tx.deleteFrom('sign_in_throttle').where('key', '=', secondFactorKey).execute();
      await endSession(tx, id, 'rotated', now);
      const fresh = newToken();
      const stage = await this.stageAfterSecondFactor(tx, { id: row.user_id, must_change_password: row.must_change_password, roles: row.roles });
      await this.insertSession(tx, fresh, row.user_id, row.partnership_id, row.partnership_id, stage, now, origin, how);
      await signedInNow(tx, who, now, { method: 'passkey', ...(stage !== 'signed_in' ? { next: stage } : {}) }, how);
      return { ok: true, token: fresh, stage } as const;
    });
  }

  /** The person's own passkeys, for the account page. */
  async listPasskeys(user: SessionUser): Promise<{ id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[]> {
    const rows = await withAuth(this.auth, (tx) =>
      tx
        .selectFrom('webauthn_credentials')
        .select(['id', 'name', 'created_at', 'last_used_at'])
        .where('user_id', '=', user.userId)
        .orderBy('created_at')
        .execute(),
    );
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  /** Removes one of the person's own passkeys; someone who must use one cannot remove their last. */
  async removePasskey(user: SessionUser, passkeyId: string): Promise<'removed' | 'not_found' | 'last_required'> {
    return withAuth(this.auth, async (tx) => {
      const mine = await tx.selectFrom('webauthn_credentials').select(['id', 'name']).where('user_id', '=', user.userId).execute();
      const target = mine.find((p) => p.id === passkeyId);
      if (!target) return 'not_found';
      if (mine.length === 1 && this.passkeyRequired(user.roles)) return 'last_required';
      await tx.deleteFrom('webauthn_credentials').where('id', '=', target.id).where('user_id', '=', user.userId).execute();
      await auditAccount(tx, signedIn(user), 'passkey.remove', { name: target.name });
      return 'removed';
    });
  }

  /** Stores a TOTP time step only if it moves forward; false when another request got there first. */
  private async advanceTotpStep(tx: Tx, userId: string, step: number, enrolledAt: Date | null): Promise<boolean> {
    const r = await tx
      .updateTable('users')
      .set({ totp_last_step: step, ...(enrolledAt ? { totp_enrolled_at: enrolledAt } : {}) })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The TOTP secret to show while enrolling (only for a session at the enrol stage). */
  async enrolmentSecret(token: string): Promise<{ secret: string; email: string } | null> {
    const row = await withAuth(this.auth, (tx) =>
      openSession(tx, sha256(token)).select(['users.id', 'users.totp_secret', 'users.email']).where('sessions.stage', '=', 'enrol').executeTakeFirst(),
    );
    const secret = row?.totp_secret ? this.secrets.open(row.id, row.totp_secret) : null;
    return row && secret ? { secret, email: row.email } : null;
  }

  /**
   * Resolves a cookie to a session, enforcing the idle and absolute limits and a disabled
   * account. Touches last_seen_at at most once a minute to keep reads cheap.
   */
  async resolveSession(token: string, origin: RequestOrigin): Promise<SessionUser | null> {
    const now = this.clock.now();
    const id = sha256(token);
    // One statement on a server: this runs on every request.
    const row = await readAsAuth(this.auth, (db) =>
      openSession(db, id)
        .innerJoin('agencies', 'agencies.id', 'users.agency_id')
        .innerJoin('partnerships', 'partnerships.id', 'sessions.acting_partnership_id')
        .select([
          'sessions.stage',
          'sessions.last_seen_at',
          'sessions.absolute_expires_at',
          'sessions.acting_partnership_id',
          'users.id as user_id',
          'users.email',
          'users.display_name',
          'users.partnership_id',
          'users.agency_id',
          'users.roles',
          'users.disabled_at',
          'users.preferred_language',
          'agencies.name as agency_name',
          'partnerships.name as partnership_name',
          'partnerships.default_language',
          'partnerships.offers_welsh',
        ])
        .executeTakeFirst(),
    );
    if (!row) return null;
    const idleExpired = now.getTime() - row.last_seen_at.getTime() > minutes(this.policy.idleMinutes);
    const absoluteExpired = now >= row.absolute_expires_at;
    if (row.disabled_at || idleExpired || absoluteExpired) {
      const reason = row.disabled_at ? 'disabled' : idleExpired ? 'idle' : 'absolute';
      await withAuth(this.auth, async (tx) => {
        await endSession(tx, id, reason, now);
        await auditAccount(tx, account(row.partnership_id, row.user_id, row.email, origin), 'session.expired', { reason });
      });
      return null;
    }
    let roleList = row.roles.filter(isRole);
    if (row.acting_partnership_id !== row.partnership_id) {
      const grant = await this.activeGrant(row.user_id, row.acting_partnership_id, now);
      if (!grant) return null;
      roleList = grant.filter(isRole);
    }
    if (now.getTime() - row.last_seen_at.getTime() > minutes(1)) {
      await readAsAuth(this.auth, (db) => db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute());
    }
    return {
      sessionId: id,
      credential: { kind: 'session', sessionId: id },
      userId: row.user_id,
      email: row.email,
      displayName: row.display_name,
      homePartnershipId: row.partnership_id,
      partnershipId: row.acting_partnership_id,
      partnershipName: row.partnership_name,
      agencyId: row.agency_id,
      agencyName: row.agency_name,
      roles: roleList,
      stage: row.stage as SessionStage,
      preferredLanguage: row.preferred_language === 'cy' || row.preferred_language === 'en' ? row.preferred_language : null,
      partnershipLanguages: { defaultLanguage: row.default_language === 'cy' ? 'cy' : 'en', offersWelsh: row.offers_welsh },
      clientAddress: origin.clientAddress,
      userAgent: origin.userAgent,
    };
  }

  async signOut(user: SessionUser): Promise<void> {
    const now = this.clock.now();
    await withAuth(this.auth, async (tx) => {
      await endSession(tx, user.sessionId, 'signed_out', now);
      await auditAccount(tx, signedIn(user), 'sign_out');
    });
  }

  /** Ends every session of a user at once (account disabled, roles changed). Runs in the caller's transaction. */
  static async endSessionsFor(tx: Tx, userId: string, reason: string, now: Date): Promise<void> {
    // Sessions are lantern_auth's; this function is the single exception the admin path needs.
    await sql`SELECT lantern_end_sessions(${userId}::uuid, ${reason}, ${now.toISOString()}::timestamptz)`.execute(tx);
  }

  // ---- The account page (M8) ----

  /** The person's live sessions, newest first. */
  async listSessions(user: SessionUser): Promise<ActiveSession[]> {
    const rows = await withAuth(this.auth, (tx) =>
      tx
        .selectFrom('sessions as s')
        .innerJoin('partnerships as p', 'p.id', 's.acting_partnership_id')
        .select(['s.id', 's.created_at', 's.last_seen_at', 's.client_address', 's.user_agent', 's.sign_in_method', 's.second_factor', 'p.name as partnership'])
        .where('s.user_id', '=', user.userId)
        .where('s.ended_at', 'is', null)
        .where('s.stage', 'in', ['signed_in', 'change_password'])
        .orderBy('s.created_at', 'desc')
        .limit(50)
        .execute(),
    );
    // Sessions past their limits are still "live" until their next request ends them; do not show them.
    const now = this.clock.now();
    return rows
      .filter((r) => now.getTime() - r.last_seen_at.getTime() <= minutes(this.policy.idleMinutes))
      .map((r) => ({
        // The page names a session by a hash of its id, never the id that opens the database context.
        id: sha256(`${r.id}:shown`).slice(0, 24),
        current: r.id === user.sessionId,
        createdAt: r.created_at,
        lastSeenAt: r.last_seen_at,
        clientAddress: r.client_address,
        userAgent: r.user_agent,
        actingPartnership: r.partnership,
        method: firstFactor(r.sign_in_method),
        secondFactor: secondFactorOf(r.second_factor),
      }));
  }

  /** Ends every other session of the person's ("sign out other sessions"); how many ended. */
  async endOtherSessions(user: SessionUser): Promise<number> {
    const now = this.clock.now();
    return withAuth(this.auth, async (tx) => {
      const r = await tx
        .updateTable('sessions')
        .set({ ended_at: now, ended_reason: 'ended_by_user' })
        .where('user_id', '=', user.userId)
        .where('ended_at', 'is', null)
        .where('id', '<>', user.sessionId)
        .executeTakeFirst();
      const ended = Number(r.numUpdatedRows);
      await auditAccount(tx, signedIn(user), 'session.end', { others: true, ended });
      return ended;
    });
  }

  /** The person's own sign-ins and failed attempts, newest first: only ever their own (by their user id). */
  async signInHistory(user: SessionUser): Promise<SignInHistoryEntry[]> {
    const rows = await withAuth(this.auth, (tx) =>
      tx
        .selectFrom('sign_in_events')
        .select(['occurred_at', 'outcome', 'method', 'second_factor', 'client_address', 'user_agent'])
        .where('user_id', '=', user.userId)
        .orderBy('occurred_at', 'desc')
        .orderBy('id')
        .limit(signInHistoryLength)
        .execute(),
    );
    return rows.map((r) => ({
      occurredAt: r.occurred_at,
      outcome: r.outcome === 'success' || r.outcome === 'locked' ? r.outcome : 'failure',
      method: firstFactor(r.method),
      secondFactor: secondFactorOf(r.second_factor),
      clientAddress: r.client_address,
      userAgent: r.user_agent,
    }));
  }

  /** Ends one of the person's own sessions, named as listSessions shows it. */
  async endOwnSession(user: SessionUser, shownId: string): Promise<boolean> {
    const now = this.clock.now();
    return withAuth(this.auth, async (tx) => {
      const live = await tx.selectFrom('sessions').select('id').where('user_id', '=', user.userId).where('ended_at', 'is', null).execute();
      const target = live.find((s) => sha256(`${s.id}:shown`).slice(0, 24) === shownId);
      if (!target) return false;
      await endSession(tx, target.id, 'ended_by_user', now);
      await auditAccount(tx, signedIn(user), 'session.end', { current: target.id === user.sessionId });
      return true;
    });
  }

  /**
   * Changes the person's own password: the current password and a fresh second-factor code are both
   * needed, and failures count toward the same locks as sign-in. Every other session ends, and the
   * current one is replaced by a new, fully signed-in session (after a forced change, too).
   */
  async changePassword(user: SessionUser, input: { currentPassword: string; newPassword: string; code: string }): Promise<PasswordChangeResult> {
    const now = this.clock.now();
    const origin = { clientAddress: user.clientAddress ?? 'unknown', userAgent: user.userAgent };
    const row = await withAuth(this.auth, (tx) =>
      tx
        .selectFrom('users')
        .select(['id', 'email', 'partnership_id', 'password_hash', 'totp_secret', 'totp_last_step'])
        .where('id', '=', user.userId)
        .executeTakeFirstOrThrow(),
    );
    const accountKey = keys.account(row.email);
    const secondFactorKey = keys.secondFactor(row.id);
    const addressKey = keys.address(origin.clientAddress);
    const who = account(row.partnership_id, row.id, row.email, origin);
    const audit = (tx: Tx, action: ExplicitAuditEntry['action'], details?: Record<string, unknown>) => auditAccount(tx, who, action, details);
    if (await this.isLocked([accountKey, secondFactorKey, addressKey], now)) {
      return { ok: false, field: 'currentPassword', messageKey: 'account.password.locked' };
    }
    const passwordOk = row.password_hash ? await verifyPassword(row.password_hash, input.currentPassword) : false;
    if (!passwordOk) {
      await withAuth(this.auth, async (tx) => {
        await this.noteFailures(tx, accountKey, addressKey, now);
        await audit(tx, 'password.change_failure', { step: 'password' });
      });
      return { ok: false, field: 'currentPassword', messageKey: 'account.password.currentWrong' };
    }
    const problem =
      passwordProblem(input.newPassword) ??
      (input.newPassword === input.currentPassword ? 'account.password.same' : null) ??
      (input.newPassword.toLowerCase().includes(row.email.split('@')[0]!.toLowerCase()) ? 'account.password.containsEmail' : null);
    if (problem) return { ok: false, field: 'newPassword', messageKey: problem };
    const newHash = await hashPassword(input.newPassword);
    return withAuth(this.auth, async (tx) => {
      const secret = row.totp_secret ? this.secrets.open(row.id, row.totp_secret) : null;
      const checked = secret
        ? await checkTotp(secret, input.code.trim(), now, row.totp_last_step === null ? null : Number(row.totp_last_step))
        : ({ ok: false } as const);
      if (!checked.ok || !(await this.advanceTotpStep(tx, row.id, checked.step, null))) {
        await this.noteFailures(tx, secondFactorKey, addressKey, now);
        await audit(tx, 'password.change_failure', { step: 'second_factor' });
        return { ok: false, field: 'code', messageKey: 'account.password.codeWrong' } as const;
      }
      await tx
        .updateTable('users')
        .set({ password_hash: newHash, must_change_password: false, password_expires_at: null, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await tx.deleteFrom('sign_in_throttle').where('key', 'in', [accountKey, secondFactorKey]).execute();
      await tx
        .updateTable('sessions')
        .set({ ended_at: now, ended_reason: 'password_changed' })
        .where('user_id', '=', row.id)
        .where('ended_at', 'is', null)
        .execute();
      const fresh = newToken();
      await this.insertSession(
        tx,
        fresh,
        row.id,
        row.partnership_id,
        user.partnershipId === user.homePartnershipId ? row.partnership_id : user.partnershipId,
        'signed_in',
        now,
        origin,
        { at: now, method: 'password', secondFactor: 'totp' },
      );
      await audit(tx, 'password.change', { forced: user.stage === 'change_password' });
      return { ok: true, token: fresh } as const;
    });
  }

  /** Partnerships the user may act in: their own and those with a live grant under an agreement. */
  async actingOptions(userId: string): Promise<{ id: string; name: string }[]> {
    const today = londonDate(this.clock.now());
    return withAuth(this.auth, async (tx) => {
      const home = await tx
        .selectFrom('users')
        .innerJoin('partnerships', 'partnerships.id', 'users.partnership_id')
        .select(['partnerships.id', 'partnerships.name'])
        .where('users.id', '=', userId)
        .execute();
      const shared = await liveGrantsOf(tx, userId, today).innerJoin('partnerships as p', 'p.id', 'g.partnership_id').select(['p.id', 'p.name']).execute();
      return [...home, ...shared];
    });
  }

  /** Switch the acting partnership (audited in both partnerships' chains). */
  async switchPartnership(user: SessionUser, partnershipId: string): Promise<boolean> {
    const options = await this.actingOptions(user.userId);
    if (!options.some((o) => o.id === partnershipId)) return false;
    await withAuth(this.auth, async (tx) => {
      await tx.updateTable('sessions').set({ acting_partnership_id: partnershipId }).where('id', '=', user.sessionId).execute();
      for (const p of new Set([user.homePartnershipId, partnershipId])) {
        await auditAccount(tx, { ...signedIn(user), partnershipId: p }, 'partnership.switch', { from: user.partnershipId, to: partnershipId });
      }
    });
    return true;
  }

  private async activeGrant(userId: string, partnershipId: string, now: Date): Promise<string[] | null> {
    const today = londonDate(now);
    const row = await withAuth(this.auth, (tx) =>
      liveGrantsOf(tx, userId, today).where('g.partnership_id', '=', partnershipId).select('g.roles').executeTakeFirst(),
    );
    return row?.roles ?? null;
  }

  private async insertSession(
    tx: Tx,
    token: string,
    userId: string,
    partnershipId: string,
    acting: string,
    stage: SessionStage,
    now: Date,
    origin: RequestOrigin,
    how: SignInMethod,
  ) {
    await tx
      .insertInto('sessions')
      .values({
        id: sha256(token),
        user_id: userId,
        partnership_id: partnershipId,
        acting_partnership_id: acting,
        stage,
        created_at: now,
        last_seen_at: now,
        absolute_expires_at: addHours(now, this.policy.absoluteHours),
        client_address: origin.clientAddress.slice(0, 100),
        user_agent: origin.userAgent?.slice(0, 400) ?? null,
        sign_in_method: how.method,
        second_factor: how.secondFactor ?? null,
      })
      .execute();
  }

  /** Whether any of the keys is locked now. */
  private async isLocked(keyList: string[], now: Date, tx?: Tx): Promise<boolean> {
    const run = (t: Tx) => t.selectFrom('sign_in_throttle').select('key').where('key', 'in', keyList).where('locked_until', '>', now).execute();
    const rows = tx ? await run(tx) : await withAuth(this.auth, run);
    return rows.length > 0;
  }

  /** A failed password or code counts against the account (or its second factor) and against the client address. */
  private async noteFailures(tx: Tx, accountKey: string, addressKey: string, now: Date): Promise<void> {
    await this.noteFailure(tx, accountKey, maxFailuresPerAccount, now);
    await this.noteFailure(tx, addressKey, maxFailuresPerAddress, now);
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

/** The expiry of a password an administrator issues now. */
export function issuedPasswordExpiry(now: Date): Date {
  return addHours(now, issuedPasswordHours);
}
