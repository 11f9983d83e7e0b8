import { sql } from 'kysely';
import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { londonDate } from '../../dates.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { attendanceUploadParser, type AttendanceCsvResult, type AttendanceCsvRow } from './attendance-csv.ts';
import { answerShares, complianceByAgency, outstandingPeople, type StaffTrainingRecord } from './compliance.ts';
import {
  scaleAnswers, type AttendanceForm, type BodyForm, type CampaignForm, type ComplianceQuery, type CourseForm, type MaterialForm,
  type MeasureForm, type QuestionForm, type RecommendationForm, type ResponseForm, type ServiceFilter, type ServiceForm,
  type SessionForm, type TallyForm, type WorkItemForm,
} from './schema.ts';

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The directory of local services that address CSE. Exported on its own so another feature
 * (case plans) can offer services to refer a child to inside its own transaction.
 */
export async function searchServices(tx: Tx, filter: ServiceFilter) {
  let query = tx.selectFrom('directory_services')
    .select(['id', 'name', 'provider', 'description', 'for_whom', 'age_from', 'age_to', 'referral_route', 'contact', 'area'])
    .where('active', '=', true);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    query = query.where((eb) => eb.or([
      eb('name', 'ilike', pattern), eb('provider', 'ilike', pattern), eb('description', 'ilike', pattern), eb('for_whom', 'ilike', pattern),
    ]));
  }
  if (filter.area) query = query.where('area', 'ilike', likePattern(filter.area));
  if (filter.age !== undefined) query = query.where('age_from', '<=', filter.age).where('age_to', '>=', filter.age);
  return query.orderBy('name').limit(200).execute();
}

/**
 * Everyone to be trained (active Lantern users and staff records without a leaving date by asOf),
 * each with the dates they attended any of the courses: the input to compliance.ts.
 */
export async function staffTrainingRecords(tx: Tx, courseIds: string[], asOf: string) {
  const staff = await sql<{ key: string; name: string; agency_id: string; started_on: string | null; role: string | null }>`
    SELECT 'u:' || id AS key, display_name AS name, agency_id, started_on::text AS started_on, job_title AS role
      FROM users WHERE disabled_at IS NULL
    UNION ALL
    SELECT 's:' || id, display_name, agency_id, started_on::text, role_title
      FROM training_staff WHERE left_on IS NULL OR left_on > ${asOf}::date`.execute(tx);
  // Dates each person attended any of the courses.
  const attended = await sql<{ key: string; held_on: string }>`
    SELECT CASE WHEN a.user_id IS NOT NULL THEN 'u:' || a.user_id ELSE 's:' || a.staff_id END AS key, s.held_on::text AS held_on
      FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id
     WHERE s.course_id = ANY(${courseIds}::uuid[])`.execute(tx);
  const dates = new Map<string, string[]>();
  for (const a of attended.rows) dates.set(a.key, [...(dates.get(a.key) ?? []), a.held_on]);
  return staff.rows.map((s) => ({
    personId: s.key, agencyId: s.agency_id, startedOn: s.started_on, attendedOn: dates.get(s.key) ?? [], name: s.name, role: s.role,
  } satisfies StaffTrainingRecord & { name: string; role: string | null }));
}

export interface ImportPreviewRow extends AttendanceCsvRow {
  match: 'user' | 'staff' | 'new' | 'already';
}

/** Training, campaigns, the services directory and scrutiny: the partnership's assurance. */
export class AssuranceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return londonDate(this.clock.now());
  }

  listAgencies(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute());
  }

  // ── Training ────────────────────────────────────────────────────────────────────────────

  /** Courses, sessions and measures with counts only: fit for board members. */
  trainingOverview(user: SessionUser, year?: number) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const courses = await tx.selectFrom('training_courses as c')
        .select(['c.id', 'c.title', 'c.kind', 'c.description'])
        .select((eb) => [
          eb.selectFrom('training_sessions as s').whereRef('s.course_id', '=', 'c.id').select((e) => e.fn.countAll<number>().as('n')).as('sessions'),
          eb.selectFrom('training_attendance as a').innerJoin('training_sessions as s', 's.id', 'a.session_id')
            .whereRef('s.course_id', '=', 'c.id').select((e) => e.fn.countAll<number>().as('n')).as('attendances'),
        ])
        .orderBy('c.title').execute();
      let sessionQuery = tx.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id')
        .select(['s.id', sql<string>`s.held_on::text`.as('held_on'), 's.trainer', 's.venue', 'c.title as course_title'])
        .select((eb) => eb.selectFrom('training_attendance as a').whereRef('a.session_id', '=', 's.id')
          .select((e) => e.fn.countAll<number>().as('n')).as('attendees'));
      if (year) sessionQuery = sessionQuery.where(sql<boolean>`extract(year FROM s.held_on) = ${year}`);
      const sessions = await sessionQuery.orderBy('s.held_on', 'desc').limit(year ? 500 : 50).execute();
      const years = (await tx.selectFrom('training_sessions').select(sql<number>`extract(year FROM held_on)::int`.as('year')).distinct()
        .orderBy('year', 'desc').execute()).map((r) => r.year);
      const measures = await tx.selectFrom('training_measures').select(['id', 'title', 'window_months', 'target_percent']).orderBy('title').execute();
      return { courses, sessions, measures, years };
    });
  }

  createCourse(user: SessionUser, form: CourseForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('training_courses').select('id').where('title', '=', form.title).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'course title in use');
      const row = await tx.insertInto('training_courses').values({ partnership_id: user.partnershipId, title: form.title, kind: form.kind, description: form.description })
        .returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_course', recordId: row.id });
      return row.id;
    });
  }

  listCourses(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('training_courses').select(['id', 'title', 'kind']).orderBy('title').execute());
  }

  createSession(user: SessionUser, form: SessionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const course = await tx.selectFrom('training_courses').select('id').where('id', '=', form.courseId).executeTakeFirst();
      if (!course) throw notFound();
      const row = await tx.insertInto('training_sessions').values({
        partnership_id: user.partnershipId, course_id: form.courseId, held_on: form.heldOn, trainer: form.trainer, venue: form.venue,
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_session', recordId: row.id });
      return row.id;
    });
  }

  private async sessionRow(tx: Tx, id: string) {
    const session = await tx.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id')
      .select(['s.id', sql<string>`s.held_on::text`.as('held_on'), 's.trainer', 's.venue', 'c.title as course_title', 'c.id as course_id'])
      .where('s.id', '=', id).executeTakeFirst();
    if (!session) throw notFound();
    return session;
  }

  /** A session with its attendance list: personal data, so the view is audited. */
  getSession(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const session = await this.sessionRow(tx, id);
      const attendees = await tx.selectFrom('training_attendance as a')
        .innerJoin('agencies as ag', 'ag.id', 'a.agency_id')
        .leftJoin('users as u', 'u.id', 'a.user_id')
        .leftJoin('training_staff as st', 'st.id', 'a.staff_id')
        .select(['a.id', 'a.role_title', 'ag.name as agency_name', sql<string>`coalesce(u.display_name, st.display_name)`.as('name'),
          sql<boolean>`a.user_id IS NOT NULL`.as('is_user')])
        .where('a.session_id', '=', id).orderBy('ag.name').orderBy(sql`coalesce(u.display_name, st.display_name)`).execute();
      const users = await tx.selectFrom('users').select(['id', 'display_name']).where('disabled_at', 'is', null).orderBy('display_name').execute();
      await act.audit({ action: 'record.view', recordType: 'training_session', recordId: id, details: { attendees: attendees.length } });
      return { session, attendees, users };
    });
  }

  addAttendance(user: SessionUser, sessionId: string, form: AttendanceForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.sessionRow(tx, sessionId);
      let person: { userId: string | null; staffId: string | null; agencyId: string; role: string | null };
      if (form.userId) {
        const u = await tx.selectFrom('users').select(['id', 'agency_id', 'job_title']).where('id', '=', form.userId).executeTakeFirst();
        if (!u) throw notFound();
        person = { userId: u.id, staffId: null, agencyId: u.agency_id, role: form.role ?? u.job_title };
      } else {
        const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId!).executeTakeFirst();
        if (!agency) throw notFound();
        const staffId = await this.findOrCreateStaff(tx, user, { name: form.name!, email: null, agencyId: agency.id, role: form.role, startedOn: form.startedOn });
        person = { userId: null, staffId, agencyId: agency.id, role: form.role };
      }
      const inserted = await tx.insertInto('training_attendance').values({
        partnership_id: user.partnershipId, session_id: sessionId, user_id: person.userId, staff_id: person.staffId,
        agency_id: person.agencyId, role_title: person.role, recorded_by: user.userId,
      }).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
      if (inserted) {
        await act.audit({ action: 'record.create', recordType: 'training_attendance', recordId: inserted.id,
          details: { sessionId, user: person.userId, staff: person.staffId } });
      }
    });
  }

  removeAttendance(user: SessionUser, sessionId: string, attendanceId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx.deleteFrom('training_attendance').where('id', '=', attendanceId).where('session_id', '=', sessionId).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound();
      await act.audit({ action: 'record.update', recordType: 'training_attendance', recordId: attendanceId,
        details: { sessionId, removed: true } });
    });
  }

  private async findOrCreateStaff(tx: Tx, user: SessionUser, p: { name: string; email: string | null; agencyId: string; role: string | null; startedOn: string | null }) {
    let existing = p.email
      ? await tx.selectFrom('training_staff').select(['id', 'started_on']).where('email', '=', p.email).executeTakeFirst()
      : undefined;
    existing ??= await tx.selectFrom('training_staff').select(['id', 'started_on'])
      .where(sql<boolean>`lower(display_name) = ${p.name.toLowerCase()}`).where('agency_id', '=', p.agencyId).executeTakeFirst();
    if (existing) {
      if (!existing.started_on && p.startedOn) await tx.updateTable('training_staff').set({ started_on: p.startedOn }).where('id', '=', existing.id).execute();
      return existing.id;
    }
    const row = await tx.insertInto('training_staff').values({
      partnership_id: user.partnershipId, agency_id: p.agencyId, display_name: p.name, email: p.email, role_title: p.role, started_on: p.startedOn,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Reads an uploaded register and matches its rows to the partnership's agencies, in a worker thread
   * when it is large (src/uploads). A cap passed, or a worker stopped, is a refusal.
   */
  private async readRegister(user: SessionUser, csv: string): Promise<AttendanceCsvResult> {
    const agencies = await withActor(this.db, actorOf(user), (tx) => tx.selectFrom('agencies').select(['id', 'name']).execute());
    const read = await runUploadParser(attendanceUploadParser, { text: csv, agencies }, Buffer.byteLength(csv));
    return read.ok ? read.value : { rows: [], errors: [], refusal: read.refusal };
  }

  /** Matches each readable row to a Lantern user (by email), a staff record, or a new staff record: one pass, looked up by key. */
  private async matchImport(tx: Tx, sessionId: string, parsed: AttendanceCsvResult) {
    const emails = [...new Set(parsed.rows.map((r) => r.email).filter((e): e is string => !!e))];
    const users = emails.length ? await tx.selectFrom('users').select(['id', 'email', 'agency_id']).where('email', 'in', emails).execute() : [];
    const staff = await tx.selectFrom('training_staff').select(['id', 'email', 'display_name', 'agency_id']).execute();
    const present = await tx.selectFrom('training_attendance').select(['user_id', 'staff_id']).where('session_id', '=', sessionId).execute();
    const presentUsers = new Set(present.map((p) => p.user_id));
    const presentStaff = new Set(present.map((p) => p.staff_id));
    const userByEmail = new Map(users.map((u) => [u.email, u]));
    // The first staff record with the row's email or with its name in its agency, as a scan in table order would find.
    const staffByEmail = new Map<string, number>();
    const staffByName = new Map<string, number>();
    staff.forEach((x, i) => {
      if (x.email && !staffByEmail.has(x.email)) staffByEmail.set(x.email, i);
      const name = `${x.display_name.toLowerCase()}|${x.agency_id}`;
      if (!staffByName.has(name)) staffByName.set(name, i);
    });
    const rows: (ImportPreviewRow & { userId: string | null; staffId: string | null })[] = parsed.rows.map((r) => {
      const u = r.email ? userByEmail.get(r.email) : undefined;
      if (u) return { ...r, match: presentUsers.has(u.id) ? 'already' : 'user', userId: u.id, staffId: null };
      const at = Math.min(r.email ? staffByEmail.get(r.email) ?? Infinity : Infinity, staffByName.get(`${r.name.toLowerCase()}|${r.agencyId}`) ?? Infinity);
      const s = staff[at];
      if (s) return { ...r, match: presentStaff.has(s.id) ? 'already' : 'staff', userId: null, staffId: s.id };
      return { ...r, match: 'new', userId: null, staffId: null };
    });
    return { rows, errors: parsed.errors };
  }

  /** Previews an uploaded register: nothing is saved. */
  async previewImport(user: SessionUser, sessionId: string, csv: string) {
    const parsed = await this.readRegister(user, csv);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const session = await this.sessionRow(tx, sessionId);
      if (parsed.refusal) return { session, rows: [], errors: [], refusal: parsed.refusal };
      return { session, ...(await this.matchImport(tx, sessionId, parsed)) };
    });
  }

  /** Records the readable rows' attendance in one transaction; rows with errors are skipped and counted. */
  async confirmImport(user: SessionUser, sessionId: string, csv: string) {
    const parsed = await this.readRegister(user, csv);
    if (parsed.refusal) throw new LanternError('LANTERN_E_VALIDATION', `attendance import refused: ${parsed.refusal.reason}`);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.sessionRow(tx, sessionId);
      const { rows, errors } = await this.matchImport(tx, sessionId, parsed);
      let added = 0;
      for (const r of rows) {
        if (r.match === 'already') continue;
        const staffId = r.userId ? null : r.staffId ?? await this.findOrCreateStaff(tx, user, { name: r.name, email: r.email, agencyId: r.agencyId, role: r.role, startedOn: r.startedOn });
        if (r.staffId && r.startedOn) {
          await tx.updateTable('training_staff').set({ started_on: r.startedOn }).where('id', '=', r.staffId).where('started_on', 'is', null).execute();
        }
        const inserted = await tx.insertInto('training_attendance').values({
          partnership_id: user.partnershipId, session_id: sessionId, user_id: r.userId, staff_id: staffId, agency_id: r.agencyId,
          role_title: r.role, recorded_by: user.userId,
        }).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
        if (inserted) added++;
      }
      await act.audit({ action: 'import', recordType: 'training_session', recordId: sessionId,
        details: { kind: 'attendance_csv', rows: rows.length, added, skipped: errors.length } });
      return { added, skipped: errors.length, already: rows.filter((r) => r.match === 'already').length };
    });
  }

  createMeasure(user: SessionUser, form: MeasureForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const known = await tx.selectFrom('training_courses').select('id').where('id', 'in', form.courseIds).execute();
      if (known.length !== new Set(form.courseIds).size) throw notFound();
      const row = await tx.insertInto('training_measures').values({
        partnership_id: user.partnershipId, title: form.title, course_ids: form.courseIds, window_months: form.windowMonths, target_percent: form.targetPercent,
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_measure', recordId: row.id, details: { ...form } });
      return row.id;
    });
  }

  /**
   * Compliance with a measure, by agency. With `people` the list of who is outstanding is
   * returned too, and that view of personal data is audited; board members never get it.
   */
  compliance(user: SessionUser, query: ComplianceQuery, people: boolean) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const measures = await tx.selectFrom('training_measures').select(['id', 'title', 'course_ids', 'window_months', 'target_percent'])
        .orderBy('created_at').orderBy('window_months').orderBy('title').execute();
      const measure = query.measureId ? measures.find((m) => m.id === query.measureId) : measures[0];
      const agencies = await tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute();
      if (query.measureId && !measure) throw notFound();
      if (!measure) return { measures, measure: null, agencies, rows: [], overall: null, outstanding: null, asOf: query.asOf ?? this.today() };
      const asOf = query.asOf ?? this.today();
      const records = await staffTrainingRecords(tx, measure.course_ids, asOf);
      const rule = { windowMonths: measure.window_months, asOf };
      const { byAgency, overall } = complianceByAgency(records, rule);
      const rows = agencies.filter((a) => byAgency.has(a.id)).map((a) => ({ agency: a, figures: byAgency.get(a.id)! }));
      let outstanding: { name: string; role: string | null; agency: string; startedOn: string | null }[] | null = null;
      if (people) {
        const agencyName = new Map(agencies.map((a) => [a.id, a.name]));
        outstanding = outstandingPeople(records.filter((r) => !query.agencyId || r.agencyId === query.agencyId), rule)
          .map((r) => ({ name: r.name, role: r.role, agency: agencyName.get(r.agencyId) ?? '', startedOn: r.startedOn }))
          .sort((a, b) => a.agency.localeCompare(b.agency) || a.name.localeCompare(b.name));
        await act.audit({ action: 'record.view', recordType: 'training_outstanding', recordId: measure.id,
          details: { agencyId: query.agencyId ?? null, asOf, people: outstanding.length } });
      }
      return { measures, measure, agencies, rows, overall, outstanding, asOf };
    });
  }

  // ── Campaigns ───────────────────────────────────────────────────────────────────────────

  listCampaigns(user: SessionUser, audience?: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      let q = tx.selectFrom('campaigns as c')
        .select(['c.id', 'c.title', 'c.audience', sql<string>`c.starts_on::text`.as('starts_on'), sql<string | null>`c.ends_on::text`.as('ends_on'), 'c.people_reached'])
        .select((eb) => eb.selectFrom('campaign_materials as m').whereRef('m.campaign_id', '=', 'c.id')
          .select(sql<number>`coalesce(sum(m.quantity), 0)::int`.as('n')).as('materials_distributed'));
      if (audience) q = q.where('c.audience', '=', audience);
      const campaigns = await q.orderBy('c.starts_on', 'desc').execute();
      const totals = await tx.selectFrom('campaigns').select(['audience', sql<number>`sum(people_reached)::int`.as('reached'), sql<number>`count(*)::int`.as('campaigns')])
        .groupBy('audience').orderBy('audience').execute();
      return { campaigns, totals };
    });
  }

  getCampaign(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const campaign = await tx.selectFrom('campaigns')
        .select(['id', 'title', 'audience', sql<string>`starts_on::text`.as('starts_on'), sql<string | null>`ends_on::text`.as('ends_on'), 'people_reached', 'summary'])
        .where('id', '=', id).executeTakeFirst();
      if (!campaign) throw notFound();
      const materials = await tx.selectFrom('campaign_materials').select(['id', 'kind', 'title', 'quantity']).where('campaign_id', '=', id).orderBy('title').execute();
      const questions = await tx.selectFrom('campaign_questions').select(['id', 'position', 'text', 'scale']).where('campaign_id', '=', id).orderBy('position').execute();
      const counts = questions.length
        ? await tx.selectFrom('campaign_answer_counts').select(['question_id', 'answer', 'count']).where('question_id', 'in', questions.map((q) => q.id)).execute()
        : [];
      const feedback = questions.map((q) => {
        const answers = scaleAnswers[q.scale as keyof typeof scaleAnswers] ?? [];
        const tallies = answers.map((answer) => ({ answer, count: counts.find((c) => c.question_id === q.id && c.answer === answer)?.count ?? 0 }));
        return { ...q, answers: answerShares(tallies), total: tallies.reduce((s, c) => s + c.count, 0) };
      });
      return { campaign, materials, feedback };
    });
  }

  createCampaign(user: SessionUser, form: CampaignForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.insertInto('campaigns').values({
        partnership_id: user.partnershipId, title: form.title, audience: form.audience, starts_on: form.startsOn, ends_on: form.endsOn,
        people_reached: form.peopleReached, summary: form.summary,
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign', recordId: row.id });
      return row.id;
    });
  }

  private async campaignExists(tx: Tx, id: string) {
    const c = await tx.selectFrom('campaigns').select('id').where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound();
  }

  addMaterial(user: SessionUser, campaignId: string, form: MaterialForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.campaignExists(tx, campaignId);
      const row = await tx.insertInto('campaign_materials').values({ partnership_id: user.partnershipId, campaign_id: campaignId, ...form })
        .returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign_material', recordId: row.id, details: { campaignId } });
    });
  }

  addQuestion(user: SessionUser, campaignId: string, form: QuestionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.campaignExists(tx, campaignId);
      const last = await tx.selectFrom('campaign_questions').select(sql<number>`coalesce(max(position), 0)::int`.as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
      const row = await tx.insertInto('campaign_questions').values({ partnership_id: user.partnershipId, campaign_id: campaignId, position: last.n + 1, text: form.text, scale: form.scale })
        .returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'campaign_question', recordId: row.id, details: { campaignId } });
    });
  }

  /** Replaces a question's answer tallies with the counts given. */
  recordTallies(user: SessionUser, campaignId: string, form: TallyForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const question = await tx.selectFrom('campaign_questions').select(['id', 'scale']).where('id', '=', form.questionId).where('campaign_id', '=', campaignId).executeTakeFirst();
      if (!question) throw notFound();
      const answers = scaleAnswers[question.scale as keyof typeof scaleAnswers] ?? [];
      await tx.deleteFrom('campaign_answer_counts').where('question_id', '=', question.id).execute();
      const values = answers.map((answer) => ({ partnership_id: user.partnershipId, question_id: question.id, answer, count: form[answer] ?? 0 }));
      if (values.length) await tx.insertInto('campaign_answer_counts').values(values).execute();
      await act.audit({ action: 'record.update', recordType: 'campaign_question', recordId: question.id,
        details: Object.fromEntries(values.map((v) => [v.answer, v.count])) });
    });
  }

  // ── Services directory ──────────────────────────────────────────────────────────────────

  searchServices(user: SessionUser, filter: ServiceFilter) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const services = await searchServices(tx, filter);
      const areas = await tx.selectFrom('directory_services').select('area').distinct().where('active', '=', true).orderBy('area').execute();
      return { services, areas: areas.map((a) => a.area) };
    });
  }

  getService(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const row = await tx.selectFrom('directory_services').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound();
      return row;
    });
  }

  saveService(user: SessionUser, id: string | null, form: ServiceForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('directory_services').select('id').where('name', '=', form.name).executeTakeFirst();
      if (clash && clash.id !== id) throw new LanternError('LANTERN_E_CONFLICT', 'service name in use');
      const values = {
        name: form.name, provider: form.provider, description: form.description, for_whom: form.forWhom, age_from: form.ageFrom, age_to: form.ageTo,
        referral_route: form.referralRoute, contact: form.contact, area: form.area,
      };
      if (id) {
        const r = await tx.updateTable('directory_services').set({ ...values, updated_at: this.clock.now() }).where('id', '=', id).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound();
        await act.audit({ action: 'record.update', recordType: 'directory_service', recordId: id });
        return id;
      }
      const row = await tx.insertInto('directory_services').values({ partnership_id: user.partnershipId, ...values }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'directory_service', recordId: row.id });
      return row.id;
    });
  }

  // ── Scrutiny ────────────────────────────────────────────────────────────────────────────

  listBodies(user: SessionUser) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const today = this.today();
      return tx.selectFrom('scrutiny_bodies as b').leftJoin('scrutiny_bodies as p', 'p.id', 'b.parent_id')
        .select(['b.id', 'b.name', 'b.kind', 'b.chair', 'p.name as parent_name'])
        .select((eb) => [
          eb.selectFrom('scrutiny_recommendations as r').whereRef('r.body_id', '=', 'b.id').select((e) => e.fn.countAll<number>().as('n')).as('recommendations'),
          eb.selectFrom('scrutiny_recommendations as r').whereRef('r.body_id', '=', 'b.id').where('r.status', '=', 'blue')
            .select((e) => e.fn.countAll<number>().as('n')).as('complete'),
          eb.selectFrom('scrutiny_recommendations as r').whereRef('r.body_id', '=', 'b.id').where('r.status', 'not in', ['blue', 'not-applicable'])
            .where('r.due_on', '<', today).select((e) => e.fn.countAll<number>().as('n')).as('overdue'),
        ])
        .orderBy('b.name').execute();
    });
  }

  getBody(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const body = await tx.selectFrom('scrutiny_bodies as b').leftJoin('scrutiny_bodies as p', 'p.id', 'b.parent_id')
        .select(['b.id', 'b.name', 'b.kind', 'b.chair', 'b.remit', 'p.name as parent_name', 'p.id as parent_id']).where('b.id', '=', id).executeTakeFirst();
      if (!body) throw notFound();
      const workItems = await tx.selectFrom('scrutiny_work_items').select(['id', sql<string>`meets_on::text`.as('meets_on'), 'topic', 'details'])
        .where('body_id', '=', id).orderBy('meets_on').execute();
      const today = this.today();
      const recommendations = (await tx.selectFrom('scrutiny_recommendations')
        .select(['id', 'reference', 'recommendation', sql<string>`made_on::text`.as('made_on'), 'cross_reference', 'response', 'owner',
          sql<string | null>`due_on::text`.as('due_on'), 'status', 'evidence_source'])
        .where('body_id', '=', id).orderBy('reference').execute())
        .map((r) => ({ ...r, overdue: !!r.due_on && r.due_on < today && !['blue', 'not-applicable'].includes(r.status) }));
      return { body, workItems, recommendations };
    });
  }

  createBody(user: SessionUser, form: BodyForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('scrutiny_bodies').select('id').where('name', '=', form.name).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'name in use');
      const row = await tx.insertInto('scrutiny_bodies').values({ partnership_id: user.partnershipId, ...form }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_body', recordId: row.id });
      return row.id;
    });
  }

  private async bodyExists(tx: Tx, id: string) {
    const b = await tx.selectFrom('scrutiny_bodies').select('id').where('id', '=', id).executeTakeFirst();
    if (!b) throw notFound();
  }

  addWorkItem(user: SessionUser, bodyId: string, form: WorkItemForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.bodyExists(tx, bodyId);
      const row = await tx.insertInto('scrutiny_work_items').values({ partnership_id: user.partnershipId, body_id: bodyId, meets_on: form.meetsOn, topic: form.topic, details: form.details })
        .returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_work_item', recordId: row.id, details: { bodyId } });
    });
  }

  addRecommendation(user: SessionUser, bodyId: string, form: RecommendationForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await this.bodyExists(tx, bodyId);
      const clash = await tx.selectFrom('scrutiny_recommendations').select('id').where('body_id', '=', bodyId).where('reference', '=', form.reference).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'reference in use');
      const row = await tx.insertInto('scrutiny_recommendations').values({
        partnership_id: user.partnershipId, body_id: bodyId, reference: form.reference, recommendation: form.recommendation, made_on: form.madeOn,
        cross_reference: form.crossReference, evidence_source: form.evidenceSource,
      }).returning('id').executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'scrutiny_recommendation', recordId: row.id, details: { bodyId } });
      return row.id;
    });
  }

  getRecommendation(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx.selectFrom('scrutiny_recommendations as r').innerJoin('scrutiny_bodies as b', 'b.id', 'r.body_id')
        .select(['r.id', 'r.reference', 'r.recommendation', sql<string>`r.made_on::text`.as('made_on'), 'r.cross_reference', 'r.response', 'r.response_text',
          'r.owner', sql<string | null>`r.due_on::text`.as('due_on'), 'r.status', 'r.evidence_source', 'r.updated_at', 'b.id as body_id', 'b.name as body_name'])
        .where('r.id', '=', id).executeTakeFirst();
      if (!r) throw notFound();
      return r;
    });
  }

  respond(user: SessionUser, id: string, form: ResponseForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await tx.selectFrom('scrutiny_recommendations').select(['response', 'status']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      await tx.updateTable('scrutiny_recommendations').set({
        response: form.response, response_text: form.responseText, owner: form.owner, due_on: form.dueOn, status: form.status,
        evidence_source: form.evidenceSource, updated_at: this.clock.now(),
      }).where('id', '=', id).execute();
      await act.audit({ action: 'record.update', recordType: 'scrutiny_recommendation', recordId: id,
        details: { response: { from: before.response, to: form.response }, status: { from: before.status, to: form.status } } });
    });
  }
}
