import { sql } from 'kysely';
import { z } from 'zod';
import { AuthService, actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { grantableRoles } from '../../authz/policy.ts';
import { isRole, roles as allRoles, type Role } from '../../authz/roles.ts';
import { withActor, type Act, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { recordRolesGranted } from '../admin/service.ts';
import { readPeopleFeedUpload, type FeedRefusal, type FeedRow } from './feed.ts';

/** An account with no sign-in for this many days (or never signed in, created this long ago) is dormant. */
export const dormantAfterDays = 90;
/** After notice, an account still dormant this many days later is disabled. */
export const dormantNoticeDays = 14;

const day = 24 * 60 * 60 * 1000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * day);

/**
 * Who is acting on the partnership's people: a signed-in administrator (their session, as every request)
 * or the command line (a context the database owner states, label `lantern cli`: src/cli/accounts.ts). The same functions
 * serve both, so the page's button and the nightly job do one thing.
 */
export interface Acting {
  partnershipId: string;
  userId: string | null;
  grantable: readonly Role[];
  run<T>(fn: (tx: Tx, act: Act) => Promise<T>): Promise<T>;
}

export function actingAs(db: Database, user: SessionUser): Acting {
  return {
    partnershipId: user.partnershipId,
    userId: user.userId,
    grantable: grantableRoles(user),
    run: (fn) => withActor(db, actorOf(user), fn),
  };
}

export interface DormantAccount {
  id: string;
  display_name: string;
  email: string;
  agency_name: string;
  last_signed_in_at: Date | null;
  created_at: Date;
  dormant_notice_at: Date | null;
  /** When the notice ends (null without notice), and whether it has. */
  notice_ends_at: Date | null;
  notice_ended: boolean;
  self: boolean;
}

/** The outcome of one row of the feed: what applying it does, or why it is refused. */
export type FeedOutcome =
  | { line: number; email: string; kind: 'create'; name: string; agencyId: string; agencyName: string; roles: Role[] }
  | {
      line: number;
      email: string;
      kind: 'change';
      userId: string;
      name: string;
      agencyId: string;
      agencyName: string;
      roles: Role[];
      /** A joiner who had an account before is enabled again; a change leaves a disabled account disabled. */
      enable: boolean;
      before: { name: string; agencyId: string; roles: string[]; disabled: boolean };
    }
  | { line: number; email: string; kind: 'disable'; userId: string; name: string }
  | { line: number; email: string; kind: 'unchanged' }
  | { line: number; email: string; kind: 'rejected'; reason: string };

export interface FeedPlan {
  outcomes: FeedOutcome[];
  counts: { create: number; change: number; disable: number; unchanged: number; rejected: number };
}
export type FeedResult = { ok: true; plan: FeedPlan } | { ok: false; refusal: FeedRefusal };

const emailSchema = z.string().email().max(320);
const ordered = (list: readonly string[]): Role[] => allRoles.filter((r) => list.includes(r));
const sameRoles = (a: readonly string[], b: readonly string[]) => ordered(a).join() === ordered(b).join();

/** Dormant accounts and the joiners and leavers feed (issue 16 §1). */
export class LifecycleService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  acting(user: SessionUser): Acting {
    return actingAs(this.db, user);
  }

  // ---- Dormant accounts ----

  private dormantQuery(tx: Tx, acting: Acting, now: Date) {
    return tx
      .selectFrom('users')
      .innerJoin('agencies', 'agencies.id', 'users.agency_id')
      .where('users.partnership_id', '=', acting.partnershipId)
      .where('users.disabled_at', 'is', null)
      .where(sql<boolean>`coalesce(users.last_signed_in_at, users.created_at) < ${daysBefore(now, dormantAfterDays)}`);
  }

  /** Live accounts with no sign-in for 90 days, longest dormant first (at most 1,000: the page says so). */
  dormant(acting: Acting): Promise<{ accounts: DormantAccount[]; withoutNotice: number; noticeEnded: number; more: boolean }> {
    const now = this.clock.now();
    return acting.run(async (tx, act) => {
      const rows = await this.dormantQuery(tx, acting, now)
        .select([
          'users.id',
          'users.display_name',
          'users.email',
          'agencies.name as agency_name',
          'users.last_signed_in_at',
          'users.created_at',
          'users.dormant_notice_at',
        ])
        .orderBy(sql`coalesce(users.last_signed_in_at, users.created_at)`)
        .orderBy('users.id')
        .limit(1001)
        .execute();
      const noticeCutoff = daysBefore(now, dormantNoticeDays).getTime();
      const accounts = rows.slice(0, 1000).map((r) => ({
        ...r,
        notice_ends_at: r.dormant_notice_at ? new Date(r.dormant_notice_at.getTime() + dormantNoticeDays * day) : null,
        notice_ended: r.dormant_notice_at !== null && r.dormant_notice_at.getTime() <= noticeCutoff && r.id !== acting.userId,
        self: r.id === acting.userId,
      }));
      await act.audit({ action: 'record.view', recordType: 'dormant_accounts', details: { accounts: accounts.length } });
      return {
        accounts,
        withoutNotice: accounts.filter((a) => !a.dormant_notice_at && !a.self).length,
        noticeEnded: accounts.filter((a) => a.notice_ended).length,
        more: rows.length > 1000,
      };
    });
  }

  /** Records notice on every dormant account without it (not one's own); one audit row each. Returns how many. */
  giveDormantNotice(acting: Acting): Promise<number> {
    const now = this.clock.now();
    return acting.run(async (tx, act) => {
      let dormant = this.dormantQuery(tx, acting, now).where('users.dormant_notice_at', 'is', null);
      if (acting.userId) dormant = dormant.where('users.id', '<>', acting.userId);
      const given = await tx.updateTable('users').set({ dormant_notice_at: now }).where('id', 'in', dormant.select('users.id')).returning('id').execute();
      for (const { id } of given) {
        await act.audit({
          action: 'user.dormant_notice',
          recordType: 'user',
          recordId: id,
          details: { noticeDays: dormantNoticeDays, dormantAfterDays },
        });
      }
      return given.length;
    });
  }

  /**
   * Disables every account still dormant when its notice has ended (never the acting administrator's own):
   * sessions end at once, and each leaves the audit row `user.disable` (a security event). Returns how many.
   */
  disableDormant(acting: Acting): Promise<number> {
    const now = this.clock.now();
    return acting.run(async (tx, act) => {
      let query = this.dormantQuery(tx, acting, now)
        .where('users.dormant_notice_at', 'is not', null)
        .where('users.dormant_notice_at', '<=', daysBefore(now, dormantNoticeDays));
      if (acting.userId) query = query.where('users.id', '<>', acting.userId);
      const due = await query.select('users.id').execute();
      for (const { id } of due) {
        await tx.updateTable('users').set({ disabled_at: now, updated_at: now }).where('id', '=', id).execute();
        await AuthService.endSessionsFor(tx, id, 'disabled', now);
        await act.audit({ action: 'user.disable', recordType: 'user', recordId: id, details: { reason: 'dormant', dormantAfterDays } });
      }
      return due.length;
    });
  }

  // ---- The joiners and leavers feed ----

  /** What the feed would change, changing nothing (the preview). */
  async previewFeed(acting: Acting, text: string): Promise<FeedResult> {
    const read = await readPeopleFeedUpload(text);
    if (!read.ok) return read;
    return acting.run(async (tx, act) => {
      const plan = await this.plan(tx, acting, read.rows);
      await act.audit({ action: 'record.view', recordType: 'people_feed', details: { preview: true, ...plan.counts } });
      return { ok: true, plan };
    });
  }

  /**
   * Applies the feed in one transaction, worked out again against the people as they are now (so the
   * same file twice changes nothing the second time); every change audited, and one `import` row.
   */
  async applyFeed(acting: Acting, text: string, source: 'page' | 'cli'): Promise<FeedResult> {
    const read = await readPeopleFeedUpload(text);
    if (!read.ok) return read;
    const now = this.clock.now();
    return acting.run(async (tx, act) => {
      const plan = await this.plan(tx, acting, read.rows);
      for (const o of plan.outcomes) await this.applyOutcome(tx, act, acting, o, now);
      await act.audit({ action: 'import', recordType: 'people_feed', details: { source, ...plan.counts } });
      return { ok: true, plan };
    });
  }

  private async plan(tx: Tx, acting: Acting, rows: FeedRow[]): Promise<FeedPlan> {
    const agencies = await tx.selectFrom('agencies').select(['id', 'name']).where('partnership_id', '=', acting.partnershipId).execute();
    const agencyByName = new Map(agencies.map((a) => [a.name.trim().toLowerCase(), a]));
    const emails = [...new Set(rows.map((r) => r.email).filter((e) => emailSchema.safeParse(e).success))];
    const people =
      emails.length === 0
        ? []
        : await tx
            .selectFrom('users')
            .select(['id', 'email', 'display_name', 'agency_id', 'roles', 'disabled_at'])
            .where('partnership_id', '=', acting.partnershipId)
            .where(sql<string>`lower(email)`, 'in', emails)
            .execute();
    const personByEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
    // Emails new here but used in another partnership (row-level security hides those people): one question for all.
    const unknown = emails.filter((e) => !personByEmail.has(e));
    const unavailable = new Set(
      unknown.length === 0
        ? []
        : (
            await sql<{ email: string }>`SELECT e AS email FROM unnest(${sql.val(unknown)}::text[]) AS e WHERE NOT lantern_email_available(e)`.execute(tx)
          ).rows.map((r) => r.email),
    );
    const seen = new Set<string>();
    const outcomes: FeedOutcome[] = [];
    for (const row of rows) {
      const reject = (reason: string) => outcomes.push({ line: row.line, email: row.email, kind: 'rejected', reason });
      if (!emailSchema.safeParse(row.email).success) {
        reject('invalidEmail');
        continue;
      }
      if (seen.has(row.email)) {
        reject('duplicateEmail');
        continue;
      }
      seen.add(row.email);
      const person = personByEmail.get(row.email);
      if (row.action === 'leave') {
        if (person && person.id === acting.userId) reject('ownAccount');
        else if (!person || person.disabled_at) outcomes.push({ line: row.line, email: row.email, kind: 'unchanged' });
        else outcomes.push({ line: row.line, email: row.email, kind: 'disable', userId: person.id, name: person.display_name });
        continue;
      }
      if (row.action !== 'join' && row.action !== 'change') {
        reject('unknownAction');
        continue;
      }
      const name = `${row.givenName} ${row.familyName}`.trim();
      if (!row.givenName || !row.familyName || name.length > 200) {
        reject('nameRequired');
        continue;
      }
      const agency = agencyByName.get(row.agency.toLowerCase());
      if (!agency) {
        reject(row.agency ? 'unknownAgency' : 'agencyRequired');
        continue;
      }
      if (row.roles.length === 0) {
        reject('roleRequired');
        continue;
      }
      if (row.roles.some((r) => !isRole(r))) {
        reject('unknownRole');
        continue;
      }
      // The roles this administrator may not give (the highest ones) are refused, as on the People page;
      // ones the person holds already are kept.
      const held = person?.roles ?? [];
      if (row.roles.some((r) => !acting.grantable.includes(r as Role) && !held.includes(r))) {
        reject('roleNotGrantable');
        continue;
      }
      const kept = held.filter((r) => isRole(r) && !acting.grantable.includes(r));
      const roles = ordered([...row.roles, ...kept]);
      if (!person) {
        if (row.action === 'change') {
          reject('noAccount');
          continue;
        }
        if (unavailable.has(row.email)) {
          reject('emailInUse');
          continue;
        }
        outcomes.push({ line: row.line, email: row.email, kind: 'create', name, agencyId: agency.id, agencyName: agency.name, roles });
        continue;
      }
      const enable = row.action === 'join' && person.disabled_at !== null;
      const same = person.display_name === name && person.agency_id === agency.id && sameRoles(person.roles, roles) && !enable;
      if (same) {
        outcomes.push({ line: row.line, email: row.email, kind: 'unchanged' });
        continue;
      }
      if (person.id === acting.userId) {
        reject('ownAccount');
        continue;
      }
      outcomes.push({
        line: row.line,
        email: row.email,
        kind: 'change',
        userId: person.id,
        name,
        agencyId: agency.id,
        agencyName: agency.name,
        roles,
        enable,
        before: { name: person.display_name, agencyId: person.agency_id, roles: person.roles, disabled: person.disabled_at !== null },
      });
    }
    const counts = { create: 0, change: 0, disable: 0, unchanged: 0, rejected: 0 };
    for (const o of outcomes) counts[o.kind] += 1;
    return { outcomes, counts };
  }

  private async applyOutcome(tx: Tx, act: Act, acting: Acting, o: FeedOutcome, now: Date): Promise<void> {
    const via = { via: 'people_feed', line: o.line };
    switch (o.kind) {
      case 'create': {
        // No password: the person signs in by single sign-on, matched by their email (docs/SECURITY.md).
        const created = await tx
          .insertInto('users')
          .values({ partnership_id: acting.partnershipId, agency_id: o.agencyId, email: o.email, display_name: o.name, roles: o.roles })
          .returning('id')
          .executeTakeFirstOrThrow();
        await act.audit({ action: 'user.create', recordType: 'user', recordId: created.id, details: { roles: o.roles, agencyId: o.agencyId, ...via } });
        await recordRolesGranted(act, { id: created.id, email: o.email }, [], o.roles, null);
        return;
      }
      case 'change': {
        await tx
          .updateTable('users')
          .set({ display_name: o.name, agency_id: o.agencyId, roles: o.roles, updated_at: now, ...(o.enable ? { disabled_at: null } : {}) })
          .where('id', '=', o.userId)
          .execute();
        if (!sameRoles(o.before.roles, o.roles) || o.before.agencyId !== o.agencyId) await AuthService.endSessionsFor(tx, o.userId, 'roles_changed', now);
        await act.audit({
          action: 'user.update',
          recordType: 'user',
          recordId: o.userId,
          details: { roles: { from: o.before.roles, to: o.roles }, agency: { from: o.before.agencyId, to: o.agencyId }, ...via },
        });
        if (o.enable) await act.audit({ action: 'user.enable', recordType: 'user', recordId: o.userId, details: via });
        await recordRolesGranted(act, { id: o.userId, email: o.email }, o.before.roles, o.roles, null);
        return;
      }
      case 'disable':
        await tx.updateTable('users').set({ disabled_at: now, updated_at: now }).where('id', '=', o.userId).execute();
        await AuthService.endSessionsFor(tx, o.userId, 'disabled', now);
        await act.audit({ action: 'user.disable', recordType: 'user', recordId: o.userId, details: { reason: 'leaver', ...via } });
        return;
      default:
        return;
    }
  }
}
