import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError } from '../../errors.ts';
import { runUploadParser } from '../../uploads/parse.ts';
import { attendanceUploadParser, type AttendanceCsvResult, type AttendanceCsvRow } from './attendance-csv.ts';
import { findOrCreateStaff, sessionRow } from './training-records.ts';

export interface ImportPreviewRow extends AttendanceCsvRow {
  match: 'user' | 'staff' | 'new' | 'already';
}

/** A session's attendance read from an uploaded register (CSV): previewed, then confirmed. */
export class AttendanceImportService {
  constructor(private readonly db: Database) {}

  /** Previews an uploaded register: nothing is saved. */
  async previewImport(user: SessionUser, sessionId: string, csv: string) {
    const parsed = await this.readRegister(user, csv);
    return withActor(this.db, actorOf(user), async (tx) => {
      const session = await sessionRow(tx, sessionId);
      if (parsed.refusal) return { session, rows: [], errors: [], refusal: parsed.refusal };
      return { session, ...(await this.matchImport(tx, sessionId, parsed)) };
    });
  }

  /** Records the readable rows' attendance in one transaction; rows with errors are skipped and counted. */
  async confirmImport(user: SessionUser, sessionId: string, csv: string) {
    const parsed = await this.readRegister(user, csv);
    if (parsed.refusal) throw new LanternError('LANTERN_E_VALIDATION', `attendance import refused: ${parsed.refusal.reason}`);
    return withActor(this.db, actorOf(user), async (tx, act) => {
      await sessionRow(tx, sessionId);
      const { rows, errors } = await this.matchImport(tx, sessionId, parsed);
      let added = 0;
      for (const r of rows) {
        if (r.match === 'already') continue;
        const staffId = r.userId
          ? null
          : (r.staffId ?? (await findOrCreateStaff(tx, user, { name: r.name, email: r.email, agencyId: r.agencyId, role: r.role, startedOn: r.startedOn })));
        if (r.staffId && r.startedOn) {
          await tx.updateTable('training_staff').set({ started_on: r.startedOn }).where('id', '=', r.staffId).where('started_on', 'is', null).execute();
        }
        const inserted = await tx
          .insertInto('training_attendance')
          .values({
            partnership_id: user.partnershipId,
            session_id: sessionId,
            user_id: r.userId,
            staff_id: staffId,
            agency_id: r.agencyId,
            role_title: r.role,
            recorded_by: user.userId,
          })
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) added++;
      }
      await act.audit({
        action: 'import',
        recordType: 'training_session',
        recordId: sessionId,
        details: { kind: 'attendance_csv', rows: rows.length, added, skipped: errors.length },
      });
      return { added, skipped: errors.length, already: rows.filter((r) => r.match === 'already').length };
    });
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
      const at = Math.min(r.email ? (staffByEmail.get(r.email) ?? Infinity) : Infinity, staffByName.get(`${r.name.toLowerCase()}|${r.agencyId}`) ?? Infinity);
      const s = staff[at];
      if (s) return { ...r, match: presentStaff.has(s.id) ? 'already' : 'staff', userId: null, staffId: s.id };
      return { ...r, match: 'new', userId: null, staffId: null };
    });
    return { rows, errors: parsed.errors };
  }
}
