import { sql } from 'kysely';
import type { Tx } from '../../db/context.ts';
import type { SubjectKind } from './schema.ts';

/**
 * What a record's page shows of its data rights, to everyone who sees the record (its own row-level
 * security decides): the restriction of processing in force, and the subject's supplementary statements.
 * Read in the record page's own transaction, which audits the view.
 */
export async function recordNotices(tx: Tx, kind: SubjectKind, id: string) {
  const column = sql.ref(kind === 'child' ? 'child_id' : 'person_id');
  // One round trip: the record's page already makes its own.
  const { rows } = await sql<{
    restriction: { id: string; from_on: string } | null;
    statements: { id: string; disputed_record: string; statement: string; added_at: string }[];
  }>`SELECT (SELECT jsonb_build_object('id', r.id, 'from_on', r.from_on) FROM processing_restrictions r
              WHERE r.${column} = ${id}::uuid AND r.lifted_at IS NULL) AS restriction,
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'disputed_record', s.disputed_record, 'statement', s.statement,
                                                          'added_at', s.added_at) ORDER BY s.added_at)
                        FROM record_statements s WHERE s.${column} = ${id}::uuid), '[]'::jsonb) AS statements`.execute(tx);
  return rows[0]!;
}
export type RecordNotices = Awaited<ReturnType<typeof recordNotices>>;
