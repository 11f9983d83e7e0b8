import { sql, type Updateable } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { londonDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { MaceAgendaItems } from '../../db/types.generated.ts';
import { notFound } from '../../errors.ts';
import type { Language } from '../../i18n/i18n.ts';
import { agencyChoices } from '../children/repository.ts';
import { personName, searchLocations, searchPersons } from '../intelligence/repository.ts';
import { packFor, type MeetingPack } from './pack.ts';
import { agendaCounts, agendaItems, disclosedBy, meetingActions, meetingDecisions, meetingList, meetingRow } from './repository.ts';
import {
  voltSections,
  type ActionForm,
  type ActionStatus,
  type DecisionForm,
  type ItemForm,
  type MeetingForm,
  type MinutesForm,
  type PackFormat,
  type VoltSection,
} from './schema.ts';
import { buildAgenda } from './volt.ts';

/** How many items of a VOLT section the meeting's page shows at once. */
export const agendaPageSize = 50;

/** How many matches the add-item form's search offers as choices; more asks the chair to refine the search. */
export const itemSearchLimit = 20;

/** A form refused after it was valid (no child with that reference, already on the agenda): the field and the message's key. */
export class MaceValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/**
 * The first key of the advisory lock a meeting's agenda build takes (the second is the hash of the
 * meeting's id): the two-key form, so it cannot meet the migrations' single-key lock.
 */
export const agendaBuildLockClass = 7261320;

/** The audit record type of a meeting (locales auditRecordTypes). */
export const meetingRecordType = 'mace_meeting';

type Meeting = NonNullable<Awaited<ReturnType<typeof meetingRow>>>;

/** What a meeting pack's document is made from: the meeting, the recipient agency and what it may see. */
export interface PackContent {
  meeting: Meeting;
  recipient: { id: string; name: string };
  pack: MeetingPack;
  language: Language;
  agencies: { id: string; name: string }[];
}

/**
 * MACE meetings (issue 12 §4): the co-ordinator chairs — creates meetings, builds the VOLT agenda
 * (volt.ts), adds and removes items with a reason, records minutes, actions for an owning agency and
 * decisions — and the analyst reads. Every read and change is audited in its own transaction; row-level
 * security (migration 0320) keeps the rows to the acting partnership's intelligence roles, restricted
 * items to the chair and the named agencies, and actions to them and the owning agency.
 */
export class MaceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private today() {
    return londonDate(this.clock.now());
  }

  private created(user: SessionUser) {
    return { partnership_id: user.partnershipId, created_at: this.clock.now(), created_by: user.userId, created_by_name: user.displayName };
  }

  /** The meetings page: the upcoming and the past meetings (no child is named). */
  list(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meetings = await meetingList(tx, this.today());
      await act.audit({
        action: 'record.view',
        recordType: meetingRecordType,
        details: { list: 'mace meetings', results: meetings.upcoming.length + meetings.past.length },
        disclosedIds: [...meetings.upcoming, ...meetings.past].map((m) => m.id),
      });
      return meetings;
    });
  }

  create(user: SessionUser, form: MeetingForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .insertInto('mace_meetings')
        .values({ ...this.created(user), title: form.title, held_on: form.heldOn, venue: form.venue, chair_user_id: user.userId, chair_name: user.displayName })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: meetingRecordType, recordId: row.id });
      return row.id;
    });
  }

  private async meetingOr404(tx: Tx, id: string) {
    const meeting = await meetingRow(tx, id);
    if (!meeting) throw notFound();
    return meeting;
  }

  /** A meeting's page: the agenda by VOLT section, its actions and decisions, the form's choices and the access log; the view audited. */
  meeting(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      const items = await agendaItems(tx, id);
      const actions = await meetingActions(tx, id);
      const decisions = await meetingDecisions(tx, id);
      const agencies = await agencyChoices(tx);
      await act.audit({
        action: 'record.view',
        recordType: meetingRecordType,
        recordId: id,
        details: { items: items.length, actions: actions.length, decisions: decisions.length },
        disclosedIds: disclosedBy(items),
      });
      const accessLog = await accessLogFor(tx, meetingRecordType, id);
      return { meeting, items, actions, decisions, agencies, accessLog };
    });
  }

  /**
   * A meeting's page: each VOLT section a page at a time (the first page of each, the chosen page of the
   * chosen section), the items the chair removed (the first page), actions, decisions and the access
   * log. A partnership's agenda may hold thousands of children; the page reads and discloses (and the
   * audit row names) only the items it shows.
   */
  meetingPage(user: SessionUser, id: string, at: { section?: VoltSection | undefined; page: number }) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      const counts = await agendaCounts(tx, id);
      const sections = [];
      for (const section of voltSections) {
        const pages = Math.max(1, Math.ceil(counts.sections[section] / agendaPageSize));
        const page = section === at.section ? Math.min(at.page, pages) : 1;
        const items =
          counts.sections[section] === 0
            ? []
            : await agendaItems(tx, id, undefined, { section, removed: false, offset: (page - 1) * agendaPageSize, limit: agendaPageSize });
        sections.push({ section, count: counts.sections[section], page, pages, items });
      }
      const removed = counts.removed === 0 ? [] : await agendaItems(tx, id, undefined, { removed: true, offset: 0, limit: agendaPageSize });
      const actions = await meetingActions(tx, id);
      const decisions = await meetingDecisions(tx, id);
      const agencies = await agencyChoices(tx);
      const shown = [...sections.flatMap((s) => s.items), ...removed];
      await act.audit({
        action: 'record.view',
        recordType: meetingRecordType,
        recordId: id,
        details: {
          items: shown.length,
          ofItems: Object.values(counts.sections).reduce((a, b) => a + b, 0) + counts.removed,
          actions: actions.length,
          decisions: decisions.length,
        },
        disclosedIds: disclosedBy(shown),
      });
      const accessLog = await accessLogFor(tx, meetingRecordType, id);
      return { meeting, sections, removed, removedCount: counts.removed, actions, decisions, agencies, accessLog };
    });
  }

  /** The add-item form's choices. */
  itemFormChoices(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => ({
      meeting: await this.meetingOr404(tx, id),
      agencies: await agencyChoices(tx),
    }));
  }

  /**
   * The add-item form's search: the persons of concern (name, nickname, alias) or places (name, address,
   * postcode) the term matches, as the intelligence page's search finds them and row-level security lets
   * the chair see, by name. More than `itemSearchLimit` shows none (the chair refines the search). A search
   * that shows names is a read of intelligence: audited, with the ids shown.
   */
  findItemTargets(user: SessionUser, id: string, section: 'offenders' | 'locations', term: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      const agencies = await agencyChoices(tx);
      const found =
        section === 'offenders'
          ? (await searchPersons(tx, term, itemSearchLimit + 1)).map((p) => ({
              id: p.id,
              label: personName(p),
              aliases: p.given_name || p.family_name ? p.aliases : p.aliases.slice(1),
              age: p.estimated_age,
              dateOfBirth: p.date_of_birth,
              status: p.status,
            }))
          : (await searchLocations(tx, term, itemSearchLimit + 1)).map((l) => ({ id: l.id, label: l.name, address: l.address, postcode: l.postcode }));
      const tooMany = found.length > itemSearchLimit;
      const matches = tooMany ? [] : found;
      await act.audit({
        action: 'search',
        recordType: 'intelligence',
        details: { list: section === 'offenders' ? 'mace item persons' : 'mace item locations', meeting: id, results: found.length, shown: matches.length },
        disclosedIds: matches.map((m) => m.id),
      });
      return { meeting, agencies, matches, tooMany };
    });
  }

  /**
   * Builds (or brings up to date) the VOLT agenda: set-based, the numbers added are audited. Chairs
   * pressing "Build the agenda" for the same meeting at once take turns: each build holds the meeting's
   * advisory lock until its transaction ends, so two never insert the same cohort side by side (at
   * scale, 4 chairs building at once collided: docs/PERFORMANCE.md). Taken after the meeting is read
   * (row-level security has said it may be built); each statement after it sees what the build
   * before committed (read committed), so a later build adds only what is still missing.
   */
  buildAgenda(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      await sql`SELECT pg_advisory_xact_lock(${agendaBuildLockClass}::int, hashtext(${id}::text))`.execute(tx);
      const built = await buildAgenda(
        tx,
        { id, partnershipId: meeting.partnership_id, heldOn: meeting.held_on },
        { userId: user.userId, name: user.displayName },
      );
      await tx.updateTable('mace_meetings').set({ agenda_built_at: this.clock.now() }).where('id', '=', id).execute();
      await act.audit({ action: 'record.update', recordType: meetingRecordType, recordId: id, details: { agendaBuilt: built } });
      return built;
    });
  }

  /** An item the chair adds, with the reason; an entity already on the agenda is refused. */
  addItem(user: SessionUser, id: string, form: ItemForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.meetingOr404(tx, id);
      let entity: { kind: 'child' | 'person' | 'location'; id: string } | null = null;
      const { target } = form;
      if (target.kind === 'child') {
        const child = await tx.selectFrom('children').select('id').where('reference', '=', target.reference).executeTakeFirst();
        if (!child) throw new MaceValidationError('childReference', 'mace.errors.childNotFound');
        entity = { kind: 'child', id: child.id };
      } else if (target.kind === 'person') {
        if (!(await tx.selectFrom('persons_of_concern').select('id').where('id', '=', target.id).where('removed_at', 'is', null).executeTakeFirst()))
          throw new MaceValidationError('personId', 'mace.errors.target.offenders');
        entity = { kind: 'person', id: target.id };
      } else if (target.kind === 'location') {
        if (!(await tx.selectFrom('intel_locations').select('id').where('id', '=', target.id).where('removed_at', 'is', null).executeTakeFirst()))
          throw new MaceValidationError('locationId', 'mace.errors.target.locations');
        entity = { kind: 'location', id: target.id };
      }
      if (entity && (await tx.selectFrom('mace_agenda_items').select('id').where('meeting_id', '=', id).where('entity_id', '=', entity.id).executeTakeFirst()))
        throw new MaceValidationError({ child: 'childReference', person: 'personId', location: 'locationId' }[entity.kind], 'mace.errors.alreadyOnAgenda');
      const agencies = await this.checkedAgencies(tx, form.restrictedTo);
      const row = await tx
        .insertInto('mace_agenda_items')
        .values({
          ...this.created(user),
          meeting_id: id,
          section: form.section,
          entity_kind: entity?.kind ?? null,
          entity_id: entity?.id ?? null,
          theme: target.kind === 'theme' ? target.theme : null,
          reasons: ['chair_added'],
          chair_reason: form.reason,
          restricted_to_agency_ids: agencies,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.update',
        recordType: meetingRecordType,
        recordId: id,
        reason: form.reason,
        details: { itemAdded: row.id, section: form.section, restrictedTo: agencies },
        ...(entity && entity.kind !== 'location' ? { disclosedIds: [entity.id] } : {}),
      });
      return row.id;
    });
  }

  /** The agencies an item is restricted to: the partnership's own, or the form was tampered with. */
  private async checkedAgencies(tx: Tx, ids: readonly string[]) {
    if (ids.length === 0) return [];
    const known = new Set((await agencyChoices(tx)).map((a) => a.id));
    if (!ids.every((a) => known.has(a))) throw new MaceValidationError('restrictedTo', 'mace.errors.restrictedTo');
    return [...new Set(ids)];
  }

  /** One item's page: the item, its actions and decisions, and the forms' choices; the view audited. */
  item(user: SessionUser, id: string, itemId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      const [item] = await agendaItems(tx, id, itemId);
      if (!item) throw notFound();
      const actions = await meetingActions(tx, id, itemId);
      const decisions = await meetingDecisions(tx, id, itemId);
      await act.audit({
        action: 'record.view',
        recordType: meetingRecordType,
        recordId: id,
        details: { item: itemId },
        disclosedIds: disclosedBy([item]),
      });
      return { meeting, item, actions, decisions, agencies: await agencyChoices(tx) };
    });
  }

  /** The chair's update of an item that is on the agenda (not removed); refused otherwise. */
  private async updateItem(tx: Tx, id: string, itemId: string, values: Updateable<MaceAgendaItems>) {
    const updated = await tx
      .updateTable('mace_agenda_items')
      .set(values)
      .where('id', '=', itemId)
      .where('meeting_id', '=', id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound();
  }

  removeItem(user: SessionUser, id: string, itemId: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.updateItem(tx, id, itemId, { removed_at: this.clock.now(), removed_reason: reason, removed_by_name: user.displayName });
      await act.audit({ action: 'record.update', recordType: meetingRecordType, recordId: id, reason, details: { itemRemoved: itemId } });
    });
  }

  recordMinutes(user: SessionUser, id: string, itemId: string, form: MinutesForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const agencies = await this.checkedAgencies(tx, form.restrictedTo);
      await this.updateItem(tx, id, itemId, {
        minutes: form.minutes,
        minutes_at: this.clock.now(),
        minutes_by_name: user.displayName,
        restricted_to_agency_ids: agencies,
      });
      await act.audit({ action: 'record.update', recordType: meetingRecordType, recordId: id, details: { minutes: itemId, restrictedTo: agencies } });
    });
  }

  private async itemOnAgenda(tx: Tx, id: string, itemId: string) {
    const item = await tx
      .selectFrom('mace_agenda_items')
      .select('id')
      .where('id', '=', itemId)
      .where('meeting_id', '=', id)
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!item) throw notFound();
  }

  addAction(user: SessionUser, id: string, itemId: string, form: ActionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.itemOnAgenda(tx, id, itemId);
      if (!(await this.checkedAgencies(tx, [form.ownerAgencyId]).catch(() => null))) throw new MaceValidationError('ownerAgencyId', 'mace.errors.owner');
      const row = await tx
        .insertInto('mace_actions')
        .values({
          ...this.created(user),
          meeting_id: id,
          item_id: itemId,
          description: form.description,
          owner_agency_id: form.ownerAgencyId,
          due_on: form.dueOn,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.create',
        recordType: 'mace_action',
        recordId: row.id,
        details: { meeting: id, item: itemId, ownerAgency: form.ownerAgencyId, dueOn: form.dueOn },
      });
      return row.id;
    });
  }

  addDecision(user: SessionUser, id: string, itemId: string, form: DecisionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.itemOnAgenda(tx, id, itemId);
      const row = await tx
        .insertInto('mace_decisions')
        .values({ ...this.created(user), meeting_id: id, item_id: itemId, kind: form.kind, note: form.note })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: meetingRecordType, recordId: id, details: { decision: row.id, kind: form.kind, item: itemId } });
      return row.id;
    });
  }

  /** An action's status, by the chair or the owning agency (row-level security decides which rows it reaches); the meeting's id. */
  setActionStatus(user: SessionUser, actionId: string, status: ActionStatus) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .updateTable('mace_actions')
        .set({ status, status_changed_at: this.clock.now(), status_changed_by_name: user.displayName })
        .where('id', '=', actionId)
        .returning('meeting_id')
        .executeTakeFirst();
      if (!row) throw notFound();
      await act.audit({ action: 'record.update', recordType: 'mace_action', recordId: actionId, details: { status } });
      return row.meeting_id;
    });
  }

  /**
   * The meeting pack for a recipient agency, as a DOCX or PDF (`write` makes it): the agenda the reader
   * sees with the items restricted to other agencies withheld and counted. Audited as an export naming
   * the recipient, the language and how many items were withheld.
   */
  pack(user: SessionUser, id: string, recipientId: string, format: PackFormat, language: Language, write: (content: PackContent) => Promise<Buffer>) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const meeting = await this.meetingOr404(tx, id);
      const agencies = await agencyChoices(tx);
      const recipient = agencies.find((a) => a.id === recipientId);
      if (!recipient) throw notFound();
      const items = await agendaItems(tx, id);
      const pack = packFor(items, await meetingActions(tx, id), await meetingDecisions(tx, id), recipientId);
      const body = await write({ meeting, recipient, pack, language, agencies });
      await act.audit({
        action: 'export',
        recordType: meetingRecordType,
        recordId: id,
        details: { document: `pack.${format}`, language, recipientAgency: recipientId, withheld: pack.withheld },
        disclosedIds: disclosedBy(pack.sections.flatMap((s) => s.items)),
      });
      return { body, fileName: `mace-pack-${meeting.held_on}${language === 'cy' ? '-cy' : ''}.${format}` };
    });
  }
}
