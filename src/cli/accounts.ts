import fs from 'node:fs';
import { recordAudit } from '../audit/audit.ts';
import type { Clock, SessionUser } from '../auth/service.ts';
import { grantableRoles } from '../authz/policy.ts';
import type { Role } from '../authz/roles.ts';
import { withSystem, withTrustedActor } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import type { FeedRefusal } from '../features/lifecycle/feed.ts';
import { LifecycleService, type Acting, type FeedPlan } from '../features/lifecycle/service.ts';

/**
 * The command-line twins of the account lifecycle pages (issue 16 §1), for a nightly job: the same
 * service functions as the page's buttons, acting as the partnership's administrator (`lantern cli`
 * on every audit row), with row-level security as for a request.
 */

/** The command line as the partnership's administrator: the owner states the context; row-level security still applies. */
export function actingFromCli(owner: Database, partnershipId: string): Acting {
  const roles: Role[] = ['partnership_admin'];
  return {
    partnershipId,
    userId: null,
    grantable: grantableRoles({ roles } as SessionUser),
    run: (fn) =>
      withTrustedActor(owner, { partnershipId, agencyId: null, userId: null, roles, label: 'lantern cli' }, (tx) =>
        fn(tx, { audit: (entry) => recordAudit(tx, { ...entry, partnershipId, actorUserId: null }) }),
      ),
  };
}

async function partnershipId(owner: Database, code: string): Promise<string> {
  const row = await withSystem(owner, (tx) => tx.selectFrom('partnerships').select('id').where('code', '=', code).executeTakeFirst());
  if (!row) throw new Error(`No partnership "${code}"`);
  return row.id;
}

/** Disables the partnership's accounts still dormant when their notice has ended; returns how many. */
export async function disableDormantFromCli(owner: Database, clock: Clock, code: string): Promise<number> {
  return new LifecycleService(owner, clock).disableDormant(actingFromCli(owner, await partnershipId(owner, code)));
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
  options: { partnership: string; file: string; apply: boolean },
): Promise<{ ok: boolean; lines: string[] }> {
  const text = fs.readFileSync(options.file, 'utf8').replace(/^\uFEFF/, '');
  const service = new LifecycleService(owner, clock);
  const acting = actingFromCli(owner, await partnershipId(owner, options.partnership));
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
