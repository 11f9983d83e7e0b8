import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { recordNotices } from '../data-rights/notices.ts';
import { accessLogFor } from '../../audit/access-log.ts';
import { canChangeIntelEntity } from '../../authz/policy.ts';
import { withActor, type Act, type Tx } from '../../db/context.ts';
import type { IsoDate } from '../../dates.ts';
import type { Database } from '../../db/database.ts';
import { forbidden, notFound } from '../../errors.ts';
import { agencyChoices } from '../children/repository.ts';
import type { PersonMatch } from '../linkage/live/candidates.ts';
import { matchNewPerson } from '../linkage/live/service.ts';
import { disruptionsAbout } from './disruption-repository.ts';
import { entityExists, eventsAbout, findEntities, linkChoices, linksOf, locationRow, objectRow, personRow, reportsAbout, sourceRecord } from './repository.ts';
import type { Capture, IntelEntityKind, LinkForm, LocationForm, ObjectForm, PersonForm } from './schema.ts';
import { sharedWithUs, sharesOf } from './sharing-repository.ts';
import { normaliseVrm } from './vrm.ts';

/** A form refused after it was valid (no child with that reference, a vehicle already recorded): the field and the message's key. */
export class IntelligenceValidationError extends Error {
  constructor(
    readonly field: string,
    readonly messageKey: string,
  ) {
    super(messageKey);
  }
}

/** The casework records an entity is captured from. */
export type CaptureSourceKind = 'concern' | 'return_interview' | 'strategy_meeting';

/** A capture as the service takes it: the posted fields, and how the link's source reads ("Return interview 12 March 2026"), in the user's language. */
export type Captured = Capture & { describe: (on: IsoDate) => string };

/** A new entity's id, and with a capture the source record's page to go back to. */
export interface CreatedEntity {
  id: string;
  returnTo: string | null;
}

/** The persons of concern who may be the one being added: shown before anything is saved. */
export interface PossibleDuplicates {
  duplicates: PersonMatch[];
}

/** The page that shows a casework record: a concern's triage page, the child's missing episodes (with the interviews) or meetings. */
export function captureReturnPath(kind: CaptureSourceKind, id: string, childId: string): string {
  if (kind === 'concern') return `/triage/${id}`;
  if (kind === 'return_interview') return `/children/${childId}/missing`;
  return `/children/${childId}/meetings`;
}

/** The audit record type of each entity (locales auditRecordTypes). */
export const auditRecordType = { person: 'person_of_concern', location: 'intel_location', object: 'intel_object' } as const satisfies Record<
  IntelEntityKind,
  string
>;

type Found = Awaited<ReturnType<typeof findEntities>>;
const listOfKind = { person: 'persons', location: 'locations', object: 'objects' } as const satisfies Record<IntelEntityKind, keyof Found>;

/**
 * Intelligence entities and links (issue 12 §1, POLE): persons of concern, locations and objects, and
 * the links between them and children. Every read and change is audited in its own transaction; row-level
 * security (migration 0300) keeps them to the acting partnership's intelligence roles.
 */
export class IntelligenceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The intelligence page: the newest of each kind, or with `term` those it matches. */
  list(user: SessionUser, term?: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const found = await findEntities(tx, term);
      const shown = [...found.persons, ...found.locations, ...found.objects].map((r) => r.id);
      // Persons and locations a neighbouring partnership shares with this one (migration 0340): by whom.
      const sharedBy = Object.fromEntries(
        await sharedWithUs(
          tx,
          user.partnershipId,
          [...found.persons, ...found.locations].map((r) => r.id),
        ),
      );
      await act.audit({
        action: term === undefined ? 'record.view' : 'search',
        recordType: 'intelligence',
        details: { list: 'intelligence', results: shown.length },
        disclosedIds: shown,
      });
      return { ...found, sharedBy };
    });
  }

  /** One kind's newest rows, or with `term` those it matches (the JSON API's lists): audited as the page's list and search. */
  listOf<K extends IntelEntityKind>(user: SessionUser, kind: K, term?: string): Promise<Found[(typeof listOfKind)[K]]> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const shown = (await findEntities(tx, term))[listOfKind[kind]];
      await act.audit({
        action: term === undefined ? 'record.view' : 'search',
        recordType: 'intelligence',
        details: { list: `intelligence ${listOfKind[kind]}`, results: shown.length },
        disclosedIds: shown.map((r) => r.id),
      });
      return shown;
    });
  }

  /** The choices a person's form offers: the agencies that may own the record. */
  personFormChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => ({ agencies: await agencyChoices(tx) }));
  }

  /** The choices a location's form offers: the partnership's localities. */
  locationFormChoices(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx) => ({
      localities: await tx.selectFrom('localities').select(['id', 'name']).orderBy('name').execute(),
    }));
  }

  private created(user: SessionUser) {
    return { partnership_id: user.partnershipId, created_at: this.clock.now(), created_by: user.userId, created_by_name: user.displayName };
  }

  /**
   * A new person of concern. Unless the worker confirmed it is new, the persons who may be the same
   * one (entry-time matching, issue 14 §2) come back instead, and nothing is saved: the list is a
   * search of personal data, audited as one.
   */
  createPerson(user: SessionUser, form: PersonForm, captured: Captured | null = null): Promise<CreatedEntity | PossibleDuplicates> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!form.confirmNew) {
        const entered = { givenName: form.givenName, familyName: form.familyName, aliases: form.aliases, dateOfBirth: form.dateOfBirth };
        const close = await matchNewPerson(tx, user.partnershipId, entered);
        if (close.length > 0) {
          await act.audit({
            action: 'search',
            recordType: auditRecordType.person,
            details: { criteria: entered, results: close.length, purpose: 'entry-time matching' },
            disclosedIds: close.map((m) => m.id),
          });
          return { duplicates: close };
        }
      }
      const row = await tx
        .insertInto('persons_of_concern')
        .values({
          ...this.created(user),
          given_name: form.givenName,
          family_name: form.familyName,
          aliases: form.aliases,
          date_of_birth: form.dateOfBirth,
          estimated_age: form.estimatedAge,
          description: form.description,
          phone_numbers: form.phoneNumbers,
          social_media: form.socialMedia,
          markers: form.markers,
          status: form.status,
          owning_agency_id: form.owningAgencyId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: auditRecordType.person, recordId: row.id });
      return this.linkCaptured(tx, act, user, { kind: 'person', id: row.id }, captured);
    });
  }

  createLocation(user: SessionUser, form: LocationForm, captured: Captured | null = null): Promise<CreatedEntity> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx
        .insertInto('intel_locations')
        .values({
          ...this.created(user),
          name: form.name,
          kind: form.kind,
          address: form.address,
          postcode: form.postcode,
          locality_id: form.localityId,
          business_type: form.businessType,
          licensing_authority: form.licensingAuthority,
          licence_number: form.licenceNumber,
          description: form.description,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: auditRecordType.location, recordId: row.id });
      return this.linkCaptured(tx, act, user, { kind: 'location', id: row.id }, captured);
    });
  }

  createObject(user: SessionUser, form: ObjectForm, captured: Captured | null = null): Promise<CreatedEntity> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const vrm = form.registration ? normaliseVrm(form.registration) : null;
      if (vrm && (await tx.selectFrom('intel_objects').select('id').where('vrm_key', '=', vrm).executeTakeFirst()))
        throw new IntelligenceValidationError('registration', 'intelligence.errors.vehicleExists');
      const row = await tx
        .insertInto('intel_objects')
        .values({
          ...this.created(user),
          kind: form.kind,
          registration: form.registration,
          make: form.make,
          model: form.model,
          colour: form.colour,
          identifier: form.identifier,
          platform: form.platform,
          description: form.description,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: auditRecordType.object, recordId: row.id });
      return this.linkCaptured(tx, act, user, { kind: 'object', id: row.id }, captured);
    });
  }

  /** The row of an entity for a change: not found when the reader does not see it, forbidden unless its agency owns it (and it is not removed). */
  private async changeable<R extends { owning_agency_id: string | null; removed_at: Date | null }>(user: SessionUser, read: () => Promise<R | undefined>) {
    const row = await read();
    if (!row) throw notFound();
    if (!canChangeIntelEntity(user, row)) throw forbidden('not the owning agency of this intelligence');
    return row;
  }

  /** The fields of a row an edit changed, by name (the audit row's details: which, never the values). */
  private changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    return Object.keys(after).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
  }

  /** An entity's edit or removal form: the record as it is, and the form's choices; the read audited. */
  editForm(user: SessionUser, kind: IntelEntityKind, id: string, page: 'edit' | 'remove') {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const record = await this.changeable(user, () => this.rowOf(tx, kind, id));
      await act.audit({ action: 'record.view', recordType: auditRecordType[kind], recordId: id, details: { page } });
      const choices =
        kind === 'person'
          ? { agencies: await agencyChoices(tx) }
          : kind === 'location'
            ? { localities: await tx.selectFrom('localities').select(['id', 'name']).orderBy('name').execute() }
            : {};
      return { record, ...choices };
    });
  }

  private async rowOf(
    tx: Tx,
    kind: IntelEntityKind,
    id: string,
  ): Promise<(Record<string, unknown> & { owning_agency_id: string | null; removed_at: Date | null }) | undefined> {
    return kind === 'person' ? await personRow(tx, id) : kind === 'location' ? await locationRow(tx, id) : await objectRow(tx, id);
  }

  updatePerson(user: SessionUser, id: string, form: Omit<PersonForm, 'confirmNew' | 'owningAgencyId'>) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await this.changeable(user, () => personRow(tx, id));
      // The owning agency stays: a change of owner is not an edit (it would take the record from its editors).
      const after = {
        given_name: form.givenName,
        family_name: form.familyName,
        aliases: form.aliases,
        date_of_birth: form.dateOfBirth,
        estimated_age: form.estimatedAge,
        description: form.description,
        phone_numbers: form.phoneNumbers,
        social_media: form.socialMedia,
        markers: form.markers,
        status: form.status,
      };
      await tx.updateTable('persons_of_concern').set(after).where('id', '=', id).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: auditRecordType.person, recordId: id, details: { changed: this.changedFields(before, after) } });
    });
  }

  updateLocation(user: SessionUser, id: string, form: LocationForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await this.changeable(user, () => locationRow(tx, id));
      const after = {
        name: form.name,
        kind: form.kind,
        address: form.address,
        postcode: form.postcode,
        locality_id: form.localityId,
        business_type: form.businessType,
        licensing_authority: form.licensingAuthority,
        licence_number: form.licenceNumber,
        description: form.description,
      };
      await tx.updateTable('intel_locations').set(after).where('id', '=', id).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: auditRecordType.location, recordId: id, details: { changed: this.changedFields(before, after) } });
    });
  }

  /** An object's details; its kind stays (a phone is not edited into a car). */
  updateObject(user: SessionUser, id: string, form: ObjectForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await this.changeable(user, () => objectRow(tx, id));
      if (form.kind !== before.kind) throw new IntelligenceValidationError('kind', 'intelligence.errors.objectKindFixed');
      const vrm = form.registration ? normaliseVrm(form.registration) : null;
      if (vrm && (await tx.selectFrom('intel_objects').select('id').where('vrm_key', '=', vrm).where('id', '<>', id).executeTakeFirst()))
        throw new IntelligenceValidationError('registration', 'intelligence.errors.vehicleExists');
      const after = {
        registration: form.registration,
        make: form.make,
        model: form.model,
        colour: form.colour,
        identifier: form.identifier,
        platform: form.platform,
        description: form.description,
      };
      await tx.updateTable('intel_objects').set(after).where('id', '=', id).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: auditRecordType.object, recordId: id, details: { changed: this.changedFields(before, after) } });
    });
  }

  /**
   * Removes an entity, with the reason: kept (for the audit trail and the links' history), shown on its
   * own page as removed, and left out of the lists, searches, the network and new MACE agendas.
   */
  remove(user: SessionUser, kind: IntelEntityKind, id: string, reason: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.changeable(user, () => this.rowOf(tx, kind, id));
      const removal = { removed_at: this.clock.now(), removed_by: user.userId, removed_by_name: user.displayName, removed_reason: reason };
      const table = ({ person: 'persons_of_concern', location: 'intel_locations', object: 'intel_objects' } as const)[kind];
      await tx.updateTable(table).set(removal).where('id', '=', id).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.close', recordType: auditRecordType[kind], recordId: id, reason, details: { removed: true } });
    });
  }

  /**
   * The casework record an entity's form was opened from ("add the person, place or vehicle mentioned
   * here"): its child and date, for the form to say what the new entity will be linked to. Not found when
   * the reader does not see the record or it has no child yet (a concern still in triage).
   */
  captureSource(user: SessionUser, kind: CaptureSourceKind, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const source = await sourceRecord(tx, kind, id);
      if (!source) throw notFound();
      await act.audit({
        action: 'record.view',
        recordType: 'child',
        recordId: source.child.id,
        details: { page: 'intelligence capture', source: `${kind}:${id}` },
      });
      return { ...source, returnTo: captureReturnPath(kind, id, source.child.id) };
    });
  }

  /** With a capture, the new entity's link from the source record's child, in the creating transaction; the entity's id and where to go next. */
  private async linkCaptured(
    tx: Tx,
    act: Act,
    user: SessionUser,
    entity: { kind: IntelEntityKind; id: string },
    captured: Captured | null,
  ): Promise<CreatedEntity> {
    if (!captured) return { id: entity.id, returnTo: null };
    const source = await sourceRecord(tx, captured.kind, captured.id);
    if (!source) throw notFound();
    const link = await tx
      .insertInto('intel_links')
      .values({
        ...this.created(user),
        from_kind: 'child',
        from_id: source.child.id,
        to_kind: entity.kind,
        to_id: entity.id,
        relation: captured.relation,
        first_seen_on: source.on,
        source: captured.describe(source.on),
        confidence: captured.confidence,
        source_record_kind: captured.kind,
        source_record_id: captured.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await act.audit({
      action: 'record.create',
      recordType: 'intel_link',
      recordId: link.id,
      details: { from: `child:${source.child.id}`, to: `${entity.kind}:${entity.id}`, relation: captured.relation, source: `${captured.kind}:${captured.id}` },
      disclosedIds: [source.child.id, entity.id],
    });
    return { id: entity.id, returnTo: captureReturnPath(captured.kind, captured.id, source.child.id) };
  }

  /** An entity's page: the record, its links, the reports about it the reader may read, its access log and the link form's choices; the view audited. */
  private entityPage<R extends { owning_agency_id: string | null; removed_at: Date | null }>(
    user: SessionUser,
    kind: IntelEntityKind,
    id: string,
    read: (tx: Tx) => Promise<R | undefined>,
  ) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const record = await read(tx);
      if (!record) throw notFound();
      const links = await linksOf(tx, kind, id);
      const reports = await reportsAbout(tx, kind, id);
      const disruptions = await disruptionsAbout(tx, kind, id);
      const intelEvents = await eventsAbout(tx, kind, id);
      const choices = await linkChoices(tx);
      await act.audit({
        action: 'record.view',
        recordType: auditRecordType[kind],
        recordId: id,
        details: { reports: reports.length, disruptions: disruptions.length, events: intelEvents.length },
        disclosedIds: [
          ...links.flatMap((l) => (l.other.label === null ? [] : [l.other.id])),
          ...reports.map((r) => r.id),
          ...disruptions.map((d) => d.id),
          ...intelEvents.map((e) => e.id),
        ],
      });
      const accessLog = await accessLogFor(tx, auditRecordType[kind], id);
      // Across boundaries (migration 0340): this partnership's shares of the entity, or who shared it with this one.
      const shares = kind === 'object' ? [] : await sharesOf(tx, user.partnershipId, id);
      const sharedBy = kind === 'object' ? undefined : (await sharedWithUs(tx, user.partnershipId, [id])).get(id);
      // Data subjects' rights (issue 16 §3): a person of concern's restriction of processing and statements.
      const dataRights = kind === 'person' ? await recordNotices(tx, 'person', id) : null;
      return {
        record,
        links,
        reports,
        disruptions,
        intelEvents,
        choices,
        accessLog,
        shares,
        sharedBy,
        mayChange: canChangeIntelEntity(user, record),
        dataRights,
      };
    });
  }

  person(user: SessionUser, id: string) {
    return this.entityPage(user, 'person', id, (tx) => personRow(tx, id));
  }

  location(user: SessionUser, id: string) {
    return this.entityPage(user, 'location', id, (tx) => locationRow(tx, id));
  }

  object(user: SessionUser, id: string) {
    return this.entityPage(user, 'object', id, (tx) => objectRow(tx, id));
  }

  /** A link from an entity to a child (by reference) or another entity; its id. */
  addLink(user: SessionUser, from: { kind: IntelEntityKind; id: string }, form: LinkForm): Promise<string> {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      if (!(await entityExists(tx, from.kind, from.id))) throw notFound();
      let to: { kind: 'child' | IntelEntityKind; id: string };
      if (form.target.kind === 'child') {
        const child = await tx.selectFrom('children').select('id').where('reference', '=', form.target.reference).executeTakeFirst();
        if (!child) throw new IntelligenceValidationError('childReference', 'intelligence.errors.childNotFound');
        to = { kind: 'child', id: child.id };
      } else {
        const field = `${form.target.kind}Id`;
        if (form.target.id === from.id) throw new IntelligenceValidationError(field, 'intelligence.errors.sameEntity');
        if (!(await entityExists(tx, form.target.kind, form.target.id)))
          throw new IntelligenceValidationError(field, `intelligence.errors.target.${form.target.kind}`);
        to = { kind: form.target.kind, id: form.target.id };
      }
      const row = await tx
        .insertInto('intel_links')
        .values({
          ...this.created(user),
          from_kind: from.kind,
          from_id: from.id,
          to_kind: to.kind,
          to_id: to.id,
          relation: form.relation,
          first_seen_on: form.firstSeenOn,
          last_seen_on: form.lastSeenOn,
          source: form.source,
          confidence: form.confidence,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({
        action: 'record.create',
        recordType: 'intel_link',
        recordId: row.id,
        details: { from: `${from.kind}:${from.id}`, to: `${to.kind}:${to.id}`, relation: form.relation },
        disclosedIds: [from.id, to.id],
      });
      return row.id;
    });
  }

  /** The intelligence links of a child and the graded reports about it, for its record's page (only for the intelligence roles: the route asks). */
  childLinks(user: SessionUser, childId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const links = await linksOf(tx, 'child', childId);
      const reports = await reportsAbout(tx, 'child', childId);
      const disruptions = await disruptionsAbout(tx, 'child', childId);
      const intelEvents = await eventsAbout(tx, 'child', childId);
      await act.audit({
        action: 'record.view',
        recordType: 'child',
        recordId: childId,
        details: { page: 'intelligence links', links: links.length, reports: reports.length, disruptions: disruptions.length, events: intelEvents.length },
        disclosedIds: [
          ...links.flatMap((l) => (l.other.label === null ? [] : [l.other.id])),
          ...reports.map((r) => r.id),
          ...disruptions.map((d) => d.id),
          ...intelEvents.map((e) => e.id),
        ],
      });
      return { links, reports, disruptions, intelEvents };
    });
  }
}
