// The database's Kysely types, alone, so db/database.ts, db/context.ts and audit/audit.ts can name
// them without importing each other: no import cycle. database.ts and context.ts re-export them.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './types.generated.ts';

export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;
