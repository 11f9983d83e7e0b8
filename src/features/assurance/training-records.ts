import { sql } from 'kysely';
import type { SessionUser } from '../../auth/service.ts';
import type { Tx } from '../../db/context.ts';
import { notFound } from '../../errors.ts';
import type { StaffTrainingRecord } from './compliance.ts';

/** Reads and writes the training services share (and the strategy's quarterly report reads). Each takes the caller's transaction. */

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
  return staff.rows.map(
    (s) =>
      ({
        personId: s.key,
        agencyId: s.agency_id,
        startedOn: s.started_on,
        attendedOn: dates.get(s.key) ?? [],
        name: s.name,
        role: s.role,
      }) satisfies StaffTrainingRecord & { name: string; role: string | null },
  );
}

/** A training session with its course; not found if the actor cannot see it. */
export async function sessionRow(tx: Tx, id: string) {
  const session = await tx
    .selectFrom('training_sessions as s')
    .innerJoin('training_courses as c', 'c.id', 's.course_id')
    .select(['s.id', sql<string>`s.held_on::text`.as('held_on'), 's.trainer', 's.venue', 'c.title as course_title', 'c.id as course_id'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!session) throw notFound();
  return session;
}

/** The staff record for a person without a Lantern account: found by email, or by name within the agency, else made. */
export async function findOrCreateStaff(
  tx: Tx,
  user: SessionUser,
  p: { name: string; email: string | null; agencyId: string; role: string | null; startedOn: string | null },
) {
  let existing = p.email ? await tx.selectFrom('training_staff').select(['id', 'started_on']).where('email', '=', p.email).executeTakeFirst() : undefined;
  existing ??= await tx
    .selectFrom('training_staff')
    .select(['id', 'started_on'])
    .where(sql<boolean>`lower(display_name) = ${p.name.toLowerCase()}`)
    .where('agency_id', '=', p.agencyId)
    .executeTakeFirst();
  if (existing) {
    if (!existing.started_on && p.startedOn) await tx.updateTable('training_staff').set({ started_on: p.startedOn }).where('id', '=', existing.id).execute();
    return existing.id;
  }
  const row = await tx
    .insertInto('training_staff')
    .values({
      partnership_id: user.partnershipId,
      agency_id: p.agencyId,
      display_name: p.name,
      email: p.email,
      role_title: p.role,
      started_on: p.startedOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
