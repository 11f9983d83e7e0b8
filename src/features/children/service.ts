import crypto from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { aggregatesOnly } from '../../authz/policy.ts';
import { withActor, withAnonymous, type Act, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { addHours, londonDate, subHours } from '../../dates.ts';
import { matchStrength, normaliseName, normaliserForOneSearch, type MatchStrength } from './matching.ts';
import { newConcernReference } from './parsing.ts';
import type {
  AddressForm, ApiConcern, ChildDetails, ChildSearch, CloseForm, InvolvementForm, NewChild, ProfessionalConcern, PublicConcern,
  ShareAgencyForm, SharePartnershipForm, TriageDecision,
} from './schema.ts';

/** How long a break-glass grant lasts. */
export const breakGlassHours = 4;
const searchLimit = 50;
/** Candidates scored per search, closest first (see findMatches). */
const candidateLimit = 600;
/** The triage queue shows the concerns with the nearest deadlines; the triage worklist pages through the rest. */
const triageShown = 50;
const triageCountCap = 1000;

const childReference = () => `CH-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;

/** Columns a list of children shows: the minimum to tell children apart. */
const listColumns = ['c.id', 'c.reference', 'c.given_name', 'c.family_name', 'c.date_of_birth', 'c.status', 'c.risk_level',
  'c.flag_cse', 'c.looked_after', 'c.restricted', 'c.aliases'] as const;

export interface ChildMatch {
  id: string;
  reference: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  status: string;
  strength: MatchStrength;
}

/** Concerns, triage and the child record. Every read and change goes through withActor and is audited in the same transaction. */
export class ChildrenService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  // ---- Concerns ----

  /** Partnerships a member of the public can send a concern to (names are public). */
  publicPartnerships() {
    return withAnonymous(this.db, (tx) => tx.selectFrom('partnerships').select(['id', 'name']).orderBy('name').execute());
  }

  /**
   * A concern from someone without an account. There is no actor, so one database function does the
   * whole of it (migration 0009): the concern, its deadline and its audit row as 'public'.
   */
  raisePublicConcern(form: PublicConcern, userAgent: string | null = null): Promise<{ reference: string }> {
    return withAnonymous(this.db, async (tx) => {
      const reference = newConcernReference((n) => crypto.randomBytes(n));
      try {
        const created = await sql<{ id: string; reference: string }>`SELECT * FROM lantern_raise_public_concern(
          ${form.partnershipId}::uuid, ${reference}, ${this.clock.now()}::timestamptz, ${form.whatHappened}, ${form.where}, ${form.when},
          ${form.occurredOn}::date, ${form.about}, ${form.contact}, ${form.anonymous}, ${userAgent})`.execute(tx);
        return { reference: created.rows[0]!.reference };
      } catch (error) {
        if ((error as { code?: string }).code === '23503') throw new LanternError('LANTERN_E_VALIDATION', 'unknown partnership');
        throw error;
      }
    });
  }

  /** A concern from a signed-in professional (their agency recorded) or a councillor (who sees nothing identifying afterwards). */
  raiseConcern(user: SessionUser, form: ProfessionalConcern | ApiConcern, source: 'professional' | 'member' | 'partner_system' = aggregatesOnly(user.roles) ? 'member' : 'professional') {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const partnership = await tx.selectFrom('partnerships').select(['id', 'triage_hours']).where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      let childId: string | null = null;
      const requestedChild = 'childId' in form ? form.childId : null;
      if (requestedChild && source !== 'member') {
        const child = await tx.selectFrom('children').select('id').where('id', '=', requestedChild).executeTakeFirst();
        if (!child) throw notFound();
        childId = child.id;
      }
      const created = await this.insertConcern(tx, partnership, {
        source, what_happened: form.whatHappened, where_text: form.where ?? null, when_text: form.when ?? null,
        occurred_on: form.occurredOn ?? null, about_text: form.about ?? null,
        contact_text: 'contact' in form ? (form.contact ?? null) : null, anonymous: false,
        raised_by: user.userId, raised_by_agency_id: user.agencyId, child_id: childId,
      });
      await act.audit({ action: 'concern.raise', recordType: 'concern', recordId: created.id,
        details: { source, childId } });
      return created;
    });
  }

  private async insertConcern(tx: Tx, partnership: { id: string; triage_hours: number }, values: {
    source: string; what_happened: string; where_text: string | null; when_text: string | null; occurred_on: string | null;
    about_text: string | null; contact_text: string | null; anonymous: boolean; raised_by?: string; raised_by_agency_id?: string;
    child_id?: string | null;
  }) {
    const received = this.clock.now();
    const deadline = addHours(received, partnership.triage_hours);
    return tx.insertInto('concerns').values({
      ...values, partnership_id: partnership.id, reference: newConcernReference((n) => crypto.randomBytes(n)),
      received_at: received, deadline_at: deadline,
    }).returning(['id', 'reference', 'received_at', 'deadline_at']).executeTakeFirstOrThrow();
  }

  /** The triage queue: undecided concerns by deadline, and recent decisions, with breaches marked. */
  triageQueue(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const now = this.clock.now();
      const columns = ['q.id', 'q.reference', 'q.source', 'q.received_at', 'q.deadline_at', 'q.decision', 'q.decided_at', 'q.risk_level',
        'q.about_text', 'a.name as acting_agency'] as const;
      const open = await tx.selectFrom('concerns as q').leftJoin('agencies as a', 'a.id', 'q.acting_agency_id').select(columns)
        .where('q.decision', 'is', null).orderBy('q.deadline_at').limit(triageShown).execute();
      // How many wait in all, counted from the queue's partial index up to a cap.
      const waiting = open.length < triageShown ? open.length
        : (await tx.selectFrom('concerns').select('id').where('decision', 'is', null).limit(triageCountCap + 1).execute()).length;
      const decided = await tx.selectFrom('concerns as q').leftJoin('agencies as a', 'a.id', 'q.acting_agency_id').select(columns)
        .where('q.decision', 'is not', null).orderBy('q.decided_at', 'desc').limit(25).execute();
      const partnership = await tx.selectFrom('partnerships').select('triage_hours').where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      // Breaches in the last 30 days: decided after the deadline, or still undecided past it.
      const since = subHours(now, 30 * 24);
      const breaches = await tx.selectFrom('concerns').select((eb) => [
        eb.fn.count<number>('id').filterWhere(sql<boolean>`decided_at > deadline_at`).as('late'),
        eb.fn.count<number>('id').filterWhere(sql<boolean>`decided_at IS NULL AND deadline_at < ${now}`).as('overdue'),
        eb.fn.countAll<number>().as('total'),
      ]).where('received_at', '>=', since).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.view', recordType: 'triage_queue', details: { open: open.length },
        disclosedIds: [...open, ...decided].map((q) => q.id) });
      const withTime = <R extends { deadline_at: Date; decided_at: Date | null }>(r: R) => ({
        ...r,
        minutesLeft: Math.round((new Date(r.deadline_at).getTime() - now.getTime()) / 60_000),
        breached: r.decided_at ? new Date(r.decided_at) > new Date(r.deadline_at) : now > new Date(r.deadline_at),
      });
      return { open: open.map(withTime), decided: decided.map(withTime), triageHours: partnership.triage_hours,
        waiting: Math.min(waiting, triageCountCap), waitingCapped: waiting > triageCountCap,
        breaches: { late: Number(breaches.late), overdue: Number(breaches.overdue), total: Number(breaches.total) } };
    });
  }

  /** One concern for triage, with the agencies that can act and near-duplicate candidates for the search given. */
  getConcern(user: SessionUser, id: string, search?: ChildSearch | NewChild) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const concern = await tx.selectFrom('concerns as q').leftJoin('agencies as raised', 'raised.id', 'q.raised_by_agency_id')
        .leftJoin('agencies as acting', 'acting.id', 'q.acting_agency_id').leftJoin('children as c', 'c.id', 'q.child_id')
        .selectAll('q').select(['raised.name as raised_by_agency', 'acting.name as acting_agency', 'c.reference as child_reference',
          'c.given_name as child_given_name', 'c.family_name as child_family_name'])
        .where('q.id', '=', id).executeTakeFirst();
      if (!concern) throw notFound();
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).where('kind', '<>', 'partnership').orderBy('name').execute();
      const matches = search ? await this.findMatches(tx, search) : null;
      const restrictedMatches = search ? await this.restrictedMatchCount(tx, search) : 0;
      await act.audit({ action: search ? 'search' : 'record.view', recordType: 'concern', recordId: id,
        ...(search ? { details: { criteria: search, results: matches?.length ?? 0, restrictedMatches }, disclosedIds: (matches ?? []).map((m) => m.id) } : {}) });
      const now = this.clock.now();
      return {
        concern, agencies, matches, restrictedMatch: restrictedMatches > 0,
        minutesLeft: Math.round((new Date(concern.deadline_at).getTime() - now.getTime()) / 60_000),
        breached: concern.decided_at ? new Date(concern.decided_at) > new Date(concern.deadline_at) : now > new Date(concern.deadline_at),
      };
    });
  }

  /**
   * Records the triage decision. Linking to a new child checks for near-duplicates first: unless the
   * worker confirms, a likely or possible match sends them back to choose the existing record, and a
   * restricted record they cannot see that matches strongly sends them back with a notice naming nobody.
   */
  decide(user: SessionUser, id: string, form: TriageDecision, newChild: NewChild | null, confirmNew: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const concern = await tx.selectFrom('concerns').select(['id', 'decision', 'child_id']).where('id', '=', id).executeTakeFirst();
      if (!concern) throw notFound();
      if (concern.decision) throw new LanternError('LANTERN_E_CONFLICT', 'already decided');
      let childId = concern.child_id;
      let restrictedMatches: number | undefined;
      if (form.link === 'existing' && form.childId) {
        const child = await tx.selectFrom('children').select('id').where('id', '=', form.childId).executeTakeFirst();
        if (!child) throw notFound();
        childId = child.id;
      }
      if (form.link === 'new' && newChild) {
        const matches = await this.findMatches(tx, newChild);
        const close = matches.filter((m) => m.strength !== 'none');
        restrictedMatches = await this.restrictedMatchCount(tx, newChild);
        if ((close.length > 0 || restrictedMatches > 0) && !confirmNew) {
          // The warning lists records: a search of personal data, audited as one.
          await act.audit({ action: 'search', recordType: 'concern', recordId: id,
            details: { criteria: newChild, results: close.length, restrictedMatches }, disclosedIds: close.map((m) => m.id) });
          return { duplicates: close, restrictedMatch: restrictedMatches > 0 } as const;
        }
        childId = await this.createChild(tx, act, user, newChild, form.actingAgencyId ?? user.agencyId, {
          flag_cse: form.decision === 'cse_concern', risk_level: form.riskLevel,
        });
      }
      await tx.updateTable('concerns').set({
        decision: form.decision, risk_level: form.riskLevel, acting_agency_id: form.actingAgencyId, decision_notes: form.notes,
        decided_at: this.clock.now(), decided_by: user.userId, child_id: childId,
      }).where('id', '=', id).execute();
      if (childId && form.actingAgencyId) {
        const involved = await tx.selectFrom('child_involvements').select('id').where('child_id', '=', childId)
          .where('agency_id', '=', form.actingAgencyId).where('ended_on', 'is', null).executeTakeFirst();
        if (!involved) {
          await tx.insertInto('child_involvements').values({ partnership_id: user.partnershipId, child_id: childId, agency_id: form.actingAgencyId }).execute();
        }
      }
      await act.audit({ action: 'concern.triage', recordType: 'concern', recordId: id,
        details: { decision: form.decision, riskLevel: form.riskLevel, actingAgencyId: form.actingAgencyId, childId, link: form.link,
          ...(restrictedMatches === undefined ? {} : { restrictedMatches }) } });
      return { childId } as const;
    });
  }

  private async createChild(tx: Tx, act: Act, user: SessionUser, child: NewChild, owningAgencyId: string,
    extra: { flag_cse?: boolean; risk_level?: string | null } = {}): Promise<string> {
    const created = await tx.insertInto('children').values({
      partnership_id: user.partnershipId, owning_agency_id: owningAgencyId, reference: childReference(),
      given_name: child.givenName, family_name: child.familyName, date_of_birth: child.dateOfBirth, gender: child.gender,
      flag_cse: extra.flag_cse ?? false, risk_level: extra.risk_level ?? null,
    }).returning('id').executeTakeFirstOrThrow();
    await act.audit({ action: 'record.create', recordType: 'child', recordId: created.id,
      details: { owningAgencyId } });
    return created.id;
  }

  /**
   * Candidates for a name, date of birth and/or postcode. The database narrows by normalised-name
   * prefix, date of birth or postcode; matching.ts scores names by edit distance.
   */
  private async findMatches(tx: Tx, criteria: { name?: string | null; givenName?: string; familyName?: string; dateOfBirth?: string | null;
    postcode?: string | null; includeClosed?: boolean }): Promise<ChildMatch[]> {
    const words = (criteria.name ?? `${criteria.givenName ?? ''} ${criteria.familyName ?? ''}`).split(/\s+/).map(normaliseName).filter(Boolean);
    const given = words.length > 1 ? words[0]! : '';
    const family = words.at(-1) ?? '';
    let query = tx.selectFrom('children as c').select([...listColumns]);
    if (!criteria.includeClosed && criteria.name !== undefined) query = query.where('c.status', '=', 'open');
    query = query.where((eb) => {
      const ors = [];
      for (const w of words) {
        // key LIKE 'jo%' written as the range 'jo' <= key < 'jp' with the text_pattern_ops operators: those
        // are leakproof, so PostgreSQL may use them as index conditions under row-level security (LIKE is
        // not, and forced a scan of every child). Keys are a–z only, so the range is exactly the prefix.
        const prefix = w.slice(0, 2);
        const next = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
        for (const key of ['c.family_key', 'c.given_key'] as const) {
          ors.push(sql<boolean>`(${sql.ref(key)} ~>=~ ${prefix} AND ${sql.ref(key)} ~<~ ${next})`);
        }
      }
      if (criteria.dateOfBirth) ors.push(eb('c.date_of_birth', '=', criteria.dateOfBirth));
      if (criteria.postcode) {
        ors.push(eb.exists(eb.selectFrom('child_addresses as a').select('a.id').whereRef('a.child_id', '=', 'c.id').where('a.postcode', '=', criteria.postcode)));
      }
      return ors.length ? eb.or(ors) : eb.val(false);
    });
    // The closest candidates first (a name key equal to a word searched for, then sharing its first
    // three letters, then the same date of birth), so the cap drops the weakest, not any.
    const closeness: RawBuilder<number>[] = [];
    for (const w of words) {
      closeness.push(sql<number>`(c.family_key = ${w} OR c.given_key = ${w})::int * 4`);
      if (w.length >= 3) closeness.push(sql<number>`(left(c.family_key, 3) = ${w.slice(0, 3)} OR left(c.given_key, 3) = ${w.slice(0, 3)})::int * 2`);
    }
    if (criteria.dateOfBirth) closeness.push(sql<number>`(c.date_of_birth = ${criteria.dateOfBirth})::int * 3`);
    if (closeness.length) query = query.orderBy(sql`${sql.join(closeness, sql` + `)}`, 'desc');
    const rows = await query.orderBy('c.id').limit(candidateLimit).execute();
    const normalise = normaliserForOneSearch();
    const scored = rows.map((r) => {
      let strength: MatchStrength = 'none';
      if (family) {
        strength = given
          ? matchStrength({ givenName: given, familyName: family, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise)
          : [matchStrength({ givenName: family, familyName: r.family_name, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise),
            matchStrength({ givenName: r.given_name, familyName: family, dateOfBirth: criteria.dateOfBirth ?? null }, r, normalise)]
            .sort((a, b) => rank(b) - rank(a))[0]!;
      } else if (criteria.dateOfBirth && r.date_of_birth === criteria.dateOfBirth) strength = 'possible';
      const nameHit = words.length > 0 && words.every((w) => normalise(`${r.given_name} ${r.family_name} ${(r.aliases ?? []).join(' ')}`).includes(w));
      const dobOk = !criteria.dateOfBirth || r.date_of_birth === criteria.dateOfBirth;
      const keep = strength !== 'none' || (nameHit && dobOk) || (!words.length && dobOk && !!criteria.postcode);
      return { ...r, strength: strength === 'none' && nameHit && dobOk ? 'possible' as MatchStrength : strength, keep };
    });
    return scored.filter((r) => r.keep).sort((a, b) => rank(b.strength) - rank(a.strength) || a.family_name.localeCompare(b.family_name))
      .slice(0, searchLimit)
      .map(({ id, reference, given_name, family_name, date_of_birth, status, strength }) => ({ id, reference, given_name, family_name, date_of_birth, status, strength }));
  }

  /**
   * How many restricted records of the partnership, hidden from the actor, strongly match the
   * names and date of birth searched (lantern_restricted_match_count): a number, never who.
   * Without a date of birth and a family name there is no strong match.
   */
  private async restrictedMatchCount(tx: Tx, criteria: { name?: string | null; givenName?: string; familyName?: string; dateOfBirth?: string | null }) {
    const words = (criteria.name ?? `${criteria.givenName ?? ''} ${criteria.familyName ?? ''}`).split(/\s+/).map(normaliseName).filter(Boolean);
    if (!criteria.dateOfBirth || words.length === 0) return 0;
    const given = words.length > 1 ? words[0]! : '';
    const family = words.at(-1)!;
    const counted = await sql<{ n: number }>`SELECT lantern_restricted_match_count(${given}, ${family}, ${criteria.dateOfBirth}::date) AS n`.execute(tx);
    return Number(counted.rows[0]?.n ?? 0);
  }

  // ---- Children ----

  /** The list page: children the actor may see, by family name, a page at a time. No names in the URL. */
  listChildren(user: SessionUser, options: { status: 'open' | 'closed' | 'all'; page: number; pageSize?: number }) {
    const pageSize = options.pageSize ?? 50;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let query = tx.selectFrom('children as c').select([...listColumns, 'c.updated_at']);
      if (options.status !== 'all') query = query.where('c.status', '=', options.status);
      const rows = await query.orderBy('c.family_name').orderBy('c.given_name').orderBy('c.id')
        .limit(pageSize + 1).offset((options.page - 1) * pageSize).execute();
      const shown = rows.slice(0, pageSize);
      await act.audit({ action: 'search', recordType: 'child', details: { list: options.status, page: options.page, results: shown.length },
        disclosedIds: shown.map((r) => r.id) });
      return { children: rows.slice(0, pageSize), hasNext: rows.length > pageSize };
    });
  }

  search(user: SessionUser, criteria: ChildSearch) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const matches = await this.findMatches(tx, criteria);
      const restrictedMatches = await this.restrictedMatchCount(tx, criteria);
      await act.audit({ action: 'search', recordType: 'child', details: { criteria, results: matches.length, restrictedMatches },
        disclosedIds: matches.map((m) => m.id) });
      return { matches, restrictedMatch: restrictedMatches > 0 };
    });
  }

  /**
   * The child page. A restricted record the actor cannot read yet gives { restricted: true } so the
   * page can ask for a break-glass reason; a record they may not see at all is not found.
   */
  getChild(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      // The record and everything the page lists in one statement (each statement is a round trip
      // and a plan): the lists come back as JSON arrays, each under the same row-level security.
      const row = await tx.selectFrom('children as c').leftJoin('agencies as a', 'a.id', 'c.owning_agency_id')
        .selectAll('c').select('a.name as owning_agency')
        // Whether this person may lift the restriction (the owning agency's case workers, not under break-glass).
        .select(sql<boolean>`CASE WHEN c.restricted THEN lantern_may_lift_restriction(c.owning_agency_id, c.id) ELSE false END`.as('may_lift_restriction'))
        // Whether this person manages the child's shares (the owning agency's case workers and the partnership-wide roles, L2).
        .select(sql<boolean>`lantern_may_manage_shares(c.id)`.as('may_manage_shares'))
        .select((eb) => [
          jsonArrayFrom(eb.selectFrom('child_addresses as ad').select(['ad.id', 'ad.line1', 'ad.town', 'ad.postcode', 'ad.from_date', 'ad.to_date'])
            .whereRef('ad.child_id', '=', 'c.id').orderBy('ad.from_date', 'desc')).as('addresses'),
          jsonArrayFrom(eb.selectFrom('child_involvements as i').innerJoin('agencies as ia', 'ia.id', 'i.agency_id').leftJoin('users as u', 'u.id', 'i.worker_user_id')
            .select(['i.id', 'i.started_on', 'i.ended_on', 'ia.name as agency', 'u.display_name as worker']).whereRef('i.child_id', '=', 'c.id')
            .orderBy('i.started_on', 'desc')).as('involvements'),
          jsonArrayFrom(eb.selectFrom('child_status_events as se').select(['se.event', 'se.outcome', 'se.reason', 'se.recorded_at'])
            .whereRef('se.child_id', '=', 'c.id').orderBy('se.recorded_at', 'desc')).as('history'),
          jsonArrayFrom(eb.selectFrom('concerns as q').select(['q.id', 'q.reference', 'q.received_at', 'q.decision', 'q.risk_level'])
            .whereRef('q.child_id', '=', 'c.id').orderBy('q.received_at', 'desc')).as('concerns'),
          jsonArrayFrom(eb.selectFrom('record_shares as s').innerJoin('agencies as sa', 'sa.id', 's.agency_id')
            .select(['s.id', 'sa.name as agency', 's.lawful_basis', 's.created_at']).where('s.record_type', '=', 'child').whereRef('s.record_id', '=', 'c.id')
            .where('s.revoked_at', 'is', null)).as('shares'),
          jsonArrayFrom(eb.selectFrom('child_partnership_shares as ps').innerJoin('partnerships as p', 'p.id', 'ps.recipient_partnership_id')
            .select(['ps.id', 'p.name as partnership', 'ps.lawful_basis', 'ps.created_at', 'ps.recipient_agency_ids'])
            // The receiving agencies' names, which only this function reveals to the sharing side (L2).
            .select(sql<string[]>`ARRAY(SELECT x.name FROM lantern_agreement_agencies(ps.agreement_id) x WHERE x.id = ANY (ps.recipient_agency_ids))`.as('recipient_agencies'))
            .whereRef('ps.child_id', '=', 'c.id')
            .where('ps.revoked_at', 'is', null)).as('partnershipShares'),
          jsonArrayFrom(eb.selectFrom('sharing_agreements as g').innerJoin('partnerships as gp', 'gp.id', 'g.recipient_partnership_id')
            .select(['g.id', 'gp.name as partnership', 'g.purpose'])
            .select(sql<{ id: string; name: string }[]>`coalesce((SELECT json_agg(json_build_object('id', x.id, 'name', x.name)) FROM lantern_agreement_agencies(g.id) x), '[]'::json)`.as('agencies'))
            .where('g.partnership_id', '=', user.partnershipId)
            .where('g.starts_on', '<=', sql<string>`current_date`)
            .where((w) => w.or([w('g.ends_on', 'is', null), w('g.ends_on', '>=', sql<string>`current_date`)]))).as('agreements'),
          jsonArrayFrom(eb.selectFrom('agencies as ag').select(['ag.id', 'ag.name']).where('ag.kind', '<>', 'partnership').orderBy('ag.name')).as('agencies'),
        ])
        .where('c.id', '=', id).executeTakeFirst();
      if (!row) {
        const restricted = await sql<{ r: boolean }>`SELECT lantern_child_restricted(${id}::uuid) AS r`.execute(tx);
        if (restricted.rows[0]?.r) return { restricted: true as const };
        throw notFound();
      }
      const { addresses: addressRows, involvements: involvementRows, history: historyRows, concerns: concernRows, shares: shareRows,
        partnershipShares: partnershipShareRows, agreements: agreementRows, agencies: agencyRows, ...child } = row;
      const brokeGlass = child.restricted && child.owning_agency_id !== user.agencyId;
      const ownPartnership = child.partnership_id === user.partnershipId;
      // A neighbouring partnership sees the shared record itself, none of the owner's lists.
      const mine = <T>(rows: T[]): T[] => (ownPartnership ? rows : []);
      const [addresses, involvements, history, concerns, shares, partnershipShares, agreements, agencies] = [mine(addressRows), mine(involvementRows),
        mine(historyRows), mine(concernRows), mine(shareRows), mine(partnershipShareRows), mine(agreementRows), mine(agencyRows)];
      // The view is audited after the record's other reads and just before the access log (which
      // shows it): an audit row holds its partnership's chain-head lock until commit, so it comes last.
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id,
        ...(brokeGlass ? { reason: 'break-glass grant' } : {}) });
      // A disclosure to a neighbouring partnership shows in the owning partnership's trail too.
      if (!ownPartnership) {
        await sql`SELECT lantern_audit_shared_view(${id}::uuid, ${user.email}, ${JSON.stringify({ via: 'page' })}::jsonb)`.execute(tx);
      }
      const accessLog = ownPartnership ? await accessLogFor(tx, 'child', id) : [];
      return { restricted: false as const, child, brokeGlass, ownPartnership, addresses, involvements, history, concerns, shares,
        partnershipShares, agreements, agencies, accessLog };
    });
  }

  /** The core record for the JSON API: the same visibility and audit as the page. */
  getChildSummary(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await tx.selectFrom('children as c').select([...listColumns, 'c.gender', 'c.flag_cce', 'c.flag_trafficking',
        'c.child_protection_plan', 'c.child_in_need', 'c.youth_justice', 'c.education_status', 'c.owning_agency_id', 'c.closed_at', 'c.closing_outcome'])
        .where('c.id', '=', id).executeTakeFirst();
      if (!child) throw notFound();
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id, details: { via: 'api' } });
      return child;
    });
  }

  listConcerns(user: SessionUser, options: { limit: number; offset: number }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await tx.selectFrom('concerns').select(['id', 'reference', 'source', 'received_at', 'deadline_at', 'decision', 'risk_level',
        'acting_agency_id', 'child_id', 'decided_at']).orderBy('received_at', 'desc').limit(options.limit).offset(options.offset).execute();
      await act.audit({ action: 'search', recordType: 'concern', details: { via: 'api', results: rows.length },
        disclosedIds: rows.flatMap((r) => (r.child_id ? [r.id, r.child_id] : [r.id])) });
      return rows;
    });
  }

  updateDetails(user: SessionUser, id: string, form: ChildDetails) {
    return this.changeChild(user, id, 'record.update', async (tx, before) => {
      const values = {
        aliases: form.aliases, gender: form.gender, ethnicity: form.ethnicity, first_language: form.firstLanguage, school: form.school,
        education_status: form.educationStatus, send: form.send, looked_after: form.lookedAfter, placement: form.lookedAfter ? form.placement : null,
        child_protection_plan: form.childProtectionPlan, child_in_need: form.childInNeed, youth_justice: form.youthJustice,
        flag_cse: form.flagCse, flag_cce: form.flagCce, flag_trafficking: form.flagTrafficking, risk_level: form.riskLevel,
        // A restriction is placed here, but lifted only with lantern_lift_restriction (H2): an unticked box keeps it.
        restricted: before.restricted || form.restricted,
        restricted_reason: before.restricted ? before.restricted_reason : form.restricted ? form.restrictedReason : null,
      };
      await tx.updateTable('children').set({ ...values, updated_at: this.clock.now() }).where('id', '=', id).execute();
      const changed = Object.entries(values).filter(([k, v]) => JSON.stringify((before as Record<string, unknown>)[k] ?? null) !== JSON.stringify(v ?? null)).map(([k]) => k);
      return { details: { changed } };
    });
  }

  addAddress(user: SessionUser, id: string, form: AddressForm) {
    return this.changeChild(user, id, 'record.update', async (tx) => {
      // The new address is the current one: the previous current address ends the day before it starts.
      if (form.fromDate) {
        await tx.updateTable('child_addresses').set({ to_date: sql`(${form.fromDate}::date - 1)` })
          .where('child_id', '=', id).where('to_date', 'is', null).where('from_date', '<', form.fromDate).execute();
      }
      await tx.insertInto('child_addresses').values({ partnership_id: user.partnershipId, child_id: id, line1: form.line1, town: form.town,
        postcode: form.postcode, from_date: form.fromDate }).execute();
      return { details: { added: 'address' } };
    });
  }

  /**
   * The page for adding an agency's involvement: the child's name, the agencies, and, once an
   * agency is chosen, the workers of that agency who may be allocated (kept off the child page,
   * where a partnership's whole staff list made every view slow).
   */
  involvementChoices(user: SessionUser, id: string, agencyId: string | undefined) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await tx.selectFrom('children').select(['id', 'reference', 'given_name', 'family_name', 'partnership_id'])
        .where('id', '=', id).executeTakeFirst();
      if (!child || child.partnership_id !== user.partnershipId) throw notFound();
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).where('kind', '<>', 'partnership').orderBy('name').execute();
      const agency = agencies.find((a) => a.id === agencyId);
      const workers = agency
        ? await tx.selectFrom('users').select(['id', 'display_name']).where('agency_id', '=', agency.id).where('disabled_at', 'is', null)
          .where(sql<boolean>`roles && ARRAY['practitioner','triage_worker','coordinator']::text[]`).orderBy('display_name').limit(1000).execute()
        : [];
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id, details: { page: 'involvement' } });
      return { child, agencies, agency: agency ?? null, workers };
    });
  }

  addInvolvement(user: SessionUser, id: string, form: InvolvementForm) {
    return this.changeChild(user, id, 'record.update', async (tx) => {
      // The worker must be a person of this partnership (users' RLS), not just any account id.
      if (form.workerUserId && !(await tx.selectFrom('users').select('id').where('id', '=', form.workerUserId).executeTakeFirst())) throw notFound();
      // Likewise the agency (agencies' RLS): another partnership's id is not found.
      if (!(await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId).executeTakeFirst())) throw notFound();
      await tx.insertInto('child_involvements').values({ partnership_id: user.partnershipId, child_id: id, agency_id: form.agencyId,
        worker_user_id: form.workerUserId, started_on: londonDate(this.clock.now()) }).execute();
      return { details: { added: 'involvement', agencyId: form.agencyId, workerUserId: form.workerUserId } };
    });
  }

  close(user: SessionUser, id: string, form: CloseForm) {
    return this.changeChild(user, id, 'record.close', async (tx, before) => {
      if (before.status === 'closed') throw new LanternError('LANTERN_E_CONFLICT', 'already closed');
      const now = this.clock.now();
      await tx.updateTable('children').set({ status: 'closed', closed_at: now, closing_outcome: form.outcome, closing_reason: form.reason, updated_at: now })
        .where('id', '=', id).execute();
      await tx.insertInto('child_status_events').values({ partnership_id: user.partnershipId, child_id: id, event: 'closed', outcome: form.outcome,
        reason: form.reason, recorded_by: user.userId, recorded_at: now }).execute();
      return { reason: form.reason, details: { outcome: form.outcome } };
    });
  }

  reopen(user: SessionUser, id: string, reason: string) {
    return this.changeChild(user, id, 'record.reopen', async (tx, before) => {
      if (before.status !== 'closed') throw new LanternError('LANTERN_E_CONFLICT', 'not closed');
      const now = this.clock.now();
      await tx.updateTable('children').set({ status: 'open', closed_at: null, closing_outcome: null, closing_reason: null, updated_at: now })
        .where('id', '=', id).execute();
      await tx.insertInto('child_status_events').values({ partnership_id: user.partnershipId, child_id: id, event: 'reopened', reason,
        recorded_by: user.userId, recorded_at: now }).execute();
      return { reason };
    });
  }

  /** Only the owning agency's case workers and the partnership-wide roles manage a child's shares (L2). */
  private async assertMayManageShares(tx: Tx, id: string) {
    const r = await sql<{ ok: boolean }>`SELECT lantern_may_manage_shares(${id}::uuid) AS ok`.execute(tx);
    if (!r.rows[0]?.ok) throw new LanternError('LANTERN_E_FORBIDDEN', 'only the owning agency manages shares');
  }

  /** Shares the record with another agency of the partnership, recording the lawful basis. */
  shareWithAgency(user: SessionUser, id: string, form: ShareAgencyForm) {
    return this.changeChild(user, id, 'record.share', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.shareAgencyId).executeTakeFirst();
      if (!agency) throw notFound();
      await tx.insertInto('record_shares').values({ partnership_id: user.partnershipId, record_type: 'child', record_id: id, agency_id: form.shareAgencyId,
        lawful_basis: form.lawfulBasis, shared_by: user.userId })
        .onConflict((oc) => oc.columns(['record_type', 'record_id', 'agency_id']).doUpdateSet({
          lawful_basis: form.lawfulBasis, revoked_at: null, revoked_by: null, revoked_reason: null, shared_by: user.userId,
        }))
        .execute();
      return { reason: form.lawfulBasis, details: { agencyId: form.shareAgencyId } };
    });
  }

  /** Discloses the core record to a neighbouring partnership: only under a live sharing agreement with it. */
  shareWithPartnership(user: SessionUser, id: string, form: SharePartnershipForm) {
    return this.changeChild(user, id, 'record.share', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const agreement = await tx.selectFrom('sharing_agreements').select(['id', 'recipient_partnership_id'])
        .where('id', '=', form.agreementId).where('partnership_id', '=', user.partnershipId)
        .where('starts_on', '<=', sql<string>`current_date`).where((eb) => eb.or([eb('ends_on', 'is', null), eb('ends_on', '>=', sql<string>`current_date`)]))
        .executeTakeFirst();
      if (!agreement) throw new LanternError('LANTERN_E_VALIDATION', 'no live sharing agreement');
      const receiving = (await sql<{ id: string }>`SELECT id FROM lantern_agreement_agencies(${agreement.id}::uuid)`.execute(tx)).rows.map((r) => r.id);
      if (form.recipientAgencyIds.some((a) => !receiving.includes(a))) throw notFound('agency');
      await tx.insertInto('child_partnership_shares').values({ partnership_id: user.partnershipId, child_id: id, agreement_id: agreement.id,
        recipient_partnership_id: agreement.recipient_partnership_id, lawful_basis: form.partnershipBasis, shared_by: user.userId,
        recipient_agency_ids: form.recipientAgencyIds }).execute();
      return { reason: form.partnershipBasis, details: { recipientPartnershipId: agreement.recipient_partnership_id, agreementId: agreement.id,
        recipientAgencyIds: form.recipientAgencyIds } };
    });
  }

  /**
   * Stops a share with an agency or a neighbouring partnership: from then on row-level security
   * no longer lets them read the child. Who stopped it and why are kept on the share and audited
   * in the owning partnership's chain, where the share was.
   */
  stopSharing(user: SessionUser, id: string, kind: 'agency' | 'partnership', shareId: string, reason: string) {
    return this.changeChild(user, id, 'record.unshare', async (tx) => {
      await this.assertMayManageShares(tx, id);
      const revocation = { revoked_at: this.clock.now(), revoked_by: user.userId, revoked_reason: reason };
      if (kind === 'agency') {
        const share = await tx.updateTable('record_shares').set(revocation).where('id', '=', shareId).where('record_type', '=', 'child')
          .where('record_id', '=', id).where('revoked_at', 'is', null).returning(['agency_id', 'lawful_basis']).executeTakeFirst();
        if (!share) throw notFound();
        return { reason, details: { shareId, kind, agencyId: share.agency_id, lawfulBasis: share.lawful_basis } };
      }
      const share = await tx.updateTable('child_partnership_shares').set(revocation).where('id', '=', shareId).where('child_id', '=', id)
        .where('revoked_at', 'is', null).returning(['recipient_partnership_id', 'agreement_id', 'lawful_basis']).executeTakeFirst();
      if (!share) throw notFound();
      return { reason, details: { shareId, kind, recipientPartnershipId: share.recipient_partnership_id, agreementId: share.agreement_id,
        lawfulBasis: share.lawful_basis } };
    });
  }

  /** Break-glass: a recorded reason opens a restricted record for a few hours; the DPO is alerted. */
  breakGlass(user: SessionUser, id: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const restricted = await sql<{ r: boolean }>`SELECT lantern_child_restricted(${id}::uuid) AS r`.execute(tx);
      if (!restricted.rows[0]?.r) throw notFound();
      await tx.insertInto('break_glass_grants').values({ partnership_id: user.partnershipId, child_id: id, user_id: user.userId, reason,
        granted_at: sql`now()`, expires_at: sql`now() + make_interval(hours => ${breakGlassHours})` }).execute();
      await act.audit({ action: 'record.break_glass', recordType: 'child', recordId: id, reason,
        details: { hours: breakGlassHours } });
    });
  }

  /**
   * Lifts a restriction, with a reason (H2): the owning agency's case workers, not under a break-glass
   * grant, or the data protection officer. The database decides (lantern_lift_restriction), records
   * the change for the DPO's alerts and audits it.
   */
  liftRestriction(user: SessionUser, id: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      try {
        await sql`SELECT lantern_lift_restriction(${id}::uuid, ${reason})`.execute(tx);
      } catch (error) {
        if ((error as { code?: string }).code === '42501') throw notFound();
        throw error;
      }
    });
  }

  /** The DPO's list of restricted records (references and owning agencies, no names). */
  restrictedRecords(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = (await sql<{ id: string; reference: string; owning_agency: string; restricted_reason: string | null; updated_at: Date }>`
        SELECT * FROM lantern_restricted_children()`.execute(tx)).rows;
      await act.audit({ action: 'audit.view', recordType: 'restricted_children', details: { results: rows.length },
        disclosedIds: rows.map((r) => r.id) });
      return rows;
    });
  }

  /** The DPO's alerts: every break-glass grant, unacknowledged first. */
  breakGlassAlerts(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const rows = await tx.selectFrom('break_glass_grants as g').innerJoin('users as u', 'u.id', 'g.user_id')
        .select(['g.id', 'g.child_id', 'g.reason', 'g.granted_at', 'g.expires_at', 'g.acknowledged_at', 'u.display_name', 'u.email'])
        .orderBy(sql`g.acknowledged_at IS NOT NULL`).orderBy('g.granted_at', 'desc').limit(200).execute();
      const lifted = await tx.selectFrom('restriction_changes as r').innerJoin('users as u', 'u.id', 'r.changed_by')
        .select(['r.id', 'r.child_id', 'r.reason', 'r.changed_at', 'r.acknowledged_at', 'u.display_name', 'u.email', 'r.child_reference as reference'])
        .orderBy(sql`r.acknowledged_at IS NOT NULL`).orderBy('r.changed_at', 'desc').limit(200).execute();
      await act.audit({ action: 'audit.view', recordType: 'break_glass_grant', details: { results: rows.length, lifted: lifted.length } });
      return { grants: rows, lifted };
    });
  }

  acknowledgeLift(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx.updateTable('restriction_changes').set({ acknowledged_at: this.clock.now(), acknowledged_by: user.userId })
        .where('id', '=', id).where('acknowledged_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      await act.audit({ action: 'break_glass.acknowledge', recordType: 'restriction_change', recordId: id });
    });
  }

  acknowledgeAlert(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx.updateTable('break_glass_grants').set({ acknowledged_at: this.clock.now(), acknowledged_by: user.userId })
        .where('id', '=', id).where('acknowledged_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) throw notFound();
      await act.audit({ action: 'break_glass.acknowledge', recordType: 'break_glass_grant', recordId: id });
    });
  }

  /** Every change to a child: the child must be visible and in the actor's own partnership; one audit row. */
  private changeChild(user: SessionUser, id: string, action: 'record.update' | 'record.close' | 'record.reopen' | 'record.share' | 'record.unshare',
    change: (tx: Tx, before: Awaited<ReturnType<ChildrenService['loadForChange']>>) => Promise<{ reason?: string; details?: Record<string, unknown> }>) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await this.loadForChange(tx, id, user.partnershipId);
      const result = await change(tx, before);
      await act.audit({ action, recordType: 'child', recordId: id,
        ...(result.reason ? { reason: result.reason } : {}), ...(result.details ? { details: result.details } : {}) });
    });
  }

  private async loadForChange(tx: Tx, id: string, partnershipId: string) {
    const before = await tx.selectFrom('children').selectAll().where('id', '=', id).where('partnership_id', '=', partnershipId).forUpdate().executeTakeFirst();
    if (!before) throw notFound();
    return before;
  }
}

const rank = (s: MatchStrength) => (s === 'likely' ? 2 : s === 'possible' ? 1 : 0);
