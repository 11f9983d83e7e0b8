// What many services ask of a row by its id, said once.
import { notFound } from '../errors.ts';
import type { Tx } from './kysely-types.ts';
import type { DB } from './types.generated.ts';

/** The tables whose rows have an `id`. */
type TableWithId = { [T in keyof DB]: 'id' extends keyof DB[T] ? T : never }[keyof DB];

/**
 * Refuses with 404 (LANTERN_E_NOT_FOUND, `detail` for the log) unless the row of `table` with this id
 * is one the acting context sees: row-level security hides another partnership's rows, so they are
 * not found either.
 */
export async function assertFound(tx: Tx, table: TableWithId, id: string, detail?: string): Promise<void> {
  const row = await tx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(detail);
}
