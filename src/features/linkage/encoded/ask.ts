import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../../auth/service.ts';
import { SecretBox } from '../../../auth/secrets.ts';
import { assertCan } from '../../../authz/policy.ts';
import { withActor, type Tx } from '../../../db/context.ts';
import type { Database } from '../../../db/database.ts';
import { LanternError, forbidden, notFound } from '../../../errors.ts';
import { ClkKeys, createEncoder, type Encoder } from './clk.ts';
import { encodingSchema } from './settings.ts';

/**
 * "Do you hold this child?" asked of a neighbouring partnership from a child's page (issue 14 §3;
 * docs/LINKAGE.md, "In Lantern"). The agreement's key is random, sealed with LANTERN_SECRETS_KEY
 * (the database holds it only sealed); the holder's open children are encoded under it into
 * linkage_encodings, refreshed here when stale, through SECURITY DEFINER functions that act in the
 * holder's stead (migration 0520); the asker's child is encoded in the request; the database
 * compares and returns only the best Dice coefficient and a count. The asker sees a strength band.
 */

/** The encoding children are compared with: names and date of birth, balanced, 2 × 1,024 bits. */
export const childEncoding = encodingSchema.parse({
  bits: 1024,
  q: 2,
  balance: true,
  fields: [
    { column: 'given_name', kind: 'name', hashes: 10 },
    { column: 'family_name', kind: 'name', hashes: 10 },
    { column: 'date_of_birth', kind: 'date', hashes: 14 },
  ],
  dice: { midpoint: 0.85 },
});

/** Strength bands of the best Dice coefficient (balanced filters: the same record gives 1). */
export const strongDice = 0.9;
export const possibleDice = 0.8;
export type Strength = 'strong' | 'possible' | 'none';
export const strengthOf = (dice: number): Strength => (dice >= strongDice ? 'strong' : dice >= possibleDice ? 'possible' : 'none');

const caseWorkRoles = ['practitioner', 'coordinator', 'triage_worker'];
const storeBatch = 500;
/** Questions one person may ask of neighbours in 24 hours (docs/LINKAGE.md, threat model). */
export const asksPerDay = 20;
/** Why a question is asked: stated each time, kept with it and in the audit row. */
export const askPurposes = ['missing_in_area', 'moved_to_area', 'links_to_area', 'other'] as const;
export type AskPurpose = (typeof askPurposes)[number];

export interface AskResult {
  id: string;
  child_id: string;
  agreement_id: string;
  strength: Strength;
  dice: string;
  above_threshold: number;
  asked_at: Date;
}

export class LinkageAskService {
  readonly #box: SecretBox;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    secretsKey: Buffer,
  ) {
    // Sealed under LANTERN_SECRETS_KEY as TOTP secrets are; the agreement's id is the associated data.
    this.#box = new SecretBox(secretsKey);
  }

  /** The agreement's encoder: its key opened, or made and sealed on the first question. */
  private async encoderFor(tx: Tx, agreementId: string): Promise<Encoder> {
    const aad = `linkage-agreement:${agreementId}`;
    let sealed = (await sql<{ k: string | null }>`SELECT lantern_linkage_key(${agreementId}::uuid) AS k`.execute(tx)).rows[0]?.k ?? null;
    if (!sealed) {
      const fresh = this.#box.seal(aad, randomBytes(32).toString('base64'));
      sealed = (await sql<{ k: string }>`SELECT lantern_linkage_store_key(${agreementId}::uuid, ${fresh}) AS k`.execute(tx)).rows[0]!.k;
    }
    const opened = this.#box.open(aad, sealed);
    if (opened === null) throw new Error('the linkage key of an agreement does not open with LANTERN_SECRETS_KEY');
    return createEncoder(new ClkKeys(Buffer.from(opened, 'base64')), childEncoding);
  }

  /** Encodes the holder's children whose encoding is missing or older than the record; returns how many. */
  private async refresh(tx: Tx, agreementId: string, encoder: Encoder): Promise<number> {
    const stale = await sql<{ child_id: string; given_name: string; family_name: string; dob: string | null; updated: string }>`
      SELECT child_id, given_name, family_name, date_of_birth::text AS dob, updated_at::text AS updated
        FROM lantern_linkage_stale(${agreementId}::uuid)`.execute(tx);
    for (let i = 0; i < stale.rows.length; i += storeBatch) {
      const batch = stale.rows.slice(i, i + storeBatch);
      const ids = batch.map((r) => r.child_id);
      const clks = batch.map((r) =>
        Buffer.from(encoder.encode({ given_name: r.given_name, family_name: r.family_name, date_of_birth: r.dob })).toString('hex'),
      );
      const updated = batch.map((r) => r.updated);
      await sql`SELECT lantern_linkage_store(${agreementId}::uuid, ${sql.val(ids)}::uuid[],
        ARRAY(SELECT decode(h, 'hex') FROM unnest(${sql.val(clks)}::text[]) AS h), ${sql.val(updated)}::timestamptz[])`.execute(tx);
    }
    return stale.rows.length;
  }

  /** Asks the partnership on the other side of the agreement whether it holds the child; returns the question's id. */
  ask(user: SessionUser, childId: string, agreementId: string, purpose: AskPurpose): Promise<string> {
    assertCan(user, 'linkage.ask');
    return withActor(this.db, actorOf(user), async (tx, act) => {
      // A bound on questions a person asks (whoever they are about): asking is how names would be probed.
      const since = new Date(this.clock.now().getTime() - 24 * 60 * 60 * 1000);
      const askedToday = (await sql<{ n: number }>`SELECT lantern_linkage_asks_by_me(${since}) AS n`.execute(tx)).rows[0]?.n ?? 0;
      if (askedToday >= asksPerDay) throw new LanternError('LANTERN_E_RATE_LIMITED', `at most ${asksPerDay} questions to neighbours a day`);
      const child = await tx
        .selectFrom('children')
        .select(['id', 'given_name', 'family_name', sql<string | null>`date_of_birth::text`.as('dob'), sql<boolean>`lantern_may_manage_shares(id)`.as('may')])
        .where('id', '=', childId)
        .where('partnership_id', '=', user.partnershipId)
        .executeTakeFirst();
      if (!child) throw notFound();
      if (!child.may || !user.roles.some((r) => caseWorkRoles.includes(r))) throw forbidden('only those who may share the child ask a neighbour');
      const agreement = await tx
        .selectFrom('sharing_agreements')
        .select(['id'])
        .where('id', '=', agreementId)
        .where('partnership_id', '=', user.partnershipId)
        .where('starts_on', '<=', sql<string>`current_date`)
        .where((eb) => eb.or([eb('ends_on', 'is', null), eb('ends_on', '>=', sql<string>`current_date`)]))
        .executeTakeFirst();
      if (!agreement) throw notFound('agreement');

      const encoder = await this.encoderFor(tx, agreementId);
      const refreshed = await this.refresh(tx, agreementId, encoder);
      const clk = Buffer.from(encoder.encode({ given_name: child.given_name, family_name: child.family_name, date_of_birth: child.dob })).toString('hex');
      const compared = await sql<{ best: number; above: number }>`
        SELECT best, above FROM lantern_linkage_compare(${agreementId}::uuid, ${childId}::uuid, decode(${clk}, 'hex'), ${possibleDice}::real)`.execute(tx);
      const best = Math.round(Number(compared.rows[0]?.best ?? 0) * 100) / 100;
      const above = Number(compared.rows[0]?.above ?? 0);
      const strength = strengthOf(best);
      const asked = await tx
        .insertInto('linkage_asks')
        .values({
          partnership_id: user.partnershipId,
          child_id: childId,
          agreement_id: agreementId,
          strength,
          purpose,
          dice: best.toFixed(2),
          above_threshold: above,
          asked_by: user.userId,
          asked_at: this.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'linkage.ask',
        recordType: 'child',
        recordId: childId,
        details: { agreementId, askId: asked.id, purpose, strength, dice: best, aboveThreshold: above, encodingsRefreshed: refreshed },
      });
      return asked.id;
    });
  }

  /** A question's answer, for its page: the child (one of the asker's own) and the neighbour's name. */
  result(user: SessionUser, childId: string, askId: string) {
    assertCan(user, 'linkage.ask');
    return withActor(this.db, actorOf(user), async (tx) => {
      const row = await tx
        .selectFrom('linkage_asks as q')
        .innerJoin('children as c', 'c.id', 'q.child_id')
        .innerJoin('sharing_agreements as g', 'g.id', 'q.agreement_id')
        .innerJoin('partnerships as p', 'p.id', 'g.recipient_partnership_id')
        .select(['q.id', 'q.child_id', 'q.agreement_id', 'q.strength', 'q.dice', 'q.above_threshold', 'q.asked_at'])
        .select(['c.reference', 'c.given_name', 'c.family_name', 'p.name as partnership'])
        .where('q.id', '=', askId)
        .where('q.child_id', '=', childId)
        .executeTakeFirst();
      if (!row) throw notFound();
      return row;
    });
  }
}
