import { actorOf, type Clock, type SessionUser } from '../../auth/service.ts';
import { withActor, type Tx } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import { LanternError, notFound } from '../../errors.ts';
import type { ServiceFilter, ServiceForm } from './schema.ts';

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The directory of local services that address CSE. Exported on its own so another feature
 * (case plans) can offer services to refer a child to inside its own transaction.
 */
export async function searchServices(tx: Tx, filter: ServiceFilter) {
  let query = tx
    .selectFrom('directory_services')
    .select(['id', 'name', 'provider', 'description', 'for_whom', 'age_from', 'age_to', 'referral_route', 'contact', 'area'])
    .where('active', '=', true);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', pattern), eb('provider', 'ilike', pattern), eb('description', 'ilike', pattern), eb('for_whom', 'ilike', pattern)]),
    );
  }
  if (filter.area) query = query.where('area', 'ilike', likePattern(filter.area));
  if (filter.age !== undefined) query = query.where('age_from', '<=', filter.age).where('age_to', '>=', filter.age);
  return query.orderBy('name').limit(200).execute();
}

/** The directory of local services. */
export class DirectoryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  searchServices(user: SessionUser, filter: ServiceFilter) {
    return withActor(this.db, actorOf(user), async (tx) => {
      const services = await searchServices(tx, filter);
      const areas = await tx.selectFrom('directory_services').select('area').distinct().where('active', '=', true).orderBy('area').execute();
      // Each partner agency's named contact (seed 004), beside the services.
      const contacts = await tx
        .selectFrom('agencies as a')
        .innerJoin('agency_contacts as ac', 'ac.agency_id', 'a.id')
        .select(['a.name as agency', 'ac.name', 'ac.role', 'ac.phone', 'ac.secure_email'])
        .orderBy('a.name')
        .execute();
      return { services, areas: areas.map((a) => a.area), contacts };
    });
  }

  getService(user: SessionUser, id: string) {
    return withActor(this.db, actorOf(user), async (tx) => {
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
        name: form.name,
        provider: form.provider,
        description: form.description,
        for_whom: form.forWhom,
        age_from: form.ageFrom,
        age_to: form.ageTo,
        referral_route: form.referralRoute,
        contact: form.contact,
        area: form.area,
      };
      if (id) {
        const r = await tx
          .updateTable('directory_services')
          .set({ ...values, updated_at: this.clock.now() })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw notFound();
        await act.audit({ action: 'record.update', recordType: 'directory_service', recordId: id });
        return id;
      }
      const row = await tx
        .insertInto('directory_services')
        .values({ partnership_id: user.partnershipId, ...values })
        .returning('id')
        .executeTakeFirstOrThrow();
      await act.audit({ action: 'record.create', recordType: 'directory_service', recordId: row.id });
      return row.id;
    });
  }
}
