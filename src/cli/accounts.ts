import fs from 'node:fs';
import { recordAudit } from '../audit/audit.ts';
import type { Clock } from '../auth/service.ts';
import { can, grantableRoles, type Principal } from '../authz/policy.ts';
import { isRole } from '../authz/roles.ts';
import { withSystem, withTrustedActor } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import type { FeedRefusal } from '../features/lifecycle/feed.ts';
import { LifecycleService, type Acting, type FeedPlan } from '../features/lifecycle/service.ts';

/**
 * The command-line twins of the account lifecycle pages (issue 16 §1), for a nightly job: the same
 * service functions as the page's buttons, acting as a named administrator of the partnership
 * (`--as`), with row-level security as for a request.
 */

/**
 * The command line as a named administrator of the partnership (`--as`): the owner states the context
 * (their account, agency and roles, label `lantern cli`), so row-level security, the separation-of-duties
 * triggers and the audit rows treat the nightly job as that administrator acting. A disabled account, or
 * one that is not an administrator there, is refused.
 */
export async function actingFromCli(owner: Database, partnershipCode: string, asEmail: string): Promise<Acting> {
  const admin = await withSystem(owner, (tx) =>
    tx
      .selectFrom('users')
      .innerJoin('partnerships', 'partnerships.id', 'users.partnership_id')
      .select(['users.id', 'users.partnership_id', 'users.agency_id', 'users.roles', 'users.email'])
      .where('partnerships.code', '=', partnershipCode)
      .where('users.email', '=', asEmail.trim().toLowerCase())
      .where('users.disabled_at', 'is', null)
      .executeTakeFirst(),
  );
  const principal: Principal = { userId: admin?.id ?? '', roles: (admin?.roles ?? []).filter(isRole) };
  const roles = principal.roles;
  if (!admin || !can(principal, 'users.manage')) throw new Error(`No enabled administrator ${asEmail} in partnership "${partnershipCode}"`);
  const context = { partnershipId: admin.partnership_id, agencyId: admin.agency_id, userId: admin.id, roles, label: `lantern cli (${admin.email})` };
  return {
    partnershipId: admin.partnership_id,
    userId: admin.id,
    grantable: grantableRoles(principal),
    run: (fn) =>
      withTrustedActor(owner, context, (tx) =>
        fn(tx, { audit: (entry) => recordAudit(tx, { ...entry, partnershipId: admin.partnership_id, actorUserId: admin.id }) }),
      ),
  };
}

/** Disables the partnership's accounts still dormant when their notice has ended; returns how many. */
export async function disableDormantFromCli(owner: Database, clock: Clock, options: { partnership: string; as: string }): Promise<number> {
  return new LifecycleService(owner, clock).disableDormant(await actingFromCli(owner, options.partnership, options.as));
}

const refusalText = (refusal: FeedRefusal): string =>
  refusal.kind === 'heading'
    ? `the heading row must name these columns: ${refusal.missing.join(', ')}`
    : refusal.kind === 'empty'
      ? 'the file has no rows after the heading'
      : `the file was refused (${refusal.refusal.reason})`;

/** Previews (or, with apply, applies) a joiners and leavers CSV; the lines to print, and whether the file was refused. */
export async function importPeopleFromCli(
  owner: Database,
  clock: Clock,
  options: { partnership: string; as: string; file: string; apply: boolean },
): Promise<{ ok: boolean; lines: string[] }> {
  const text = fs.readFileSync(options.file, 'utf8').replace(/^\uFEFF/, '');
  const service = new LifecycleService(owner, clock);
  const acting = await actingFromCli(owner, options.partnership, options.as);
  const result = options.apply ? await service.applyFeed(acting, text, 'cli') : await service.previewFeed(acting, text);
  if (!result.ok) return { ok: false, lines: [`${options.file}: ${refusalText(result.refusal)}; nothing applied`] };
  return { ok: true, lines: describePlan(result.plan, options.apply) };
}

function describePlan(plan: FeedPlan, applied: boolean): string[] {
  const c = plan.counts;
  const lines = plan.outcomes
    .filter((o) => o.kind === 'rejected')
    .map((o) => `line ${o.line}: ${o.email || '(no email)'} refused: ${o.kind === 'rejected' ? o.reason : ''}`);
  lines.push(
    `${applied ? 'applied' : 'preview (nothing changed; add --apply)'}: ${c.create} new, ${c.change} changed, ${c.disable} leavers disabled, ${c.unchanged} unchanged, ${c.rejected} refused`,
  );
  return lines;
}
