import { withSystem } from '../db/context.ts';
import type { Database } from '../db/database.ts';
import { SecretBox } from './secrets.ts';

/**
 * Encrypts TOTP secrets stored in plain text before migration 0009 (an installation upgraded in
 * place). Runs as the owner at start-up; a no-op once every secret is sealed.
 */
export async function sealPlaintextTotpSecrets(owner: Database, box: SecretBox): Promise<number> {
  return withSystem(owner, async (tx) => {
    const plain = await tx
      .selectFrom('users')
      .select(['id', 'totp_secret'])
      .where('totp_secret', 'is not', null)
      .where('totp_secret', 'not like', 'v1.%')
      .execute();
    for (const row of plain) {
      await tx
        .updateTable('users')
        .set({ totp_secret: box.seal(row.id, row.totp_secret!) })
        .where('id', '=', row.id)
        .execute();
    }
    return plain.length;
  });
}
