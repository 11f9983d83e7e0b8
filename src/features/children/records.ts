import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { addDays, londonDate, startOfLondonDay } from '../../dates.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { recordNotices } from '../data-rights/notices.ts';
import { agencyChoices, changeChild, findMatches, listColumns, restrictedMatchCount } from './repository.ts';
import { outOfSchoolFlags, type AddressForm, type ChildDetails, type ChildSearch, type CloseForm, type InvolvementForm } from './schema.ts';

/** A correction of the record's details refused by a rule of the record (the field and the key of its message). */
export class ChildDetailsRefusal extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/** The child record: lists and search, the record page, its details, addresses and involvements, closing and reopening. */
export class ChildRecordService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The list page: children the actor may see, by family name, a page at a time. No names in the URL. */
  listChildren(user: SessionUser, options: { status: 'open' | 'closed' | 'all'; page: number; pageSize?: number }) {
    const pageSize = options.pageSize ?? 50;
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let query = tx
        .selectFrom('children as c')
        .select([...listColumns, 'c.updated_at'])
        .where('c.merged_into_id', 'is', null);
      if (options.status !== 'all') query = query.where('c.status', '=', options.status);
      const rows = await query
        .orderBy('c.family_name')
        .orderBy('c.given_name')
        .orderBy('c.id')
        .limit(pageSize + 1)
        .offset((options.page - 1) * pageSize)
        .execute();
      const shown = rows.slice(0, pageSize);
      await act.audit({
        action: 'search',
        recordType: 'child',
        details: { list: options.status, page: options.page, results: shown.length },
        disclosedIds: shown.map((r) => r.id),
      });
      return { children: rows.slice(0, pageSize), hasNext: rows.length > pageSize };
    });
  }

  search(user: SessionUser, criteria: ChildSearch) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const matches = await findMatches(tx, criteria);
      const restrictedMatches = await restrictedMatchCount(tx, criteria);
      await act.audit({
        action: 'search',
        recordType: 'child',
        details: { criteria, results: matches.length, restrictedMatches },
        disclosedIds: matches.map((m) => m.id),
      });
      return { matches, restrictedMatch: restrictedMatches > 0 };
    });
  }

  /**
   * The child page. A restricted record the actor cannot read yet gives { restricted: true } so the
   * page can ask for a break-glass reason; a record they may not see at all is not found.
   */
  getChild(user: SessionUser, id: string) {
    // "Missing episodes in the last 90 days": any episode open at some moment since the start of the London day 90 days ago.
    const missingSince = startOfLondonDay(addDays(londonDate(this.clock.now()), -90));
    return withActor(this.db, actorOf(user), async (tx, act) => {
      // The record and everything the page lists in one statement (each statement is a round trip
      // and a plan): the lists come back as JSON arrays, each under the same row-level security.
      const row = await tx
        .selectFrom('children as c')
        .leftJoin('agencies as a', 'a.id', 'c.owning_agency_id')
        .selectAll('c')
        .select('a.name as owning_agency')
        .select(sql<string | null>`(SELECT l.name FROM localities l WHERE l.id = c.locality_id)`.as('locality'))
        .select(
          sql<number>`(SELECT count(*)::int FROM missing_episodes e WHERE e.child_id = c.id AND coalesce(e.ended_at, 'infinity'::timestamptz) >= ${missingSince})`.as(
            'missing_recent',
          ),
        )
        // Whether this person may lift the restriction (the owning agency's case workers, not under break-glass).
        .select(sql<boolean>`CASE WHEN c.restricted THEN lantern_may_lift_restriction(c.owning_agency_id, c.id) ELSE false END`.as('may_lift_restriction'))
        // Whether this person manages the child's shares (the owning agency's case workers and the partnership-wide roles, L2).
        .select(sql<boolean>`lantern_may_manage_shares(c.id)`.as('may_manage_shares'))
        .select((eb) => [
          jsonArrayFrom(
            eb
              .selectFrom('child_addresses as ad')
              .select(['ad.id', 'ad.line1', 'ad.town', 'ad.postcode', 'ad.from_date', 'ad.to_date'])
              .whereRef('ad.child_id', '=', 'c.id')
              .orderBy('ad.from_date', 'desc'),
          ).as('addresses'),
          jsonArrayFrom(
            eb
              .selectFrom('child_involvements as i')
              .innerJoin('agencies as ia', 'ia.id', 'i.agency_id')
              .leftJoin('users as u', 'u.id', 'i.worker_user_id')
              // The agency's named contact (migration 0020), for the other agencies working with the child.
              .leftJoin('agency_contacts as ac', 'ac.agency_id', 'i.agency_id')
              .select(['i.id', 'i.started_on', 'i.ended_on', 'ia.name as agency', 'u.display_name as worker'])
              .select(['ac.name as contact_name', 'ac.role as contact_role', 'ac.phone as contact_phone', 'ac.secure_email as contact_email'])
              .whereRef('i.child_id', '=', 'c.id')
              .orderBy('i.started_on', 'desc'),
          ).as('involvements'),
          jsonArrayFrom(
            eb
              .selectFrom('child_status_events as se')
              .select(['se.event', 'se.outcome', 'se.reason', 'se.recorded_at'])
              .whereRef('se.child_id', '=', 'c.id')
              .orderBy('se.recorded_at', 'desc'),
          ).as('history'),
          jsonArrayFrom(
            eb
              .selectFrom('concerns as q')
              .select(['q.id', 'q.reference', 'q.received_at', 'q.decision', 'q.risk_level'])
              .whereRef('q.child_id', '=', 'c.id')
              .orderBy('q.received_at', 'desc'),
          ).as('concerns'),
          jsonArrayFrom(
            eb
              .selectFrom('record_shares as s')
              .innerJoin('agencies as sa', 'sa.id', 's.agency_id')
              // A share the child's plan gave (migration 0170) names the meeting or action it came from.
              .leftJoin('strategy_meetings as sm', 'sm.id', 's.source_meeting_id')
              .leftJoin('plan_actions as sp', 'sp.id', 's.source_action_id')
              .select([
                's.id',
                'sa.name as agency',
                's.lawful_basis',
                's.created_at',
                's.automatic_source',
                'sm.held_on as source_meeting_on',
                'sm.meeting_kind as source_meeting_kind',
                'sp.description as source_action',
              ])
              .where('s.record_type', '=', 'child')
              .whereRef('s.record_id', '=', 'c.id')
              .where('s.revoked_at', 'is', null),
          ).as('shares'),
          jsonArrayFrom(
            eb
              .selectFrom('child_partnership_shares as ps')
              .innerJoin('partnerships as p', 'p.id', 'ps.recipient_partnership_id')
              .select(['ps.id', 'p.name as partnership', 'ps.lawful_basis', 'ps.created_at', 'ps.recipient_agency_ids'])
              // The receiving agencies' names, which only this function reveals to the sharing side (L2).
              .select(
                sql<string[]>`ARRAY(SELECT x.name FROM lantern_agreement_agencies(ps.agreement_id) x WHERE x.id = ANY (ps.recipient_agency_ids))`.as(
                  'recipient_agencies',
                ),
              )
              .whereRef('ps.child_id', '=', 'c.id')
              .where('ps.revoked_at', 'is', null),
          ).as('partnershipShares'),
          jsonArrayFrom(
            eb
              .selectFrom('sharing_agreements as g')
              .innerJoin('partnerships as gp', 'gp.id', 'g.recipient_partnership_id')
              .select(['g.id', 'gp.name as partnership', 'g.purpose'])
              .select(
                sql<
                  { id: string; name: string }[]
                >`coalesce((SELECT json_agg(json_build_object('id', x.id, 'name', x.name)) FROM lantern_agreement_agencies(g.id) x), '[]'::json)`.as(
                  'agencies',
                ),
              )
              .where('g.partnership_id', '=', user.partnershipId)
              .where('g.starts_on', '<=', sql<string>`current_date`)
              .where((w) => w.or([w('g.ends_on', 'is', null), w('g.ends_on', '>=', sql<string>`current_date`)])),
          ).as('agreements'),
          // The open flags (migration 0130), for the summary; the flags page has their history.
          jsonArrayFrom(
            eb
              .selectFrom('child_flags as f')
              .select(['f.id', 'f.kind', 'f.started_on', 'f.placing_authority', 'f.placed_here_by_other_authority', 'f.placed_out_of_area', 'f.nrm_decision'])
              .whereRef('f.child_id', '=', 'c.id')
              .where('f.ended_on', 'is', null)
              .orderBy('f.started_on', 'desc'),
          ).as('flags'),
          jsonArrayFrom(eb.selectFrom('agencies as ag').select(['ag.id', 'ag.name']).where('ag.kind', '<>', 'partnership').orderBy('ag.name')).as('agencies'),
        ])
        .where('c.id', '=', id)
        .executeTakeFirst();
      if (!row) {
        const restricted = await sql<{ r: boolean }>`SELECT lantern_child_restricted(${id}::uuid) AS r`.execute(tx);
        if (restricted.rows[0]?.r) return { restricted: true as const };
        throw notFound();
      }
      const {
        addresses: addressRows,
        involvements: involvementRows,
        history: historyRows,
        concerns: concernRows,
        shares: shareRows,
        partnershipShares: partnershipShareRows,
        agreements: agreementRows,
        agencies: agencyRows,
        flags: flagRows,
        ...child
      } = row;
      const brokeGlass = child.restricted && child.owning_agency_id !== user.agencyId;
      const ownPartnership = child.partnership_id === user.partnershipId;
      // A neighbouring partnership sees the shared record itself, none of the owner's lists.
      const mine = <T>(rows: T[]): T[] => (ownPartnership ? rows : []);
      const [addresses, involvements, history, concerns, shares, partnershipShares, agreements, agencies, flags] = [
        mine(addressRows),
        mine(involvementRows),
        mine(historyRows),
        mine(concernRows),
        mine(shareRows),
        mine(partnershipShareRows),
        mine(agreementRows),
        mine(agencyRows),
        mine(flagRows),
      ];
      // The view is audited after the record's other reads and just before the access log (which
      // shows it): an audit row holds its partnership's chain-head lock until commit, so it comes last.
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id, ...(brokeGlass ? { reason: 'break-glass grant' } : {}) });
      // A disclosure to a neighbouring partnership shows in the owning partnership's trail too.
      if (!ownPartnership) {
        await sql`SELECT lantern_audit_shared_view(${id}::uuid, ${user.email}, ${JSON.stringify({ via: 'page' })}::jsonb)`.execute(tx);
      }
      const accessLog = ownPartnership ? await accessLogFor(tx, 'child', id) : [];
      // Data subjects' rights (issue 16 §3): a restriction of processing in force and the subject's statements.
      const dataRights = ownPartnership ? await recordNotices(tx, 'child', id) : null;
      return {
        restricted: false as const,
        dataRights,
        child,
        brokeGlass,
        ownPartnership,
        addresses,
        involvements,
        history,
        concerns,
        shares,
        partnershipShares,
        agreements,
        agencies,
        flags,
        accessLog,
      };
    });
  }

  /** The core record for the JSON API: the same visibility and audit as the page. */
  getChildSummary(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const child = await tx
        .selectFrom('children as c')
        .select([
          ...listColumns,
          'c.gender',
          'c.flag_cce',
          'c.flag_trafficking',
          'c.child_protection_plan',
          'c.child_in_need',
          'c.youth_justice',
          'c.ethnicity',
          'c.first_language',
          'c.school',
          'c.education_status',
          'c.send',
          'c.placement',
          'c.open_flags',
          'c.owning_agency_id',
          'c.closed_at',
          'c.closing_outcome',
          'c.merged_into_id',
        ])
        .where('c.id', '=', id)
        .executeTakeFirst();
      if (!child) throw notFound();
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id, details: { via: 'api' } });
      return child;
    });
  }

  /**
   * Corrects the child's details. The form gives every field; the JSON API may give some (a field
   * left out keeps its value). The fields that changed are returned and named in the audit row.
   */
  async updateDetails(user: SessionUser, id: string, form: { [K in keyof ChildDetails]?: ChildDetails[K] | undefined }): Promise<{ changed: string[] }> {
    let changed: string[] = [];
    await changeChild(this.db, user, id, 'record.update', async (tx, before) => {
      const given = <K extends keyof ChildDetails, V>(key: K, current: V): ChildDetails[K] | V => (form[key] === undefined ? current : form[key]);
      const restricting = given('restricted', before.restricted);
      const values = {
        aliases: given('aliases', before.aliases),
        gender: given('gender', before.gender),
        ethnicity: given('ethnicity', before.ethnicity),
        first_language: given('firstLanguage', before.first_language),
        school: given('school', before.school),
        education_status: given('educationStatus', before.education_status),
        send: given('send', before.send),
        placement: before.looked_after ? given('placement', before.placement) : null,
        flag_cse: given('flagCse', before.flag_cse),
        flag_cce: given('flagCce', before.flag_cce),
        flag_trafficking: given('flagTrafficking', before.flag_trafficking),
        // A restriction is placed here, but lifted only with lantern_lift_restriction (H2): an unticked box keeps it.
        restricted: before.restricted || restricting,
        restricted_reason: before.restricted ? before.restricted_reason : restricting ? (form.restrictedReason ?? null) : null,
      };
      // The flags are the truth about being out of school (DECISIONS 27): the record does not say "in education" beside one.
      if (values.education_status === 'in_education' && before.open_flags.some((f) => (outOfSchoolFlags as readonly string[]).includes(f)))
        throw new ChildDetailsRefusal('educationStatus', 'children.errors.educationBesideFlag');
      // The SEND flag says whether the child has SEND (DECISIONS 29): the record names a kind of support only beside it.
      if (values.send != null && !before.open_flags.includes('send')) throw new ChildDetailsRefusal('send', 'children.errors.sendWithoutFlag');
      await tx
        .updateTable('children')
        .set({ ...values, updated_at: this.clock.now() })
        .where('id', '=', id)
        .execute();
      changed = Object.entries(values)
        .filter(([k, v]) => JSON.stringify((before as Record<string, unknown>)[k] ?? null) !== JSON.stringify(v ?? null))
        .map(([k]) => k);
      return { details: { changed } };
    });
    return { changed };
  }

  addAddress(user: SessionUser, id: string, form: AddressForm) {
    return changeChild(this.db, user, id, 'record.update', async (tx) => {
      // The new address is the current one: the previous current address ends the day before it starts.
      if (form.fromDate) {
        await tx
          .updateTable('child_addresses')
          .set({ to_date: sql`(${form.fromDate}::date - 1)` })
          .where('child_id', '=', id)
          .where('to_date', 'is', null)
          .where('from_date', '<', form.fromDate)
          .execute();
      }
      await tx
        .insertInto('child_addresses')
        .values({ partnership_id: user.partnershipId, child_id: id, line1: form.line1, town: form.town, postcode: form.postcode, from_date: form.fromDate })
        .execute();
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
      const child = await tx
        .selectFrom('children')
        .select(['id', 'reference', 'given_name', 'family_name', 'partnership_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!child || child.partnership_id !== user.partnershipId) throw notFound();
      const agencies = await agencyChoices(tx);
      const agency = agencies.find((a) => a.id === agencyId);
      const workers = agency
        ? await tx
            .selectFrom('users')
            .select(['id', 'display_name'])
            .where('agency_id', '=', agency.id)
            .where('disabled_at', 'is', null)
            .where(sql<boolean>`roles && ARRAY['practitioner','triage_worker','coordinator']::text[]`)
            .orderBy('display_name')
            .limit(1000)
            .execute()
        : [];
      await act.audit({ action: 'record.view', recordType: 'child', recordId: id, details: { page: 'involvement' } });
      return { child, agencies, agency: agency ?? null, workers };
    });
  }

  addInvolvement(user: SessionUser, id: string, form: InvolvementForm) {
    return changeChild(this.db, user, id, 'record.update', async (tx) => {
      // The worker must be a person of this partnership (users' RLS), not just any account id.
      if (form.workerUserId && !(await tx.selectFrom('users').select('id').where('id', '=', form.workerUserId).executeTakeFirst())) throw notFound();
      // Likewise the agency (agencies' RLS): another partnership's id is not found.
      if (!(await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId).executeTakeFirst())) throw notFound();
      await tx
        .insertInto('child_involvements')
        .values({
          partnership_id: user.partnershipId,
          child_id: id,
          agency_id: form.agencyId,
          worker_user_id: form.workerUserId,
          started_on: londonDate(this.clock.now()),
        })
        .execute();
      return { details: { added: 'involvement', agencyId: form.agencyId, workerUserId: form.workerUserId } };
    });
  }

  close(user: SessionUser, id: string, form: CloseForm) {
    return changeChild(this.db, user, id, 'record.close', async (tx, before) => {
      if (before.status === 'closed') throw new LanternError('LANTERN_E_CONFLICT', 'already closed');
      const now = this.clock.now();
      await tx
        .updateTable('children')
        .set({ status: 'closed', closed_at: now, closing_outcome: form.outcome, closing_reason: form.reason, updated_at: now })
        .where('id', '=', id)
        .execute();
      await tx
        .insertInto('child_status_events')
        .values({
          partnership_id: user.partnershipId,
          child_id: id,
          event: 'closed',
          outcome: form.outcome,
          reason: form.reason,
          recorded_by: user.userId,
          recorded_at: now,
        })
        .execute();
      return { reason: form.reason, details: { outcome: form.outcome } };
    });
  }

  reopen(user: SessionUser, id: string, reason: string) {
    return changeChild(this.db, user, id, 'record.reopen', async (tx, before) => {
      if (before.status !== 'closed') throw new LanternError('LANTERN_E_CONFLICT', 'not closed');
      const now = this.clock.now();
      await tx
        .updateTable('children')
        .set({ status: 'open', closed_at: null, closing_outcome: null, closing_reason: null, updated_at: now })
        .where('id', '=', id)
        .execute();
      await tx
        .insertInto('child_status_events')
        .values({ partnership_id: user.partnershipId, child_id: id, event: 'reopened', reason, recorded_by: user.userId, recorded_at: now })
        .execute();
      return { reason };
    });
  }
}
