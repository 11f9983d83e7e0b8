import { z } from 'zod';
import { hashPassword } from '../auth/passwords.ts';
import { issuedPasswordExpiry } from '../auth/service.ts';
import { roles } from '../authz/roles.ts';
import { withSystem } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import { recordExplicitAudit } from '../audit/audit.ts';
import { generateInitialPassword } from '../features/admin/service.ts';

const optionsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  name: z.string().trim().min(1),
  partnership: z.string().trim().min(1),
  agency: z.string().trim().min(1),
  role: z.array(z.enum(roles)).min(1),
});

/** The command-line twin of the People page, for the first administrator of a new installation. */
export async function createUserFromCli(db: Database, input: unknown): Promise<string> {
  const options = optionsSchema.parse(input);
  const password = generateInitialPassword();
  const hash = await hashPassword(password);
  await withSystem(db, async (tx) => {
    const agency = await tx
      .selectFrom('agencies')
      .innerJoin('partnerships', 'partnerships.id', 'agencies.partnership_id')
      .select(['agencies.id', 'agencies.partnership_id'])
      .where('partnerships.code', '=', options.partnership)
      .where('agencies.name', '=', options.agency)
      .executeTakeFirst();
    if (!agency) throw new Error(`No agency "${options.agency}" in partnership "${options.partnership}"`);
    const created = await tx
      .insertInto('users')
      .values({
        partnership_id: agency.partnership_id,
        agency_id: agency.id,
        email: options.email,
        display_name: options.name,
        roles: options.role,
        password_hash: hash,
        must_change_password: true,
        password_expires_at: issuedPasswordExpiry(new Date()),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordExplicitAudit(tx, {
      partnershipId: agency.partnership_id,
      actorUserId: null,
      actorLabel: 'lantern cli',
      action: 'user.create',
      recordType: 'user',
      recordId: created.id,
      details: { roles: options.role },
      clientAddress: 'local',
    });
  });
  return password;
}
