import crypto from 'node:crypto';
import { AuthService, actorOf, issuedPasswordExpiry, type Clock, type SessionUser } from '../../auth/service.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { grantableRoles } from '../../authz/policy.ts';
import { isRole, roles as allRoles, type Role } from '../../authz/roles.ts';
import { sql } from 'kysely';
import { withActor, type Act } from '../../db/context.ts';
import { assertFound } from '../../db/rows.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { AgencyContactForm, AgencyForm, AgreementForm, GrantForm, LanguageSettingsForm, UserEdit, UserForm } from './schema.ts';

interface GranteeRow {
  grant_id: string;
  user_id: string;
  display_name: string;
  email: string;
  roles: string[];
  revoked_at: Date | null;
}

/** A session as lantern_user_sessions (migration 0635) gives it. */
interface SessionRow {
  shown_id: string;
  created_at: Date | string;
  last_seen_at: Date | string;
  absolute_expires_at: Date | string;
  client_address: string | null;
  user_agent: string | null;
  sign_in_method: string | null;
  second_factor: string | null;
}

/** One of a person's open sessions on their administration page. */
export interface PersonSession {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  clientAddress: string | null;
  userAgent: string | null;
  method: string | null;
  secondFactor: string | null;
  current: boolean;
}

/** A readable one-time password an administrator passes on; the user enrols a second factor on first use. */
export function generateInitialPassword(): string {
  const words = crypto.randomBytes(12).toString('base64url');
  return `lantern-${words}`;
}

/** A refusal the page shows beside a form field (with its code's status), not on an error page. */
export class FormRefusal extends LanternError {
  constructor(
    code: 'LANTERN_E_FORBIDDEN' | 'LANTERN_E_CONFLICT' | 'LANTERN_E_VALIDATION',
    readonly field: 'email' | 'roles' | 'agencyId' | 'grant',
    readonly fieldMessageKey: string,
  ) {
    super(code, fieldMessageKey);
  }
}

// One answer whether the email is used here, in another partnership, or was taken a moment ago.
const emailRefused = () => new FormRefusal('LANTERN_E_CONFLICT', 'email', 'validation.emailCannotBeUsed');
const ownAccessRefused = (field: FormRefusal['field']) => new FormRefusal('LANTERN_E_FORBIDDEN', field, 'admin.ownAccessRefused');
const highRolesRefused = (field: FormRefusal['field']) => new FormRefusal('LANTERN_E_FORBIDDEN', field, 'admin.highRolesRefused');

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

/** Roles in the canonical order, without repeats or unknown names. */
const ordered = (list: readonly string[]): Role[] => allRoles.filter((r) => list.includes(r));
const sameRoles = (a: readonly string[], b: readonly string[]) => ordered(a).join() === ordered(b).join();

/**
 * The roles a person will hold after `actor` asks for `requested`. Roles the actor may not give or
 * take away (the highest ones, unless they are a system administrator) stay as they were; asking
 * for one the person does not hold is refused.
 */
function rolesAfterChange(actor: SessionUser, before: readonly string[], requested: readonly Role[], field: FormRefusal['field']): Role[] {
  const grantable = grantableRoles(actor);
  if (requested.some((r) => !grantable.includes(r) && !before.includes(r))) throw highRolesRefused(field);
  const kept = before.filter((r) => isRole(r) && !grantable.includes(r));
  return ordered([...requested, ...kept]);
}

/** The separate audit row the DPO's "Roles granted" page lists: who gave which roles to whom. */
export async function recordRolesGranted(
  act: Act,
  subject: { id: string; email: string },
  from: readonly string[],
  to: readonly string[],
  via: { agreementId: string } | null,
) {
  const added = ordered(to).filter((r) => !from.includes(r));
  if (added.length === 0) return;
  await act.audit({
    action: 'user.roles_granted',
    recordType: 'user',
    recordId: subject.id,
    details: {
      subject: subject.email,
      from: ordered(from),
      to: ordered(to),
      added,
      via: via ? 'sharing_agreement' : 'account',
      ...(via ? { agreementId: via.agreementId } : {}),
    },
  });
}

/** Administration of people, agencies and sharing agreements within the acting partnership. */
export class AdminService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Sessions idle longer than this are over, though ended only at their next request: not listed. */
    private readonly idleMinutes = 30,
  ) {}

  /**
   * One person's open sessions, for their administrator (issue 16 §1): only a person of the acting
   * partnership (row-level security on users; the database function checks again, and that the
   * actor is an administrator). Reading them is audited.
   */
  listSessionsOf(user: SessionUser, id: string): Promise<PersonSession[]> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const person = await tx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
      if (!person) throw notFound();
      const rows = await sql<SessionRow>`SELECT * FROM lantern_user_sessions(${id}::uuid)`.execute(tx);
      await act.audit({ action: 'record.view', recordType: 'user', recordId: id, details: { page: 'sessions' } });
      const now = this.clock.now().getTime();
      return rows.rows
        .filter((r) => now - new Date(r.last_seen_at).getTime() <= this.idleMinutes * 60_000 && now < new Date(r.absolute_expires_at).getTime())
        .map((r) => ({
          id: r.shown_id,
          createdAt: new Date(r.created_at),
          lastSeenAt: new Date(r.last_seen_at),
          clientAddress: r.client_address,
          userAgent: r.user_agent,
          method: r.sign_in_method,
          secondFactor: r.second_factor,
          current: false,
        }));
    });
  }

  /**
   * Ends one of a person's sessions (named as listSessionsOf names it) or all of them: that browser
   * is signed out at its next request. Audited; a security event. False if there was no such session.
   */
  endSessionsOf(user: SessionUser, id: string, which: { shownId: string } | 'all'): Promise<boolean> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const person = await tx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
      if (!person) throw notFound();
      const now = this.clock.now();
      if (which === 'all') {
        await AuthService.endSessionsFor(tx, id, 'ended_by_admin', now);
      } else {
        const r = await sql<{
          ended: boolean;
        }>`SELECT lantern_end_user_session(${id}::uuid, ${which.shownId}, 'ended_by_admin', ${now.toISOString()}::timestamptz) AS ended`.execute(tx);
        if (!r.rows[0]?.ended) return false;
      }
      await act.audit({ action: 'session.end_by_admin', recordType: 'user', recordId: id, details: { all: which === 'all' } });
      return true;
    });
  }

  /** A page of the partnership's people, 50 at a time (a large partnership has thousands). */
  listUsers(user: SessionUser, page = 1, pageSize = 50) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx
        .selectFrom('users')
        .innerJoin('agencies', 'agencies.id', 'users.agency_id')
        .select([
          'users.id',
          'users.display_name',
          'users.email',
          'users.roles',
          'users.disabled_at',
          'users.totp_enrolled_at',
          'users.job_title',
          'agencies.name as agency_name',
        ])
        .orderBy('agencies.name')
        .orderBy('users.display_name')
        .orderBy('users.id')
        .limit(pageSize + 1)
        .offset((page - 1) * pageSize)
        .execute();
      return { users: rows.slice(0, pageSize), hasNext: rows.length > pageSize, page };
    });
  }

  getUser(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx
        .selectFrom('users')
        .select(['id', 'display_name', 'email', 'roles', 'agency_id', 'job_title', 'started_on', 'disabled_at', 'totp_enrolled_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw notFound();
      return row;
    });
  }

  listAgencies(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx
        .selectFrom('agencies')
        .leftJoin('users', 'users.agency_id', 'agencies.id')
        .leftJoin('agency_contacts as ac', 'ac.agency_id', 'agencies.id')
        .select(['agencies.id', 'agencies.name', 'agencies.kind', (eb) => eb.fn.count<number>('users.id').as('people')])
        .select(['ac.name as contact_name', 'ac.role as contact_role', 'ac.phone as contact_phone', 'ac.secure_email as contact_email'])
        .groupBy(['agencies.id', 'agencies.name', 'agencies.kind', 'ac.agency_id'])
        .orderBy('agencies.name')
        .execute(),
    );
  }

  /** Creates a user and returns the one-time password to pass on. */
  async createUser(user: SessionUser, form: UserForm): Promise<{ id: string; initialPassword: string }> {
    const roles = rolesAfterChange(user, [], form.roles, 'roles');
    const initialPassword = generateInitialPassword();
    const passwordHash = await hashPassword(initialPassword);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      // Row-level security hides other partnerships' people, so ask the database about every partnership at once.
      const check = await sql<{ available: boolean }>`SELECT lantern_email_available(${form.email}) AS available`.execute(tx);
      if (!check.rows[0]?.available) throw emailRefused();
      await assertFound(tx, 'agencies', form.agencyId, 'agency');
      let created: { id: string };
      try {
        created = await tx
          .insertInto('users')
          .values({
            partnership_id: user.partnershipId,
            agency_id: form.agencyId,
            email: form.email,
            display_name: form.displayName,
            job_title: form.jobTitle,
            started_on: form.startedOn,
            roles,
            password_hash: passwordHash,
            // A one-time password: changed at first sign-in, and refused after 72 hours (M8).
            must_change_password: true,
            password_expires_at: issuedPasswordExpiry(this.clock.now()),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
      } catch (error) {
        if (isUniqueViolation(error)) throw emailRefused();
        throw error;
      }
      await act.audit({ action: 'user.create', recordType: 'user', recordId: created.id, details: { roles, agencyId: form.agencyId } });
      await recordRolesGranted(act, { id: created.id, email: form.email }, [], roles, null);
      return { id: created.id, initialPassword };
    });
  }

  updateUser(user: SessionUser, id: string, form: UserEdit) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await tx.selectFrom('users').select(['roles', 'agency_id', 'email']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      await assertFound(tx, 'agencies', form.agencyId, 'agency');
      const agencyChanged = before.agency_id !== form.agencyId;
      if (id === user.userId) {
        const kept = before.roles.filter((r) => isRole(r) && !grantableRoles(user).includes(r));
        if (!sameRoles(before.roles, [...form.roles, ...kept])) throw ownAccessRefused('roles');
        if (agencyChanged) throw ownAccessRefused('agencyId');
      }
      const roles = rolesAfterChange(user, before.roles, form.roles, 'roles');
      if (roles.length === 0) throw new FormRefusal('LANTERN_E_VALIDATION', 'roles', 'validation.rolesRequired');
      await tx
        .updateTable('users')
        .set({
          display_name: form.displayName,
          agency_id: form.agencyId,
          job_title: form.jobTitle,
          started_on: form.startedOn,
          roles,
          updated_at: this.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      const rolesChanged = !sameRoles(before.roles, roles);
      // A change of roles or agency takes effect at once: the user signs in again.
      if (rolesChanged || agencyChanged) await AuthService.endSessionsFor(tx, id, 'roles_changed', this.clock.now());
      await act.audit({
        action: 'user.update',
        recordType: 'user',
        recordId: id,
        details: { roles: { from: before.roles, to: roles }, agency: { from: before.agency_id, to: form.agencyId } },
      });
      await recordRolesGranted(act, { id, email: before.email }, before.roles, roles, null);
    });
  }

  /** Disabling ends every session of the account immediately. */
  setDisabled(user: SessionUser, id: string, disabled: boolean) {
    if (id === user.userId) throw new LanternError('LANTERN_E_CONFLICT', 'cannot disable yourself');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const now = this.clock.now();
      const r = await tx
        .updateTable('users')
        .set({ disabled_at: disabled ? now : null, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      if (disabled) await AuthService.endSessionsFor(tx, id, 'disabled', now);
      await act.audit({ action: disabled ? 'user.disable' : 'user.enable', recordType: 'user', recordId: id });
    });
  }

  createAgency(user: SessionUser, form: AgencyForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('agencies').select('id').where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'agency name in use');
      const created = await tx
        .insertInto('agencies')
        .values({ partnership_id: user.partnershipId, name: form.name, kind: form.kind })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'agency.create', recordType: 'agency', recordId: created.id, details: { ...form } });
      return created.id;
    });
  }

  /** An agency of the acting partnership with its named contact, or 404. */
  agencyContact(user: SessionUser, agencyId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx
        .selectFrom('agencies as a')
        .leftJoin('agency_contacts as ac', 'ac.agency_id', 'a.id')
        .select(['a.id', 'a.name', 'ac.name as contact_name', 'ac.role as contact_role', 'ac.phone as contact_phone', 'ac.secure_email as contact_email'])
        .where('a.id', '=', agencyId)
        .executeTakeFirst();
      if (!row) throw notFound('agency');
      return row;
    });
  }

  /** Records or changes an agency's named contact (one per agency). */
  saveAgencyContact(user: SessionUser, agencyId: string, form: AgencyContactForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await assertFound(tx, 'agencies', agencyId, 'agency');
      const values = {
        name: form.name,
        role: form.role,
        phone: form.phone,
        secure_email: form.secureEmail,
        updated_by: user.userId,
        updated_at: this.clock.now(),
      };
      await tx
        .insertInto('agency_contacts')
        .values({ agency_id: agencyId, partnership_id: user.partnershipId, ...values })
        .onConflict((oc) => oc.column('agency_id').doUpdateSet(values))
        .execute();
      await act.audit({ action: 'agency.update', recordType: 'agency', recordId: agencyId, details: { contact: { ...form } } });
    });
  }

  /** The acting partnership's languages (migration 0022). */
  languageSettings(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx.selectFrom('partnerships').select(['name', 'default_language', 'offers_welsh']).where('id', '=', user.partnershipId).executeTakeFirstOrThrow(),
    );
  }

  /** Changes them; the partnerships_own policy lets only its administrators. */
  saveLanguageSettings(user: SessionUser, form: LanguageSettingsForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const values = { offers_welsh: form.offersWelsh === 'yes', default_language: form.defaultLanguage };
      await tx.updateTable('partnerships').set(values).where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: 'partnership', recordId: user.partnershipId, details: { languages: values } });
    });
  }

  listAgreements(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const agreements = await tx
        .selectFrom('sharing_agreements as a')
        .innerJoin('partnerships as owner', 'owner.id', 'a.partnership_id')
        .innerJoin('partnerships as recipient', 'recipient.id', 'a.recipient_partnership_id')
        .select([
          'a.id',
          'a.purpose',
          'a.lawful_basis',
          'a.starts_on',
          'a.ends_on',
          'a.partnership_id',
          'owner.name as owner_name',
          'recipient.name as recipient_name',
        ])
        .orderBy('a.starts_on', 'desc')
        .execute();
      const grants: Record<string, GranteeRow[]> = {};
      for (const a of agreements.filter((x) => x.partnership_id === user.partnershipId)) {
        grants[a.id] = (await sql<GranteeRow>`SELECT * FROM lantern_grantees(${a.id}::uuid)`.execute(tx)).rows;
      }
      const partnerships = await tx.selectFrom('partnerships').select(['id', 'name']).where('id', '<>', user.partnershipId).orderBy('name').execute();
      return { agreements, grants, partnerships };
    });
  }

  /** Lets a named person of the recipient partnership act here under the agreement, with the given roles. */
  grantAccess(user: SessionUser, agreementId: string, form: GrantForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const grantee = (await sql<{ id: string; email: string }>`SELECT id, email FROM lantern_grantee(${agreementId}::uuid, ${form.email})`.execute(tx))
        .rows[0];
      if (!grantee) return { ok: false as const };
      if (grantee.id === user.userId) throw ownAccessRefused('grant');
      const existing = await tx
        .selectFrom('partnership_access_grants')
        .select(['roles', 'revoked_at'])
        .where('agreement_id', '=', agreementId)
        .where('user_id', '=', grantee.id)
        .executeTakeFirst();
      const before = existing && existing.revoked_at === null ? existing.roles : [];
      const roles = rolesAfterChange(user, before, form.roles, 'roles');
      await tx
        .insertInto('partnership_access_grants')
        .values({
          partnership_id: user.partnershipId,
          agreement_id: agreementId,
          user_id: grantee.id,
          roles,
          granted_by: user.userId,
        })
        .onConflict((oc) => oc.columns(['agreement_id', 'user_id']).doUpdateSet({ roles, revoked_at: null, granted_by: user.userId }))
        .execute();
      await act.audit({ action: 'record.share', recordType: 'sharing_agreement', recordId: agreementId, details: { granted: grantee.id, roles } });
      await recordRolesGranted(act, grantee, before, roles, { agreementId });
      return { ok: true as const };
    });
  }

  revokeAccess(user: SessionUser, grantId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const grant = await tx
        .selectFrom('partnership_access_grants')
        .select(['user_id', 'roles'])
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!grant) throw notFound();
      if (grant.user_id === user.userId) throw ownAccessRefused('grant');
      if (grant.roles.some((r) => isRole(r) && !grantableRoles(user).includes(r))) throw highRolesRefused('grant');
      const r = await tx
        .updateTable('partnership_access_grants')
        .set({ revoked_at: this.clock.now() })
        .where('id', '=', grantId)
        .where('revoked_at', 'is', null)
        .returning(['agreement_id', 'user_id'])
        .executeTakeFirst();
      if (!r) throw notFound();
      await act.audit({ action: 'record.share', recordType: 'sharing_agreement', recordId: r.agreement_id, details: { revoked: r.user_id } });
    });
  }

  createAgreement(user: SessionUser, form: AgreementForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const created = await tx
        .insertInto('sharing_agreements')
        .values({
          partnership_id: user.partnershipId,
          recipient_partnership_id: form.recipientPartnershipId,
          purpose: form.purpose,
          lawful_basis: form.lawfulBasis,
          starts_on: form.startsOn,
          ends_on: form.endsOn,
          recorded_by: user.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.share',
        recordType: 'sharing_agreement',
        recordId: created.id,
        reason: form.lawfulBasis,
        details: { recipient: form.recipientPartnershipId, purpose: form.purpose },
      });
      return created.id;
    });
  }
}
