import crypto from 'node:crypto';
import { addDays } from 'date-fns';
import { sql } from 'kysely';
import { recordAudit } from '../../../audit/audit.ts';
import { actorOf, type Clock, type SessionUser } from '../../../auth/service.ts';
import { isRole } from '../../../authz/roles.ts';
import { withActor, withSystem } from '../../../db/context.ts';
import type { Database } from '../../../db/database.ts';
import { notFound } from '../../../errors.ts';
import type { ApiTokenForm } from '../schema.ts';

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const tokenPrefix = 'lantern_';

/**
 * API tokens for partner systems. A token is bound to one partnership, one agency and casework
 * roles; only its SHA-256 is stored and the token is shown once. A request with a token acts
 * exactly like a signed-in person with those roles: same permissions, withActor, RLS and audit.
 */
export class ApiTokenService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  list(user: SessionUser) {
    const now = this.clock.now();
    return withActor(this.db, actorOf(user), async (tx) => ({
      tokens: (await tx.selectFrom('api_tokens as t').innerJoin('agencies as a', 'a.id', 't.agency_id')
        .select(['t.id', 't.name', 't.roles', 't.created_at', 't.expires_at', 't.last_used_at', 't.revoked_at', 'a.name as agency'])
        .orderBy('t.created_at', 'desc').execute())
        .map((row) => ({ ...row, expired: new Date(row.expires_at) <= now })),
      agencies: await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute(),
    }));
  }

  /** Returns the token itself, once, and when it expires (resolve refuses it from then on). */
  create(user: SessionUser, form: ApiTokenForm): Promise<{ id: string; token: string; expiresAt: Date }> {
    const token = `${tokenPrefix}${crypto.randomBytes(32).toString('base64url')}`;
    const expiresAt = addDays(this.clock.now(), form.expiresInDays);
    return withActor(this.db, actorOf(user), async (tx) => {
      const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId).executeTakeFirst();
      if (!agency) throw notFound();
      const created = await tx.insertInto('api_tokens').values({ partnership_id: user.partnershipId, agency_id: form.agencyId, name: form.name,
        token_hash: sha256(token), roles: form.roles, created_by: user.userId, expires_at: expiresAt }).returning('id').executeTakeFirstOrThrow();
      await recordAudit(tx, { partnershipId: user.partnershipId, actorUserId: user.userId, actorLabel: user.email, action: 'api_token.create',
        recordType: 'api_token', recordId: created.id,
        details: { name: form.name, roles: form.roles, agencyId: form.agencyId, expiresInDays: form.expiresInDays, expiresAt: expiresAt.toISOString() } });
      return { id: created.id, token, expiresAt };
    });
  }

  revoke(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const r = await tx.updateTable('api_tokens').set({ revoked_at: this.clock.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      await recordAudit(tx, { partnershipId: user.partnershipId, actorUserId: user.userId, actorLabel: user.email, action: 'api_token.revoke',
        recordType: 'api_token', recordId: id });
    });
  }

  /**
   * The principal behind an `Authorization: Bearer` header, or null. Runs as the system, like
   * session resolution: there is no actor until the token is known.
   */
  async resolve(header: string | undefined): Promise<SessionUser | null> {
    const match = /^Bearer\s+(\S{20,200})$/i.exec(header ?? '');
    if (!match?.[1]?.startsWith(tokenPrefix)) return null;
    const hash = sha256(match[1]);
    const now = this.clock.now();
    return withSystem(this.db, async (tx) => {
      const row = await tx.selectFrom('api_tokens as t').innerJoin('partnerships as p', 'p.id', 't.partnership_id')
        .innerJoin('agencies as a', 'a.id', 't.agency_id')
        .select(['t.id', 't.name', 't.roles', 't.partnership_id', 't.agency_id', 't.expires_at', 'p.name as partnership_name', 'a.name as agency_name'])
        .where('t.token_hash', '=', hash).where('t.revoked_at', 'is', null).executeTakeFirst();
      if (!row || new Date(row.expires_at) <= now) return null;
      await tx.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', row.id).execute();
      return {
        sessionId: `api-token:${row.id}`, userId: row.id, email: `api-token:${row.name}`, displayName: row.name,
        homePartnershipId: row.partnership_id, partnershipId: row.partnership_id, partnershipName: row.partnership_name,
        agencyId: row.agency_id, agencyName: row.agency_name, roles: row.roles.filter(isRole), stage: 'signed_in',
      };
    });
  }
}
