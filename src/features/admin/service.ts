import crypto from 'node:crypto';
import { recordAudit } from '../../audit/audit.ts';
import { AuthService, actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { sql } from 'kysely';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { AgencyForm, AgreementForm, GrantForm, UserEdit, UserForm } from './schema.ts';

interface GranteeRow {
  grant_id: string;
  user_id: string;
  display_name: string;
  email: string;
  roles: string[];
  revoked_at: Date | null;
}

/** A readable one-time password an administrator passes on; the user enrols a second factor on first use. */
export function generateInitialPassword(): string {
  const words = crypto.randomBytes(12).toString('base64url');
  return `lantern-${words}`;
}

const audited = (user: SessionUser) => ({ partnershipId: user.partnershipId, actorUserId: user.userId, actorLabel: user.email });

/** The agency must be one of the acting partnership's (agencies' RLS): another's is not found. */
async function assertOwnAgency(tx: Tx, agencyId: string): Promise<void> {
  if (!(await tx.selectFrom('agencies').select('id').where('id', '=', agencyId).executeTakeFirst())) throw notFound('agency');
}

/** Administration of people, agencies and sharing agreements within the acting partnership. */
export class AdminService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** A page of the partnership's people, 50 at a time (a large partnership has thousands). */
  listUsers(user: SessionUser, page = 1, pageSize = 50) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const rows = await tx.selectFrom('users').innerJoin('agencies', 'agencies.id', 'users.agency_id')
        .select(['users.id', 'users.display_name', 'users.email', 'users.roles', 'users.disabled_at', 'users.totp_enrolled_at',
          'users.job_title', 'agencies.name as agency_name'])
        .orderBy('agencies.name').orderBy('users.display_name').orderBy('users.id')
        .limit(pageSize + 1).offset((page - 1) * pageSize).execute();
      return { users: rows.slice(0, pageSize), hasNext: rows.length > pageSize, page };
    });
  }

  getUser(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx.selectFrom('users')
        .select(['id', 'display_name', 'email', 'roles', 'agency_id', 'job_title', 'started_on', 'disabled_at', 'totp_enrolled_at'])
        .where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      return row;
    });
  }

  listAgencies(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) =>
      tx.selectFrom('agencies').leftJoin('users', 'users.agency_id', 'agencies.id')
        .select(['agencies.id', 'agencies.name', 'agencies.kind', (eb) => eb.fn.count<number>('users.id').as('people')])
        .groupBy(['agencies.id', 'agencies.name', 'agencies.kind']).orderBy('agencies.name').execute(),
    );
  }

  /** Creates a user and returns the one-time password to pass on. */
  async createUser(user: SessionUser, form: UserForm): Promise<{ id: string; initialPassword: string }> {
    const initialPassword = generateInitialPassword();
    const passwordHash = await hashPassword(initialPassword);
    return withActor(this.db, actorOf(user), async (tx) => {
      const clash = await tx.selectFrom('users').select('id').where('email', '=', form.email).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'email in use');
      await assertOwnAgency(tx, form.agencyId);
      const created = await tx.insertInto('users').values({
        partnership_id: user.partnershipId, agency_id: form.agencyId, email: form.email, display_name: form.displayName,
        job_title: form.jobTitle, started_on: form.startedOn, roles: form.roles, password_hash: passwordHash,
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(tx, { ...audited(user), action: 'user.create', recordType: 'user', recordId: created.id,
        details: { roles: form.roles, agencyId: form.agencyId } });
      return { id: created.id, initialPassword };
    });
  }

  updateUser(user: SessionUser, id: string, form: UserEdit) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const before = await tx.selectFrom('users').select(['roles', 'agency_id']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      await assertOwnAgency(tx, form.agencyId);
      await tx.updateTable('users').set({
        display_name: form.displayName, agency_id: form.agencyId, job_title: form.jobTitle, started_on: form.startedOn,
        roles: form.roles, updated_at: this.clock.now(),
      }).where('id', '=', id).execute();
      const rolesChanged = before.roles.join() !== form.roles.join() || before.agency_id !== form.agencyId;
      // A change of roles or agency takes effect at once: the user signs in again.
      if (rolesChanged) await AuthService.endSessionsFor(tx, id, 'roles_changed', this.clock.now());
      await recordAudit(tx, { ...audited(user), action: 'user.update', recordType: 'user', recordId: id,
        details: { roles: { from: before.roles, to: form.roles }, agency: { from: before.agency_id, to: form.agencyId } } });
    });
  }

  /** Disabling ends every session of the account immediately. */
  setDisabled(user: SessionUser, id: string, disabled: boolean) {
    if (id === user.userId) throw new LanternError('LANTERN_E_CONFLICT', 'cannot disable yourself');
    return withActor(this.db, actorOf(user), async (tx) => {
      const now = this.clock.now();
      const r = await tx.updateTable('users').set({ disabled_at: disabled ? now : null, updated_at: now })
        .where('id', '=', id).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      if (disabled) await AuthService.endSessionsFor(tx, id, 'disabled', now);
      await recordAudit(tx, { ...audited(user), action: disabled ? 'user.disable' : 'user.enable', recordType: 'user', recordId: id });
    });
  }

  createAgency(user: SessionUser, form: AgencyForm) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const clash = await tx.selectFrom('agencies').select('id').where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'agency name in use');
      const created = await tx.insertInto('agencies').values({ partnership_id: user.partnershipId, name: form.name, kind: form.kind })
        .returning('id').executeTakeFirstOrThrow();
      await recordAudit(tx, { ...audited(user), action: 'agency.create', recordType: 'agency', recordId: created.id, details: { ...form } });
      return created.id;
    });
  }

  listAgreements(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const agreements = await tx.selectFrom('sharing_agreements as a')
        .innerJoin('partnerships as owner', 'owner.id', 'a.partnership_id')
        .innerJoin('partnerships as recipient', 'recipient.id', 'a.recipient_partnership_id')
        .select(['a.id', 'a.purpose', 'a.lawful_basis', 'a.starts_on', 'a.ends_on', 'a.partnership_id',
          'owner.name as owner_name', 'recipient.name as recipient_name'])
        .orderBy('a.starts_on', 'desc').execute();
      const grants: Record<string, GranteeRow[]> = {};
      for (const a of agreements.filter((x) => x.partnership_id === user.partnershipId)) {
        grants[a.id] = (await sql<GranteeRow>`SELECT * FROM lantern_grantees(${a.id}::uuid)`.execute(tx)).rows;
      }
      const partnerships = await tx.selectFrom('partnerships').select(['id', 'name'])
        .where('id', '<>', user.partnershipId).orderBy('name').execute();
      return { agreements, grants, partnerships };
    });
  }

  /** Lets a named person of the recipient partnership act here under the agreement, with the given roles. */
  grantAccess(user: SessionUser, agreementId: string, form: GrantForm) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const grantee = (await sql<{ id: string; email: string }>`SELECT id, email FROM lantern_grantee(${agreementId}::uuid, ${form.email})`.execute(tx)).rows[0];
      if (!grantee) return { ok: false as const };
      await tx.insertInto('partnership_access_grants').values({
        partnership_id: user.partnershipId, agreement_id: agreementId, user_id: grantee.id, roles: form.roles, granted_by: user.userId,
      }).onConflict((oc) => oc.columns(['agreement_id', 'user_id']).doUpdateSet({ roles: form.roles, revoked_at: null, granted_by: user.userId }))
        .execute();
      await recordAudit(tx, { ...audited(user), action: 'record.share', recordType: 'sharing_agreement', recordId: agreementId,
        details: { granted: grantee.id, roles: form.roles } });
      return { ok: true as const };
    });
  }

  revokeAccess(user: SessionUser, grantId: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const r = await tx.updateTable('partnership_access_grants').set({ revoked_at: this.clock.now() })
        .where('id', '=', grantId).where('revoked_at', 'is', null).returning(['agreement_id', 'user_id']).executeTakeFirst();
      if (!r) throw notFound();
      await recordAudit(tx, { ...audited(user), action: 'record.share', recordType: 'sharing_agreement', recordId: r.agreement_id,
        details: { revoked: r.user_id } });
    });
  }

  createAgreement(user: SessionUser, form: AgreementForm) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const created = await tx.insertInto('sharing_agreements').values({
        partnership_id: user.partnershipId, recipient_partnership_id: form.recipientPartnershipId, purpose: form.purpose,
        lawful_basis: form.lawfulBasis, starts_on: form.startsOn, ends_on: form.endsOn, recorded_by: user.userId,
      }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(tx, { ...audited(user), action: 'record.share', recordType: 'sharing_agreement', recordId: created.id,
        reason: form.lawfulBasis, details: { recipient: form.recipientPartnershipId, purpose: form.purpose } });
      return created.id;
    });
  }
}
