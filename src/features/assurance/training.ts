import { sql } from 'kysely';
import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { AttendanceForm, CourseForm, SessionForm } from './schema.ts';
import { changedFields } from '../casework/edits.ts';
import { findOrCreateStaff, sessionRow } from './training-records.ts';

/** Training: courses, the sessions held and who attended them. */
export class TrainingService {
  constructor(private readonly db: Database) {}

  listAgencies(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute());
  }

  /** Courses, sessions and measures with counts only: fit for board members. */
  trainingOverview(user: SessionUser, year?: number) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const courses = await tx
        .selectFrom('training_courses as c')
        .select(['c.id', 'c.title', 'c.kind', 'c.description'])
        .select((eb) => [
          eb
            .selectFrom('training_sessions as s')
            .whereRef('s.course_id', '=', 'c.id')
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('sessions'),
          eb
            .selectFrom('training_attendance as a')
            .innerJoin('training_sessions as s', 's.id', 'a.session_id')
            .whereRef('s.course_id', '=', 'c.id')
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('attendances'),
        ])
        .orderBy('c.title')
        .execute();
      let sessionQuery = tx
        .selectFrom('training_sessions as s')
        .innerJoin('training_courses as c', 'c.id', 's.course_id')
        .select(['s.id', sql<string>`s.held_on::text`.as('held_on'), 's.trainer', 's.venue', 'c.title as course_title'])
        .select((eb) =>
          eb
            .selectFrom('training_attendance as a')
            .whereRef('a.session_id', '=', 's.id')
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('attendees'),
        );
      if (year) sessionQuery = sessionQuery.where(sql<boolean>`extract(year FROM s.held_on) = ${year}`);
      const sessions = await sessionQuery
        .orderBy('s.held_on', 'desc')
        .limit(year ? 500 : 50)
        .execute();
      const years = (
        await tx
          .selectFrom('training_sessions')
          .select(sql<number>`extract(year FROM held_on)::int`.as('year'))
          .distinct()
          .orderBy('year', 'desc')
          .execute()
      ).map((r) => r.year);
      const measures = await tx.selectFrom('training_measures').select(['id', 'title', 'window_months', 'target_percent']).orderBy('title').execute();
      return { courses, sessions, measures, years };
    });
  }

  createCourse(user: SessionUser, form: CourseForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const clash = await tx.selectFrom('training_courses').select('id').where('title', '=', form.title).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'course title in use');
      const row = await tx
        .insertInto('training_courses')
        .values({ partnership_id: user.partnershipId, title: form.title, kind: form.kind, description: form.description })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_course', recordId: row.id });
      return row.id;
    });
  }

  /** A course as its edit form shows it. */
  getCourse(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const course = await tx.selectFrom('training_courses').select(['id', 'title', 'kind', 'description']).where('id', '=', id).executeTakeFirst();
      if (!course) throw notFound();
      return course;
    });
  }

  /** Corrects a course: its title stays unique; the audit row names what changed (the description named, never copied). */
  updateCourse(user: SessionUser, id: string, form: CourseForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const before = await tx.selectFrom('training_courses').select(['title', 'kind', 'description']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound();
      const clash = await tx.selectFrom('training_courses').select('id').where('title', '=', form.title).where('id', '!=', id).executeTakeFirst();
      if (clash) throw new LanternError('LANTERN_E_CONFLICT', 'course title in use');
      const after = { title: form.title, kind: form.kind, description: form.description };
      const diff = changedFields(before, after, ['description']);
      if (diff.fields.length === 0) return;
      await tx.updateTable('training_courses').set(after).where('id', '=', id).execute();
      await act.audit({ action: 'record.update', recordType: 'training_course', recordId: id, details: { change: 'edited', ...diff } });
    });
  }

  listCourses(user: SessionUser) {
    return withActor(this.db, actorOf(user), (tx) => tx.selectFrom('training_courses').select(['id', 'title', 'kind']).orderBy('title').execute());
  }

  createSession(user: SessionUser, form: SessionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const course = await tx.selectFrom('training_courses').select('id').where('id', '=', form.courseId).executeTakeFirst();
      if (!course) throw notFound();
      const row = await tx
        .insertInto('training_sessions')
        .values({
          partnership_id: user.partnershipId,
          course_id: form.courseId,
          held_on: form.heldOn,
          trainer: form.trainer,
          venue: form.venue,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'training_session', recordId: row.id });
      return row.id;
    });
  }

  /** A session as its edit form shows it (no attendance list: nobody's name but the trainer's). */
  sessionForEdit(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), (tx) => sessionRow(tx, id));
  }

  /** Corrects a session's course, date, trainer or venue; the trainer and venue are named in the audit row, never copied. */
  updateSession(user: SessionUser, id: string, form: SessionForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const session = await sessionRow(tx, id);
      const course = await tx.selectFrom('training_courses').select('id').where('id', '=', form.courseId).executeTakeFirst();
      if (!course) throw notFound();
      const before = { courseId: session.course_id, heldOn: session.held_on, trainer: session.trainer, venue: session.venue };
      const diff = changedFields(before, { courseId: form.courseId, heldOn: form.heldOn, trainer: form.trainer, venue: form.venue }, ['trainer', 'venue']);
      if (diff.fields.length === 0) return;
      await tx
        .updateTable('training_sessions')
        .set({ course_id: form.courseId, held_on: form.heldOn, trainer: form.trainer, venue: form.venue })
        .where('id', '=', id)
        .execute();
      await act.audit({ action: 'record.update', recordType: 'training_session', recordId: id, details: { change: 'edited', ...diff } });
    });
  }

  /** A session with its attendance list: personal data, so the view is audited. */
  getSession(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const session = await sessionRow(tx, id);
      const attendees = await tx
        .selectFrom('training_attendance as a')
        .innerJoin('agencies as ag', 'ag.id', 'a.agency_id')
        .leftJoin('users as u', 'u.id', 'a.user_id')
        .leftJoin('training_staff as st', 'st.id', 'a.staff_id')
        .select([
          'a.id',
          'a.role_title',
          'ag.name as agency_name',
          sql<string>`coalesce(u.display_name, st.display_name)`.as('name'),
          sql<boolean>`a.user_id IS NOT NULL`.as('is_user'),
        ])
        .where('a.session_id', '=', id)
        .orderBy('ag.name')
        .orderBy(sql`coalesce(u.display_name, st.display_name)`)
        .execute();
      const users = await tx.selectFrom('users').select(['id', 'display_name']).where('disabled_at', 'is', null).orderBy('display_name').execute();
      await act.audit({ action: 'record.view', recordType: 'training_session', recordId: id, details: { attendees: attendees.length } });
      return { session, attendees, users };
    });
  }

  addAttendance(user: SessionUser, sessionId: string, form: AttendanceForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await sessionRow(tx, sessionId);
      let person: { userId: string | null; staffId: string | null; agencyId: string; role: string | null };
      if (form.userId) {
        const u = await tx.selectFrom('users').select(['id', 'agency_id', 'job_title']).where('id', '=', form.userId).executeTakeFirst();
        if (!u) throw notFound();
        person = { userId: u.id, staffId: null, agencyId: u.agency_id, role: form.role ?? u.job_title };
      } else {
        const agency = await tx.selectFrom('agencies').select('id').where('id', '=', form.agencyId!).executeTakeFirst();
        if (!agency) throw notFound();
        const staffId = await findOrCreateStaff(tx, user, { name: form.name!, email: null, agencyId: agency.id, role: form.role, startedOn: form.startedOn });
        person = { userId: null, staffId, agencyId: agency.id, role: form.role };
      }
      const inserted = await tx
        .insertInto('training_attendance')
        .values({
          partnership_id: user.partnershipId,
          session_id: sessionId,
          user_id: person.userId,
          staff_id: person.staffId,
          agency_id: person.agencyId,
          role_title: person.role,
          recorded_by: user.userId,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) {
        await act.audit({
          action: 'record.create',
          recordType: 'training_attendance',
          recordId: inserted.id,
          details: { sessionId, user: person.userId, staff: person.staffId },
        });
      }
    });
  }

  removeAttendance(user: SessionUser, sessionId: string, attendanceId: string) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const r = await tx.deleteFrom('training_attendance').where('id', '=', attendanceId).where('session_id', '=', sessionId).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw notFound();
      await act.audit({ action: 'record.update', recordType: 'training_attendance', recordId: attendanceId, details: { sessionId, removed: true } });
    });
  }
}
