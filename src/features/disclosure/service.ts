import { actorOf, type SessionUser } from '../../auth/service.ts';
import { withActor } from '../../db/context.ts';
import type { Database } from '../../db/database.ts';
import type { DisclosureSettingsForm } from './schema.ts';
import type { DisclosureSettings } from './table.ts';

/** A partnership's disclosure control settings (migration 0400): read by every page that publishes figures. */
export class DisclosureSettingsService {
  constructor(private readonly db: Database) {}

  /** The acting partnership's threshold and symbol. */
  async settings(user: SessionUser): Promise<DisclosureSettings> {
    const { threshold, symbol } = await this.settingsPage(user);
    return { threshold, symbol };
  }

  /** The same, with the partnership's name, for the settings page. */
  settingsPage(user: SessionUser): Promise<DisclosureSettings & { partnershipName: string }> {
    return withActor(this.db, actorOf(user), (tx) =>
      tx
        .selectFrom('partnerships')
        .select(['name as partnershipName', 'disclosure_threshold as threshold', 'disclosure_symbol as symbol'])
        .where('id', '=', user.partnershipId)
        .executeTakeFirstOrThrow(),
    );
  }

  /** Changes them, audited; the partnerships_own policy lets only its administrators. */
  save(user: SessionUser, form: DisclosureSettingsForm) {
    return withActor(this.db, actorOf(user), async (tx, act) => {
      const values = { disclosure_threshold: form.threshold, disclosure_symbol: form.symbol };
      await tx.updateTable('partnerships').set(values).where('id', '=', user.partnershipId).executeTakeFirstOrThrow();
      await act.audit({ action: 'record.update', recordType: 'partnership', recordId: user.partnershipId, details: { disclosure: values } });
    });
  }
}
