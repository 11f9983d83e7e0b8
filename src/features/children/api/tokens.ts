import crypto from 'node:crypto';
import { sql } from 'kysely';
import { actorOf, type Clock, type RequestOrigin, type SessionUser } from '../../../auth/service.ts';
import { isRole } from '../../../authz/roles.ts';
import { addHours } from '../../../dates.ts';
import { withActor, withAuth } from '../../../db/context.ts';
import type { Database } from '../../../db/database.ts';
import { LanternError, notFound } from '../../../errors.ts';
import { can, isApiScope } from '../../../authz/policy.ts';
import { apiTokenRoles, type ApiTokenForm } from '../schema.ts';

/** The roles a person may put on a token: their own casework roles in the acting partnership. */
export function issuableRoles(user: SessionUser): (typeof apiTokenRoles)[number][] {
  return apiTokenRoles.filter((r) => user.roles.includes(r));
}

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const tokenPrefix = 'lantern_';

/**
 * API tokens for partner systems. A token is bound to one partnership, its issuer's agency and some
 * of its issuer's casework roles, and works once a second person has approved it; only its SHA-256
 * is stored and the token is shown once. A request with a token acts like a signed-in person with
 * those roles (same permissions, withActor, RLS and audit, the issuer named in every audit row),
 * except that it never reads a restricted record (migration 0115).
 */
export class ApiTokenService {
  constructor(
    private readonly db: Database,
    private readonly auth: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * The tokens a person may see: administrators (who approve and revoke) see the partnership's;
   * anyone else sees the tokens they issued. The roles offered are the person's own casework roles.
   */
  list(user: SessionUser) {
    const now = this.clock.now();
    const approver = can(user, 'api-tokens.approve');
    return withActor(this.db, actorOf(user), async (tx) => {
      let query = tx
        .selectFrom('api_tokens as t')
        .innerJoin('agencies as a', 'a.id', 't.agency_id')
        .leftJoin('users as issuer', 'issuer.id', 't.created_by')
        .leftJoin('users as approver', 'approver.id', 't.approved_by')
        .select([
          't.id',
          't.name',
          't.roles',
          't.scopes',
          't.created_at',
          't.created_by',
          't.expires_at',
          't.last_used_at',
          't.revoked_at',
          't.approved_at',
          'a.name as agency',
          'issuer.display_name as issued_by',
          'approver.display_name as approved_by',
        ])
        .orderBy('t.created_at', 'desc');
      if (!approver) query = query.where('t.created_by', '=', user.userId);
      const tokens = (await query.execute()).map((row) => ({
        ...row,
        expired: new Date(row.expires_at) <= now,
        canApprove: approver && !row.approved_at && !row.revoked_at && row.created_by !== user.userId,
      }));
      return { tokens, issuableRoles: issuableRoles(user), approver };
    });
  }

  /**
   * Issues a token for the person's own agency with some of their own roles (H1). Returns the token
   * itself, once, and when it expires; it works only after another person, an administrator,
   * approves it (resolve refuses it until then, and from its expiry on).
   */
  create(user: SessionUser, form: ApiTokenForm): Promise<{ id: string; token: string; expiresAt: Date }> {
    const allowed = issuableRoles(user);
    if (form.roles.some((r) => !allowed.includes(r))) throw new LanternError('LANTERN_E_FORBIDDEN', 'a token carries only its issuer’s roles');
    const token = `${tokenPrefix}${crypto.randomBytes(32).toString('base64url')}`;
    // Days of 24 hours: a token lasts exactly as long whatever the clocks (or the machine's zone) do.
    const expiresAt = addHours(this.clock.now(), form.expiresInDays * 24);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const created = await tx
        .insertInto('api_tokens')
        .values({
          partnership_id: user.partnershipId,
          agency_id: user.agencyId,
          name: form.name,
          token_hash: sha256(token),
          roles: form.roles,
          scopes: form.scopes,
          created_by: user.userId,
          expires_at: expiresAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'api_token.create',
        recordType: 'api_token',
        recordId: created.id,
        details: {
          name: form.name,
          roles: form.roles,
          scopes: form.scopes,
          agencyId: user.agencyId,
          expiresInDays: form.expiresInDays,
          expiresAt: expiresAt.toISOString(),
        },
      });
      return { id: created.id, token, expiresAt };
    });
  }

  /** The second person's approval: an administrator who did not issue the token. */
  approve(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx
        .updateTable('api_tokens')
        .set({ approved_by: user.userId, approved_at: this.clock.now() })
        .where('id', '=', id)
        .where('approved_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('created_by', '<>', user.userId)
        .returning(['created_by', 'roles'])
        .executeTakeFirst();
      if (!r) throw notFound();
      await act.audit({ action: 'api_token.approve', recordType: 'api_token', recordId: id, details: { issuedBy: r.created_by, roles: r.roles } });
    });
  }

  /** Administrators revoke any token of the partnership; anyone else the tokens they issued. */
  revoke(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let query = tx.updateTable('api_tokens').set({ revoked_at: this.clock.now() }).where('id', '=', id).where('revoked_at', 'is', null);
      if (!can(user, 'api-tokens.approve')) query = query.where('created_by', '=', user.userId);
      const r = await query.executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      await act.audit({ action: 'api_token.revoke', recordType: 'api_token', recordId: id });
    });
  }

  /**
   * The principal behind an `Authorization: Bearer` header, or null. Runs as lantern_auth, like
   * session resolution: there is no actor until the token is known. The token's requests then act
   * through lantern_begin_api_token, which checks the token again in the database.
   */
  async resolve(header: string | undefined, origin: RequestOrigin): Promise<SessionUser | null> {
    const match = /^Bearer\s+(\S{20,200})$/i.exec(header ?? '');
    if (!match?.[1]?.startsWith(tokenPrefix)) return null;
    const hash = sha256(match[1]);
    const now = this.clock.now();
    return withAuth(this.auth, async (tx) => {
      const row = await tx
        .selectFrom('api_tokens as t')
        .innerJoin('partnerships as p', 'p.id', 't.partnership_id')
        .innerJoin('agencies as a', 'a.id', 't.agency_id')
        .select([
          't.id',
          't.name',
          't.roles',
          't.scopes',
          't.partnership_id',
          't.agency_id',
          't.expires_at',
          't.created_by',
          'p.name as partnership_name',
          'a.name as agency_name',
        ])
        .where('t.token_hash', '=', hash)
        .where('t.revoked_at', 'is', null)
        .where('t.approved_at', 'is not', null)
        .executeTakeFirst();
      if (!row || new Date(row.expires_at) <= now || !row.created_by) return null;
      await tx
        .updateTable('api_tokens')
        .set({ last_used_at: sql`now()` })
        .where('id', '=', row.id)
        .execute();
      return {
        sessionId: `api-token:${row.id}`,
        credential: { kind: 'api_token', tokenHash: hash },
        // The issuer is accountable for what the token does (audit rows name both).
        userId: row.created_by,
        email: `api-token:${row.name}`,
        displayName: row.name,
        homePartnershipId: row.partnership_id,
        partnershipId: row.partnership_id,
        partnershipName: row.partnership_name,
        agencyId: row.agency_id,
        agencyName: row.agency_name,
        roles: row.roles.filter(isRole),
        scopes: row.scopes.filter(isApiScope),
        stage: 'signed_in',
        clientAddress: origin.clientAddress,
        userAgent: origin.userAgent,
      };
    });
  }
}
