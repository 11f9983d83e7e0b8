import type { Tx } from '../../db/context.ts';
import type { DemoSeedContext } from '../../seed/feature-seed.ts';

const statuses = ['attending', 'waiting', 'completed', 'referred'] as const;

/**
 * Demo referrals from children's plans to services of the directory, for both partnerships. Runs
 * after the assurance seed, which makes the directory, and the children feature's seed. Dates are
 * fixed (before the tests' clock, 2 November 2026) so the demo and the tests agree.
 */
export async function seedReferrals(tx: Tx, ctx: DemoSeedContext): Promise<void> {
  for (const p of Object.values(ctx.partnerships)) {
    const children = await tx.selectFrom('children').select('id').where('partnership_id', '=', p.id).orderBy('reference').limit(3).execute();
    const services = await tx.selectFrom('directory_services').select('id').where('partnership_id', '=', p.id).orderBy('name').limit(4).execute();
    const agency = p.agencies.childrens_services!;
    const worker = p.users['social-worker'] ?? null;
    const name = worker ? (await tx.selectFrom('users').select('display_name').where('id', '=', worker).executeTakeFirst())?.display_name : undefined;
    const rows = children.flatMap((child, i) =>
      services.slice(i, i + 2).map((service, j) => ({
        partnership_id: p.id,
        child_id: child.id,
        service_id: service.id,
        referred_on: `2026-${String(7 + i).padStart(2, '0')}-${String(3 + j * 10).padStart(2, '0')}`,
        referred_by_name: name ?? 'Allocated social worker',
        referred_by_agency_id: agency,
        status: statuses[(i + j) % statuses.length]!,
        outcome_note: statuses[(i + j) % statuses.length] === 'completed' ? 'Attended six sessions; the service has closed the referral.' : '',
        recorded_by: worker,
      })),
    );
    if (rows.length > 0) await tx.insertInto('service_referrals').values(rows).execute();
  }
}
